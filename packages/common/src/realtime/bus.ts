import { Cluster, type Redis } from 'ioredis';
import type { RedisClient, RedisConnection } from '../cache/index.js';
import { defineRedisScript } from '../cache/index.js';
import { DATA_VERSION_TTL_MS, dataVersionKey } from '../data/counts.js';
import type { DataEvent } from '../data/index.js';
import type { Logger } from '../logger/index.js';
import { idTime, isStreamId } from './ids.js';

/**
 * One entry of a project's realtime stream. `data` entries are data events (the full document, as
 * the writer saw it: each subscriber's view is computed from it when it is delivered); `mark`
 * entries only give an empty stream a position to resume from; `revoke` entries tell every
 * process to close the connections of an end user (deletion, logout).
 */
export type RealtimeRecord =
  | ({ kind: 'data' } & DataEvent)
  | { kind: 'mark' }
  | {
      kind: 'revoke';
      userId: string;
      reason: string /** Only the connections of this session family (access-token `sid`); all the user's when absent. */;
      sessionId?: string;
    };

export interface RealtimeEntry {
  /** The stream id (`<ms>-<seq>`): the SSE `id:` and the `Last-Event-ID` to resume from. */
  id: string;
  record: RealtimeRecord;
}

/** Entries after a position, or `reset` when some of them are no longer kept. */
export type Replay = { entries: RealtimeEntry[] } | 'reset';

export interface RealtimeBusOptions {
  cache: RedisConnection;
  logger: Logger;
  /** Entries kept per project stream (approximate, `XADD MAXLEN ~`). */
  maxLen: number;
  /** Entries older than this are trimmed (`XTRIM MINID ~`), and an idle stream expires after it. */
  maxAgeMs: number;
}

/** Counters of this process's bus (health details). */
export interface RealtimeBusStats {
  mode: 'redis-streams' | 'in-process';
  /** Projects this process reads (has live subscribers of). */
  projects: number;
  /** Blocking Redis connections this process holds for reading. */
  readers: number;
  published: number;
  received: number;
  publishFailures: number;
}

/** The realtime event bus: one stream per project (Redis Streams, or in-process without Redis). */
export interface RealtimeBus {
  /**
   * Appends a data event to the project's stream (after the write committed) and advances its
   * collection's data version (the list-count cache, `data/counts.ts`); resolves once both are in
   * Redis, with the entry id, or null when they could not be written. Never throws.
   */
  publish(projectId: string, event: DataEvent): Promise<string | null>;
  /** Appends a control record (`revoke`) to the project's stream. Never throws. */
  publishControl(projectId: string, record: Exclude<RealtimeRecord, { kind: 'data' }>): Promise<string | null>;
  /**
   * Calls `onEntry` with every entry appended to the project's stream after the returned
   * position (the stream's last id at this moment; an empty stream gets a `mark` entry first so
   * there always is one). Resolves once listening; `stop` ends it.
   */
  listen(projectId: string, onEntry: (entry: RealtimeEntry) => void): Promise<{ position: string; stop: () => void }>;
  /**
   * The entries after `afterId`, oldest first (at most `maxLen`), or `reset` when any entry after it
   * may be gone: older than the kept age, trimmed, the stream expired, or a malformed id.
   */
  replay(projectId: string, afterId: string): Promise<Replay>;
  stats(): RealtimeBusStats;
  close(): Promise<void>;
}

/** The stream key of a project: one Redis Cluster slot per project (hash tag). */
export function streamKey(projectId: string): string {
  return `urbackend:rt:{${projectId}}`;
}

const FIELD = 'r';
const READ_COUNT = 500;
const BLOCK_MS = 5000;
/** Margin between the kept age and the key's expiry (clock skew between processes and Redis). */
const EXPIRY_MARGIN_MS = 60_000;

type Listener = (entry: RealtimeEntry) => void;

function encode(record: RealtimeRecord): string {
  return JSON.stringify(record);
}

function decode(fields: string[]): RealtimeRecord | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === FIELD) {
      try {
        return JSON.parse(fields[i + 1] as string) as RealtimeRecord;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * Appends a turn's records to a project's stream in one command: `XADD` each (approximate
 * `MAXLEN`), trims by age, renews the stream's expiry, and advances the data version of each
 * written collection (`KEYS[2..]`, `data/counts.ts`). Every key carries the project's hash tag, so
 * it runs on one Redis Cluster slot. Returns the new entry ids, in order.
 */
const APPEND = defineRedisScript(
  'urbackendRealtimeAppend',
  -1,
  `
local ids = {}
for i = 5, #ARGV do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', '${FIELD}', ARGV[i])
end
redis.call('XTRIM', KEYS[1], 'MINID', '~', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
for k = 2, #KEYS do
  redis.call('INCR', KEYS[k])
  redis.call('PEXPIRE', KEYS[k], ARGV[4])
end
return ids
`,
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** A dedicated connection without a command timeout (blocking reads), same servers and prefix. */
function blockingConnection(client: RedisClient): RedisClient {
  if (client instanceof Cluster) {
    const options = client.options;
    return client.duplicate([], {
      lazyConnect: false,
      enableOfflineQueue: true,
      redisOptions: { ...options.redisOptions, commandTimeout: undefined, maxRetriesPerRequest: null },
    });
  }
  return (client as Redis).duplicate({
    lazyConnect: false,
    enableOfflineQueue: true,
    commandTimeout: undefined,
    maxRetriesPerRequest: null,
  });
}

/**
 * One blocking reader: `XREAD BLOCK` over a set of streams on its own connection. On one node or
 * Sentinel a process has one reader for every project it serves (a new stream interrupts the
 * blocked read with `CLIENT UNBLOCK`); on a Redis Cluster a multi-key read must stay in one slot,
 * so each project gets its own reader.
 */
class StreamReader {
  private readonly streams = new Map<string, string>();
  private readonly conn: RedisClient;
  private clientId: number | null = null;
  private closed = false;
  private idle: (() => void) | null = null;
  private blocked = false;

  constructor(
    private readonly shared: RedisConnection,
    private readonly onEntries: (key: string, entries: [string, string[]][]) => void,
    private readonly logger: Logger,
  ) {
    this.conn = blockingConnection(shared.client as RedisClient);
    this.conn.on('error', () => undefined);
    this.conn.on('ready', () => {
      this.clientId = null;
    });
    void this.loop();
  }

  get size(): number {
    return this.streams.size;
  }

  add(key: string, fromId: string): void {
    this.streams.set(key, fromId);
    this.interrupt();
  }

  remove(key: string): void {
    this.streams.delete(key);
  }

  close(): void {
    this.closed = true;
    this.idle?.();
    this.conn.disconnect();
  }

  private interrupt(): void {
    this.idle?.();
    const shared = this.shared.client;
    if (!this.blocked || this.clientId === null || !shared || shared instanceof Cluster) return;
    (shared as Redis).client('UNBLOCK', this.clientId).catch(() => undefined);
  }

  private async loop(): Promise<void> {
    const prefix = this.shared.prefix;
    while (!this.closed) {
      if (this.streams.size === 0) {
        await new Promise<void>((resolve) => {
          this.idle = resolve;
        });
        this.idle = null;
        continue;
      }
      try {
        if (this.clientId === null && !(this.conn instanceof Cluster)) {
          this.clientId = Number(await (this.conn as Redis).client('ID'));
        }
        const keys = [...this.streams.keys()];
        const ids = keys.map((k) => this.streams.get(k) as string);
        this.blocked = true;
        const reply = (await this.conn.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', ...keys, ...ids)) as
          | [string, [string, string[]][]][]
          | null;
        this.blocked = false;
        for (const [rawKey, entries] of reply ?? []) {
          const key = rawKey.startsWith(prefix) ? rawKey.slice(prefix.length) : rawKey;
          if (!this.streams.has(key) || entries.length === 0) continue;
          this.streams.set(key, (entries.at(-1) as [string, string[]])[0]);
          this.onEntries(key, entries);
        }
      } catch (err) {
        this.blocked = false;
        if (this.closed) return;
        this.logger.debug({ err: { message: (err as Error).message } }, 'realtime stream read failed; retrying');
        await sleep(250);
      }
    }
  }
}

interface ProjectState {
  listeners: Set<Listener>;
  /** Resolves with the position listening started from. */
  ready: Promise<string>;
  reader: StreamReader | null;
}

/** The Redis Streams bus. */
function createStreamBus(options: RealtimeBusOptions): RealtimeBus {
  const { cache, logger, maxLen, maxAgeMs } = options;
  const client = cache.client as RedisClient;
  const cluster = client instanceof Cluster;
  const projects = new Map<string, ProjectState>();
  const keyToProject = new Map<string, string>();
  let shared: StreamReader | null = null;
  const stats = { published: 0, received: 0, publishFailures: 0 };

  function dispatch(key: string, entries: [string, string[]][]): void {
    const projectId = keyToProject.get(key);
    const state = projectId ? projects.get(projectId) : undefined;
    if (!state) return;
    for (const [id, fields] of entries) {
      const record = decode(fields);
      if (!record) continue;
      stats.received += 1;
      for (const listener of [...state.listeners]) {
        try {
          listener({ id, record });
        } catch (err) {
          logger.warn({ err }, 'realtime listener failed');
        }
      }
    }
  }

  /**
   * Appends waiting for this turn of the event loop, per project: a bulk write's events (one per
   * document, emitted together) go out as one MULTI instead of one round trip each.
   */
  const pending = new Map<string, { records: RealtimeRecord[]; done: ((id: string | null) => void)[] }>();

  async function flush(projectId: string): Promise<void> {
    const batch = pending.get(projectId);
    if (!batch) return;
    pending.delete(projectId);
    let ids: unknown[] | null = null;
    try {
      const minId = `${Math.max(0, Date.now() - maxAgeMs)}-0`;
      // The written collections' data versions advance with their events (same slot, same script).
      const written = new Set(batch.records.flatMap((r) => (r.kind === 'data' ? [r.collection] : [])));
      const reply = await APPEND(
        client,
        [streamKey(projectId), ...[...written].map((c) => dataVersionKey(projectId, c))],
        [maxLen, minId, maxAgeMs + EXPIRY_MARGIN_MS, DATA_VERSION_TTL_MS, ...batch.records.map(encode)],
      );
      ids = Array.isArray(reply) ? reply : null;
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message }, projectId }, 'could not publish realtime events');
    }
    batch.done.forEach((resolve, i) => {
      const id = ids?.[i];
      if (typeof id !== 'string') {
        stats.publishFailures += 1;
        resolve(null);
      } else {
        stats.published += 1;
        resolve(id);
      }
    });
  }

  function append(projectId: string, record: RealtimeRecord): Promise<string | null> {
    let batch = pending.get(projectId);
    if (!batch) {
      batch = { records: [], done: [] };
      pending.set(projectId, batch);
      setImmediate(() => void flush(projectId));
    }
    const { records, done } = batch;
    return new Promise((resolve) => {
      records.push(record);
      done.push(resolve);
    });
  }

  async function tail(projectId: string): Promise<string> {
    const key = streamKey(projectId);
    const last = (await client.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
    if (last[0]) return last[0][0];
    const id = await append(projectId, { kind: 'mark' });
    if (!id) throw new Error('realtime: Redis is unavailable');
    return id;
  }

  async function start(projectId: string, state: ProjectState): Promise<string> {
    const key = streamKey(projectId);
    const position = await tail(projectId);
    if (projects.get(projectId) !== state) return position;
    keyToProject.set(key, projectId);
    if (cluster) {
      state.reader = new StreamReader(cache, dispatch, logger);
      state.reader.add(key, position);
    } else {
      shared ??= new StreamReader(cache, dispatch, logger);
      shared.add(key, position);
    }
    return position;
  }

  function stop(projectId: string, state: ProjectState): void {
    if (projects.get(projectId) !== state) return;
    projects.delete(projectId);
    const key = streamKey(projectId);
    keyToProject.delete(key);
    if (state.reader) state.reader.close();
    else shared?.remove(key);
  }

  return {
    publish: (projectId, event) => append(projectId, { kind: 'data', ...event }),
    publishControl: (projectId, record) => append(projectId, record),

    async listen(projectId, onEntry) {
      let state = projects.get(projectId);
      if (!state) {
        const fresh: ProjectState = { listeners: new Set(), ready: Promise.resolve(''), reader: null };
        fresh.ready = start(projectId, fresh);
        fresh.ready.catch(() => stop(projectId, fresh));
        projects.set(projectId, fresh);
        state = fresh;
      }
      const current = state;
      current.listeners.add(onEntry);
      let position: string;
      try {
        position = await current.ready;
      } catch (err) {
        current.listeners.delete(onEntry);
        throw err;
      }
      return {
        position,
        stop: () => {
          current.listeners.delete(onEntry);
          if (current.listeners.size === 0) stop(projectId, current);
        },
      };
    },

    async replay(projectId, afterId) {
      if (!isStreamId(afterId) || idTime(afterId) < Date.now() - maxAgeMs) return 'reset';
      const key = streamKey(projectId);
      // Trimming only ever removes the oldest entries (nothing is XDEL'd), so when the position
      // itself is still in the stream every later entry is too; else some may be gone.
      const first = (await client.xrange(key, afterId, '+', 'COUNT', 1)) as [string, string[]][];
      if (first[0]?.[0] !== afterId) return 'reset';
      const entries: RealtimeEntry[] = [];
      let from = afterId;
      for (;;) {
        const page = (await client.xrange(key, `(${from}`, '+', 'COUNT', READ_COUNT)) as [string, string[]][];
        for (const [id, fields] of page) {
          const record = decode(fields);
          if (record) entries.push({ id, record });
        }
        if (page.length < READ_COUNT || entries.length >= maxLen) break;
        from = (page.at(-1) as [string, string[]])[0];
      }
      return { entries };
    },

    stats: () => ({
      mode: 'redis-streams',
      projects: projects.size,
      readers: (shared ? 1 : 0) + [...projects.values()].filter((p) => p.reader).length,
      ...stats,
    }),

    async close() {
      for (const [projectId, state] of [...projects]) stop(projectId, state);
      shared?.close();
      shared = null;
    },
  };
}

/** The in-process bus (no Redis: one process, same semantics, bounded the same way). */
function createMemoryBus(options: RealtimeBusOptions): RealtimeBus {
  const { maxLen, maxAgeMs } = options;
  const streams = new Map<string, { entries: RealtimeEntry[] }>();
  const listeners = new Map<string, Set<Listener>>();
  let lastMs = 0;
  let seq = 0;
  const stats = { published: 0, received: 0, publishFailures: 0 };

  function nextId(): string {
    const now = Date.now();
    if (now > lastMs) {
      lastMs = now;
      seq = 0;
    } else seq += 1;
    return `${lastMs}-${seq}`;
  }

  function append(projectId: string, record: RealtimeRecord): string {
    const stream = streams.get(projectId) ?? { entries: [] };
    streams.set(projectId, stream);
    const entry = { id: nextId(), record };
    stream.entries.push(entry);
    const minTime = Date.now() - maxAgeMs;
    while (
      stream.entries.length > 1 &&
      (stream.entries.length > maxLen || idTime((stream.entries[0] as RealtimeEntry).id) < minTime)
    ) {
      stream.entries.shift();
    }
    stats.published += 1;
    const set = listeners.get(projectId);
    if (set) {
      queueMicrotask(() => {
        stats.received += 1;
        for (const l of [...set]) l(entry);
      });
    }
    return entry.id;
  }

  return {
    publish: async (projectId, event) => append(projectId, { kind: 'data', ...event }),
    publishControl: async (projectId, record) => append(projectId, record),
    async listen(projectId, onEntry) {
      const set = listeners.get(projectId) ?? new Set<Listener>();
      listeners.set(projectId, set);
      set.add(onEntry);
      const position = streams.get(projectId)?.entries.at(-1)?.id ?? append(projectId, { kind: 'mark' });
      return {
        position,
        stop: () => {
          set.delete(onEntry);
          if (set.size === 0) listeners.delete(projectId);
        },
      };
    },
    async replay(projectId, afterId) {
      const stream = streams.get(projectId);
      if (!stream || !isStreamId(afterId) || idTime(afterId) < Date.now() - maxAgeMs) return 'reset';
      const at = stream.entries.findIndex((e) => e.id === afterId);
      if (at < 0) return 'reset';
      return { entries: stream.entries.slice(at + 1) };
    },
    stats: () => ({ mode: 'in-process', projects: listeners.size, readers: 0, ...stats }),
    async close() {
      listeners.clear();
    },
  };
}

/** The realtime bus of this process: Redis Streams when Redis is configured, else in-process. */
export function createRealtimeBus(options: RealtimeBusOptions): RealtimeBus {
  return options.cache.client ? createStreamBus(options) : createMemoryBus(options);
}
