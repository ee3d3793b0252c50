import { USERS_COLLECTION, usersSchemaProblem } from '@urbackend/common/collections';
import { findPage } from '@urbackend/common/db';
import { AppError, badRequest, conflict, notFound } from '@urbackend/common/errors';
import type { PlatformModels } from '@urbackend/common/models';
import type { TenantDatabases } from '@urbackend/common/tenant';
import { validateDocument } from '@urbackend/common/validation';
import bcrypt from 'bcryptjs';
import type { CurrentDeveloper } from '../../middleware/auth.js';
import { getOwnedProject } from '../projects/project.service.js';

/** Fields an admin edit may never set directly (hash, ids, timestamps). */
const PROTECTED = new Set(['password', 'passwordHash', '_id', '__v', 'createdAt', 'updatedAt']);
const PAGE_MAX = 100;

function publicUser(doc: Record<string, unknown>): Record<string, unknown> {
  const { password: _p, passwordHash: _h, ...rest } = doc;
  return rest;
}

function assertUserId(id: string): void {
  if (!/^[a-f0-9]{24}$/i.test(id)) throw badRequest('Invalid ID format.');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** End-user administration of a project's `users` collection (CONTRACT §5 additions). */
export function createUsersAdminService(deps: { models: PlatformModels; tenants: TenantDatabases }) {
  const { models } = deps;

  async function usersModel(dev: CurrentDeveloper, projectId: string) {
    const project = await getOwnedProject(models, dev, projectId);
    const users = project.collections.find((c) => c.name === USERS_COLLECTION);
    const problem = users ? usersSchemaProblem(users.model) : 'This project has no users collection.';
    if (problem || !users) throw new AppError('UNPROCESSABLE', problem ?? 'This project has no users collection.');
    const tenant = deps.tenants.forProject({ _id: projectId, resources: project.resources } as never);
    return { model: await tenant.model({ name: users.name, version: users.version ?? 1 }), fields: users.model };
  }

  async function findUser(dev: CurrentDeveloper, projectId: string, userId: string) {
    assertUserId(userId);
    const { model } = await usersModel(dev, projectId);
    const user = await model.findById(userId).lean();
    if (!user) throw notFound('User not found.');
    return { model, user: user as Record<string, unknown> };
  }

  return {
    async list(dev: CurrentDeveloper, projectId: string, query: { search?: string; page?: number; limit?: number }) {
      const { model } = await usersModel(dev, projectId);
      const limit = Math.min(query.limit ?? 20, PAGE_MAX);
      const page = query.page ?? 1;
      const search = query.search?.trim().slice(0, 100);
      const filter = search
        ? {
            $or: [
              { email: { $regex: escapeRegex(search), $options: 'i' } },
              { username: { $regex: escapeRegex(search), $options: 'i' } },
            ],
          }
        : {};
      const { items, total } = await findPage(model, filter, { page, limit });
      return { items: items.map(publicUser), total, page, limit };
    },

    async create(dev: CurrentDeveloper, projectId: string, body: Record<string, unknown>) {
      const { model, fields } = await usersModel(dev, projectId);
      const doc = validateDocument(fields, body, 'insert');
      const email = String(doc.email).trim().toLowerCase();
      if (await model.exists({ email })) throw conflict('User already exists with this email.');
      doc.email = email;
      doc.password = await bcrypt.hash(String(doc.password), 10);
      doc.emailVerified = true;
      const created = (await model.create(doc)).toObject() as Record<string, unknown>;
      return { _id: created._id, email: created.email, username: created.username, createdAt: created.createdAt };
    },

    async get(dev: CurrentDeveloper, projectId: string, userId: string) {
      return publicUser((await findUser(dev, projectId, userId)).user);
    },

    async update(dev: CurrentDeveloper, projectId: string, userId: string, body: Record<string, unknown>) {
      const { model } = await findUser(dev, projectId, userId);
      const { fields } = await usersModel(dev, projectId);
      const input = Object.fromEntries(Object.entries(body).filter(([k]) => !PROTECTED.has(k)));
      const update = validateDocument(fields, input, 'patch');
      if (typeof update.email === 'string') update.email = update.email.trim().toLowerCase();
      if (Object.keys(update).length) await model.updateOne({ _id: userId }, { $set: update });
    },

    async setPassword(dev: CurrentDeveloper, projectId: string, userId: string, newPassword: string) {
      const { model } = await findUser(dev, projectId, userId);
      await model.updateOne({ _id: userId }, { $set: { password: await bcrypt.hash(newPassword, 10) } });
      await models.UserSession.updateMany({ projectId, userId, revokedAt: null }, { $set: { revokedAt: new Date() } });
    },

    async remove(dev: CurrentDeveloper, projectId: string, userId: string) {
      const { model } = await findUser(dev, projectId, userId);
      await model.deleteOne({ _id: userId });
      await models.UserSession.updateMany({ projectId, userId, revokedAt: null }, { $set: { revokedAt: new Date() } });
    },

    /** Active sessions: one per login (family), newest first; `tokenId` is the family id. */
    async sessions(dev: CurrentDeveloper, projectId: string, userId: string) {
      await findUser(dev, projectId, userId);
      const rows = await models.UserSession.find({
        projectId,
        userId,
        rotatedAt: null,
        revokedAt: null,
        expiresAt: { $gt: new Date() },
      })
        .sort({ lastUsedAt: -1 })
        .lean();
      return rows.map((s) => ({
        tokenId: s.familyId,
        ip: s.ip,
        userAgent: s.userAgent,
        createdAt: s.familyCreatedAt ?? s.createdAt,
        lastUsedAt: s.lastUsedAt,
        isCurrent: false,
      }));
    },

    async revokeSession(dev: CurrentDeveloper, projectId: string, userId: string, tokenId: string) {
      await findUser(dev, projectId, userId);
      const res = await models.UserSession.updateMany(
        { projectId, userId, familyId: tokenId, revokedAt: null },
        { $set: { revokedAt: new Date() } },
      );
      if (res.matchedCount === 0) throw notFound('Session not found.');
    },
  };
}

export type UsersAdminService = ReturnType<typeof createUsersAdminService>;
