import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import type { RedisConnection } from '../cache/index.js';
import { isUsersCollection } from '../collections/rls.js';
import type { ProjectScope } from '../scope/index.js';

/**
 * Data versions and the list-count cache.
 *
 * A list answers with its `total` (the SDK's shape), and a count costs a scan on FerretDB (every
 * count) and on MongoDB (every filtered count). Counts are therefore cached in Redis per
 * collection and filter, each entry tagged with the collection's **data version**: a counter that
 * every write through the product advances after the write is acknowledged and **before** the
 * write is answered (it rides the realtime stream's append script, which the write awaits). A reader
 * reads the version first and counts after, so a count stored under a version never misses a
 * write that version announced: a list after a write's answer always counts that write, on any
 * process. Entries also expire after `ttlMs` (a write whose version could not be advanced while
 * Redis was failing is counted again within that time at most). Projects on their own database
 * (BYOD) are never cached: other programs write there.
 */

/** The data version of one collection; the hash tag keeps it in the project's Redis Cluster slot (with its stream). */
export function dataVersionKey(projectId: string, collection: string): string {
  return `urbackend:dv:{${projectId}}:${collection}`;
}

/** A version lives this long after its last write; always much longer than any count entry. */
export const DATA_VERSION_TTL_MS = 86_400_000;

/**
 * Advances the versions of collections whose documents changed outside the data write services
 * (a restore, a dropped collection). Never throws (their entries expire within the cache's lifetime).
 */
export async function advanceDataVersions(
  cache: RedisConnection,
  projectId: string,
  collections: Iterable<string>,
): Promise<void> {
  const client = cache.client;
  const names = [...collections];
  if (!client || names.length === 0) return;
  // One MULTI: every version key carries the project's hash tag (one Redis Cluster slot).
  const multi = client.multi();
  for (const name of new Set(names))
    multi.incr(dataVersionKey(projectId, name)).pexpire(dataVersionKey(projectId, name), DATA_VERSION_TTL_MS);
  await multi.exec().catch(() => undefined);
}

const { EJSON } = mongoose.mongo.BSON;

const entryKey = (projectId: string, collection: string, filter: Record<string, unknown>) => {
  // EJSON keeps what JSON would lose or merge (ObjectId, Date, RegExp): two filters share an entry only when equal.
  const digest = createHash('sha256')
    .update(EJSON.stringify(filter, { relaxed: false }))
    .digest('base64url')
    .slice(0, 22);
  return `urbackend:cnt:{${projectId}}:${collection}:${digest}`;
};

/** The list-count cache (see the module comment). */
export interface CountCache {
  /** The count of `filter` in `collection`: the cached one when its version is current, else `compute()` (then cached). */
  count(
    scope: ProjectScope,
    collection: string,
    filter: Record<string, unknown>,
    compute: () => Promise<number>,
  ): Promise<number>;
}

export interface CountCacheOptions {
  /** Redis; without it (or while it is down) every count is computed. */
  cache?: RedisConnection;
  /** Lifetime of an entry (`LIST_COUNT_CACHE_SEC`); 0 turns the cache off. */
  ttlMs: number;
}

export function createCountCache(options: CountCacheOptions): CountCache {
  const { cache, ttlMs } = options;
  const ready = () => (cache?.client && ttlMs > 0 && cache.isReady() ? cache.client : null);
  return {
    async count(scope, collection, filter, compute) {
      const client = ready();
      // `users` rows also change through sign-in paths that write no data event (social sign-up, verification).
      if (!client || scope.tenant.isExternal || isUsersCollection(collection)) return compute();
      const pid = scope.project._id;
      const key = entryKey(pid, collection, filter);
      let version: string;
      try {
        const [current, entry] = await client.mget(dataVersionKey(pid, collection), key);
        version = current ?? '0';
        const cut = entry?.indexOf(':') ?? -1;
        if (entry && cut > 0 && entry.slice(0, cut) === version) return Number(entry.slice(cut + 1));
      } catch {
        return compute();
      }
      const total = await compute();
      client.set(key, `${version}:${total}`, 'PX', ttlMs).catch(() => undefined);
      return total;
    },
  };
}
