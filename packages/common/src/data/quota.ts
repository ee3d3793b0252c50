import type { Cache } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import type { PlatformModels } from '../models/index.js';
import type { ProjectScope } from '../scope/index.js';
import { documentBytes } from '../validation/index.js';

/** Quota size of a document (JSON bytes without server-added fields): see `documentBytes`. */
export const docBytes = documentBytes;

/** Database-size accounting for internal projects (BYOD data is the developer's own). */
export interface DbQuota {
  /**
   * Adds `bytes` to the project's `databaseUsed` only when it stays within the scope's
   * `limits.mongoBytes`; 403 `Database limit exceeded.` otherwise. Zero or negative always succeed.
   */
  reserve(scope: ProjectScope, bytes: number): Promise<void>;
  /** Gives `bytes` back (after a delete, or when a reserved write failed). Never throws. */
  release(scope: ProjectScope, bytes: number): Promise<void>;
}

const exceeded = () => new AppError('FORBIDDEN', 'Database limit exceeded.');
const redisKey = (pid: string) => `project:usage:db:bytes:${pid}`;

// Seeds the counter from the database value, then adds only within the limit (atomic in Redis).
const RESERVE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[3], 'EX', 3600) end
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
return 1`;

/**
 * Atomicity: a conditional `$inc` in the platform database is atomic on MongoDB, but FerretDB
 * 1.24 runs it as read-then-write, so concurrent requests could overshoot. Reservations are
 * therefore also serialised per project in this process and, across processes, gated by an
 * atomic Redis script (seeded from the database value) when Redis is up.
 */
export function createDbQuota(models: Pick<PlatformModels, 'Project'>, cache: Cache): DbQuota {
  const chains = new Map<string, Promise<unknown>>();

  function serialised<T>(pid: string, task: () => Promise<T>): Promise<T> {
    const prev = chains.get(pid) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    chains.set(pid, tail);
    void tail.then(() => chains.get(pid) === tail && chains.delete(pid));
    return next;
  }

  async function redisGate(pid: string, bytes: number, limit: number, used: number): Promise<boolean | null> {
    if (!cache.client || !cache.isReady()) return null;
    try {
      return (await cache.client.eval(RESERVE_LUA, 1, redisKey(pid), bytes, limit, used)) === 1;
    } catch {
      return null;
    }
  }

  async function reserveSerialised(scope: ProjectScope, bytes: number, limit: number): Promise<void> {
    const doc = await models.Project.findById(scope.project._id).select('databaseUsed').lean();
    const used = doc?.databaseUsed ?? 0;
    const gate = await redisGate(scope.project._id, bytes, limit, used);
    if (gate === false) throw exceeded();
    const res = await models.Project.updateOne(
      { _id: scope.project._id, databaseUsed: { $lte: limit - bytes } },
      { $inc: { databaseUsed: bytes } },
    );
    if (res.matchedCount === 0) {
      if (gate) await cache.client?.decrby(redisKey(scope.project._id), bytes).catch(() => undefined);
      throw exceeded();
    }
  }

  return {
    async reserve(scope, bytes) {
      if (scope.tenant.isExternal || bytes === 0) return;
      if (bytes < 0) return this.release(scope, -bytes);
      const limit = scope.limits.mongoBytes;
      if (limit < 0) {
        await models.Project.updateOne({ _id: scope.project._id }, { $inc: { databaseUsed: bytes } });
        return;
      }
      if (bytes > limit) throw exceeded();
      await serialised(scope.project._id, () => reserveSerialised(scope, bytes, limit));
    },
    async release(scope, bytes) {
      if (scope.tenant.isExternal || bytes <= 0) return;
      await models.Project.updateOne({ _id: scope.project._id }, { $inc: { databaseUsed: -bytes } }).catch(() => undefined);
      if (cache.client && cache.isReady()) {
        await cache.client.decrby(redisKey(scope.project._id), bytes).catch(() => undefined);
      }
    },
  };
}
