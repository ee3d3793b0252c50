import { findPage } from '@urbackend/common/db';
import { badRequest, notFound } from '@urbackend/common/errors';
import type {
  AdminAuditAction,
  AdminAuditModel,
  AdminAuditTarget,
  Developer,
  DeveloperModel,
  ProjectModel,
  RequestLogModel,
} from '@urbackend/common/models';
import type { Types } from 'mongoose';
import type { CurrentDeveloper } from '../../middleware/auth.js';
import type { OwnerChanged } from '../projects/owner-changes.js';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The admin who acts (from `requireDeveloper`). */
export type Admin = Pick<CurrentDeveloper, '_id' | 'email'>;

export interface DeveloperListQuery {
  search?: string;
  plan?: string;
  disabled?: boolean;
  page: number;
  limit: number;
}

/** A developer as the admin list shows it. */
export interface AdminDeveloperItem {
  _id: string;
  email: string;
  isVerified: boolean;
  isAdmin: boolean;
  plan: string;
  disabledAt: Date | null;
  createdAt: Date;
  projectCount: number;
  /** Summed over the developer's projects: public-API requests today (UTC), storage and database bytes. */
  usage: { requests: number; storageBytes: number; databaseBytes: number };
}

export interface AdminServiceDeps {
  Developer: DeveloperModel;
  Project: ProjectModel;
  RequestLog: RequestLogModel;
  AdminAudit: AdminAuditModel;
  /** Live database and storage usage of a project (the stored copy when the meter cannot answer). */
  usageOf(project: { _id: unknown; storageUsed?: number; databaseUsed?: number }): Promise<{
    storageUsed: number;
    databaseUsed: number;
  }>;
  /** Revokes every dashboard refresh session of a developer. */
  revokeSessions(developerId: Types.ObjectId): Promise<void>;
  /** The account-deletion path of `auth.service` (owned projects, sessions, OTPs, the account). */
  deleteDeveloper(developerId: Types.ObjectId): Promise<void>;
  ownerChanged: OwnerChanged;
}

/** Platform admin operations on developers, and the platform audit log. */
export function createAdminService(deps: AdminServiceDeps) {
  const { Developer, Project, RequestLog, AdminAudit } = deps;

  /** Requests logged today (UTC) per project: one accumulator per `$group` (FerretDB computes only the first). */
  async function requestsToday(projectIds: Types.ObjectId[]): Promise<Map<string, number>> {
    if (!projectIds.length) return new Map();
    const day = new Date().toISOString().slice(0, 10);
    const rows = await RequestLog.aggregate<{ _id: unknown; n: number }>([
      { $match: { projectId: { $in: projectIds }, day } },
      { $group: { _id: '$projectId', n: { $sum: 1 } } },
    ]);
    return new Map(rows.map((r) => [String(r._id), r.n]));
  }

  async function target(developerId: Types.ObjectId, self: Admin, action: string) {
    const dev = await Developer.findById(developerId).select('email isAdmin disabledAt').lean();
    if (!dev) throw notFound('Developer not found.');
    if (String(dev._id) === String(self._id)) throw badRequest(`You cannot ${action} your own account.`);
    return dev;
  }

  return {
    async record(admin: Admin, action: AdminAuditAction, on: AdminAuditTarget, details: Record<string, unknown> = {}) {
      await AdminAudit.create({ adminId: admin._id, adminEmail: admin.email, action, target: on, details, at: new Date() });
    },

    async auditLog(page: number, limit: number) {
      const { items, total, totalPages } = await findPage(AdminAudit, {}, { page, limit, sort: { at: -1, _id: -1 } });
      return { entries: items, total, page, limit, totalPages };
    },

    async listDevelopers(q: DeveloperListQuery) {
      const filter: Record<string, unknown> = {};
      if (q.search?.trim()) filter.email = { $regex: escapeRegex(q.search.trim().toLowerCase()) };
      if (q.plan) filter.plan = q.plan;
      if (q.disabled !== undefined) filter.disabledAt = q.disabled ? { $ne: null } : null;
      const { items, total } = await findPage<Developer, Record<string, unknown> & { _id: Types.ObjectId }>(Developer, filter, {
        page: q.page,
        limit: q.limit,
        select: 'email isVerified isAdmin plan disabledAt createdAt',
      });
      const projects = items.length
        ? await Project.find({ owner: { $in: items.map((d) => d._id) } })
            .select('owner storageUsed databaseUsed')
            .lean()
        : [];
      const [requests, usages] = await Promise.all([
        requestsToday(projects.map((p) => p._id)),
        Promise.all(projects.map((p) => deps.usageOf(p))),
      ]);
      const byOwner = new Map<string, AdminDeveloperItem['usage'] & { count: number }>();
      projects.forEach((p, i) => {
        const key = String(p.owner);
        const sum = byOwner.get(key) ?? { count: 0, requests: 0, storageBytes: 0, databaseBytes: 0 };
        sum.count += 1;
        sum.requests += requests.get(String(p._id)) ?? 0;
        sum.storageBytes += usages[i]?.storageUsed ?? 0;
        sum.databaseBytes += usages[i]?.databaseUsed ?? 0;
        byOwner.set(key, sum);
      });
      const rows: AdminDeveloperItem[] = items.map((d) => {
        const { count = 0, ...usage } = byOwner.get(String(d._id)) ?? { requests: 0, storageBytes: 0, databaseBytes: 0 };
        return {
          _id: String(d._id),
          email: d.email as string,
          isVerified: d.isVerified === true,
          isAdmin: d.isAdmin === true,
          plan: (d.plan as string | undefined) ?? 'free',
          disabledAt: (d.disabledAt as Date | null | undefined) ?? null,
          createdAt: d.createdAt as Date,
          projectCount: count,
          usage,
        };
      });
      return { items: rows, total, page: q.page, limit: q.limit };
    },

    /**
     * Disables a developer: `disabledAt` is set (kept if already set), every dashboard session is
     * revoked, and every public-API process drops the cached snapshots of their projects, so their
     * API keys are refused (403) within a second.
     */
    async disable(developerId: Types.ObjectId, admin: Admin) {
      const dev = await target(developerId, admin, 'disable');
      await Developer.updateOne({ _id: dev._id, disabledAt: null }, { $set: { disabledAt: new Date() } });
      await deps.revokeSessions(dev._id);
      await deps.ownerChanged([dev._id], 'owner-disabled');
      const now = await Developer.findById(dev._id).select('email disabledAt').lean();
      return {
        _id: String(dev._id),
        email: dev.email,
        disabledAt: now?.disabledAt ?? null,
        wasDisabled: Boolean(dev.disabledAt),
      };
    },

    /** Re-enables a developer: their keys work again within a second; they sign in again. */
    async enable(developerId: Types.ObjectId, admin: Admin) {
      const dev = await target(developerId, admin, 'enable');
      await Developer.updateOne({ _id: dev._id }, { $set: { disabledAt: null } });
      await deps.ownerChanged([dev._id], 'owner-enabled');
      return { _id: String(dev._id), email: dev.email, disabledAt: null, wasDisabled: Boolean(dev.disabledAt) };
    },

    /** Deletes a developer with everything they own (the account-deletion path). */
    async remove(developerId: Types.ObjectId, admin: Admin) {
      const dev = await target(developerId, admin, 'delete');
      const projectCount = await Project.countDocuments({ owner: dev._id });
      await deps.deleteDeveloper(dev._id);
      return { _id: String(dev._id), email: dev.email, projectCount };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
