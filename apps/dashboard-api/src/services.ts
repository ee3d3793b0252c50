import { type CollectionService, createCollectionService } from '@urbackend/common/collections';
import type { ServerKind } from '@urbackend/common/db';
import type { Logger } from '@urbackend/common/logger';
import type { Mailer } from '@urbackend/common/mail';
import { type PlatformModels, createPlatformModels, ensurePlatformIndexes, requestLogModel } from '@urbackend/common/models';
import { assertPublicMongoUri } from '@urbackend/common/outbound';
import { type Plans, createPlans } from '@urbackend/common/plans';
import type { PlatformServices } from '@urbackend/common/platform';
import { createAttemptCounter, createCooldown, createRateLimiter } from '@urbackend/common/rate-limit';
import {
  type TenantDatabases,
  createByodConnections,
  createModelRegistry,
  createTenantDatabases,
} from '@urbackend/common/tenant';
import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from './config.js';
import { type AccessTokens, createAccessTokens, requireDeveloper } from './middleware/auth.js';
import { ensureAdmin } from './modules/auth/admin-bootstrap.js';
import { type AuthService, createAuthService } from './modules/auth/auth.service.js';
import { createDeveloperOtps } from './modules/auth/otp.js';
import { createDeveloperSessions } from './modules/auth/sessions.js';
import { type DashboardDataHook, type DataService, createDataService } from './modules/collections/data.service.js';
import { type ObservabilityService, createObservabilityService } from './modules/observability/observability.service.js';
import type { ProjectCleanupHook } from './modules/projects/project-cleanup.js';
import { type ProjectSettingsService, createProjectSettingsService } from './modules/projects/project-settings.service.js';
import { type ProjectService, createProjectService } from './modules/projects/project.service.js';
import { type UsersAdminService, createUsersAdminService } from './modules/users-admin/users-admin.service.js';

const FIFTEEN_MIN = 15 * 60_000;

async function detectKind(conn: Connection, cache: WeakMap<Connection, ServerKind>): Promise<ServerKind> {
  const known = cache.get(conn);
  if (known) return known;
  try {
    const info = (await conn.db?.admin().command({ buildInfo: 1 })) as Record<string, unknown> | undefined;
    const kind: ServerKind = info && 'ferretdbVersion' in info ? 'ferretdb' : 'mongodb';
    cache.set(conn, kind);
    return kind;
  } catch {
    return 'unknown';
  }
}

/** The dashboard's own services (built once in `createDeps`). */
export interface DashboardServices {
  models: PlatformModels;
  mailer: Mailer;
  plans: Plans;
  tenants: TenantDatabases;
  collections: CollectionService;
  /** Dashboard row browsing/editing. */
  data: DataService;
  /** End-user administration of a project's users collection. */
  usersAdmin: UsersAdminService;
  /** Request logs and analytics (documents written by the public API). */
  observability: ObservabilityService;
  projects: ProjectService;
  projectSettings: ProjectSettingsService;
  /** Other modules (storage files, webhooks) push their per-project cleanup here. */
  projectCleanupHooks: ProjectCleanupHook[];
  /** Called after dashboard data edits (webhooks register here). */
  dataHooks: DashboardDataHook[];
  auth: AuthService;
  tokens: AccessTokens;
  limiters: { auth: RequestHandler; dashboard: RequestHandler; releasePost: RequestHandler };
  /** Bearer access-token guard (attaches the developer). */
  requireDeveloper: RequestHandler;
  /** Runs once MongoDB is connected: indexes, then the admin account. */
  startup(): Promise<void>;
  closeDashboard(): Promise<void>;
}

/** Builds the dashboard's own services on top of the platform services (called by `createDeps`). */
export function createDashboardServices(config: Config, logger: Logger, platform: PlatformServices): DashboardServices {
  const { db, cache, secretBox } = platform;
  const settings = config.dashboard;
  const models = createPlatformModels(db.connection);
  const { mailer } = platform;
  const plans = createPlans({ defaultPlan: settings.plans.defaultPlan, overrides: { ...settings.plans.overrides } });
  const outbound = { allowPrivateTargets: config.security.allowPrivateTargets };
  const byod = createByodConnections({ secretBox, logger, checkTarget: (uri) => assertPublicMongoUri(uri, outbound) });
  const tenants = createTenantDatabases(db, byod, createModelRegistry());
  const kinds = new WeakMap<Connection, ServerKind>();
  const collections = createCollectionService({
    Project: models.Project,
    cache,
    logger,
    async tenantConnection(project) {
      const tenant = tenants.forProject({ _id: String(project._id), resources: project.resources } as never);
      const conn = await tenant.connection();
      return { conn, kind: tenant.isExternal ? await detectKind(conn, kinds) : db.serverKind() };
    },
  });
  const projectCleanupHooks: ProjectCleanupHook[] = [];
  const dataHooks: DashboardDataHook[] = [];
  const projectDeps = { models, db, cache, tenants, logger, hooks: projectCleanupHooks, secretBox, plans };
  const projects = createProjectService(projectDeps);
  const projectSettings = createProjectSettingsService({
    ...projectDeps,
    allowPrivateTargets: config.security.allowPrivateTargets,
    byodConnectTimeoutMs: 5000,
    collections,
  });
  const tokens = createAccessTokens(config.security.jwtSecret, settings.tokens.accessTtlMs);
  const auth = createAuthService({
    Developer: models.Developer,
    sessions: createDeveloperSessions(models.DeveloperSession, settings.tokens.refreshTtlMs),
    otps: createDeveloperOtps(models.DeveloperOtp),
    tokens,
    mailer,
    plans,
    logger,
    loginFailures: createAttemptCounter({
      cache,
      name: 'dev-auth',
      windowMs: FIFTEEN_MIN,
      limit: config.rateLimits.authAccountPer15Min,
      message: 'Too many failed attempts for this account. Please try again later.',
    }),
    otpCooldown: createCooldown({ cache, name: 'dev-otp', ms: 60_000 }),
    deleteOwnedProjects: (developerId) => projects.removeAllOf(developerId),
    deleteOtps: async (developerId) => {
      await models.DeveloperOtp.deleteMany({ developerId });
    },
  });
  const limiters = {
    auth: createRateLimiter({
      cache,
      logger,
      name: 'dash-auth-ip',
      windowMs: FIFTEEN_MIN,
      limit: config.rateLimits.authIpPer15Min,
      message: 'Too many attempts. Please try again in 15 minutes.',
    }),
    dashboard: createRateLimiter({
      cache,
      logger,
      name: 'dash-ip',
      windowMs: FIFTEEN_MIN,
      limit: config.rateLimits.dashboardIpPer15Min,
      message: 'Dashboard usage limit exceeded. Slow down!',
    }),
    releasePost: createRateLimiter({ cache, logger, name: 'dash-release', windowMs: FIFTEEN_MIN, limit: 5 }),
  };
  return {
    models,
    mailer,
    plans,
    tenants,
    collections,
    data: createDataService({ models, tenants, plans, hooks: dataHooks }),
    usersAdmin: createUsersAdminService({ models, tenants }),
    observability: createObservabilityService({
      models,
      RequestLog: requestLogModel(db.connection),
      plans,
      async countUsers(project) {
        if (!project.collections.some((c) => c.name === 'users')) return 0;
        try {
          const conn = await tenants.forProject({ _id: String(project._id), resources: project.resources } as never).connection();
          return await conn.collection('users').estimatedDocumentCount();
        } catch {
          return 0;
        }
      },
    }),
    projects,
    projectSettings,
    projectCleanupHooks,
    dataHooks,
    auth,
    tokens,
    limiters,
    requireDeveloper: requireDeveloper(tokens, models.Developer),
    async startup(): Promise<void> {
      await ensurePlatformIndexes(models);
      await ensureAdmin(models.Developer, settings.admin, logger);
    },
    async closeDashboard(): Promise<void> {
      await byod.close();
    },
  };
}
