import type { Cache } from '../cache/index.js';
import { rateLimited } from './rate-limited.js';

export interface AttemptCounterOptions {
  cache: Cache;
  /** Short unique name; part of the Redis key (`attempts:<name>:<key>`). */
  name: string;
  windowMs: number;
  /** Failures allowed per window per key; `0` disables the counter. */
  limit: number;
  /** Message of the 429. */
  message?: string;
  /** Most keys kept in the per-process fallback (oldest dropped first). */
  maxLocalKeys?: number;
}

/**
 * Counts failures per account (failed logins, wrong OTPs) in Redis, with a per-process fallback
 * while Redis is down. `assertAllowed` throws 429 with `Retry-After` once `limit` is reached.
 */
export interface AttemptCounter {
  /** Throws a 429 `AppError` when the key has used up its attempts. Never throws because of Redis. */
  assertAllowed(key: string): Promise<void>;
  /** Records one failure; resolves to the failures counted in the current window. */
  recordFailure(key: string): Promise<number>;
  /** Forgets the key's failures (after a success). */
  reset(key: string): Promise<void>;
}

interface LocalEntry {
  count: number;
  expiresAt: number;
}

/** Creates an `AttemptCounter` (see its contract). */
export function createAttemptCounter(options: AttemptCounterOptions): AttemptCounter {
  const { cache, windowMs, limit } = options;
  const local = new Map<string, LocalEntry>();
  const maxLocal = options.maxLocalKeys ?? 10_000;
  const message = options.message ?? 'Too many attempts. Please try again later.';
  const redisKey = (key: string) => `attempts:${options.name}:${key.toLowerCase()}`;

  function localGet(key: string): LocalEntry | null {
    const entry = local.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      local.delete(key);
      return null;
    }
    return entry;
  }

  async function current(key: string): Promise<{ count: number; ttlMs: number }> {
    if (cache.client && cache.isReady()) {
      try {
        const [count, ttl] = await Promise.all([cache.client.get(redisKey(key)), cache.client.pttl(redisKey(key))]);
        return { count: Number(count ?? 0), ttlMs: ttl > 0 ? ttl : windowMs };
      } catch {
        // fall through to the per-process count
      }
    }
    const entry = localGet(key);
    return { count: entry?.count ?? 0, ttlMs: entry ? entry.expiresAt - Date.now() : windowMs };
  }

  return {
    async assertAllowed(key) {
      if (limit <= 0) return;
      const { count, ttlMs } = await current(key);
      if (count >= limit) throw rateLimited(message, ttlMs / 1000);
    },
    async recordFailure(key) {
      if (cache.client && cache.isReady()) {
        try {
          const k = redisKey(key);
          const count = await cache.client.incr(k);
          if (count === 1) await cache.client.pexpire(k, windowMs);
          return count;
        } catch {
          // fall through to the per-process count
        }
      }
      const entry = localGet(key) ?? { count: 0, expiresAt: Date.now() + windowMs };
      entry.count += 1;
      local.delete(key);
      local.set(key, entry);
      if (local.size > maxLocal) local.delete(local.keys().next().value as string);
      return entry.count;
    },
    async reset(key) {
      local.delete(key);
      if (cache.client && cache.isReady()) await cache.client.del(redisKey(key)).catch(() => undefined);
    },
  };
}
