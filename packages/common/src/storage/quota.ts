import type { Cache } from '../cache/index.js';
import type { ProjectModel } from '../models/project.model.js';

/** Atomic per-project storage accounting (`project.storageUsed`). */
export interface StorageQuota {
  /** Adds `bytes` when the total stays within `limit` (-1 unlimited); false when it would not. */
  charge(projectId: string, bytes: number, limit: number): Promise<boolean>;
  /** Gives `bytes` back (never below zero). */
  release(projectId: string, bytes: number): Promise<void>;
  /** Sets the usage to zero (every file deleted). */
  reset(projectId: string): Promise<void>;
}

const key = (pid: string) => `project:usage:storage:bytes:${pid}`;

// Seeds the counter from the database value, then adds only within the limit.
const CHARGE = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[3], 'EX', 3600) end
local cur = tonumber(redis.call('GET', KEYS[1]))
if tonumber(ARGV[2]) >= 0 and cur + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
return 1`;

const RELEASE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  local v = redis.call('DECRBY', KEYS[1], ARGV[1])
  if v < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL') end
end
return 1`;

/**
 * Creates the storage quota. A conditional `$inc` is atomic on MongoDB, but FerretDB 1.24 runs it
 * as read-then-write, so charges are also serialised per project in this process and gated
 * across processes by an atomic Redis script (seeded from the database value) when Redis is up.
 */
export function createStorageQuota(projects: ProjectModel, cache: Cache): StorageQuota {
  const chains = new Map<string, Promise<unknown>>();

  function serialised<T>(pid: string, task: () => Promise<T>): Promise<T> {
    const next = (chains.get(pid) ?? Promise.resolve()).then(task, task);
    const tail = next.catch(() => undefined);
    chains.set(pid, tail);
    void tail.then(() => chains.get(pid) === tail && chains.delete(pid));
    return next;
  }

  async function redis<T>(fn: (client: NonNullable<Cache['client']>) => Promise<T>): Promise<T | null> {
    if (!cache.client || !cache.isReady()) return null;
    try {
      return await fn(cache.client);
    } catch {
      return null;
    }
  }

  async function releaseDb(pid: string, bytes: number): Promise<void> {
    await projects.updateOne({ _id: pid }, { $inc: { storageUsed: -bytes } });
    await projects.updateOne({ _id: pid, storageUsed: { $lt: 0 } }, { $set: { storageUsed: 0 } });
  }

  return {
    charge(pid, bytes, limit) {
      return serialised(pid, async () => {
        const doc = await projects.findById(pid).select({ storageUsed: 1 }).lean();
        const used = doc?.storageUsed ?? 0;
        const gate = await redis(async (c) => (await c.eval(CHARGE, 1, key(pid), bytes, limit, used)) === 1);
        if (gate === false) return false;
        const filter = limit < 0 ? { _id: pid } : { _id: pid, storageUsed: { $lte: limit - bytes } };
        const res = await projects.updateOne(filter, { $inc: { storageUsed: bytes } });
        if (res.matchedCount === 0) {
          if (gate) await redis((c) => c.eval(RELEASE, 1, key(pid), bytes));
          return false;
        }
        return true;
      });
    },
    release(pid, bytes) {
      if (bytes <= 0) return Promise.resolve();
      return serialised(pid, async () => {
        await redis((c) => c.eval(RELEASE, 1, key(pid), bytes));
        await releaseDb(pid, bytes);
      });
    },
    reset(pid) {
      return serialised(pid, async () => {
        await redis((c) => c.del(key(pid)));
        await projects.updateOne({ _id: pid }, { $set: { storageUsed: 0 } });
      });
    },
  };
}
