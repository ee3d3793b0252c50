import { findPage } from '@urbackend/common/db';
import type { PlatformModels, RequestLogModel } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import type { TenantProject } from '@urbackend/common/tenant';
import { Types } from 'mongoose';
import type { CurrentDeveloper } from '../../middleware/auth.js';
import type { DashboardScope } from '../../middleware/project-access.js';
import { type AnalyticsRange, type LogPoint, RANGE_MS, computeAnalytics } from './analytics.js';
import type { LogsQuery } from './observability.schemas.js';

/** Most log documents one analytics request reads (bounded work per request). */
const MAX_POINTS = 50_000;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Request logs and analytics of a project, from the documents the public API writes. */
export function createObservabilityService(deps: {
  models: PlatformModels;
  RequestLog: RequestLogModel;
  plans: Plans;
  /** Live database and storage usage of a project (the stored copy when the meter cannot answer). */
  usageOf(project: { _id: unknown; storageUsed?: number; databaseUsed?: number }): Promise<{
    storageUsed: number;
    databaseUsed: number;
  }>;
  /** Counts the end users of a project (its `users` collection); 0 when unknown or unreachable. */
  countUsers(project: TenantProject & { collections: { name: string }[] }): Promise<number>;
  /** Largest file one upload may carry (`UPLOAD_LIMIT_BYTES`), shown before uploading. */
  uploadLimitBytes: number;
  /** Collection exports the project made this UTC day (`exportsPerDay` slots); 0 when not counted. */
  exportsToday(projectId: string, limit: number): Promise<number>;
}) {
  const { RequestLog, models } = deps;
  return {
    /** Account-wide usage for the dashboard home (reference §6.3 `GET /api/analytics/stats`). */
    async stats(dev: CurrentDeveloper) {
      const projects = await models.Project.find({ owner: dev._id })
        .select('collections storageUsed databaseUsed resources')
        .lean();
      const ids = projects.map((p) => p._id);
      const [totalRequests, totalWebhooks, users, usage] = await Promise.all([
        RequestLog.countDocuments({ projectId: { $in: ids } }),
        models.Webhook.countDocuments({ projectId: { $in: ids } }),
        Promise.all(projects.map((p) => deps.countUsers(p))),
        Promise.all(projects.map((p) => deps.usageOf(p))),
      ]);
      return {
        plan: dev.plan,
        planExpiresAt: null,
        limits: deps.plans.limitsFor(dev),
        usage: {
          totalProjects: projects.length,
          totalCollections: projects.reduce((n, p) => n + (p.collections?.length ?? 0), 0),
          totalStorageUsed: usage.reduce((n, u) => n + u.storageUsed, 0),
          totalDatabaseUsed: usage.reduce((n, u) => n + u.databaseUsed, 0),
          totalRequests,
          totalWebhooks,
          totalUsers: users.reduce((a, b) => a + b, 0),
        },
      };
    },

    /** The developer's 20 latest requests across projects (`GET /api/analytics/activity`). */
    async activity(dev: CurrentDeveloper) {
      const projects = await models.Project.find({ owner: dev._id }).select('name').lean();
      const names = new Map(projects.map((p) => [String(p._id), p.name]));
      const logs = await RequestLog.find({ projectId: { $in: projects.map((p) => p._id) } })
        .sort({ at: -1 })
        .limit(20)
        .lean();
      return logs.map((l) => ({
        id: l._id,
        projectName: names.get(String(l.projectId)) ?? '',
        projectId: l.projectId,
        method: l.method,
        path: l.path,
        status: l.status,
        timestamp: l.at,
      }));
    },

    /** One page of the project's request logs, newest first, with every recorded field. */
    async logs(scope: DashboardScope, q: LogsQuery) {
      const filter: Record<string, unknown> = { projectId: new Types.ObjectId(scope.project._id) };
      if (q.method) filter.method = q.method.toUpperCase();
      if (q.status !== undefined) filter.status = q.status;
      else if (q.statusClass !== undefined) filter.status = { $gte: q.statusClass * 100, $lt: q.statusClass * 100 + 100 };
      if (q.path) filter.path = { $regex: escapeRegex(q.path) };
      const from = q.range ? new Date(Date.now() - RANGE_MS[q.range]) : q.from;
      if (from || q.to) filter.at = { ...(from ? { $gte: from } : {}), ...(q.to ? { $lte: q.to } : {}) };
      const { items, total } = await findPage(RequestLog, filter, {
        page: q.page,
        limit: q.limit,
        sort: { at: -1, _id: -1 },
        select: 'method route path status latencyMs ip keyRole userAgent userId error at',
      });
      return { items, total, page: q.page, limit: q.limit, from: from ?? null, to: q.to ?? null };
    },

    /**
     * The project's effective limits (owner's plan with custom limits) next to what it uses now:
     * the dashboard's "plan in sight" (`GET /api/projects/:projectId/usage`).
     */
    async usage(scope: DashboardScope) {
      const { project, limits } = scope;
      const projectId = new Types.ObjectId(project._id);
      const now = new Date();
      const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
      const [meter, requestsToday, webhooks, mails, doc, exportsToday] = await Promise.all([
        deps.usageOf(project),
        RequestLog.countDocuments({ projectId, day: now.toISOString().slice(0, 10) }),
        models.Webhook.countDocuments({ projectId }),
        models.MailDelivery.find({ projectId, createdAt: { $gte: monthStart }, status: { $ne: 'failed' } })
          .select('to')
          .lean(),
        models.Project.findById(projectId).select('members collections').lean(),
        deps.exportsToday(project._id, limits.exportsPerDay),
      ]);
      return {
        plan: project.owner.isAdmin ? 'admin' : project.owner.plan,
        // The per-file upload limit is the server's (not the plan's), listed with the plan's limits.
        limits: { ...limits, uploadBytes: deps.uploadLimitBytes },
        usage: {
          collections: doc?.collections?.length ?? 0,
          storageBytes: meter.storageUsed,
          databaseBytes: meter.databaseUsed,
          requestsToday,
          mailThisMonth: mails.reduce((n, m) => n + (m.to?.length ?? 0), 0),
          webhooks,
          members: 1 + (doc?.members?.length ?? 0),
          exportsToday,
        },
      };
    },

    async analytics(scope: DashboardScope, range: AnalyticsRange) {
      const { project, limits } = scope;
      const usage = await deps.usageOf(project);
      const projectId = new Types.ObjectId(project._id);
      const since = new Date(Date.now() - RANGE_MS[range]);
      const [points, totalRequests, recent] = await Promise.all([
        RequestLog.find({ projectId, at: { $gte: since } })
          .select('method route path status latencyMs minute hour day')
          .sort({ at: -1 })
          .limit(MAX_POINTS)
          .lean(),
        RequestLog.countDocuments({ projectId }),
        RequestLog.find({ projectId }).select('method route path status latencyMs at').sort({ at: -1 }).limit(50).lean(),
      ]);
      return {
        storage: { used: usage.storageUsed, limit: limits.storageBytes },
        database: { used: usage.databaseUsed, limit: limits.mongoBytes },
        totalRequests,
        ...computeAnalytics(points as unknown as LogPoint[], range),
        logs: recent,
        range,
      };
    },
  };
}

export type ObservabilityService = ReturnType<typeof createObservabilityService>;
