import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger/index.js';
import { redactUri } from '../logger/index.js';

export type { Redis } from 'ioredis';

export type RedisStatus = 'connected' | 'disconnected' | 'disabled';

/**
 * Redis access with bounded latency. `client` is null in single-process mode (no Redis in
 * development); callers then fall back to per-process behaviour. When Redis is down, every
 * command rejects within `commandTimeoutMs` (no offline queue), so nothing hangs on it.
 */
export interface Cache {
  readonly client: Redis | null;
  /** Key prefix applied to every command (per test file, or empty). */
  readonly prefix: string;
  /** True when a client exists and is connected right now. */
  isReady(): boolean;
  /** `connected` if PING answers within `timeoutMs`, `disconnected` if not, `disabled` without Redis. Never throws. */
  status(timeoutMs?: number): Promise<RedisStatus>;
  /** A second connection (same options) for blocking or subscriber use; null when disabled. The caller closes it. */
  duplicate(): Redis | null;
  /** Waits up to `timeoutMs` for the first connection; resolves either way. */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface CacheOptions {
  url: string | null;
  commandTimeoutMs: number;
  keyPrefix?: string;
  logger: Logger;
}

/** Creates the Redis client (connecting in the background) or a disabled cache when `url` is null. */
export function createCache(options: CacheOptions): Cache {
  const prefix = options.keyPrefix ?? '';
  const { logger } = options;
  if (!options.url) {
    return {
      client: null,
      prefix,
      isReady: () => false,
      status: async () => 'disabled',
      duplicate: () => null,
      waitUntilReady: async () => false,
      close: async () => undefined,
    };
  }
  const redisOptions: RedisOptions = {
    keyPrefix: prefix,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 2000),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Reconnect forever with a capped backoff so the service recovers without a restart.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: true,
  };
  const client = new Redis(options.url, redisOptions);
  let wasReady = false;
  let warned = false;
  client.on('ready', () => {
    wasReady = true;
    warned = false;
    logger.info({ target: redactUri(options.url ?? '') }, 'Redis connected');
  });
  client.on('error', (err) => {
    if (!warned) logger.warn({ err: { message: err.message } }, 'Redis unavailable; degraded until it returns');
    warned = true;
  });
  client.on('end', () => {
    if (wasReady) logger.info('Redis connection closed');
  });
  client.connect().catch(() => undefined);

  return {
    client,
    prefix,
    isReady: () => client.status === 'ready',
    async status(timeoutMs = 500) {
      if (client.status !== 'ready') return 'disconnected';
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<'disconnected'>((resolve) => {
          timer = setTimeout(() => resolve('disconnected'), timeoutMs);
        });
        const ping = client.ping().then((r) => (r === 'PONG' ? ('connected' as const) : ('disconnected' as const)));
        return await Promise.race([ping, timeout]);
      } catch {
        return 'disconnected';
      } finally {
        clearTimeout(timer);
      }
    },
    duplicate: () => client.duplicate({ lazyConnect: false }),
    async waitUntilReady(timeoutMs) {
      if (client.status === 'ready') return true;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        client.once('ready', onReady);
      });
    },
    async close() {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
