import { randomUUID } from 'node:crypto';
import { type ApiKeyResolver, isOriginAllowed } from '@urbackend/common/api-keys';
import { type ProjectChangedEvent, type RedisConnection, subscribeProjectChanged } from '@urbackend/common/cache';
import type { SecretBox } from '@urbackend/common/crypto';
import { AppError, badRequest, forbidden, unauthenticated, unavailable } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import type { Platform } from '@urbackend/common/platform';
import {
  type CompiledSubscription,
  type ConnectionPresence,
  type RealtimeBus,
  type RealtimeEntry,
  type RealtimeServerConfig,
  type SubscriberEvent,
  type TicketCredentials,
  type TicketStore,
  compareIds,
  compileSubscription,
  createConnectionPresence,
  createTicketStore,
  effectiveLimit,
} from '@urbackend/common/realtime';
import type { ProjectScope } from '@urbackend/common/scope';
import { verifyUserToken } from '../../middleware/auth-user.js';

/** How a connection authenticated: the same credentials as an HTTP request (headers, or a ticket's). */
export interface Credentials {
  apiKey: string;
  userToken: string | null;
  /** The browser origin the credentials are used from (checked against the project's allowed domains). */
  origin: string | null;
}

/** What a transport (SSE or WebSocket) does for the hub. */
export interface Transport {
  kind: 'sse' | 'ws';
  /** Sends one message; false when the connection is gone or over its buffer limit (it is then closed). */
  send(subscriptionId: string, event: OutgoingEvent): boolean;
  /** A subscription's rights are gone (collection deleted, RLS now needs a user...): SSE closes, WebSocket drops it. */
  subscriptionRevoked(subscriptionId: string, error: AppError): void;
  /** Closes the connection with a reason (`key-revoked`, `user-revoked`, `slow-consumer`, `shutdown`...). */
  close(reason: string): void;
}

/** One message to a subscriber: an event of its view, or a `reset` (history unavailable: reload). */
export type OutgoingEvent = { id: string } & (SubscriberEvent | { type: 'reset'; reason: string });

interface Subscription {
  id: string;
  collection: string;
  query: Record<string, unknown>;
  compiled: CompiledSubscription;
  /** Entries up to this id are handled; later ones are delivered. */
  after: string;
  /** Live entries held while the subscription replays missed ones. */
  buffer: RealtimeEntry[] | null;
}

export interface Connection {
  id: string;
  projectId: string;
  transport: Transport;
  scope: ProjectScope;
  credentials: Credentials;
  subscriptions: Map<string, Subscription>;
  /** The stream position the connection is at (latest entry seen). */
  position: string;
  closed: boolean;
  stopListening: () => void;
  timers: NodeJS.Timeout[];
}

export interface RealtimeHubDeps {
  apiKeys: ApiKeyResolver;
  scopeFor: Platform['scopeFor'];
  secretBox: SecretBox;
  projectJwtKey: Platform['projectJwtKey'];
  cache: RedisConnection;
  realtime: RealtimeBus;
  logger: Logger;
  settings: RealtimeServerConfig;
}

const limited = (message: string) => new AppError('RATE_LIMITED', message);

const ERROR_REASONS: Record<string, string> = {
  UNAUTHENTICATED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
};

/**
 * The realtime connections of this process: authentication (same rules as HTTP), the connection
 * limit (across processes), one bus listener per connection, the per-subscriber rule on every
 * event, replay/reset, re-authorisation on project changes, heartbeats and back-pressure.
 */
export function createRealtimeHub(deps: RealtimeHubDeps) {
  const { realtime, logger, settings } = deps;
  const tickets: TicketStore = createTicketStore(deps.cache, deps.secretBox);
  const presence: ConnectionPresence = createConnectionPresence(deps.cache, logger, settings.heartbeatMs * 3);
  const connections = new Map<string, Connection>();
  const counters = { delivered: 0, opened: 0, dropped: {} as Record<string, number> };
  /** Deliveries per second over the last 10 s (a ring of per-second counters: constant memory). */
  const RATE_WINDOW = 10;
  const ring = new Array<number>(RATE_WINDOW).fill(0);
  let ringSecond = 0;
  function advance(second: number): void {
    if (second - ringSecond >= RATE_WINDOW) ring.fill(0);
    else for (let s = ringSecond + 1; s <= second; s++) ring[s % RATE_WINDOW] = 0;
    if (second > ringSecond) ringSecond = second;
  }
  function countDelivery(): void {
    const second = Math.floor(Date.now() / 1000);
    advance(second);
    ring[second % RATE_WINDOW] = (ring[second % RATE_WINDOW] ?? 0) + 1;
  }

  function countDrop(reason: string) {
    counters.dropped[reason] = (counters.dropped[reason] ?? 0) + 1;
  }

  /** The usual key checks (unknown/rotated key, disabled/unverified owner, allowed origins), then the user token. */
  async function authenticate(credentials: Credentials): Promise<ProjectScope> {
    const resolved = await deps.apiKeys.resolve(credentials.apiKey);
    if (!resolved) throw unauthenticated('API key is expired or invalid.');
    const { project, role, keyHash } = resolved;
    if (project.owner.disabled) {
      throw forbidden('This project is unavailable: its owner account has been disabled by the server administrator.');
    }
    if (!project.owner.isVerified) throw unauthenticated('Owner not verified');
    if (role === 'publishable' && !project.allowedDomains.some((d) => d.trim() === '*')) {
      if (!credentials.origin)
        throw forbidden('Forbidden: Origin header missing and this key is restricted to specific domains.');
      let url: URL;
      try {
        url = new URL(credentials.origin);
      } catch {
        throw badRequest('Invalid Origin header format.');
      }
      if (!isOriginAllowed(project.allowedDomains, url)) {
        throw forbidden(`Forbidden: Origin ${url.origin} is not allowed by this project's CORS policy.`);
      }
    }
    const scope = deps.scopeFor(project, { type: 'key', key: role, keyHash, user: null });
    if (credentials.userToken && role === 'publishable' && scope.actor.type === 'key') {
      const user = await verifyUserToken(scope, credentials.userToken, deps.projectJwtKey);
      if (!user) throw unauthenticated('Invalid or expired token.');
      scope.actor.user = user;
    }
    return scope;
  }

  function userOf(conn: Connection): string | null {
    return conn.scope.actor.type === 'key' ? (conn.scope.actor.user?.userId ?? null) : null;
  }

  function maxSubscriptionsOf(conn: Connection): number {
    return effectiveLimit(conn.scope.limits.maxRealtimeSubscriptions ?? -1, settings.maxSubscriptionsPerConnection);
  }

  /** The session family (`sid` claim) of a connection's user token. */
  function sessionOf(conn: Connection): string | null {
    const sid = conn.scope.actor.type === 'key' ? conn.scope.actor.user?.claims.sid : undefined;
    return typeof sid === 'string' ? sid : null;
  }

  function close(conn: Connection, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    connections.delete(conn.id);
    conn.stopListening();
    for (const t of conn.timers) clearTimeout(t);
    countDrop(reason);
    void presence.release(conn.projectId, conn.id);
    try {
      conn.transport.close(reason);
    } catch {
      // already gone
    }
  }

  function deliver(conn: Connection, sub: Subscription, entry: RealtimeEntry): void {
    if (compareIds(entry.id, sub.after) <= 0) return;
    sub.after = entry.id;
    if (entry.record.kind !== 'data') return;
    const view = sub.compiled.view(entry.record);
    if (!view) return;
    counters.delivered += 1;
    countDelivery();
    if (!conn.transport.send(sub.id, { id: entry.id, ...view })) close(conn, 'slow-consumer');
  }

  function onEntry(conn: Connection, entry: RealtimeEntry): void {
    if (conn.closed) return;
    if (compareIds(entry.id, conn.position) > 0) conn.position = entry.id;
    const { record } = entry;
    const userId = userOf(conn);
    if (
      userId &&
      record.kind === 'revoke' &&
      record.userId === userId &&
      (!record.sessionId || record.sessionId === sessionOf(conn))
    ) {
      close(conn, 'user-revoked');
      return;
    }
    if (
      userId &&
      record.kind === 'data' &&
      record.collection === 'users' &&
      record.action === 'delete' &&
      record.documentId === userId
    ) {
      close(conn, 'user-deleted');
      return;
    }
    for (const sub of conn.subscriptions.values()) {
      if (sub.buffer) sub.buffer.push(entry);
      else deliver(conn, sub, entry);
      if (conn.closed) return;
    }
  }

  /** Re-checks a connection's key and user and recompiles its subscriptions (project changed, or periodically). */
  async function reauthorise(conn: Connection): Promise<void> {
    if (conn.closed) return;
    let scope: ProjectScope;
    try {
      scope = await authenticate(conn.credentials);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        close(
          conn,
          err.code === 'UNAUTHENTICATED' && conn.credentials.userToken && /token/i.test(err.message)
            ? 'user-revoked'
            : 'key-revoked',
        );
      }
      return; // Redis/MongoDB trouble: keep the connection, try again later.
    }
    if (conn.closed) return;
    conn.scope = scope;
    for (const sub of [...conn.subscriptions.values()]) {
      try {
        sub.compiled = compileSubscription(scope, sub.collection, sub.query);
      } catch (err) {
        conn.subscriptions.delete(sub.id);
        conn.transport.subscriptionRevoked(sub.id, err instanceof AppError ? err : forbidden('Subscription no longer allowed.'));
        if (conn.closed) return;
      }
    }
    scheduleExpiry(conn);
  }

  function scheduleExpiry(conn: Connection): void {
    const exp = conn.scope.actor.type === 'key' ? conn.scope.actor.user?.claims.exp : undefined;
    if (typeof exp !== 'number') return;
    const ms = exp * 1000 - Date.now();
    conn.timers.push(setTimeout(() => close(conn, 'token-expired'), Math.max(0, Math.min(ms, 2 ** 31 - 1))).unref());
  }

  let markListening: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => {
    markListening = resolve;
  });
  const stopProjectChanges = subscribeProjectChanged(
    deps.cache,
    (event: ProjectChangedEvent) => {
      const affected = [...connections.values()].filter((c) => c.projectId === event.projectId);
      if (!affected.length) return;
      // Drop the key cache first (the resolver's own listener may not have run yet).
      void deps.apiKeys
        .invalidate(event)
        .catch(() => undefined)
        .then(() => Promise.all(affected.map(reauthorise)));
    },
    logger,
    () => markListening(),
  );

  const heartbeat = setInterval(() => {
    const byProject = new Map<string, string[]>();
    for (const conn of connections.values()) {
      const ids = byProject.get(conn.projectId) ?? [];
      ids.push(conn.id);
      byProject.set(conn.projectId, ids);
    }
    void presence.renew(byProject);
  }, settings.heartbeatMs);
  heartbeat.unref();

  const reauthTimer = setInterval(() => {
    for (const conn of connections.values()) void reauthorise(conn);
  }, settings.reauthMs);
  reauthTimer.unref();

  /**
   * Replays the entries after `since` into a subscription that holds live entries meanwhile, then
   * releases them (each entry exactly once: ids at or before the last one delivered are skipped).
   * A position whose history is gone sends a `reset` and continues live.
   */
  async function replayInto(conn: Connection, sub: Subscription, since: string): Promise<void> {
    try {
      const replay = await realtime.replay(conn.projectId, since);
      if (conn.closed) return;
      if (replay === 'reset') {
        sub.after = conn.position;
        if (!conn.transport.send(sub.id, { id: conn.position, type: 'reset', reason: 'history-unavailable' })) {
          return close(conn, 'slow-consumer');
        }
      } else {
        for (const entry of replay.entries) {
          deliver(conn, sub, entry);
          if (conn.closed) return;
        }
      }
    } finally {
      const held = sub.buffer ?? [];
      sub.buffer = null;
      for (const entry of held) {
        if (conn.closed) break;
        deliver(conn, sub, entry);
      }
    }
  }

  return {
    tickets,
    authenticate,
    /** Resolves once project changes (key rotation, RLS, deletion) reach this process. */
    ready: () => listening,

    /**
     * Opens a connection for `scope` (already authenticated): claims a slot of the project's
     * connection limit (429 beyond it), then listens to the project's stream.
     */
    async open(scope: ProjectScope, credentials: Credentials, transport: Transport): Promise<Connection> {
      const projectId = scope.project._id;
      const max = effectiveLimit(scope.limits.maxRealtimeConnections ?? -1, settings.maxConnectionsPerProject);
      if (max === 0) throw forbidden("Realtime is disabled for this project (the server or the owner's plan).");
      const id = randomUUID();
      let claimed: boolean;
      try {
        claimed = await presence.claim(projectId, id, max);
      } catch {
        throw unavailable('Realtime is unavailable right now; try again shortly.');
      }
      if (!claimed) throw limited(`This project already has ${max} realtime connections, the limit of its plan.`);
      const conn: Connection = {
        id,
        projectId,
        transport,
        scope,
        credentials,
        subscriptions: new Map(),
        position: '0-0',
        closed: false,
        stopListening: () => undefined,
        timers: [],
      };
      try {
        const { position, stop } = await realtime.listen(projectId, (entry) => onEntry(conn, entry));
        conn.stopListening = stop;
        if (compareIds(position, conn.position) > 0) conn.position = position;
      } catch (err) {
        void presence.release(projectId, id);
        logger.warn({ err: { message: (err as Error).message }, projectId }, 'realtime: could not listen');
        throw unavailable('Realtime is unavailable right now; try again shortly.');
      }
      connections.set(id, conn);
      counters.opened += 1;
      scheduleExpiry(conn);
      return conn;
    },

    /**
     * Adds a subscription (compiled with the connection's scope; throws the list route's errors),
     * live from now, or replaying the entries after `since` first.
     */
    async subscribe(
      conn: Connection,
      input: { id: string; collection: string; query: Record<string, unknown>; since: string | null },
    ): Promise<void> {
      if (conn.subscriptions.has(input.id)) throw badRequest(`Subscription "${input.id}" already exists.`);
      const maxSubscriptions = maxSubscriptionsOf(conn);
      if (maxSubscriptions >= 0 && conn.subscriptions.size >= maxSubscriptions) {
        throw limited(`At most ${maxSubscriptions} subscriptions per connection on this project's plan.`);
      }
      const compiled = compileSubscription(conn.scope, input.collection, input.query);
      // Registered synchronously (before any await), so no live entry can slip between "now" and the subscription.
      const sub: Subscription = {
        id: input.id,
        collection: input.collection,
        query: input.query,
        compiled,
        after: input.since ?? conn.position,
        buffer: input.since ? [] : null,
      };
      conn.subscriptions.set(sub.id, sub);
      if (input.since) await replayInto(conn, sub, input.since);
    },

    /** Subscriptions this connection may hold: the plan's limit under the server's ceiling (-1 unlimited). */
    maxSubscriptions: maxSubscriptionsOf,

    unsubscribe(conn: Connection, id: string): boolean {
      return conn.subscriptions.delete(id);
    },

    /** The position a heartbeat reports (SSE `id:`): the latest entry every subscription has handled. */
    positionOf(conn: Connection): string | null {
      let low: string | null = null;
      for (const sub of conn.subscriptions.values()) {
        if (sub.buffer) return null;
        if (low === null || compareIds(sub.after, low) < 0) low = sub.after;
      }
      return low;
    },

    close,

    /** Closes every connection of an end user of a project on every process (logout, deletion). */
    async revokeUser(projectId: string, userId: string, reason: string): Promise<void> {
      await realtime.publishControl(projectId, { kind: 'revoke', userId, reason });
    },

    /** Connections of a project on all processes, and this process's share. */
    async projectStats(projectId: string) {
      const mine = [...connections.values()].filter((c) => c.projectId === projectId);
      return {
        connections: await presence.count(projectId).catch(() => mine.length),
        thisProcess: {
          connections: mine.length,
          subscriptions: mine.reduce((n, c) => n + c.subscriptions.size, 0),
        },
      };
    },

    /** This process's realtime metrics. */
    stats() {
      const all = [...connections.values()];
      advance(Math.floor(Date.now() / 1000));
      return {
        connections: {
          sse: all.filter((c) => c.transport.kind === 'sse').length,
          ws: all.filter((c) => c.transport.kind === 'ws').length,
        },
        subscriptions: all.reduce((n, c) => n + c.subscriptions.size, 0),
        opened: counters.opened,
        delivered: counters.delivered,
        eventsPerSecond: ring.reduce((a, b) => a + b, 0) / RATE_WINDOW,
        /** Connections dropped because they could not keep up (`slow-consumer`). */
        drops: counters.dropped['slow-consumer'] ?? 0,
        /** Closed connections by reason. */
        closed: { ...counters.dropped },
        bus: realtime.stats(),
      };
    },

    /** Closes every connection (`shutdown`) and stops listening to project changes. */
    async shutdown(): Promise<void> {
      clearInterval(heartbeat);
      clearInterval(reauthTimer);
      for (const conn of [...connections.values()]) close(conn, 'shutdown');
      await stopProjectChanges();
    },

    errorReason(err: unknown): string {
      return err instanceof AppError ? (ERROR_REASONS[err.code] ?? err.code.toLowerCase()) : 'internal';
    },
  };
}

export type RealtimeHub = ReturnType<typeof createRealtimeHub>;
export type { TicketCredentials };
