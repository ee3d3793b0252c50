import { notFound } from '@urbackend/common/errors';
import {
  type ListQuery,
  checkPipeline,
  cursorFilter,
  encodeCursor,
  parseListQuery,
  parseReadOptions,
} from '@urbackend/common/query';
import type { PublicContext } from '../../context.js';
import { type QueryLimits, andFilters, dataCollection, present } from './data.shared.js';
import { populate } from './populate.js';
import { objectId, readFilter } from './rls.js';

type Doc = Record<string, unknown>;

/** Reads of the data API: list, count, get one, aggregate. */
export interface DataReadService {
  list(ctx: PublicContext, name: string, query: Record<string, unknown>): Promise<unknown>;
  getOne(ctx: PublicContext, name: string, id: string, query: Record<string, unknown>): Promise<Doc>;
  aggregate(ctx: PublicContext, name: string, body: unknown): Promise<unknown>;
}

function projectionFor(q: ListQuery): { projection: Doc | null; extra: string[] } {
  if (!q.projection || Object.values(q.projection).includes(0)) return { projection: q.projection, extra: [] };
  const extra = q.sort.map(([p]) => p).filter((p) => !(p in (q.projection as Doc)) && p !== '_id');
  const projection: Doc = { ...q.projection };
  for (const p of extra) projection[p] = 1;
  return { projection, extra };
}

export function createDataReadService(limits: QueryLimits): DataReadService {
  const timeFor = (q: { hasRegex: boolean }) => (q.hasRegex ? limits.regexMaxTimeMs : limits.maxTimeMs);

  async function runList(ctx: PublicContext, name: string, q: ListQuery, filter: Doc) {
    const collection = dataCollection(ctx, name);
    const model = await ctx.tenant.model(collection);
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
    const docs = (await find.lean()) as Doc[];
    const hasMore = cursorMode && docs.length > q.limit;
    const page = hasMore ? docs.slice(0, q.limit) : docs;
    const last = page.at(-1);
    const nextCursor = hasMore && last ? encodeCursor(last, q.sort) : null;
    await populate(ctx, collection.model, page, q.populate, limits.maxTimeMs);
    const items = page.map((d) => {
      for (const p of extra) delete d[p];
      return present(d, { meta: q.meta });
    });
    if (cursorMode) return { items, nextCursor, limit: q.limit };
    const total = await model.countDocuments(filter).maxTimeMS(timeFor(q));
    return { items, total, page: q.page, limit: q.limit };
  }

  return {
    async list(ctx, name, query) {
      const collection = dataCollection(ctx, name);
      const q = parseListQuery(query, collection.model);
      const filter = andFilters(readFilter(ctx, collection), q.filter);
      if (q.count) {
        const model = await ctx.tenant.model(collection);
        const count = await model.countDocuments(filter).maxTimeMS(timeFor(q));
        return { success: true, data: { count }, message: 'Count fetched successfully.' };
      }
      const data = await runList(ctx, name, q, filter);
      return { success: true, data, message: 'Data fetched successfully' };
    },

    async getOne(ctx, name, id, query) {
      const collection = dataCollection(ctx, name);
      const _id = objectId(id);
      const options = parseReadOptions(query, collection.model);
      const model = await ctx.tenant.model(collection);
      let find = model.findOne(andFilters(readFilter(ctx, collection), { _id })).maxTimeMS(limits.maxTimeMs);
      if (options.projection) find = find.select(options.projection);
      const doc = (await find.lean()) as Doc | null;
      if (!doc) throw notFound('Document not found.');
      await populate(ctx, collection.model, [doc], options.populate, limits.maxTimeMs);
      return present(doc, { meta: options.meta, dropVersion: !options.projection });
    },

    async aggregate(ctx, name, body) {
      const collection = dataCollection(ctx, name);
      const raw = body && typeof body === 'object' && !Array.isArray(body) ? (body as Doc).pipeline : undefined;
      const pipeline = checkPipeline(raw);
      const rls = readFilter(ctx, collection);
      const stages = [...(Object.keys(rls).length ? [{ $match: rls }] : []), ...pipeline, { $project: { password: 0 } }];
      const model = await ctx.tenant.model(collection);
      const data = await model.aggregate(stages as never[]).option({ maxTimeMS: limits.maxTimeMs });
      return { success: true, data, message: 'Aggregation executed successfully.' };
    },
  };
}
