import { z } from 'zod';
import { USERS_COLLECTION, usersSchemaProblem } from '../collections/index.js';
import { emitter } from '../data/collection.js';
import { type DataEventHandler, noDataEvents } from '../data/events.js';
import { findPage } from '../db/index.js';
import { AppError, badRequest, conflict, notFound } from '../errors/index.js';
import { discardFromTrash, putInTrash, trashEnabled } from '../lifecycle/trash.js';
import type { Logger } from '../logger/index.js';
import type { UserSessionModel } from '../models/index.js';
import type { ProjectScope } from '../scope/index.js';
import { parseObjectId } from '../tenant/index.js';
import { type OtpMailDeps, type PasswordHasher, startOtpMail } from '../user-auth/index.js';
import { validateDocument } from '../validation/index.js';
import { SYSTEM_USER_FIELDS, USER_DISABLED_FIELD, endUserEmailSchema, endUserPasswordSchema } from './rules.js';
import { readableDevice, readableIp } from './sessions-view.js';

const PAGE_MAX = 100;

type Doc = Record<string, unknown>;

/** A user as the dashboard shows them: no password hash (the disabled flag stays: the dashboard shows it). */
function adminView(doc: Doc): Doc {
  const { password: _p, passwordHash: _h, ...rest } = doc;
  return rest;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface EndUserAdminDeps {
  UserSession: UserSessionModel;
  hasher: PasswordHasher;
  /** Data events of the `users` rows this service writes (realtime, webhooks); none when absent. */
  onDataEvent?: DataEventHandler;
  logger?: Logger;
  /** Called after sessions were revoked (`sessionId` null: all of the user's): realtime closes their connections. */
  onSessionsRevoked?: (projectId: string, userId: string, sessionId: string | null) => void;
  /** The public API's reset-code store and mailer (`sendPasswordReset`); 503 from it when absent. */
  resetMail?: OtpMailDeps;
}

/** A page of end users (`search` matches email or username, case-insensitive). */
export interface EndUserPage {
  items: Doc[];
  total: number;
  page: number;
  limit: number;
}

/**
 * Developer administration of a project's end users (the `users` collection): list, create
 * (verified, hashed with the platform hasher), read, edit (system fields ignored), set a
 * password and delete (both revoke every session), disable / enable, mail a password-reset
 * code, list and revoke sessions. 422 when the project has no valid users collection; 400 for a
 * malformed user id; 404 for an unknown one.
 */
export function createEndUserAdmin(deps: EndUserAdminDeps) {
  const { UserSession, hasher } = deps;
  const handler = deps.onDataEvent ?? noDataEvents;
  /** A `users` data event after the write, like the data services (awaited; never fails the answer). */
  const emit = emitter(handler, deps.logger);

  async function usersModel(scope: ProjectScope) {
    const users = scope.project.collections.find((c) => c.name === USERS_COLLECTION);
    const problem = users ? usersSchemaProblem(users.model) : 'This project has no users collection.';
    if (problem || !users) throw new AppError('UNPROCESSABLE', problem ?? 'This project has no users collection.');
    return { model: await scope.tenant.model(users), fields: users.model };
  }

  async function findUser(scope: ProjectScope, userId: string) {
    const _id = parseObjectId(userId);
    const { model, fields } = await usersModel(scope);
    const user = (await model.findById(_id).lean()) as Doc | null;
    if (!user) throw notFound('User not found.');
    return { model, fields, user, _id };
  }

  const revokeAll = async (scope: ProjectScope, userId: string) => {
    await UserSession.updateMany({ projectId: scope.project._id, userId, revokedAt: null }, { $set: { revokedAt: new Date() } });
    deps.onSessionsRevoked?.(scope.project._id, userId, null);
  };

  return {
    async list(scope: ProjectScope, query: { search?: string; page?: number; limit?: number }): Promise<EndUserPage> {
      const { model } = await usersModel(scope);
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
      return { items: items.map((d) => adminView(d as Doc)), total, page, limit };
    },

    async create(scope: ProjectScope, body: Doc) {
      const { model, fields } = await usersModel(scope);
      // The same email and password rules as signup; verified only when the developer says so.
      const checked = z
        .object({ email: endUserEmailSchema, password: endUserPasswordSchema('password'), emailVerified: z.boolean().optional() })
        .safeParse(body);
      if (!checked.success) throw badRequest(checked.error.issues[0]?.message ?? 'Invalid user.');
      const { emailVerified, ...rest } = body;
      const doc = validateDocument(fields, { ...rest, email: checked.data.email, password: checked.data.password }, 'insert');
      const email = checked.data.email;
      if (await model.exists({ email })) throw conflict('User already exists with this email.');
      doc.email = email;
      doc.password = await hasher.hash(String(doc.password));
      doc.emailVerified = checked.data.emailVerified === true;
      const created = (await model.create(doc)).toObject() as Doc;
      await emit(scope, {
        collection: USERS_COLLECTION,
        action: 'insert',
        documentId: String(created._id),
        data: adminView(created),
      });
      return { _id: created._id, email: created.email, username: created.username, createdAt: created.createdAt };
    },

    async get(scope: ProjectScope, userId: string) {
      return adminView((await findUser(scope, userId)).user);
    },

    async update(scope: ProjectScope, userId: string, body: Doc) {
      const { model, fields, _id, user } = await findUser(scope, userId);
      const input = Object.fromEntries(Object.entries(body).filter(([k]) => !SYSTEM_USER_FIELDS.has(k)));
      const update = validateDocument(fields, input, 'patch');
      if (typeof update.email === 'string') update.email = update.email.trim().toLowerCase();
      if (Object.keys(update).length) {
        await model.updateOne({ _id }, { $set: update });
        const after = (await model.findById(_id).lean()) as Doc | null;
        if (after) {
          const changedFields = Object.keys(update).filter((k) => k !== 'password' && k !== 'passwordHash');
          await emit(scope, {
            collection: USERS_COLLECTION,
            action: 'update',
            documentId: userId,
            data: adminView(after),
            changedFields,
            before: adminView(user),
          });
        }
      }
    },

    async setPassword(scope: ProjectScope, userId: string, newPassword: string) {
      const { model, _id } = await findUser(scope, userId);
      await model.updateOne({ _id }, { $set: { password: await hasher.hash(newPassword) } });
      await revokeAll(scope, userId);
    },

    async remove(scope: ProjectScope, userId: string, options: { permanent?: boolean } = {}) {
      const { model, _id, user } = await findUser(scope, userId);
      // Trash (docs/data-lifecycle.md): the full row (password hash included) is copied before the delete.
      const full = (await model.findById(_id).select('+password').lean()) as Doc | null;
      const toTrash = full && !options.permanent && trashEnabled(scope.project, USERS_COLLECTION);
      const entryId = toTrash ? await putInTrash(scope, USERS_COLLECTION, full, 0) : null;
      const res = await model.deleteOne({ _id });
      if (!res.deletedCount && entryId) await discardFromTrash(scope, entryId);
      await revokeAll(scope, userId);
      await emit(scope, { collection: USERS_COLLECTION, action: 'delete', documentId: userId, data: adminView(user) });
    },

    /**
     * Disables (`true`) or enables an end user. Disabling stores the date in the hidden
     * `USER_DISABLED_FIELD` and revokes every session (realtime connections close); login,
     * refresh, social login and live access tokens then answer 403 `This account is disabled.`
     * Enabling removes the flag; the user logs in again. Idempotent. Returns the new admin view.
     */
    async setDisabled(scope: ProjectScope, userId: string, disabled: boolean) {
      const { model, _id } = await findUser(scope, userId);
      const change = disabled ? { $set: { [USER_DISABLED_FIELD]: new Date() } } : { $unset: { [USER_DISABLED_FIELD]: 1 } };
      // Keep the first date when disabled twice.
      await model.updateOne(disabled ? { _id, [USER_DISABLED_FIELD]: null } : { _id }, change);
      if (disabled) await revokeAll(scope, userId);
      return adminView((await model.findById(_id).lean()) as Doc);
    },

    /**
     * Mails the user a password-reset code, exactly as the public API's `request-password-reset`
     * (same code store, template and 60 s per-email cooldown: 429 with `Retry-After`). 422 when
     * the platform has no SMTP server (the code would only be printed to a log), 503 when the
     * SMTP server refused the mail.
     */
    async sendPasswordReset(scope: ProjectScope, userId: string): Promise<{ email: string }> {
      const { user } = await findUser(scope, userId);
      const mail = deps.resetMail;
      if (!mail) throw new AppError('UNAVAILABLE', 'Password-reset mail is not available on this server.');
      if (!mail.mailer.isConfigured) {
        throw new AppError(
          'UNPROCESSABLE',
          'No mail server is configured (SMTP_URL), so the reset code cannot be delivered. Set SMTP_URL, or set a new password for this user instead.',
        );
      }
      const email = String(user.email ?? '');
      if (!email) throw new AppError('UNPROCESSABLE', 'This user has no email address.');
      await mail.otp.claimCooldown(scope.project._id, 'reset', email);
      const { delivery } = await startOtpMail(mail, { _id: scope.project._id, name: scope.project.name }, 'reset', email);
      await delivery;
      return { email };
    },

    /** Active sessions: one per login (family), newest first; `tokenId` is the family id. */
    async sessions(scope: ProjectScope, userId: string) {
      await findUser(scope, userId);
      const rows = await UserSession.find({
        projectId: scope.project._id,
        userId,
        rotatedAt: null,
        revokedAt: null,
        expiresAt: { $gt: new Date() },
      })
        .sort({ lastUsedAt: -1 })
        .lean();
      return rows.map((s) => ({
        tokenId: s.familyId,
        ip: readableIp(s.ip),
        userAgent: s.userAgent,
        device: readableDevice(s.userAgent),
        createdAt: s.familyCreatedAt ?? s.createdAt,
        lastUsedAt: s.lastUsedAt,
        isCurrent: false,
      }));
    },

    async revokeSession(scope: ProjectScope, userId: string, tokenId: string) {
      await findUser(scope, userId);
      const res = await UserSession.updateMany(
        { projectId: scope.project._id, userId, familyId: tokenId, revokedAt: null },
        { $set: { revokedAt: new Date() } },
      );
      if (res.matchedCount === 0) throw notFound('Session not found.');
      deps.onSessionsRevoked?.(scope.project._id, userId, tokenId);
    },
  };
}

export type EndUserAdmin = ReturnType<typeof createEndUserAdmin>;
