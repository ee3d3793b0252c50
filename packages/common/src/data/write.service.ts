import { isUsersCollection } from '../collections/index.js';
import { prepareUserWrite } from '../end-users/rules.js';
import { type ErrorDetail, badRequest, forbidden, notFound } from '../errors/index.js';
import { type TrashService, trashEnabled } from '../lifecycle/trash.js';
import type { Logger } from '../logger/index.js';
import { type ProjectScope, isPrivileged } from '../scope/index.js';
import { ObjectId, parseObjectId } from '../tenant/index.js';
import type { PasswordHasher } from '../user-auth/index.js';
import { isPlainObject, validateDocument } from '../validation/index.js';
import { dataCollection, emitter, present } from './collection.js';
import type { DataEventHandler } from './events.js';
import { type DbQuota, docBytes } from './quota.js';
import { applyInsertRls, assertWriteAllowed, checkModifyRls } from './rls.js';

type Doc = Record<string, unknown>;

export const MAX_BULK = 100;

/** Writes of the data API: insert, bulk insert, update (PUT/PATCH), delete. */
export interface DataWriteService {
  /** Inserts one document (RLS, validation, quota); returns it as stored, without secrets. */
  insert(scope: ProjectScope, name: string, body: unknown): Promise<Doc>;
  /** Inserts 1 to `MAX_BULK` documents, all or nothing. */
  bulkInsert(scope: ProjectScope, name: string, body: unknown): Promise<BulkResult>;
  /** Sets the given fields (PUT and PATCH alike); 404 when the document is missing. */
  update(scope: ProjectScope, name: string, id: string, body: unknown): Promise<{ message: string; data: Doc }>;
  /**
   * Deletes one document; 404 when missing. Moves it to the trash (docs/data-lifecycle.md) unless
   * `permanent` (secret key or developer only) or the collection's trash is off.
   */
  remove(
    scope: ProjectScope,
    name: string,
    id: string,
    options?: { permanent?: boolean },
  ): Promise<{ message: string; id: string; trashed: boolean }>;
}

export interface BulkResult {
  success: true;
  data: { insertedCount: number };
  message: string;
}

export interface DataWriteDeps {
  quota: DbQuota;
  /** Hashes `password` when a developer writes a `users` row (the same hasher as end-user signup). */
  hasher: PasswordHasher;
  onDataEvent: DataEventHandler;
  logger: Logger;
  maxTimeMs: number;
  /** Where deletes go unless permanent. */
  trash: TrashService;
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

/**
 * A new document as mongoose's `create` stores it with the tenant schema (`strict: false`,
 * timestamps, version key), built without a mongoose document: `validateDocument` has already
 * validated and converted every value and dropped the system fields. The schema's one typed path,
 * `password`, is a string (mongoose would cast a number or boolean the same way).
 */
function storedDocument(doc: Doc, now: Date, _id = new ObjectId()): Doc {
  const out: Doc = { _id, ...doc, createdAt: now, updatedAt: now, __v: 0 };
  const { password } = out;
  if (typeof password === 'number' || typeof password === 'boolean') out.password = String(password);
  else if (password != null && typeof password !== 'string') throw badRequest('Field "password" must be a string.');
  return out;
}

export function createDataWriteService(deps: DataWriteDeps): DataWriteService {
  const emit = emitter(deps.onDataEvent, deps.logger);
  const { quota } = deps;
  /** The quota size of a document; `users` rows are not charged (end users count against `authUsersLimit`). */
  const sizeOf = (collection: string, doc: Doc) => (isUsersCollection(collection) ? 0 : docBytes(doc));
  /** `users` rows (reachable only by developers) get the end-user rules: one hasher for both APIs. */
  const userRules = async (collection: string, doc: Doc, mode: 'insert' | 'patch') =>
    isUsersCollection(collection) ? prepareUserWrite(deps.hasher, doc, mode) : doc;

  async function existing(scope: ProjectScope, name: string, id: string) {
    const collection = dataCollection(scope, name);
    assertWriteAllowed(scope, collection);
    const _id = parseObjectId(id);
    const model = await scope.tenant.model(collection);
    const doc = (await model.findById(_id).select('+password').lean().maxTimeMS(deps.maxTimeMs)) as Doc | null;
    if (!doc) throw notFound('Document not found.');
    return { collection, model, _id, doc };
  }

  return {
    async insert(scope, name, body) {
      const collection = dataCollection(scope, name);
      if (!isPlainObject(body)) throw badRequest('Request body must be a JSON object.');
      const [item] = applyInsertRls(scope, collection, [{ ...body }]);
      const doc = await userRules(collection.name, validateDocument(collection.model, item, 'insert'), 'insert');
      const bytes = sizeOf(collection.name, doc);
      await quota.reserve(scope, bytes);
      const model = await scope.tenant.model(collection);
      const created = storedDocument(doc, new Date());
      try {
        await model.collection.insertOne(created);
      } catch (err) {
        await quota.release(scope, bytes);
        throw err;
      }
      const out = present(created);
      await emit(scope, { collection: name, action: 'insert', documentId: String(created._id), data: out });
      return out;
    },

    async bulkInsert(scope, name, body) {
      const collection = dataCollection(scope, name);
      if (!Array.isArray(body) || body.length === 0 || body.length > MAX_BULK) {
        throw badRequest(`Request body must be an array of 1 to ${MAX_BULK} documents.`);
      }
      body.forEach((item, i) => {
        if (!isPlainObject(item)) throw badRequest(`Item at index ${i} must be a valid object`);
      });
      const items = applyInsertRls(
        scope,
        collection,
        (body as Doc[]).map((b) => ({ ...b })),
      );
      const valid = await Promise.all(validateAll(collection.model, items).map((d) => userRules(collection.name, d, 'insert')));
      const now = new Date();
      const docs = valid.map((d) => storedDocument(d, now));
      const bytes = docs.reduce((sum, d) => sum + sizeOf(collection.name, d), 0);
      await quota.reserve(scope, bytes);
      const model = await scope.tenant.model(collection);
      try {
        await model.collection.insertMany(docs, { ordered: true });
      } catch (err) {
        // No transactions (FerretDB): undo the documents that made it before the failure.
        await model.deleteMany({ _id: { $in: docs.map((d) => d._id) } }).catch(() => undefined);
        await quota.release(scope, bytes);
        throw err;
      }
      await Promise.all(
        docs.map((doc) => emit(scope, { collection: name, action: 'insert', documentId: String(doc._id), data: present(doc) })),
      );
      return { success: true, data: { insertedCount: docs.length }, message: 'Bulk insert successful' };
    },

    async update(scope, name, id, body) {
      const { collection, model, _id, doc } = await existing(scope, name, id);
      if (!isPlainObject(body)) throw badRequest('Request body must be a JSON object.');
      const changes = await userRules(collection.name, validateDocument(collection.model, body, 'patch'), 'patch');
      checkModifyRls(scope, collection, doc, changes);
      if (!Object.keys(changes).length) return { message: 'Updated', data: present(doc) };
      const delta = sizeOf(collection.name, { ...doc, ...changes }) - sizeOf(collection.name, doc);
      await quota.reserve(scope, delta);
      // updateOne + read instead of findOneAndUpdate: FerretDB 1.24 does not implement
      // findAndModify projections, which mongoose sends for `password` (select:false).
      const res = await model.updateOne({ _id }, { $set: changes });
      const updated = res.matchedCount ? ((await model.findById(_id).lean().maxTimeMS(deps.maxTimeMs)) as Doc | null) : null;
      if (!updated) {
        await quota.release(scope, delta);
        throw notFound('Document not found.');
      }
      const out = present(updated);
      const changedFields = Object.keys(changes).filter((k) => k !== 'password' && k !== 'passwordHash');
      await emit(scope, { collection: name, action: 'update', documentId: id, data: out, changedFields, before: present(doc) });
      return { message: 'Updated', data: out };
    },

    async remove(scope, name, id, options = {}) {
      const { collection, model, _id, doc } = await existing(scope, name, id);
      checkModifyRls(scope, collection, doc, null);
      if (options.permanent && !isPrivileged(scope)) throw forbidden('Permanent delete requires the secret key.');
      const bytes = sizeOf(collection.name, doc);
      const toTrash = !options.permanent && trashEnabled(scope.project, collection.name);
      // Trash: copy first, then delete by _id, so an acknowledged delete never loses the document.
      const entryId = toTrash ? await deps.trash.put(scope, collection.name, doc, bytes) : null;
      const res = await model.deleteOne({ _id });
      if (res.deletedCount === 0) {
        if (entryId) await deps.trash.discard(scope, entryId);
        throw notFound('Document not found.');
      }
      // A trashed document keeps its bytes charged until it is purged or deleted forever.
      if (entryId) await deps.trash.afterTrash(scope, collection.name, id);
      else await quota.release(scope, bytes);
      await emit(scope, { collection: name, action: 'delete', documentId: id, data: present(doc) });
      return { message: toTrash ? 'Document moved to trash' : 'Document permanently deleted', id, trashed: toTrash };
    },
  };
}
