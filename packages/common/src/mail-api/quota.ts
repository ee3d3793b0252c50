import type { Cache } from '../cache/index.js';
import { AppError, unavailable } from '../errors/index.js';

/** A reserved monthly mail slot; `release` gives it back (send failed). */
export interface MailReservation {
  month: string;
  usage: number;
  release(): Promise<void>;
}

/** Monthly mail counters per project (reference §1.7, §8.4 `project:mail:count:<pid>:<YYYY-MM>`). */
export interface MailQuota {
  /**
   * Reserves one slot of this month atomically. Throws 429 `Monthly mail limit exceeded.` over
   * `limit` (-1 = unlimited) and 503 when Redis is configured but not reachable. Without Redis
   * (single-process mode) counts in memory.
   */
  reserve(projectId: string, limit: number): Promise<MailReservation>;
  /** Gives back a slot of `month` (a queued send that finally failed). */
  release(projectId: string, month: string): Promise<void>;
}

// INCR, and set the expiry when the key is new (end of the month + a day).
const RESERVE = `local v = redis.call('INCR', KEYS[1]) if v == 1 then redis.call('EXPIREAT', KEYS[1], ARGV[1]) end return v`;

function monthOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

function endOfMonthUnix(now: Date): number {
  return Math.floor(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 2) / 1000);
}

/** Creates the quota counter over the cache (see `MailQuota`). */
export function createMailQuota(cache: Cache, now: () => Date = () => new Date()): MailQuota {
  const local = new Map<string, number>();
  const key = (pid: string, month: string) => `project:mail:count:${pid}:${month}`;

  async function incr(k: string, expireAt: number): Promise<number> {
    const client = cache.client;
    if (!client) {
      const v = (local.get(k) ?? 0) + 1;
      local.set(k, v);
      return v;
    }
    if (!cache.isReady()) throw unavailable('Mail service unavailable. Redis is not ready.');
    try {
      return Number(await client.eval(RESERVE, 1, k, expireAt));
    } catch (err) {
      throw unavailable('Mail service unavailable. Redis is not ready.', err);
    }
  }

  async function decr(k: string): Promise<void> {
    if (!cache.client) {
      local.set(k, Math.max(0, (local.get(k) ?? 0) - 1));
      return;
    }
    await cache.client.decr(k).catch(() => undefined);
  }

  return {
    async reserve(projectId, limit) {
      const at = now();
      const month = monthOf(at);
      const k = key(projectId, month);
      const usage = await incr(k, endOfMonthUnix(at));
      if (limit >= 0 && usage > limit) {
        await decr(k);
        throw new AppError('RATE_LIMITED', 'Monthly mail limit exceeded.');
      }
      return { month, usage, release: () => decr(k) };
    },
    release: (projectId, month) => decr(key(projectId, month)),
  };
}
