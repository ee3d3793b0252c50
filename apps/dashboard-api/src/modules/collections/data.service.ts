import { isUsersCollection } from '@urbackend/common/collections';
import { AppError, badRequest, notFound } from '@urbackend/common/errors';
import type { PlatformModels } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import { parseListQuery } from '@urbackend/common/query';
import type { TenantDatabases } from '@urbackend/common/tenant';
import { documentBytes as docBytes, validateDocument } from '@urbackend/common/validation';
import bcrypt from 'bcryptjs';
import { Types } from 'mongoose';
import type { CurrentDeveloper } from '../../middleware/auth.js';
import { getOwnedProject } from '../projects/project.service.js';

const SECRET_USER_FIELDS = ['password', 'passwordHash'];

function stripSecrets(doc: Record<string, unknown> | null, users: boolean): Record<string, unknown> | null {
  if (!doc || !users) return doc;
  const copy = { ...doc };
  for (const f of SECRET_USER_FIELDS) delete copy[f];
  return copy;
}

function assertId(id: string): void {
  if (!Types.ObjectId.isValid(id) || !/^[a-f0-9]{24}$/i.test(id)) throw badRequest('Invalid ID format.');
}

/** A data change made from the dashboard (same shape as public-API data events, for webhooks). */
export interface DashboardDataEvent {
  projectId: string;
  collection: string;
  action: 'insert' | 'update' | 'delete';
  documentId: string;
  data: unknown;
}

/** Called after every successful dashboard write; must not throw (fire-and-forget). */
export type DashboardDataHook = (event: DashboardDataEvent) => void;

/**
 * Dashboard data browsing of any collection of the developer's project (RLS bypassed, same
 * query language as the public API). In `users`, passwords are hashed on write and never returned.
 */

export interface DataServiceDeps {
  models: PlatformModels;
  tenants: TenantDatabases;
  plans: Plans;
  hooks: DashboardDataHook[];
}

export function createDataService(deps: DataServiceDeps) {
  const emit = (event: DashboardDataEvent) => {
    for (const hook of deps.hooks) hook(event);
  };

  async function open(dev: CurrentDeveloper, projectId: string, name: string) {
    const project = await getOwnedProject(deps.models, dev, projectId);
    const collection = project.collections.find((c) => c.name === name);
    if (!collection) throw notFound('Collection not found.');
    const tenant = deps.tenants.forProject({ _id: projectId, resources: project.resources } as never);
    const model = await tenant.model({ name: collection.name, version: collection.version ?? 1 });
    return { collection, model, users: isUsersCollection(name), project };
  }

  /**
   * Charges (or, negative, releases) `bytes` of the project's database quota like public-API
   * writes do: internal databases only; 403 `Database limit exceeded.` over the plan's limit.
   */
  async function charge(dev: CurrentDeveloper, project: Awaited<ReturnType<typeof open>>['project'], bytes: number) {
    if (bytes === 0 || project.resources?.db?.isExternal) return;
    const { Project } = deps.models;
    const limit = deps.plans.limitsFor(dev, project.customLimits).mongoBytes;
    if (bytes < 0 || limit < 0) {
      await Project.updateOne({ _id: project._id }, { $inc: { databaseUsed: bytes } });
      return;
    }
    const res = await Project.updateOne(
      { _id: project._id, databaseUsed: { $lte: limit - bytes } },
      { $inc: { databaseUsed: bytes } },
    );
    if (res.matchedCount === 0) throw new AppError('FORBIDDEN', 'Database limit exceeded.');
  }

  async function prepareUserWrite(doc: Record<string, unknown>, insert: boolean): Promise<Record<string, unknown>> {
    const out = { ...doc };
    if (typeof out.email === 'string') out.email = out.email.trim().toLowerCase();
    if (typeof out.password === 'string') {
      if (out.password.length < 6) throw badRequest('password must be at least 6 characters');
      out.password = await bcrypt.hash(out.password, 10);
    }
    if (insert && out.emailVerified === undefined) out.emailVerified = false;
    return out;
  }

  return {
    async list(dev: CurrentDeveloper, projectId: string, name: string, rawQuery: Record<string, unknown>) {
      const { collection, model, users } = await open(dev, projectId, name);
      const q = parseListQuery(rawQuery, collection.model);
      const projection = q.projection ?? undefined;
      const [items, total] = await Promise.all([
        model.find(q.filter, projection).sort(Object.fromEntries(q.sort)).skip(q.skip).limit(q.limit).lean(),
        model.countDocuments(q.filter),
      ]);
      return { items: items.map((d) => stripSecrets(d as Record<string, unknown>, users)), total, page: q.page, limit: q.limit };
    },

    async insert(dev: CurrentDeveloper, projectId: string, name: string, body: unknown) {
      const { collection, model, users, project } = await open(dev, projectId, name);
      let doc = validateDocument(collection.model, body, 'insert');
      if (users) doc = await prepareUserWrite(doc, true);
      const bytes = docBytes(doc);
      await charge(dev, project, bytes);
      const created = await model.create(doc).catch(async (err: unknown) => {
        await charge(dev, project, -bytes);
        throw err;
      });
      const saved = stripSecrets(created.toObject() as Record<string, unknown>, users) ?? {};
      emit({ projectId, collection: name, action: 'insert', documentId: String(created._id), data: saved });
      return saved;
    },

    async patch(dev: CurrentDeveloper, projectId: string, name: string, id: string, body: unknown) {
      assertId(id);
      const { collection, model, users, project } = await open(dev, projectId, name);
      let update = validateDocument(collection.model, body, 'patch');
      if (users) update = await prepareUserWrite(update, false);
      const before = await model.findById(id).lean();
      if (!before) throw notFound('Document not found.');
      const res = await model.updateOne({ _id: id }, { $set: update });
      if (res.matchedCount === 0) throw notFound('Document not found.');
      const after = (await model.findById(id).lean()) as Record<string, unknown> | null;
      await charge(dev, project, docBytes(after) - docBytes(before)).catch(() => undefined);
      const saved = stripSecrets(after, users);
      emit({ projectId, collection: name, action: 'update', documentId: id, data: saved });
      return saved;
    },

    async remove(dev: CurrentDeveloper, projectId: string, name: string, id: string) {
      assertId(id);
      const { model, users, project } = await open(dev, projectId, name);
      const before = (await model.findById(id).lean()) as Record<string, unknown> | null;
      if (!before) throw notFound('Document not found.');
      const res = await model.deleteOne({ _id: id });
      if (res.deletedCount === 0) throw notFound('Document not found.');
      await charge(dev, project, -docBytes(before));
      emit({ projectId, collection: name, action: 'delete', documentId: id, data: stripSecrets(before, users) });
    },
  };
}

export type DataService = ReturnType<typeof createDataService>;
