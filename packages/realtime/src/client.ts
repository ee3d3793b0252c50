import {
  type ChangeEvent,
  type Doc,
  type Handlers,
  type RealtimeClientOptions,
  RealtimeError,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionStatus,
  type WebSocketConstructor,
  type WebSocketLike,
} from './types.js';

/** A client of one project's realtime endpoints. */
export interface RealtimeClient {
  /**
   * Subscribes to a collection: `handlers` get its inserts, updates and deletes as this client's
   * key and user may see them. Reconnects by itself and resumes after the last event received
   * (every missed event exactly once while the server still keeps it, else `onReset`).
   */
  subscribe<T = Doc>(collection: string, options?: SubscribeOptions, handlers?: Handlers<T>): Subscription;
  /** Closes every subscription and the WebSocket. */
  close(): void;
}

/** Server close reasons after which reconnecting cannot help (the credentials are gone). */
const FATAL_REASONS = new Set(['key-revoked', 'user-revoked', 'user-deleted', 'unauthorized', 'forbidden', 'not-found']);
const WS_OPEN = 1;

interface Frame {
  id: string | null;
  event: string;
  data: string;
}

/** Splits an event-stream buffer into complete frames and the unfinished rest. */
export function parseEventStream(buffer: string): { frames: Frame[]; rest: string } {
  const text = buffer.replace(/\r\n?/g, '\n');
  const frames: Frame[] = [];
  let start = 0;
  let cut = text.indexOf('\n\n');
  while (cut >= 0) {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of text.slice(start, cut).split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    frames.push({ id, event, data: data.join('\n') });
    start = cut + 2;
    cut = text.indexOf('\n\n', start);
  }
  return { frames, rest: text.slice(start) };
}

/** The list-route query parameters of a subscription (arrays as comma lists, as in a URL). */
function queryOf(options: SubscribeOptions): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.filter ?? {})) query[k] = Array.isArray(v) ? v.join(',') : String(v);
  if (options.fields !== undefined) query.fields = Array.isArray(options.fields) ? options.fields.join(',') : options.fields;
  if (options.meta !== undefined) query.meta = String(options.meta);
  return query;
}

/** Runs a user handler; its exception is reported asynchronously and never breaks the stream. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    setTimeout(() => {
      throw err;
    });
  }
}

function dispatch<T>(handlers: Handlers<T>, event: ChangeEvent<T>): void {
  safely(() => handlers.onChange?.(event));
  if (event.type === 'insert') safely(() => handlers.onInsert?.(event));
  else if (event.type === 'update') safely(() => handlers.onUpdate?.(event));
  else safely(() => handlers.onDelete?.(event));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The shared state and settling logic of one subscription. */
class SubscriptionState<T> implements Subscription {
  lastEventId: string | null;
  status: SubscriptionStatus = 'connecting';
  readonly ready: Promise<void>;
  closed = false;
  private settle: { resolve: () => void; reject: (e: RealtimeError) => void } | null = null;

  constructor(
    readonly handlers: Handlers<T>,
    since: string | undefined,
    private readonly onClose: () => void,
  ) {
    this.lastEventId = since ?? null;
    this.ready = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.ready.catch(() => undefined);
  }

  setStatus(status: SubscriptionStatus): void {
    if (this.status === status) return;
    this.status = status;
    safely(() => this.handlers.onStatus?.(status));
  }

  opened(): void {
    this.setStatus('open');
    this.settle?.resolve();
    this.settle = null;
  }

  fail(error: RealtimeError): void {
    if (this.closed) return;
    this.closed = true;
    this.setStatus('closed');
    this.settle?.reject(error);
    this.settle = null;
    safely(() => this.handlers.onError?.(error));
    this.onClose();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.setStatus('closed');
    this.onClose();
  }
}

/**
 * Creates a realtime client. SSE subscriptions are read with fetch streaming (headers allowed,
 * also in browsers: no ticket needed); WebSocket subscriptions share one socket per client,
 * opened with a single-use ticket (`POST /api/realtime/ticket`), since browsers cannot send
 * headers on a WebSocket.
 */
export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  const base = options.url.replace(/\/+$/, '');
  const fetchImpl: typeof fetch = options.fetch ?? ((...args) => fetch(...args));
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const backoff = (attempt: number) => Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 10));
  const refreshable = typeof options.token === 'function';
  const all = new Set<SubscriptionState<unknown>>();

  async function headers(): Promise<Record<string, string>> {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    return { 'x-api-key': options.apiKey, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  async function refusal(res: Response): Promise<RealtimeError> {
    const body = (await res.json().catch(() => null)) as { error?: string } | null;
    return new RealtimeError(body?.error ?? `Realtime request failed (${res.status})`, res.status);
  }

  /** True when a status is worth retrying (rate limit, server trouble). */
  const retryable = (status: number) => status === 429 || status >= 500;

  /** What a server `close` means: `retry` (shutdown, an expired token we can refresh) or a fatal error. */
  function closeVerdict(reason: string): 'retry' | RealtimeError {
    if (reason === 'token-expired' && refreshable) return 'retry';
    if (FATAL_REASONS.has(reason) || reason === 'token-expired') {
      return new RealtimeError(`The server closed the subscription (${reason}).`, 401, reason);
    }
    return 'retry';
  }

  // ---------- Server-Sent Events: one stream per subscription ----------

  function sse<T>(collection: string, opts: SubscribeOptions, handlers: Handlers<T>): Subscription {
    let controller: AbortController | null = null;
    const state: SubscriptionState<T> = new SubscriptionState<T>(handlers, opts.since, () => {
      all.delete(state as SubscriptionState<unknown>);
      controller?.abort();
    });
    all.add(state as SubscriptionState<unknown>);

    /** One connection; resolves when it ended in a way worth reconnecting after, throws RealtimeError otherwise. */
    async function once(): Promise<void> {
      controller = new AbortController();
      const params = new URLSearchParams(queryOf(opts));
      if (state.lastEventId) params.set('lastEventId', state.lastEventId);
      const res = await fetchImpl(`${base}/api/realtime/${encodeURIComponent(collection)}?${params}`, {
        headers: { ...(await headers()), accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (!res.ok || !res.body) {
        const error = await refusal(res);
        if (retryable(res.status)) return;
        throw error;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done || state.closed) return;
          const parsed = parseEventStream(buffer + value);
          buffer = parsed.rest;
          for (const frame of parsed.frames) {
            if (state.closed) return;
            if (frame.id) state.lastEventId = frame.id;
            const data = frame.data ? (JSON.parse(frame.data) as Record<string, unknown>) : {};
            if (frame.event === 'ready') state.opened();
            else if (frame.event === 'insert' || frame.event === 'update' || frame.event === 'delete') {
              dispatch(handlers, data as unknown as ChangeEvent<T>);
            } else if (frame.event === 'reset') safely(() => handlers.onReset?.());
            else if (frame.event === 'error') {
              throw new RealtimeError(String(data.error ?? 'Subscription refused'), Number(data.code ?? 400));
            } else if (frame.event === 'close') {
              const verdict = closeVerdict(String(data.reason ?? ''));
              if (verdict !== 'retry') throw verdict;
              return;
            }
          }
        }
      } finally {
        reader.cancel().catch(() => undefined);
      }
    }

    void (async () => {
      let attempt = 0;
      while (!state.closed) {
        try {
          await once();
          if (state.status === 'open') attempt = 0;
        } catch (err) {
          if (state.closed) return;
          if (err instanceof RealtimeError) return state.fail(err);
          // A network error: reconnect below.
        }
        if (state.closed) return;
        state.setStatus('reconnecting');
        await sleep(backoff(attempt++));
      }
    })();
    return state;
  }

  // ---------- WebSocket: one socket for every `ws` subscription of this client ----------

  interface WsSub {
    id: string;
    collection: string;
    opts: SubscribeOptions;
    state: SubscriptionState<unknown>;
  }
  const wsSubs = new Map<string, WsSub>();
  let socket: WebSocketLike | null = null;
  let connecting = false;
  let wsAttempt = 0;
  let nextId = 0;

  function send(message: Record<string, unknown>): void {
    if (socket && socket.readyState === WS_OPEN) socket.send(JSON.stringify(message));
  }

  function subscribeMessage(sub: WsSub): Record<string, unknown> {
    const { fields, meta } = sub.opts;
    const query = queryOf(sub.opts);
    const filter = Object.fromEntries(Object.entries(query).filter(([k]) => k !== 'fields' && k !== 'meta'));
    return {
      type: 'subscribe',
      id: sub.id,
      collection: sub.collection,
      ...(Object.keys(filter).length ? { filter } : {}),
      ...(fields !== undefined ? { fields: query.fields } : {}),
      ...(meta !== undefined ? { meta } : {}),
      ...(sub.state.lastEventId ? { since: sub.state.lastEventId } : {}),
    };
  }

  function failAll(error: RealtimeError): void {
    for (const sub of [...wsSubs.values()]) sub.state.fail(error);
  }

  function onMessage(raw: unknown): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(String(raw)) as Record<string, unknown>;
    } catch {
      return;
    }
    const type = msg.type;
    if (type === 'welcome') {
      wsAttempt = 0;
      for (const sub of wsSubs.values()) send(subscribeMessage(sub));
      return;
    }
    if (type === 'heartbeat') {
      for (const [id, position] of Object.entries((msg.positions as Record<string, string | null>) ?? {})) {
        const sub = wsSubs.get(id);
        if (sub && position) sub.state.lastEventId = position;
      }
      return;
    }
    if (type === 'subscribed') {
      const sub = wsSubs.get(String(msg.id));
      if (!sub) return;
      if (typeof msg.position === 'string' && !sub.state.lastEventId) sub.state.lastEventId = msg.position;
      sub.state.opened();
      return;
    }
    if (type === 'error') {
      const sub = wsSubs.get(String(msg.id ?? msg.subscription));
      sub?.state.fail(new RealtimeError(String(msg.error ?? 'Subscription refused'), Number(msg.code ?? 400)));
      return;
    }
    const sub = wsSubs.get(String(msg.subscription));
    if (!sub || sub.state.closed) return;
    if (typeof msg.id === 'string') sub.state.lastEventId = msg.id;
    if (type === 'reset') safely(() => sub.state.handlers.onReset?.());
    else if (type === 'insert' || type === 'update' || type === 'delete') {
      const { subscription: _s, ...event } = msg;
      dispatch(sub.state.handlers, event as unknown as ChangeEvent<unknown>);
    }
  }

  async function connect(): Promise<void> {
    if (connecting || socket || wsSubs.size === 0) return;
    connecting = true;
    try {
      const Ctor: WebSocketConstructor | undefined =
        options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!Ctor) throw new RealtimeError('No WebSocket implementation: pass options.WebSocket (e.g. from "ws").', 0);
      const res = await fetchImpl(`${base}/api/realtime/ticket`, { method: 'POST', headers: await headers() });
      if (!res.ok) {
        const error = await refusal(res);
        if (!retryable(res.status)) throw error;
        throw new Error(error.message);
      }
      const { data } = (await res.json()) as { data: { ticket: string } };
      if (wsSubs.size === 0) return;
      const ws = new Ctor(`${base.replace(/^http/, 'ws')}/api/realtime?ticket=${encodeURIComponent(data.ticket)}`);
      socket = ws;
      ws.onmessage = (ev) => onMessage(ev.data);
      ws.onerror = () => undefined;
      ws.onclose = (ev) => {
        if (socket !== ws) return;
        socket = null;
        if (wsSubs.size === 0) return;
        const reason = ev.reason || '';
        if (ev.code === 4403 || (ev.code === 4401 && closeVerdict(reason) !== 'retry')) {
          return failAll(new RealtimeError(`The server closed the connection (${reason || ev.code}).`, ev.code - 4000, reason));
        }
        scheduleReconnect();
      };
    } catch (err) {
      if (err instanceof RealtimeError) failAll(err);
      else scheduleReconnect();
    } finally {
      connecting = false;
    }
  }

  function scheduleReconnect(): void {
    for (const sub of wsSubs.values()) sub.state.setStatus('reconnecting');
    const delay = backoff(wsAttempt++);
    setTimeout(() => void connect(), delay);
  }

  function ws<T>(collection: string, opts: SubscribeOptions, handlers: Handlers<T>): Subscription {
    nextId += 1;
    const id = `s${nextId}`;
    const state = new SubscriptionState<T>(handlers, opts.since, () => {
      all.delete(state as SubscriptionState<unknown>);
      if (!wsSubs.delete(id)) return;
      send({ type: 'unsubscribe', id });
      if (wsSubs.size === 0 && socket) {
        const s = socket;
        socket = null;
        s.close(1000, 'done');
      }
    });
    const sub: WsSub = { id, collection, opts, state: state as SubscriptionState<unknown> };
    wsSubs.set(id, sub);
    all.add(sub.state);
    if (socket && socket.readyState === WS_OPEN) send(subscribeMessage(sub));
    else void connect();
    return state;
  }

  return {
    subscribe<T = Doc>(collection: string, opts: SubscribeOptions = {}, handlers: Handlers<T> = {}): Subscription {
      return opts.transport === 'ws' ? ws(collection, opts, handlers) : sse(collection, opts, handlers);
    },
    close() {
      for (const state of [...all]) state.close();
    },
  };
}
