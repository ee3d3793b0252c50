import type { Model } from 'mongoose';
import { notFound } from '../errors/index.js';
import { type ListQuery, checkPipeline, cursorFilter, encodeCursor, parseListQuery, parseReadOptions } from '../query/index.js';
import type { ProjectScope } from '../scope/index.js';
import { parseObjectId } from '../tenant/index.js';
import { runAggregation } from './aggregate.js';
import { type QueryLimits, andFilters, dataCollection, present } from './collection.js';
import type { CountCache } from './counts.js';
import { populate } from './populate.js';
import { readFilter } from './rls.js';

type Doc = Record<string, unknown>;

/** One offset page of a list. */
export interface DataPage {
  items: Doc[];
  total: number;
  page: number;
  limit: number;
}

/** Reads of the data API: list, count, get one, aggregate. */
export interface DataReadService {
  /** The public list answer: a count (`count=true`), a cursor page (`cursor`) or an offset page. */
  list(scope: ProjectScope, name: string, query: Record<string, unknown>): Promise<unknown>;
  /** One offset page with the total (dashboard rows): same filters, sort, projection and RLS as `list`. */
  page(scope: ProjectScope, name: string, query: Record<string, unknown>): Promise<DataPage>;
  getOne(scope: ProjectScope, name: string, id: string, query: Record<string, unknown>): Promise<Doc>;
  aggregate(scope: ProjectScope, name: string, body: unknown): Promise<unknown>;
}

function projectionFor(q: ListQuery): { projection: Doc | null; extra: string[] } {
  if (!q.projection || Object.values(q.projection).includes(0)) return { projection: q.projection, extra: [] };
  const extra = q.sort.map(([p]) => p).filter((p) => !(p in (q.projection as Doc)) && p !== '_id');
  const projection: Doc = { ...q.projection };
  for (const p of extra) projection[p] = 1;
  return { projection, extra };
}

/**
 * The number of documents matching `filter`. Without a filter (no query, no RLS restriction) it is
 * the collection's own count (metadata on MongoDB, no scan): trashed documents live in another
 * collection, so every document of the collection is live.
 */
function countOf(model: Model<Doc>, filter: Doc, maxTimeMS: number): Promise<number> {
  if (Object.keys(filter).length === 0) return model.estimatedDocumentCount().maxTimeMS(maxTimeMS).exec();
  return model.countDocuments(filter).maxTimeMS(maxTimeMS).exec();
}

/**
 * The read service. `counts` caches list totals per collection version (`data/counts.ts`); without
 * it every total is counted.
 */
export function createDataReadService(limits: QueryLimits, counts?: CountCache): DataReadService {
  const timeFor = (q: { hasRegex: boolean }) => (q.hasRegex ? limits.regexMaxTimeMs : limits.maxTimeMs);
  const countFor = (scope: ProjectScope, model: Model<Doc>, name: string, filter: Doc, q: { hasRegex: boolean }) => {
    const compute = () => countOf(model, filter, timeFor(q));
    return counts ? counts.count(scope, name, filter, compute) : compute();
  };

  async function runList(scope: ProjectScope, name: string, q: ListQuery, filter: Doc) {
    const collection = dataCollection(scope, name);
    const model = await scope.tenant.model(collection);
    const { projection, extra } = projectionFor(q);
    const cursorMode = q.cursor !== undefined;
    const where = cursorMode && q.cursor ? andFilters(filter, cursorFilter(q.sort, q.cursor)) : filter;
    let find = model
      .find(where)
      .sort(Object.fromEntries(q.sort))
      .limit(cursorMode ? q.limit + 1 : q.limit)
      .maxTimeMS(timeFor(q));
    if (!cursorMode && q.skip) find = find.skip(q.skip);
    if (projection) find = find.select(projection as Record<string, number>);
    // The page and its total are independent: ask for both at once (a count is a scan on FerretDB,
    // and a filtered one on MongoDB too: `counts` answers it from Redis while the collection is unchanged).
    // A cursor page needs no total (the cheap way to page through a large collection).
    const [docs, total] = await Promise.all([
      find.lean() as Promise<Doc[]>,
      cursorMode ? null : countFor(scope, model, collection.name, filter, q),
    ]);
    const hasMore = cursorMode && docs.length > q.limit;
    const page = hasMore ? docs.slice(0, q.limit) : docs;
    const last = page.at(-1);
    const nextCursor = hasMore && last ? encodeCursor(last, q.sort) : null;
    await populate(scope, collection.model, page, q.populate, limits.maxTimeMs);
    const items = page.map((d) => {
      for (const p of extra) delete d[p];
      return present(d, { meta: q.meta });
    });
    return { items, nextCursor, total };
  }

  return {
    async list(scope, name, query) {
      const collection = dataCollection(scope, name);
      const q = parseListQuery(query, collection.model);
      const filter = andFilters(readFilter(scope, collection), q.filter);
      if (q.count) {
        const model = await scope.tenant.model(collection);
        const count = await countFor(scope, model, collection.name, filter, q);
        return { success: true, data: { count }, message: 'Count fetched successfully.' };
      }
      const { items, nextCursor, total } = await runList(scope, name, q, filter);
      const data = total === null ? { items, nextCursor, limit: q.limit } : { items, total, page: q.page, limit: q.limit };
      return { success: true, data, message: 'Data fetched successfully' };
    },

    async page(scope, name, query) {
      const collection = dataCollection(scope, name);
      const q: ListQuery = { ...parseListQuery(query, collection.model), cursor: undefined };
      const { items, total } = await runList(scope, name, q, andFilters(readFilter(scope, collection), q.filter));
      return { items, total: total ?? items.length, page: q.page, limit: q.limit };
    },

    async getOne(scope, name, id, query) {
      const collection = dataCollection(scope, name);
      const _id = parseObjectId(id);
      const options = parseReadOptions(query, collection.model);
      const model = await scope.tenant.model(collection);
      // The hottest read goes to the driver as is: the filter is already typed (a parsed ObjectId,
      // RLS owner values in both forms), so mongoose's query layer (casting, hooks) has nothing to
      // add. `fields` never selects `password`; without it, the schema's `select: false` is kept here.
      const doc = (await model.collection.findOne(andFilters(readFilter(scope, collection), { _id }), {
        projection: options.projection ?? { password: 0 },
        maxTimeMS: limits.maxTimeMs,
      })) as Doc | null;
      if (!doc) throw notFound('Document not found.');
      await populate(scope, collection.model, [doc], options.populate, limits.maxTimeMs);
      return present(doc, { meta: options.meta, dropVersion: !options.projection });
    },

    async aggregate(scope, name, body) {
      const collection = dataCollection(scope, name);
      const raw = body && typeof body === 'object' && !Array.isArray(body) ? (body as Doc).pipeline : undefined;
      const pipeline = checkPipeline(raw);
      const rls = readFilter(scope, collection);
      const head = Object.keys(rls).length ? [{ $match: rls }] : [];
      const model = await scope.tenant.model(collection);
      const kind = await scope.tenant.serverKind();
      const data = await runAggregation({ model, head, pipeline, kind, maxTimeMs: limits.maxTimeMs });
      return { success: true, data, message: 'Aggregation executed successfully.' };
    },
  };
}
