import { requestOrigin } from '@urbackend/common/api-keys';
import { AppError, badRequest, forbidden, unauthenticated } from '@urbackend/common/errors';
import { scopeOf, setScope } from '@urbackend/common/http';
import { type RealtimeServerConfig, compileSubscription, isStreamId } from '@urbackend/common/realtime';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { bearerToken } from '../../middleware/auth-user.js';
import type { UsageCharge } from '../../middleware/usage.js';
import type { Credentials, OutgoingEvent, RealtimeHub, Transport } from './realtime.hub.js';

export interface RealtimeRouterDeps {
  hub: RealtimeHub;
  settings: RealtimeServerConfig;
  /** `[apiKey, usage, authUser]`: the ticket is issued to exactly what a data request would be. */
  standard: RequestHandler[];
  apiKey: RequestHandler;
  usage: RequestHandler;
  /** The same quota charge as `usage`, for a scope set by hand (the stream authenticates itself). */
  charge: UsageCharge;
  secretOnly: RequestHandler;
}

/** Query parameters of the SSE route that are not filters. */
const TRANSPORT_PARAMS = ['ticket', 'lastEventId'];

function headerKey(req: Request): string | null {
  const header = req.headers['x-api-key'];
  return typeof header === 'string' && header.trim() ? header.trim() : null;
}

/**
 * The credentials of a realtime request: a ticket (`?ticket=`, single use; the only credential
 * allowed in a URL), else the usual headers (`x-api-key`, `Authorization: Bearer <user token>`).
 */
export async function credentialsOf(
  hub: RealtimeHub,
  headers: Request['headers'],
  ticket: unknown,
): Promise<{ credentials: Credentials; projectId: string | null }> {
  const origin = requestOrigin(headers as { origin?: string; referer?: string });
  if (ticket !== undefined) {
    const stored = await hub.tickets.consume(String(ticket));
    if (!stored) throw unauthenticated('Invalid, used or expired realtime ticket.');
    if (origin && stored.origin && new URL(origin).origin !== new URL(stored.origin).origin) {
      throw forbidden('This ticket was issued to another origin.');
    }
    return {
      credentials: { apiKey: stored.apiKey, userToken: stored.userToken, origin: stored.origin },
      projectId: stored.projectId,
    };
  }
  const raw = headers['x-api-key'];
  const apiKey = typeof raw === 'string' && raw.trim() ? raw.trim() : null;
  if (!apiKey) throw unauthenticated('API key not found (send x-api-key, or use a ticket from POST /api/realtime/ticket).');
  const auth = headers.authorization;
  const match = auth ? /^bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return { credentials: { apiKey, userToken: match?.[1] ?? null, origin }, projectId: null };
}

function eventBody(event: OutgoingEvent): Record<string, unknown> {
  return { ...event };
}

/**
 * `/api/realtime`: `POST /ticket` (a single-use ticket for `EventSource` / browser WebSocket),
 * `GET /_stats` (secret key: connection counts), `GET /:collectionName` (Server-Sent Events).
 */
export function createRealtimeRouter(deps: RealtimeRouterDeps): Router {
  const { hub, settings } = deps;
  const router = Router();

  router.post('/ticket', ...deps.standard, async (req, res) => {
    const scope = scopeOf(req);
    const query = (req.query as Record<string, unknown>).key;
    const apiKey = headerKey(req) ?? (typeof query === 'string' ? query : null);
    if (!apiKey) throw unauthenticated('API key not found');
    const ticket = await hub.tickets.issue(
      {
        projectId: scope.project._id,
        apiKey,
        userToken: scope.actor.type === 'key' && scope.actor.user ? bearerToken(req) : null,
        origin: requestOrigin(req.headers),
      },
      settings.ticketTtlMs,
    );
    res.status(201).json({
      success: true,
      data: { ticket, expiresIn: Math.round(settings.ticketTtlMs / 1000) },
      message: 'Realtime ticket issued.',
    });
  });

  router.get('/_stats', deps.apiKey, deps.usage, deps.secretOnly, async (req, res) => {
    res.json({ success: true, data: await hub.projectStats(scopeOf(req).project._id), message: 'Realtime statistics.' });
  });

  router.get('/:collectionName', async (req, res) => {
    const collection = String(req.params.collectionName);
    const query = { ...(req.query as Record<string, unknown>) };
    if ('key' in query) throw badRequest('API keys are not accepted in realtime URLs: send x-api-key, or use a ticket.');
    const ticket = query.ticket;
    const lastEventIdParam = query.lastEventId;
    for (const p of TRANSPORT_PARAMS) delete query[p];
    const { credentials, projectId } = await credentialsOf(hub, req.headers, ticket);
    const scope = await hub.authenticate(credentials);
    if (projectId && scope.project._id !== projectId) throw unauthenticated('Invalid, used or expired realtime ticket.');
    setScope(req, scope);
    await deps.charge(scope);
    compileSubscription(scope, collection, query); // the list route's 4xx, before the stream starts
    const header = req.headers['last-event-id'];
    const rawSince =
      typeof header === 'string' && header ? header : typeof lastEventIdParam === 'string' ? lastEventIdParam : null;
    const since = rawSince === null ? null : isStreamId(rawSince) ? rawSince : '0-0';

    let open = true;
    const write = (text: string): boolean => {
      if (!open || res.destroyed) return false;
      res.write(text);
      return res.writableLength <= settings.maxBufferedBytes;
    };
    const transport: Transport = {
      kind: 'sse',
      send: (_sub, event) => write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(eventBody(event))}\n\n`),
      subscriptionRevoked: (_sub, error) => {
        write(`event: error\ndata: ${JSON.stringify({ code: error.status, error: error.message })}\n\n`);
        hub.close(conn, 'subscription-revoked');
      },
      close: (reason) => {
        if (!open) return;
        if (reason !== 'client-closed' && reason !== 'slow-consumer')
          write(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`);
        open = false;
        if (reason === 'slow-consumer') res.destroy();
        else res.end();
      },
    };
    const conn = await hub.open(scope, credentials, transport);
    res.on('close', () => hub.close(conn, 'client-closed'));
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const subscribed = hub.subscribe(conn, { id: 'sse', collection, query, since });
    const ready = { connectionId: conn.id, collection, heartbeatMs: settings.heartbeatMs, resumed: since !== null };
    write(`retry: 3000\nevent: ready\n${since ? '' : `id: ${conn.position}\n`}data: ${JSON.stringify(ready)}\n\n`);
    try {
      await subscribed;
    } catch (err) {
      const error = err instanceof AppError ? err : new AppError('INTERNAL', 'Subscription failed.');
      write(`event: error\ndata: ${JSON.stringify({ code: error.status, error: error.message })}\n\n`);
      hub.close(conn, hub.errorReason(err));
      return;
    }
    const beat = setInterval(() => {
      const position = hub.positionOf(conn);
      if (!write(`event: heartbeat\n${position ? `id: ${position}\n` : ''}data: ${JSON.stringify({ position })}\n\n`)) {
        if (open) hub.close(conn, 'slow-consumer');
      }
    }, settings.heartbeatMs);
    res.on('close', () => clearInterval(beat));
  });

  return router;
}
