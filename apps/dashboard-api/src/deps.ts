import { exportsUsedToday } from '@urbackend/common/lifecycle';
import type { Logger } from '@urbackend/common/logger';
import { ensureSystemMailTemplates } from '@urbackend/common/mail-api';
import { authClaimModel, ensurePlatformIndexes, requestLogModel } from '@urbackend/common/models';
import { type Platform, type PlatformOverrides, createPlatform } from '@urbackend/common/platform';
import { createAttemptCounter, createClaims, createCooldown, createRateLimiter } from '@urbackend/common/rate-limit';
import { projectUsage } from '@urbackend/common/usage';
import type { RequestHandler } from 'express';
import type { Config } from './config.js';
import { type AccessTokens, createAccessTokens, createDeveloperAuth } from './middleware/auth.js';
import { type ProjectAction, createProjectAccess } from './middleware/project-access.js';
import { type AdminService, createAdminService } from './modules/admin/admin.service.js';
import { type Registration, createRegistration } from './modules/admin/registration.js';
import { ensureAdmin } from './modules/auth/admin-bootstrap.js';
import { type AuthService, createAuthService } from './modules/auth/auth.service.js';
import { createDeveloperOtps } from './modules/auth/otp.js';
import { createDeveloperSessions } from './modules/auth/sessions.js';
import { type ConfigLogService, createConfigLogService } from './modules/config-log/config-log.service.js';
import { type MembersService, createMembersService } from './modules/members/members.service.js';
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
  /** The project config audit log: `record(scope, entry)`, the list, the retention purge. */
  configLog: ConfigLogService;
  auth: AuthService;
  tokens: AccessTokens;
  limiters: { auth: RequestHandler; dashboard: RequestHandler; releasePost: RequestHandler };
  /** Dashboard-session guard (attaches the developer); refuses personal access tokens. */
  requireDeveloper: RequestHandler;
  /** Session or personal-access-token guard (project, analytics and CLI routes). */
  requireDeveloperOrPat: RequestHandler;
  /** Project members and invitations (teams). */
  members: MembersService;
  /** The guard chain of every project route: developer, verified, project scope, role allows `action`. */
  access: (action: ProjectAction) => RequestHandler[];
  /** Publishes a change of every project the given developers own (plan, verification, admin flag). */
  ownerChanged: OwnerChanged;
  /** Registration mode (platform settings, `REGISTRATION_MODE` default) and invite codes. */
  registration: Registration;
  /** Platform admin: developers (list, disable, enable, delete) and the platform audit log. */
  admin: AdminService;
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
  const exportClaims = createClaims(authClaimModel(platform.db.connection));
  return createObservabilityService({
    models,
    RequestLog: requestLogModel(platform.db.connection),
    plans: platform.plans,
    uploadLimitBytes: platform.storage.config.uploadLimitBytes,
    exportsToday: (projectId, limit) => exportsUsedToday(exportClaims, projectId, limit),
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
  const developerAuth = createDeveloperAuth({
    tokens,
    Developer: models.Developer,
    PersonalAccessToken: models.PersonalAccessToken,
  });
  const ownerChanged = createOwnerChanged({ Project: models.Project, cache, logger });
  /** Durable auth counters and cooldowns (MongoDB: they survive Redis losing its keys). */
  const claims = authClaimModel(platform.db.connection);
  const registration = createRegistration({
    PlatformSettings: models.PlatformSettings,
    InviteCode: models.InviteCode,
    InviteCodeUse: models.InviteCodeUse,
    defaultMode: settings.registrationMode ?? 'open',
  });
  const configLog = createConfigLogService({
    ConfigLog: models.ConfigLog,
    Project: models.Project,
    cache,
    logger,
    retentionDays: settings.configLogRetentionDays ?? 90,
  });
  const members = createMembersService({
    ...platform,
    logger,
    dashboardUrl: config.urls.dashboard,
    claims: createClaims(claims),
    recordChange: (scope, entry) => configLog.record(scope, entry),
  });
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
    deleteOwnedProjects: async (developerId) => {
      await projects.removeAllOf(developerId);
      await members.forgetDeveloper(developerId);
    },
    deleteOtps: async (developerId) => {
      await models.DeveloperOtp.deleteMany({ developerId });
    },
    ownerChanged,
    registration,
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
    configLog,
    members,
    auth,
    registration,
    admin: createAdminService({
      Developer: models.Developer,
      Project: models.Project,
      RequestLog: requestLogModel(platform.db.connection),
      AdminAudit: models.AdminAudit,
      usageOf: (project) => projectUsage(platform.meter, String(project._id), project),
      revokeSessions: (developerId) => auth.revokeAllSessions(developerId),
      deleteDeveloper: (developerId) => auth.deleteDeveloper(developerId),
      ownerChanged,
    }),
    tokens,
    limiters: createLimiters(config, platform, logger),
    requireDeveloper: developerAuth.session,
    requireDeveloperOrPat: developerAuth.sessionOrPat,
    ownerChanged,
    access: createProjectAccess({ models, scopeFor: platform.scopeFor, requireDeveloper: developerAuth.sessionOrPat }),
    async startup() {
      await ensurePlatformIndexes(models);
      await ensureAdmin(models.Developer, settings.admin, logger, platform.hasher, ownerChanged);
      await ensureSystemMailTemplates(models.MailTemplate);
    },
  };
}
