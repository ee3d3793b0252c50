import type { Connection, mongo } from 'mongoose';
import type { RedisConnection } from '../cache/index.js';
import { isUsersCollection } from '../collections/index.js';
import { dataCollection, emitter, present } from '../data/collection.js';
import type { DataEventHandler } from '../data/events.js';
import type { DbQuota } from '../data/quota.js';
import { AppError, forbidden, notFound } from '../errors/index.js';
import { type PeriodicTask, createPeriodicTask } from '../jobs/index.js';
import type { Logger } from '../logger/index.js';
import type { ProjectModel } from '../models/index.js';
import { type ProjectScope, type ScopedProject, isPrivileged } from '../scope/index.js';
import { ObjectId, type TenantDatabases, parseObjectId } from '../tenant/index.js';
import type { UsageMeter } from '../usage/index.js';

type Doc = Record<string, unknown>;

/**
 * The per-project trash collection in the tenant database. It starts with `_`, which no user
 * collection name can (names start with a letter), so it never collides and is never listed.
 */
export const TRASH_COLLECTION = '_urb_trash';
export const DEFAULT_TRASH_RETENTION_DAYS = 30;
export const MAX_TRASH_RETENTION_DAYS = 365;
const PURGE_BATCH = 500;
const DAY_MS = 86_400_000;

/** One trashed document: the full original (a user's password hash included) and when it expires. */
export interface TrashEntry {
  _id: ObjectId;
  collection: string;
  documentId: ObjectId;
  doc: Doc;
  deletedAt: Date;
  expiresAt: Date;
  /** Who deleted it: `developer:<email>`, `secret-key`, `user:<id>` or `publishable-key`. */
  deletedBy: string;
  /** Database quota bytes still charged for it (released on purge or permanent delete). */
  bytes: number;
}

/** The listing view of a trash entry (`password` never shown). */
export interface TrashItem {
  id: string;
  deletedAt: Date;
  expiresAt: Date;
  deletedBy: string;
  data: Doc;
}

const indexed = new WeakMap<Connection, Promise<unknown>>();

/** The trash collection of a tenant connection (indexes created once per connection). */
export async function trashOf(conn: Connection): Promise<mongo.Collection<TrashEntry>> {
  const c = conn.collection<TrashEntry>(TRASH_COLLECTION);
  let ready = indexed.get(conn);
  if (!ready) {
    ready = c
      .createIndexes([
        { key: { collection: 1, documentId: 1 }, name: 'trash_doc' },
        { key: { collection: 1, deletedAt: -1 }, name: 'trash_list' },
        { key: { expiresAt: 1 }, name: 'trash_expiry' },
        { key: { collection: 1, 'doc.email': 1 }, name: 'trash_user_email' },
      ])
      .catch(() => indexed.delete(conn));
    indexed.set(conn, ready);
  }
  await ready;
  return c;
}

/** The project's trash retention in days. */
export function retentionDaysOf(project: Pick<ScopedProject, 'lifecycle'>): number {
  return project.lifecycle?.trashRetentionDays ?? DEFAULT_TRASH_RETENTION_DAYS;
}

/** False when the collection's trash is turned off (its deletes are permanent). */
export function trashEnabled(project: Pick<ScopedProject, 'lifecycle'>, collection: string): boolean {
  return !(project.lifecycle?.trashDisabled ?? []).includes(collection);
}

function actorLabel(scope: ProjectScope): string {
  const { actor } = scope;
  if (actor.type === 'developer') return `developer:${actor.email}`;
  if (actor.user) return `user:${actor.user.userId}`;
  return `${actor.key}-key`;
}

const RECOVER_WINDOW = (days: number) => `Document not found or recovery window expired (${days} days).`;
const UNIQUE_CONFLICT = 'Cannot restore document: a unique field value conflicts with an existing active document.';

function isDuplicateKey(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  return code === 11000 || code === 11001;
}

/** True when a duplicate-key error is on `_id` (the document is live again: a concurrent recover won). */
function isDuplicateId(err: unknown): boolean {
  const e = err as { keyPattern?: Doc; keyValue?: Doc; message?: string };
  if (e.keyPattern && '_id' in e.keyPattern) return true;
  if (e.keyValue && '_id' in e.keyValue && Object.keys(e.keyValue).length === 1) return true;
  return /index: _id_/.test(e.message ?? '');
}

/** The date an end user's trash entry expires, in the 403 every auth route answers. */
export function scheduledDeletionMessage(expiresAt: Date): string {
  return `Your account is scheduled for deletion on ${expiresAt.toISOString().slice(0, 10)}. Please contact the administrator to recover it.`;
}

/**
 * Copies `doc` (as stored, `_id` included) into the project's trash; returns the entry id. Call
 * before deleting the original, and `discardFromTrash` when that delete found nothing.
 */
export async function putInTrash(scope: ProjectScope, collection: string, doc: Doc, bytes: number): Promise<ObjectId> {
  const now = new Date();
  const entry: TrashEntry = {
    _id: new ObjectId(),
    collection,
    documentId: doc._id as ObjectId,
    doc,
    deletedAt: now,
    expiresAt: new Date(now.getTime() + retentionDaysOf(scope.project) * DAY_MS),
    deletedBy: actorLabel(scope),
    bytes: scope.tenant.isExternal ? 0 : bytes,
  };
  await (await trashOf(await scope.tenant.connection())).insertOne(entry);
  return entry._id;
}

/** Removes a trash entry without releasing anything (its original was not deleted). */
export async function discardFromTrash(scope: ProjectScope, entryId: ObjectId): Promise<void> {
  await (await trashOf(await scope.tenant.connection())).deleteOne({ _id: entryId });
}

/** A trashed end user (by email or id) still in the recovery window, with the stored row (password hash included); null otherwise. */
export async function findTrashedUser(
  scope: ProjectScope,
  by: { email: string } | { userId: string },
): Promise<{ expiresAt: Date; doc: Doc } | null> {
  const filter: Doc = { collection: 'users', expiresAt: { $gt: new Date() } };
  if ('email' in by) filter['doc.email'] = by.email.trim().toLowerCase();
  else {
    if (!/^[0-9a-f]{24}$/i.test(by.userId)) return null;
    filter.documentId = new ObjectId(by.userId);
  }
  const c = await trashOf(await scope.tenant.connection());
  const entry = await c.findOne(filter, { sort: { expiresAt: -1 }, projection: { expiresAt: 1, doc: 1 } });
  return entry ? { expiresAt: entry.expiresAt, doc: entry.doc } : null;
}

/** The expiry of a trashed end user (by email or id) still in the recovery window; null otherwise. */
export async function trashedUser(scope: ProjectScope, by: { email: string } | { userId: string }): Promise<Date | null> {
  return (await findTrashedUser(scope, by))?.expiresAt ?? null;
}

/** 403 "Your account is scheduled for deletion on <date>…" when the end user is in the trash. */
export async function assertNotTrashedUser(scope: ProjectScope, by: { email: string } | { userId: string }): Promise<void> {
  const expiresAt = await trashedUser(scope, by);
  if (expiresAt) throw forbidden(scheduledDeletionMessage(expiresAt));
}

export interface TrashServiceDeps {
  quota: DbQuota;
  onDataEvent: DataEventHandler;
  logger: Logger;
  /** Revokes every session of an end user (called when a `users` row goes to the trash). */
  revokeUserSessions?: (projectId: string, userId: string) => Promise<unknown>;
}

/** Trash of a project's documents: move, list, recover, delete forever, empty. */
export interface TrashService {
  /**
   * Copies `doc` (as stored) into the trash; returns the entry id. Call before deleting the
   * original, and `discard` the entry when the delete found nothing.
   */
  put(scope: ProjectScope, collection: string, doc: Doc, bytes: number): Promise<ObjectId>;
  /** Removes a trash entry without releasing anything (the original was not deleted). */
  discard(scope: ProjectScope, entryId: ObjectId): Promise<void>;
  /** After a `users` row moved to the trash: its sessions are revoked. */
  afterTrash(scope: ProjectScope, collection: string, documentId: string): Promise<void>;
  /** Live (unexpired) trash of a collection, newest first. */
  list(
    scope: ProjectScope,
    name: string,
    query: { page?: number; limit?: number },
  ): Promise<{ items: TrashItem[]; total: number; page: number; limit: number; retentionDays: number }>;
  /** Re-inserts a trashed document with its `_id`; 404 outside the window, 409 on a unique conflict (nothing changes). */
  recover(scope: ProjectScope, name: string, id: string): Promise<Doc>;
  /** Deletes one trashed document forever and releases its quota; 404 when not in the trash. */
  destroy(scope: ProjectScope, name: string, id: string): Promise<void>;
  /** Deletes every trashed document of a collection forever; returns how many. */
  empty(scope: ProjectScope, name: string): Promise<number>;
  /** The expiry of a trashed end user (by email or id) still in the window; null otherwise. */
  trashedUser(scope: ProjectScope, by: { email: string } | { userId: string }): Promise<Date | null>;
  /** Throws the 403 "scheduled for deletion" when the end user is in the trash. */
  assertNotTrashedUser(scope: ProjectScope, by: { email: string } | { userId: string }): Promise<void>;
}

export function createTrashService(deps: TrashServiceDeps): TrashService {
  const { quota, logger } = deps;
  const trash = async (scope: ProjectScope) => trashOf(await scope.tenant.connection());
  const emit = emitter(deps.onDataEvent, logger);

  function privileged(scope: ProjectScope) {
    if (!isPrivileged(scope)) throw forbidden('The trash requires the secret key.');
  }

  /** Deletes trash entries by id, releasing the bytes of those this call removed. */
  async function deleteEntries(scope: ProjectScope, entries: Pick<TrashEntry, '_id' | 'bytes'>[]): Promise<number> {
    const c = await trash(scope);
    let removed = 0;
    for (const e of entries) {
      const res = await c.deleteOne({ _id: e._id });
      if (res.deletedCount) {
        removed += 1;
        await quota.release(scope, e.bytes ?? 0);
      }
    }
    return removed;
  }

  return {
    put: putInTrash,
    discard: discardFromTrash,

    async afterTrash(scope, collection, documentId) {
      if (!isUsersCollection(collection) || !deps.revokeUserSessions) return;
      await deps
        .revokeUserSessions(scope.project._id, documentId)
        .catch((err: unknown) =>
          logger.warn({ err, projectId: scope.project._id }, 'could not revoke sessions of a trashed user'),
        );
    },

    async list(scope, name, query) {
      const collection = dataCollection(scope, name);
      privileged(scope);
      const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 20)), 100);
      const page = Math.max(1, Math.trunc(query.page ?? 1));
      const filter = { collection: collection.name, expiresAt: { $gt: new Date() } };
      const c = await trash(scope);
      const [rows, total] = await Promise.all([
        c
          .find(filter)
          .sort({ deletedAt: -1, _id: -1 })
          .skip((page - 1) * limit)
          .limit(limit)
          .toArray(),
        c.countDocuments(filter),
      ]);
      const items = rows.map((e) => ({
        id: String(e.documentId),
        deletedAt: e.deletedAt,
        expiresAt: e.expiresAt,
        deletedBy: e.deletedBy,
        data: present(e.doc),
      }));
      return { items, total, page, limit, retentionDays: retentionDaysOf(scope.project) };
    },

    async recover(scope, name, id) {
      const collection = dataCollection(scope, name);
      privileged(scope);
      const days = retentionDaysOf(scope.project);
      const _id = parseObjectId(id);
      const c = await trash(scope);
      const entry = await c.findOne(
        { collection: collection.name, documentId: _id, expiresAt: { $gt: new Date() } },
        { sort: { deletedAt: -1 } },
      );
      if (!entry) throw notFound(RECOVER_WINDOW(days));
      // The model registers the collection's unique indexes; the raw insert keeps the stored document as it was.
      const target = (await scope.tenant.model(collection)).collection;
      try {
        await target.insertOne(entry.doc as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw new AppError('INTERNAL', 'Failed to recover document.', undefined, { cause: err });
        if (isDuplicateId(err)) throw notFound(RECOVER_WINDOW(days));
        throw new AppError('CONFLICT', UNIQUE_CONFLICT);
      }
      // The entry is taken by its _id: when a purge or a delete-forever won meanwhile, undo the insert.
      const res = await c.deleteOne({ _id: entry._id });
      if (!res.deletedCount) {
        await target.deleteOne({ _id });
        throw notFound(RECOVER_WINDOW(days));
      }
      // The bytes stayed charged while in the trash: nothing to charge again.
      const out = present(entry.doc);
      await emit(scope, { collection: collection.name, action: 'insert', documentId: id, data: out, recovered: true });
      return out;
    },

    async destroy(scope, name, id) {
      const collection = dataCollection(scope, name);
      privileged(scope);
      const _id = parseObjectId(id);
      const entries = await (await trash(scope))
        .find({ collection: collection.name, documentId: _id }, { projection: { _id: 1, bytes: 1 } })
        .toArray();
      if (!(await deleteEntries(scope, entries))) throw notFound('Document not found in the trash.');
    },

    async empty(scope, name) {
      const collection = dataCollection(scope, name);
      privileged(scope);
      const c = await trash(scope);
      let total = 0;
      for (;;) {
        const batch = await c
          .find({ collection: collection.name }, { projection: { _id: 1, bytes: 1 } })
          .limit(PURGE_BATCH)
          .toArray();
        if (!batch.length) return total;
        total += await deleteEntries(scope, batch);
      }
    },

    trashedUser,
    assertNotTrashedUser,
  };
}

/**
 * The purge job: deletes expired trash of every project in batches of 500 and releases the bytes
 * each entry still charged. One process at a time (a Redis lock); returns the entries removed.
 */
export function createTrashPurge(deps: {
  Project: ProjectModel;
  tenants: TenantDatabases;
  meter: UsageMeter;
  cache: RedisConnection;
  logger: Logger;
}): PeriodicTask & { purgeProject(projectId: string): Promise<number> } {
  const { Project, tenants, meter, logger } = deps;

  async function purgeProject(projectId: string): Promise<number> {
    const project = await Project.findById(projectId).select('resources').lean();
    if (!project) return 0;
    const tenant = tenants.forProject({ _id: projectId, resources: project.resources });
    const conn = await tenant.connection();
    if (!(await conn.db?.listCollections({ name: TRASH_COLLECTION }, { nameOnly: true }).hasNext())) return 0;
    const c = await trashOf(conn);
    let removed = 0;
    for (;;) {
      const batch = await c
        .find({ expiresAt: { $lte: new Date() } }, { projection: { _id: 1, bytes: 1 } })
        .limit(PURGE_BATCH)
        .toArray();
      if (!batch.length) return removed;
      for (const e of batch) {
        // One by one by _id: a concurrent recover or delete-forever of the same entry releases nothing twice.
        const res = await c.deleteOne({ _id: e._id, expiresAt: { $lte: new Date() } });
        if (!res.deletedCount) continue;
        removed += 1;
        if (!tenant.isExternal && e.bytes > 0) await meter.release(projectId, 'db', e.bytes);
      }
    }
  }

  const task = createPeriodicTask({
    name: 'trash-purge',
    cache: deps.cache,
    logger,
    lockMs: 30 * 60_000,
    async run() {
      let removed = 0;
      for await (const p of Project.find({}).select('_id').lean().cursor()) {
        try {
          removed += await purgeProject(String(p._id));
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message }, projectId: String(p._id) }, 'trash purge failed');
        }
      }
      return removed;
    },
  });
  return { ...task, purgeProject };
}
