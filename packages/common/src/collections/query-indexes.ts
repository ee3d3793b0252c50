import type { Connection } from 'mongoose';
import type { RlsConfig } from '../models/index.js';

const SORT_INDEX = 'q_createdAt';
const OWNER_PREFIX = 'q_owner_';

/**
 * The indexes every list query needs (issue 12), on MongoDB and FerretDB alike: the default sort
 * and cursor order (`createdAt` desc, `_id` as the tie-breaker), and, with RLS on, the owner field
 * followed by that order, so a private list reads only its owner's documents in order. An index
 * is an optimisation: a failure is reported to `onError` and never fails the schema change.
 */
export async function syncQueryIndexes(
  conn: Connection,
  collection: string,
  rls: Pick<RlsConfig, 'enabled' | 'ownerField'> | undefined,
  onError: (err: unknown) => void = () => undefined,
): Promise<void> {
  const col = conn.collection(collection);
  try {
    const existing = new Set(((await col.indexes()) as { name?: string }[]).map((i) => i.name ?? ''));
    if (!existing.has(SORT_INDEX)) await col.createIndex({ createdAt: -1, _id: -1 }, { name: SORT_INDEX });
    const owner = rls?.enabled && rls.ownerField && rls.ownerField !== '_id' ? `${OWNER_PREFIX}${rls.ownerField}` : null;
    if (owner && !existing.has(owner)) {
      await col.createIndex({ [rls?.ownerField as string]: 1, createdAt: -1, _id: -1 }, { name: owner });
    }
    for (const name of existing) {
      if (name.startsWith(OWNER_PREFIX) && name !== owner) await col.dropIndex(name).catch(() => undefined);
    }
  } catch (err) {
    onError(err);
  }
}
