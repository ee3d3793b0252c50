import { type RedisConnection, defineRedisScript } from '../cache/index.js';
import { AppError, unavailable } from '../errors/index.js';
import type { Logger } from '../logger/index.js';

/** What a project is charged for: database bytes, storage bytes, mails (recipients) per month. */
export type UsageResource = 'db' | 'storage' | 'mail';

/**
 * Recomputes a project's usage of one resource from the data itself (the durable truth). For
 * `mail`, `period` is the month (`YYYY-MM`); otherwise it is empty.
 */
export type UsageSource = (projectId: string, period: string) => Promise<number>;

/** A hot counter of one project resource with an atomic admission check (see `createUsageMeter`). */
export interface UsageMeter {
  /**
   * Adds `amount` when the total stays within `limit` (-1 = unlimited): true when admitted, false
   * when it would exceed the limit (nothing is added). One atomic Redis script per call; when the
   * counter is missing (first use, Redis restarted or flushed) it is first rebuilt from the data.
   * Throws 503 when Redis is configured but unreachable (no admission without the atomic gate).
   */
  reserve(projectId: string, resource: UsageResource, amount: number, limit: number, period?: string): Promise<boolean>;
  /** Gives `amount` back (a write that failed, a deleted document or file). Never below zero; never throws. */
  release(projectId: string, resource: UsageResource, amount: number, period?: string): Promise<void>;
  /** The current usage (rebuilt from the data when the counter is missing). */
  current(projectId: string, resource: UsageResource, period?: string): Promise<number>;
  /**
   * Recomputes from the data and sets the counter to it, unless a charge or release happened
   * while recomputing (then the next reconciliation catches it). Returns the recomputed value.
   */
  reconcile(projectId: string, resource: UsageResource, period?: string): Promise<number>;
  /** Drops every counter of a project (deleted project, or every file deleted). */
  forget(projectId: string, resource?: UsageResource): Promise<void>;
}

export interface UsageMeterOptions {
  cache: RedisConnection;
  logger: Logger;
  sources: Record<UsageResource, UsageSource>;
  /** How long one process may hold the rebuild lock of a counter (default 30 s). */
  rebuildLockMs?: number;
  /** How long to wait for another process's rebuild before rebuilding anyway (default 10 s). */
  rebuildWaitMs?: number;
}

// Keys of one project share the hash tag `{u:<pid>}`: one Redis Cluster slot per project.
const counterKey = (pid: string, resource: UsageResource, period: string) =>
  `{u:${pid}}:${resource}${period ? `:${period}` : ''}`;
const lockKey = (counter: string) => `${counter}:lock`;

/** -1: the counter is missing; 0: over the limit; 1: admitted. */
const RESERVE = defineRedisScript(
  'urbackendUsageReserve',
  1,
  `
local v = redis.call('GET', KEYS[1])
if not v then return -1 end
local limit = tonumber(ARGV[2])
if limit >= 0 and tonumber(v) + tonumber(ARGV[1]) > limit then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
return 1`,
);

const RELEASE = defineRedisScript(
  'urbackendUsageRelease',
  1,
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local v = redis.call('DECRBY', KEYS[1], ARGV[1])
if v < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL') end
return 1`,
);

/** Sets the counter to ARGV[2] only if it still holds ARGV[1] (or is missing when ARGV[1] is ''). */
const COMPARE_AND_SET = `
local v = redis.call('GET', KEYS[1])
if (v or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1`;

/** Monthly counters expire a month after their month ends; the others live until forgotten. */
function ttlSeconds(resource: UsageResource): number {
  return resource === 'mail' ? 62 * 86_400 : 0;
}

/**
 * Creates the usage meter: Redis holds one counter per project resource, changed only by atomic
 * scripts (reserve = check + add in one step), so any number of processes agree. The counters
 * are a cache of the durable truth, which `sources` recompute from the data (stored files and
 * pending uploads, documents, the mail delivery log): a missing counter is rebuilt from them by
 * one process at a time (a lock), and `reconcile` corrects drift on a schedule. Without Redis
 * (single-process development) the counters live in this process.
 */
export function createUsageMeter(options: UsageMeterOptions): UsageMeter {
  const { cache, logger, sources } = options;
  const lockMs = options.rebuildLockMs ?? 30_000;
  const waitMs = options.rebuildWaitMs ?? 10_000;
  const local = new Map<string, number>();
  const localChains = new Map<string, Promise<unknown>>();

  function client() {
    if (!cache.client) return null;
    if (!cache.isReady()) throw unavailable('Usage accounting unavailable: Redis is not reachable. Please retry.');
    return cache.client;
  }

  /** Serialises the local (no-Redis) path per counter, so check-and-add stays one step. */
  function serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
    const next = (localChains.get(key) ?? Promise.resolve()).then(task, task);
    const tail = next.catch(() => undefined);
    localChains.set(key, tail);
    void tail.then(() => localChains.get(key) === tail && localChains.delete(key));
    return next;
  }

  async function rebuild(pid: string, resource: UsageResource, period: string): Promise<void> {
    const redis = client();
    const key = counterKey(pid, resource, period);
    if (!redis) {
      if (!local.has(key)) local.set(key, await sources[resource](pid, period));
      return;
    }
    const token = `${process.pid}:${Math.random()}`;
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (await redis.exists(key)) return;
      if ((await redis.set(lockKey(key), token, 'PX', lockMs, 'NX')) === 'OK') {
        try {
          const value = await sources[resource](pid, period);
          await redis.eval(COMPARE_AND_SET, 1, key, '', value, ttlSeconds(resource));
        } finally {
          await redis.eval(
            `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end`,
            1,
            lockKey(key),
            token,
          );
        }
        return;
      }
      await new Promise((r) => setTimeout(r, 50)); // another process is rebuilding: poll for its result
    }
    logger.warn({ projectId: pid, resource }, 'usage counter rebuild by another process timed out; rebuilding here');
    const value = await sources[resource](pid, period);
    await redis.eval(COMPARE_AND_SET, 1, key, '', value, ttlSeconds(resource));
  }

  async function reserveOnce(pid: string, resource: UsageResource, amount: number, limit: number, period: string) {
    const redis = client();
    const key = counterKey(pid, resource, period);
    if (!redis) {
      return serialised(key, async () => {
        await rebuild(pid, resource, period);
        const used = local.get(key) ?? 0;
        if (limit >= 0 && used + amount > limit) return 0;
        local.set(key, used + amount);
        return 1;
      });
    }
    return Number(await RESERVE(redis, [key], [amount, limit]));
  }

  const meter: UsageMeter = {
    async reserve(pid, resource, amount, limit, period = '') {
      if (amount <= 0) return true;
      if (limit >= 0 && amount > limit) return false;
      let result = await reserveOnce(pid, resource, amount, limit, period);
      if (result === -1) {
        await rebuild(pid, resource, period);
        result = await reserveOnce(pid, resource, amount, limit, period);
      }
      if (result === -1) throw new AppError('UNAVAILABLE', 'Usage accounting is being rebuilt. Please retry.');
      return result === 1;
    },

    async release(pid, resource, amount, period = '') {
      if (amount <= 0) return;
      const key = counterKey(pid, resource, period);
      try {
        const redis = client();
        if (!redis) {
          if (local.has(key)) local.set(key, Math.max(0, (local.get(key) ?? 0) - amount));
          return;
        }
        await RELEASE(redis, [key], [amount]);
      } catch (err) {
        // The next rebuild or reconciliation recomputes it from the data.
        logger.warn({ err: { message: (err as Error).message }, projectId: pid, resource }, 'usage release not recorded');
      }
    },

    async current(pid, resource, period = '') {
      const key = counterKey(pid, resource, period);
      const redis = client();
      if (!redis) {
        await rebuild(pid, resource, period);
        return local.get(key) ?? 0;
      }
      let value = await redis.get(key);
      if (value === null) {
        await rebuild(pid, resource, period);
        value = await redis.get(key);
      }
      return Number(value ?? 0);
    },

    async reconcile(pid, resource, period = '') {
      const key = counterKey(pid, resource, period);
      const redis = client();
      if (!redis) {
        const value = await sources[resource](pid, period);
        local.set(key, value);
        return value;
      }
      const before = (await redis.get(key)) ?? '';
      const value = await sources[resource](pid, period);
      await redis.eval(COMPARE_AND_SET, 1, key, before, value, ttlSeconds(resource));
      return value;
    },

    async forget(pid, resource) {
      const resources: UsageResource[] = resource ? [resource] : ['db', 'storage'];
      for (const r of resources) {
        const key = counterKey(pid, r, '');
        local.delete(key);
        await cache.client?.del(key).catch(() => undefined);
      }
    },
  };
  return meter;
}

/** Database and storage usage of a project, as the dashboard shows it. */
export interface ProjectUsage {
  databaseUsed: number;
  storageUsed: number;
}

/**
 * The live usage of a project from the meter; `stored` (the project document's copy from the last
 * reconciliation) when the meter cannot answer (Redis down).
 */
export async function projectUsage(meter: UsageMeter, projectId: string, stored: Partial<ProjectUsage>): Promise<ProjectUsage> {
  try {
    const [databaseUsed, storageUsed] = await Promise.all([meter.current(projectId, 'db'), meter.current(projectId, 'storage')]);
    return { databaseUsed, storageUsed };
  } catch {
    return { databaseUsed: stored.databaseUsed ?? 0, storageUsed: stored.storageUsed ?? 0 };
  }
}
