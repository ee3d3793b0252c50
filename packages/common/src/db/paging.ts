import type { FilterQuery, Model, SortOrder } from 'mongoose';

export interface PageOptions {
  /** 1-based page number. */
  page: number;
  /** Page size (the caller validates its bounds). */
  limit: number;
  /** Sort; newest first (`createdAt`, then `_id`) by default, so pages are stable. */
  sort?: Record<string, SortOrder>;
  /** Projection string, e.g. `'email plan createdAt'`. */
  select?: string;
}

/** One page of documents (lean, plain objects) and the total count of the filter. */
export interface Page<T> {
  items: T[];
  total: number;
  /** `ceil(total / limit)`. */
  totalPages: number;
}

/**
 * Reads one page of `filter` and counts all matches, in parallel: the offset paging every admin
 * list (developers, end users, request logs, webhook and mail deliveries) shares.
 */
export async function findPage<D, T = Record<string, unknown>>(
  model: Model<D>,
  filter: FilterQuery<D>,
  options: PageOptions,
): Promise<Page<T>> {
  const { page, limit } = options;
  let query = model
    .find(filter)
    .sort(options.sort ?? { createdAt: -1, _id: -1 })
    .skip((page - 1) * limit)
    .limit(limit);
  if (options.select) query = query.select(options.select);
  const [items, total] = await Promise.all([query.lean(), model.countDocuments(filter)]);
  return { items: items as unknown as T[], total, totalPages: Math.ceil(total / limit) };
}
