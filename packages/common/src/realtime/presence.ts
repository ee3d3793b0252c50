import type { RedisConnection } from '../cache/index.js';
import type { Logger } from '../logger/index.js';

/**
 * Open realtime connections per project, counted across every process: a sorted set per project
 * (`urbackend:rt:conns:{<projectId>}`, members = connection ids, scores = lease expiry). Each
 * process renews its connections' leases; a crashed process's leases lapse on their own.
 */
export interface ConnectionPresence {
  /** Claims a slot for `connectionId`; false when the project already has `max` (-1 = unlimited). */
  claim(projectId: string, connectionId: string, max: number): Promise<boolean>;
  release(projectId: string, connectionId: string): Promise<void>;
  /** Renews the leases of these connections (call every `leaseMs / 3`). */
  renew(byProject: Map<string, string[]>): Promise<void>;
  /** Connections of a project across processes (live leases). */
  count(projectId: string): Promise<number>;
}

const presenceKey = (projectId: string) => `urbackend:rt:conns:{${projectId}}`;

const CLAIM = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[3])
if max >= 0 and n >= max then return -1 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return n + 1
`;

export function createConnectionPresence(cache: RedisConnection, logger: Logger, leaseMs: number): ConnectionPresence {
  const local = new Map<string, Set<string>>();
  const client = cache.client;
  if (!client) {
    return {
      async claim(projectId, connectionId, max) {
        const set = local.get(projectId) ?? new Set<string>();
        if (max >= 0 && set.size >= max) return false;
        set.add(connectionId);
        local.set(projectId, set);
        return true;
      },
      async release(projectId, connectionId) {
        local.get(projectId)?.delete(connectionId);
      },
      async renew() {},
      async count(projectId) {
        return local.get(projectId)?.size ?? 0;
      },
    };
  }
  return {
    async claim(projectId, connectionId, max) {
      const now = Date.now();
      const n = (await client.eval(
        CLAIM,
        1,
        presenceKey(projectId),
        now,
        now + leaseMs,
        max,
        connectionId,
        leaseMs * 2,
      )) as number;
      return n >= 0;
    },
    async release(projectId, connectionId) {
      await client.zrem(presenceKey(projectId), connectionId).catch(() => undefined);
    },
    async renew(byProject) {
      const expiry = Date.now() + leaseMs;
      await Promise.all(
        [...byProject].map(async ([projectId, ids]) => {
          if (!ids.length) return;
          const key = presenceKey(projectId);
          const args = ids.flatMap((id) => [expiry, id]);
          try {
            await client
              .multi()
              .zadd(key, ...args)
              .pexpire(key, leaseMs * 2)
              .exec();
          } catch (err) {
            logger.debug({ err: { message: (err as Error).message }, projectId }, 'could not renew realtime leases');
          }
        }),
      );
    },
    async count(projectId) {
      const key = presenceKey(projectId);
      return client.zcount(key, Date.now(), '+inf');
    },
  };
}
