import { type ErrorDetail, badRequest, notFound } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import { ObjectId } from '@urbackend/common/tenant';
import { isPlainObject, validateDocument } from '@urbackend/common/validation';
import type { PublicContext } from '../../context.js';
import type { DataEventHandler } from '../../data-events.js';
import { dataCollection, emitter, present } from './data.shared.js';
import { type DbQuota, docBytes } from './quota.js';
import { applyInsertRls, assertWriteAllowed, checkModifyRls, objectId } from './rls.js';

type Doc = Record<string, unknown>;

export const MAX_BULK = 100;

/** Writes of the data API: insert, bulk insert, update (PUT/PATCH), delete. */
export interface DataWriteService {
  insert(ctx: PublicContext, name: string, body: unknown): Promise<Doc>;
  bulkInsert(ctx: PublicContext, name: string, body: unknown): Promise<unknown>;
  update(ctx: PublicContext, name: string, id: string, body: unknown): Promise<unknown>;
  remove(ctx: PublicContext, name: string, id: string): Promise<unknown>;
}

export interface DataWriteDeps {
  quota: DbQuota;
  onDataEvent: DataEventHandler;
  logger: Logger;
  maxTimeMs: number;
}

function validateAll(fields: Parameters<typeof validateDocument>[0], items: Doc[]): Doc[] {
  const details: ErrorDetail[] = [];
  const docs = items.map((item, i) => {
    try {
      return validateDocument(fields, item, 'insert');
    } catch (err) {
      const inner = (err as { details?: ErrorDetail[]; message: string }).details ?? [
        { path: '', message: (err as Error).message },
      ];
      details.push(...inner.map((d) => ({ path: `[${i}]${d.path ? `.${d.path}` : ''}`, message: d.message })));
      return {};
    }
  });
  if (details.length) {
    const first = details[0] as ErrorDetail;
    throw badRequest(`Item ${first.path}: ${first.message}. Nothing was inserted.`, details);
  }
  return docs;
}

export function createDataWriteService(deps: DataWriteDeps): DataWriteService {
  const emit = emitter(deps.onDataEvent, deps.logger);
  const { quota } = deps;

  async function existing(ctx: PublicContext, name: string, id: string) {
    const collection = dataCollection(ctx, name);
    assertWriteAllowed(ctx, collection);
    const _id = objectId(id);
    const model = await ctx.tenant.model(collection);
    const doc = (await model.findById(_id).select('+password').lean().maxTimeMS(deps.maxTimeMs)) as Doc | null;
    if (!doc) throw notFound('Document not found.');
    return { collection, model, _id, doc };
  }

  return {
    async insert(ctx, name, body) {
      const collection = dataCollection(ctx, name);
      if (!isPlainObject(body)) throw badRequest('Request body must be a JSON object.');
      const [item] = applyInsertRls(ctx, collection, [{ ...body }]);
      const doc = validateDocument(collection.model, item, 'insert');
      const bytes = docBytes(doc);
      await quota.reserve(ctx, bytes);
      const model = await ctx.tenant.model(collection);
      let created: Doc;
      try {
        created = (await model.create(doc)).toObject() as Doc;
      } catch (err) {
        await quota.release(ctx, bytes);
        throw err;
      }
      const out = present(created);
      emit(ctx, { collection: name, action: 'insert', documentId: String(created._id), data: out });
      return out;
    },

    async bulkInsert(ctx, name, body) {
      const collection = dataCollection(ctx, name);
      if (!Array.isArray(body) || body.length === 0 || body.length > MAX_BULK) {
        throw badRequest(`Request body must be an array of 1 to ${MAX_BULK} documents.`);
      }
      body.forEach((item, i) => {
        if (!isPlainObject(item)) throw badRequest(`Item at index ${i} must be a valid object`);
      });
      const items = applyInsertRls(
        ctx,
        collection,
        (body as Doc[]).map((b) => ({ ...b })),
      );
      const docs = validateAll(collection.model, items).map((d) => ({ ...d, _id: new ObjectId() }));
      const bytes = docs.reduce((sum, d) => sum + docBytes(d), 0);
      await quota.reserve(ctx, bytes);
      const model = await ctx.tenant.model(collection);
      let inserted: Doc[];
      try {
        inserted = (await model.insertMany(docs, { ordered: true })).map((d) => d.toObject() as Doc);
      } catch (err) {
        // No transactions (FerretDB): undo the documents that made it before the failure.
        await model.deleteMany({ _id: { $in: docs.map((d) => d._id) } }).catch(() => undefined);
        await quota.release(ctx, bytes);
        throw err;
      }
      for (const doc of inserted) {
        emit(ctx, { collection: name, action: 'insert', documentId: String(doc._id), data: present(doc) });
      }
      return { success: true, data: { insertedCount: inserted.length }, message: 'Bulk insert successful' };
    },

    async update(ctx, name, id, body) {
      const { collection, model, _id, doc } = await existing(ctx, name, id);
      if (!isPlainObject(body)) throw badRequest('Request body must be a JSON object.');
      const changes = validateDocument(collection.model, body, 'patch');
      checkModifyRls(ctx, collection, doc, changes);
      if (!Object.keys(changes).length) return { message: 'Updated', data: present(doc) };
      const delta = docBytes({ ...doc, ...changes }) - docBytes(doc);
      await quota.reserve(ctx, delta);
      // updateOne + read instead of findOneAndUpdate: FerretDB 1.24 does not implement
      // findAndModify projections, which mongoose sends for `password` (select:false).
      const res = await model.updateOne({ _id }, { $set: changes });
      const updated = res.matchedCount ? ((await model.findById(_id).lean().maxTimeMS(deps.maxTimeMs)) as Doc | null) : null;
      if (!updated) {
        await quota.release(ctx, delta);
        throw notFound('Document not found.');
      }
      const out = present(updated);
      emit(ctx, { collection: name, action: 'update', documentId: id, data: out });
      return { message: 'Updated', data: out };
    },

    async remove(ctx, name, id) {
      const { collection, model, _id, doc } = await existing(ctx, name, id);
      checkModifyRls(ctx, collection, doc, null);
      const res = await model.deleteOne({ _id });
      if (res.deletedCount === 0) throw notFound('Document not found.');
      await quota.release(ctx, docBytes(doc));
      emit(ctx, { collection: name, action: 'delete', documentId: id, data: present(doc) });
      return { message: 'Document deleted', id };
    },
  };
}
