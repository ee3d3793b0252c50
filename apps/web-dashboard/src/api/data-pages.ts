import type { ApiClient } from '../lib/api-client.js';
import { collectionsApi } from './projects.js';
import type { DataPage } from './types.js';

/** The most rows one API request returns (CONTRACT: list `limit` ≤ 100). */
export const API_PAGE_LIMIT = 100;

/** Page sizes the data browser offers; those over 100 are read as several API pages. */
export const GRID_PAGE_SIZES = [10, 20, 50, 100, 200, 500] as const;

/**
 * One grid page of `query.limit` rows (up to 500): the API caps a page at 100, so a bigger grid
 * page is read as its 100-row API pages in parallel (same filters and sort, `_id` breaks ties)
 * and joined in order. `page` stays the grid's page number.
 */
export async function listGridPage(
  api: ApiClient,
  projectId: string,
  name: string,
  query: Record<string, string>,
): Promise<DataPage> {
  const limit = Number(query.limit ?? 20);
  const page = Number(query.page ?? 1);
  if (!(limit > API_PAGE_LIMIT)) return collectionsApi.listData(api, projectId, name, query);
  const parts = Math.ceil(limit / API_PAGE_LIMIT);
  const first = (page - 1) * parts + 1;
  const pages = await Promise.all(
    Array.from({ length: parts }, (_, i) =>
      collectionsApi.listData(api, projectId, name, { ...query, page: String(first + i), limit: String(API_PAGE_LIMIT) }),
    ),
  );
  return {
    items: pages.flatMap((p) => p.items).slice(0, limit),
    total: pages[0]?.total ?? null,
    page,
    limit,
  };
}
