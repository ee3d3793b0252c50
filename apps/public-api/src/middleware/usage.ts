import { type RedisConnection, defineRedisScript } from '@urbackend/common/cache';
import { scopeOf } from '@urbackend/common/http';
import { createLruCache } from '@urbackend/common/lru';
import { rateLimited } from '@urbackend/common/rate-limit';
import type { ProjectScope } from '@urbackend/common/scope';
import type { RequestHandler } from 'express';

/** Usage counters of a project (per minute and per day, UTC buckets). */
export interface UsageCounter {
  /**
   * Adds one request and returns the counts after it: Redis when up, else this process. Requests
   * `record`ed for the project and not yet written go first, so the counts are exact.
   */
  hit(projectId: string, now?: Date): Promise<{ minute: number; day: number }>;
  /**
   * Adds one request without waiting: counted in this process and written to Redis with the
   * others of the same buckets at most `flushMs` later (one command per project per flush). For
   * projects without a request limit, where nothing waits on the count.
   */
  record(projectId: string, now?: Date): void;
  /** Takes one request back from the day counter (a refused request is not billed). */
  undoDay(projectId: string, now?: Date): Promise<void>;
  /** Writes every recorded request now (shutdown). */
  flush(): Promise<void>;
  /** Stops the flush timer after a last flush. */
  close(): Promise<void>;
}

const minuteBucket = (d: Date) => d.toISOString().slice(0, 16);
const dayBucket = (d: Date) => d.toISOString().slice(0, 10);
// Both counters of a project share the hash tag `{<pid>}`: one Redis Cluster slot, so one MULTI.
export const usageKeys = {
  minute: (pid: string, d: Date) => `project:usage:min:{${pid}}:${minuteBucket(d)}`,
  day: (pid: string, d: Date) => `project:usage:req:count:{${pid}}:${dayBucket(d)}`,
};

/**
 * Adds one request to both counters and returns them: one script, one command per request (it
 * was a MULTI of six). A counter gets its expiry when it has none (created by this INCR), so its
 * bucket ends on time however busy the project is.
 */
const HIT = defineRedisScript(
  'urbackendUsageHit',
  2,
  `
local function hit(key, ttl, n)
  local v = redis.call('INCRBY', key, n)
  if redis.call('TTL', key) == -1 then redis.call('EXPIRE', key, ttl) end
  return v
end
return { hit(KEYS[1], ARGV[1], ARGV[3]), hit(KEYS[2], ARGV[2], ARGV[3]) }
`,
);

/** How often recorded requests are written (`record`). */
export const USAGE_FLUSH_MS = 1000;

/**
 * Redis counters (one script per hit, EVALSHA) with a per-process fallback while Redis is down.
 * `record`ed requests are summed per project and buckets in this process and written by the same
 * script (`INCRBY`) every `flushMs`: one command per project per second instead of one per request.
 */
export function createUsageCounter(cache: RedisConnection, options: { flushMs?: number } = {}): UsageCounter {
  const local = createLruCache<number>(20_000);
  const bump = (key: string, ttlMs: number, n = 1) => {
    const next = (local.get(key) ?? 0) + n;
    local.set(key, next, ttlMs);
    return next;
  };
  /** Recorded, not yet written: project → "minuteKey dayKey" → requests. */
  const pending = new Map<string, Map<string, number>>();

  async function add(mk: string, dk: string, n: number): Promise<{ minute: number; day: number }> {
    const client = cache.client;
    if (client && cache.isReady()) {
      try {
        const [minute, day] = (await HIT(client, [mk, dk], [65, 90_000, n])) as [number, number];
        return { minute: Number(minute), day: Number(day) };
      } catch {
        // fall through to the per-process counters
      }
    }
    return { minute: bump(mk, 65_000, n), day: bump(dk, 90_000_000, n) };
  }

  async function flushProject(pid: string): Promise<void> {
    const buckets = pending.get(pid);
    if (!buckets) return;
    pending.delete(pid);
    await Promise.all(
      [...buckets].map(([keys, n]) => {
        const [mk, dk] = keys.split(' ') as [string, string];
        return add(mk, dk, n);
      }),
    );
  }

  const flushAll = async () => {
    await Promise.all([...pending.keys()].map(flushProject));
  };
  const timer = setInterval(() => void flushAll(), options.flushMs ?? USAGE_FLUSH_MS);
  timer.unref();

  return {
    async hit(pid, now = new Date()) {
      await flushProject(pid);
      return add(usageKeys.minute(pid, now), usageKeys.day(pid, now), 1);
    },
    record(pid, now = new Date()) {
      let buckets = pending.get(pid);
      if (!buckets) {
        buckets = new Map();
        pending.set(pid, buckets);
      }
      const keys = `${usageKeys.minute(pid, now)} ${usageKeys.day(pid, now)}`;
      buckets.set(keys, (buckets.get(keys) ?? 0) + 1);
    },
    async undoDay(pid, now = new Date()) {
      const dk = usageKeys.day(pid, now);
      const client = cache.client;
      if (client && cache.isReady()) {
        await client.decr(dk).catch(() => undefined);
        return;
      }
      const value = local.get(dk);
      if (value) local.set(dk, value - 1, 90_000_000);
    },
    flush: flushAll,
    async close() {
      clearInterval(timer);
      await flushAll();
    },
  };
}

/** Charges one request to a project's plan quotas; throws the 429 when over (see {@link createUsageCharge}). */
export type UsageCharge = (scope: ProjectScope, now?: Date) => Promise<void>;

/**
 * Plan quotas per project (the scope's limits; reference §1.1 usage gate, but failing closed on counts and never
 * 500 on Redis): over `reqPerMinute` → 429 with `Retry-After` until the next minute; over
 * `reqPerDay` → 429 until the next UTC day (that request is not counted). `-1` = unlimited.
 * One rule for every entry point: HTTP routes (through {@link createUsageGate}), the realtime
 * stream and the WebSocket upgrade.
 */
export function createUsageCharge(counter: UsageCounter): UsageCharge {
  return async (scope, now = new Date()) => {
    const { project, limits } = scope;
    // No limit to hold: nothing waits on the count (it reaches Redis within a second).
    if (limits.reqPerMinute < 0 && limits.reqPerDay < 0) return counter.record(project._id, now);
    const { minute, day } = await counter.hit(project._id, now);
    if (limits.reqPerMinute >= 0 && minute > limits.reqPerMinute) {
      throw rateLimited('Rate limit exceeded (per minute). Please slow down or upgrade your plan.', 60 - now.getUTCSeconds());
    }
    if (limits.reqPerDay >= 0 && day > limits.reqPerDay) {
      await counter.undoDay(project._id, now);
      const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      throw rateLimited('Daily request limit reached. Upgrade your plan to increase limits.', (tomorrow - now.getTime()) / 1000);
    }
  };
}

/** The usage charge as route middleware (mount after the API-key middleware). */
export function createUsageGate(charge: UsageCharge): RequestHandler {
  return async (req, _res, next) => {
    await charge(scopeOf(req));
    next();
  };
}
