import { publishProjectChanged } from '@urbackend/common/cache';
import { createBaseApp, dashboardCors, finishApp } from '@urbackend/common/http';
import { backupModel } from '@urbackend/common/lifecycle';
import { authClaimModel } from '@urbackend/common/models';
import { createOpenApiCache } from '@urbackend/common/openapi';
import { createClaims } from '@urbackend/common/rate-limit';
import type { Express } from 'express';
import type { AppDeps } from './deps.js';
import { createAdminRouter } from './modules/admin/admin.routes.js';
import { createAuthRouter } from './modules/auth/auth.routes.js';
import { createBackupsRouter, createCloneRouter } from './modules/backups/backups.routes.js';
import { createCollectionsRouter } from './modules/collections/collections.routes.js';
import { createDataRouter } from './modules/collections/data.routes.js';
import { createConfigLogRouter } from './modules/config-log/config-log.routes.js';
import { createLifecycleRouter, createLifecycleSettingsRouter } from './modules/lifecycle/lifecycle.routes.js';
import { createMailDeliveriesRouter } from './modules/mail-deliveries/mail-deliveries.routes.js';
import { createMailTemplatesRouter } from './modules/mail-templates/mail-templates.routes.js';
import { createInvitationsRouter, createMembersRouter } from './modules/members/members.routes.js';
import { createAccountAnalyticsRouter, createObservabilityRouter } from './modules/observability/observability.routes.js';
import { createPatsRouter } from './modules/pats/pats.routes.js';
import { createProjectsRouter } from './modules/projects/projects.routes.js';
import { createDashboardRealtimeRouter } from './modules/realtime/realtime.routes.js';
import { createDashboardLive } from './modules/realtime/realtime.service.js';
import { createReleasesRouter } from './modules/releases/releases.routes.js';
import { createSchemaRouter } from './modules/schema/schema.routes.js';
import { createSchemaService } from './modules/schema/schema.service.js';
import { createStorageRouter } from './modules/storage/storage.routes.js';
import { createUsersAdminRouter } from './modules/users-admin/users-admin.routes.js';
import { createWebhooksRouter } from './modules/webhooks/webhooks.routes.js';

/** The Dashboard API's Express app. No env, no listen: main.ts and tests call this. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = createBaseApp(deps, { cors: dashboardCors(config.http.dashboardOrigins) });
  const { requireDeveloper, limiters } = deps;
  app.use(
    '/api/auth',
    limiters.dashboard,
    createAuthRouter({
      auth: deps.auth,
      requireDeveloper,
      authLimiter: limiters.auth,
      isProduction: config.isProduction,
      allowedOrigins: config.http.dashboardOrigins,
    }),
  );
  app.use('/api/projects', limiters.dashboard);
  const { access } = deps;
  const project = '/api/projects/:projectId';
  app.use(`${project}/collections/:collectionName/data`, createDataRouter({ data: deps.data, access }));
  // Live updates for the data browser and the Realtime view (docs/realtime.md#dashboard).
  const live = createDashboardLive({ realtime: deps.realtime, cache: deps.cache, logger });
  app.use(project, createDashboardRealtimeRouter({ live, access }));
  const lifecycle = {
    data: deps.data,
    access,
    claims: createClaims(authClaimModel(deps.db.connection)),
    Project: deps.models.Project,
    cache: deps.cache,
    logger,
  };
  app.use(`${project}/collections/:collectionName`, createLifecycleRouter(lifecycle));
  app.use(project, createLifecycleSettingsRouter(lifecycle));
  // Project backups, restore and clone (docs/data-lifecycle.md#backups).
  const backups = {
    backups: {
      ...deps,
      webhooksChanged: (projectId: string) => deps.webhooks.hookIndex.changed(projectId),
    },
    Backup: backupModel(deps.db.connection),
    access,
    configLog: deps.configLog,
    projects: deps.projects,
    scopeFor: deps.scopeFor,
    requireDeveloper: deps.requireDeveloperOrPat,
  };
  app.use(project, createBackupsRouter(backups));
  app.use('/api/projects', createCloneRouter(backups));
  app.use(
    `${project}/collections`,
    createCollectionsRouter({ collections: deps.collections, projects: deps.projects, access, configLog: deps.configLog }),
  );
  app.use(`${project}/admin/users`, createUsersAdminRouter({ users: deps.endUsers, access }));
  app.use(project, createMembersRouter({ members: deps.members, access }));
  app.use(project, createObservabilityRouter({ observability: deps.observability, access }));
  app.use(`${project}/storage`, createStorageRouter({ storage: deps.storage.service, access }));
  const { webhooks, models } = deps;
  const countWebhooks = (projectId: string) => models.Webhook.countDocuments({ projectId });
  app.use(
    `${project}/webhooks`,
    createWebhooksRouter({
      webhooks: webhooks.service,
      dispatcher: webhooks.dispatcher,
      countWebhooks,
      access,
      configLog: deps.configLog,
    }),
  );
  app.use(
    `${project}/mail/templates`,
    createMailTemplatesRouter({ templates: deps.mail.templates, access, configLog: deps.configLog }),
  );
  app.use(`${project}/config-logs`, createConfigLogRouter({ configLog: deps.configLog, access }));
  app.use(`${project}/mail/deliveries`, createMailDeliveriesRouter({ deliveries: deps.mail.deliveries, access }));
  const schema = createSchemaService({ Project: models.Project, cache: deps.cache, logger, configLog: deps.configLog });
  const openApi = createOpenApiCache();
  app.use(project, createSchemaRouter({ schema, openApi, publicApiUrl: config.urls.publicApi, access }));
  app.use(
    '/api/projects',
    createProjectsRouter({
      projects: deps.projects,
      settings: deps.projectSettings,
      requireDeveloper: deps.requireDeveloperOrPat,
      access,
      publicApiUrl: deps.config.urls.publicApi,
      configLog: deps.configLog,
    }),
  );
  app.use(
    '/api/analytics',
    limiters.dashboard,
    createAccountAnalyticsRouter({ observability: deps.observability, requireDeveloper: deps.requireDeveloperOrPat }),
  );
  app.use(
    '/api/admin',
    limiters.dashboard,
    createAdminRouter({
      Developer: deps.models.Developer,
      Project: deps.models.Project,
      plans: deps.plans,
      requireDeveloper,
      ownerChanged: deps.ownerChanged,
      projectChanged: (p, reason) =>
        publishProjectChanged(
          deps.cache,
          { projectId: String(p._id), keyHashes: [p.publishableKeyHash, p.secretKeyHash], reason },
          logger,
        ),
      admin: deps.admin,
      registration: deps.registration,
    }),
  );
  app.use('/api/invitations', limiters.dashboard, createInvitationsRouter({ members: deps.members, requireDeveloper }));
  app.use(
    '/api/user',
    limiters.dashboard,
    createPatsRouter({
      PersonalAccessToken: deps.models.PersonalAccessToken,
      requireDeveloper,
      requireDeveloperOrPat: deps.requireDeveloperOrPat,
      isProduction: config.isProduction,
    }),
  );
  app.use(
    '/api/releases',
    limiters.dashboard,
    createReleasesRouter({ Release: deps.models.Release, requireDeveloper, postLimiter: limiters.releasePost }),
  );
  return finishApp(app, logger);
}
