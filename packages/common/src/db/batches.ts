import type { FilterQuery, Model } from 'mongoose';

/** Documents deleted per command by `deleteInBatches`. */
const BATCH = 1000;

/**
 * Deletes every document matching `filter`, `batch` at a time (ids first, then a delete by id), so
 * a retention sweep never holds the database, or its write lock on an embedded engine, for one huge
 * delete. Returns how many were deleted.
 */
export async function deleteInBatches<D>(model: Model<D>, filter: FilterQuery<D>, batch = BATCH): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = (await model.find(filter).select({ _id: 1 }).limit(batch).lean()).map((d) => d._id);
    if (ids.length === 0) return deleted;
    deleted += (await model.deleteMany({ _id: { $in: ids } } as FilterQuery<D>)).deletedCount;
    if (ids.length < batch) return deleted;
  }
}
