import type { Cache } from '../cache/index.js';
import { rateLimited } from './rate-limited.js';

export interface CooldownOptions {
  cache: Cache;
  /** Short unique name; part of the Redis key (`cooldown:<name>:<key>`). */
  name: string;
  /** Cooldown length, e.g. 60 000 for the 60 s OTP resend cooldown. */
  ms: number;
  message?: string;
  /** Most keys kept in the per-process fallback (oldest dropped first). */
  maxLocalKeys?: number;
}

/**
 * A per-key cooldown (OTP resend): the first `enter(key)` passes and starts the cooldown; later
 * calls inside it throw 429 with `Retry-After`. Redis-backed, per-process fallback when Redis is down.
 */
export interface Cooldown {
  /** Starts the cooldown for `key` or throws 429 when it is running. Keys are compared lower-cased. */
  enter(key: string): Promise<void>;
  /** Ends the cooldown early (e.g. when sending failed). */
  clear(key: string): Promise<void>;
}

/** Creates a `Cooldown` (see its contract). */
export function createCooldown(options: CooldownOptions): Cooldown {
  const { cache, ms } = options;
  const local = new Map<string, number>();
  const max = options.maxLocalKeys ?? 10_000;
  const message = options.message ?? 'Please wait before requesting another code.';
  const norm = (key: string) => key.trim().toLowerCase();
  const redisKey = (key: string) => `cooldown:${options.name}:${norm(key)}`;

  function enterLocal(key: string): void {
    const now = Date.now();
    const until = local.get(norm(key));
    if (until !== undefined && until > now) throw rateLimited(message, (until - now) / 1000);
    local.delete(norm(key));
    local.set(norm(key), now + ms);
    if (local.size > max) local.delete(local.keys().next().value as string);
  }

  return {
    async enter(key) {
      if (cache.client && cache.isReady()) {
        let result: string | null | undefined;
        try {
          result = await cache.client.set(redisKey(key), '1', 'PX', ms, 'NX');
        } catch {
          result = undefined;
        }
        if (result === 'OK') return;
        if (result === null) {
          const ttl = await cache.client.pttl(redisKey(key)).catch(() => ms);
          throw rateLimited(message, (ttl > 0 ? ttl : ms) / 1000);
        }
      }
      enterLocal(key);
    },
    async clear(key) {
      local.delete(norm(key));
      if (cache.client && cache.isReady()) await cache.client.del(redisKey(key)).catch(() => undefined);
    },
  };
}
