import type { Logger } from '@urbackend/common/logger';
import { ensureSystemMailTemplates } from '@urbackend/common/mail-api';
import { authClaimModel, ensurePlatformIndexes, requestLogModel } from '@urbackend/common/models';
import { type Platform, type PlatformOverrides, createPlatform } from '@urbackend/common/platform';
import { createAttemptCounter, createCooldown, createRateLimiter } from '@urbackend/common/rate-limit';
import { projectUsage } from '@urbackend/common/usage';
import type { RequestHandler } from 'express';
import type { Config } from './config.js';
import { type AccessTokens, createAccessTokens, requireDeveloper } from './middleware/auth.js';
import { type ProjectAction, createProjectAccess } from './middleware/project-access.js';
import { ensureAdmin } from './modules/auth/admin-bootstrap.js';
import { type AuthService, createAuthService } from './modules/auth/auth.service.js';
import { createDeveloperOtps } from './modules/auth/otp.js';
import { createDeveloperSessions } from './modules/auth/sessions.js';
import { type ObservabilityService, createObservabilityService } from './modules/observability/observability.service.js';
import { type OwnerChanged, createOwnerChanged } from './modules/projects/owner-changes.js';
import { type ProjectSettingsService, createProjectSettingsService } from './modules/projects/project-settings.service.js';
import { type ProjectService, createProjectService } from './modules/projects/project.service.js';

const FIFTEEN_MIN = 15 * 60_000;

/** Everything the Dashboard API needs, built once at boot (composition root). */
export interface AppDeps extends Platform {
  config: Config;
  logger: Logger;
  /** Request logs and analytics (documents written by the public API). */
  observability: ObservabilityService;
  projects: ProjectService;
  projectSettings: ProjectSettingsService;
  auth: AuthService;
  tokens: AccessTokens;
  limiters: { auth: RequestHandler; dashboard: RequestHandler; releasePost: RequestHandler };
  /** Bearer access-token guard (attaches the developer). */
  requireDeveloper: RequestHandler;
  /** The guard chain of every project route: developer, verified, project scope, role allows `action`. */
  access: (action: ProjectAction) => RequestHandler[];
  /** Publishes a change of every project the given developers own (plan, verification, admin flag). */
  ownerChanged: OwnerChanged;
  /** Runs once MongoDB is connected: indexes, the admin account, system mail templates. */
  startup(): Promise<void>;
}

function createLimiters(config: Config, platform: Platform, logger: Logger): AppDeps['limiters'] {
  const { cache } = platform;
  const limiter = (name: string, limit: number, message?: string) =>
    createRateLimiter({ cache, logger, name, windowMs: FIFTEEN_MIN, limit, message });
  return {
    auth: limiter('dash-auth-ip', config.rateLimits.authIpPer15Min, 'Too many attempts. Please try again in 15 minutes.'),
    dashboard: limiter('dash-ip', config.rateLimits.dashboardIpPer15Min, 'Dashboard usage limit exceeded. Slow down!'),
    releasePost: limiter('dash-release', 5),
  };
}

function createObservability(platform: Platform): ObservabilityService {
  const { models, tenants } = platform;
  return createObservabilityService({
    models,
    RequestLog: requestLogModel(platform.db.connection),
    plans: platform.plans,
    usageOf: (project) => projectUsage(platform.meter, String(project._id), project),
    async countUsers(project) {
      if (!project.collections.some((c) => c.name === 'users')) return 0;
      try {
        return await (await tenants.forProject(project).connection()).collection('users').estimatedDocumentCount();
      } catch {
        return 0;
      }
    },
  });
}

/** Builds the app's dependencies; nothing connects here (main.ts calls `db.connect()`). */
export function createDeps(config: Config, logger: Logger, overrides: PlatformOverrides = {}): AppDeps {
  const platform = createPlatform(config, logger, overrides);
  const { models, cache } = platform;
  const settings = config.dashboard;
  const projectDeps = { ...platform, logger };
  const projects = createProjectService(projectDeps);
  const tokens = createAccessTokens(config.security.jwtSecret, settings.tokens.accessTtlMs);
  const developerGuard = requireDeveloper(tokens, models.Developer);
  const ownerChanged = createOwnerChanged({ Project: models.Project, cache, logger });
  /** Durable auth counters and cooldowns (MongoDB: they survive Redis losing its keys). */
  const claims = authClaimModel(platform.db.connection);
  const auth = createAuthService({
    Developer: models.Developer,
    sessions: createDeveloperSessions(models.DeveloperSession, settings.tokens.refreshTtlMs),
    otps: createDeveloperOtps(models.DeveloperOtp, platform.hasher, claims),
    tokens,
    mailer: platform.mailer,
    hasher: platform.hasher,
    plans: platform.plans,
    logger,
    loginFailures: createAttemptCounter({
      model: claims,
      name: 'dev-auth',
      windowMs: FIFTEEN_MIN,
      limit: config.rateLimits.authAccountPer15Min,
      message: 'Too many failed attempts for this account. Please try again later.',
    }),
    otpCooldown: createCooldown({ model: claims, name: 'dev-otp', ms: 60_000 }),
    deleteOwnedProjects: (developerId) => projects.removeAllOf(developerId),
    deleteOtps: async (developerId) => {
      await models.DeveloperOtp.deleteMany({ developerId });
    },
    ownerChanged,
  });
  return {
    ...platform,
    config,
    logger,
    observability: createObservability(platform),
    projects,
    projectSettings: createProjectSettingsService({
      ...projectDeps,
      allowPrivateTargets: config.security.allowPrivateTargets,
      byodConnectTimeoutMs: 5000,
    }),
    auth,
    tokens,
    limiters: createLimiters(config, platform, logger),
    requireDeveloper: developerGuard,
    ownerChanged,
    access: createProjectAccess({ models, scopeFor: platform.scopeFor, requireDeveloper: developerGuard }),
    async startup() {
      await ensurePlatformIndexes(models);
      await ensureAdmin(models.Developer, settings.admin, logger, platform.hasher, ownerChanged);
      await ensureSystemMailTemplates(models.MailTemplate);
    },
  };
}
