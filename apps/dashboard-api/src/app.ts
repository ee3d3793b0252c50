import { publishProjectChanged } from '@urbackend/common/cache';
import { createBaseApp, dashboardCors, finishApp } from '@urbackend/common/http';
import type { Express } from 'express';
import type { AppDeps } from './deps.js';
import { createAdminRouter } from './modules/admin/admin.routes.js';
import { createAuthRouter } from './modules/auth/auth.routes.js';
import { createCollectionsRouter } from './modules/collections/collections.routes.js';
import { createDataRouter } from './modules/collections/data.routes.js';
import { createMailDeliveriesRouter } from './modules/mail-deliveries/mail-deliveries.routes.js';
import { createMailTemplatesRouter } from './modules/mail-templates/mail-templates.routes.js';
import { createAccountAnalyticsRouter, createObservabilityRouter } from './modules/observability/observability.routes.js';
import { createProjectsRouter } from './modules/projects/projects.routes.js';
import { createReleasesRouter } from './modules/releases/releases.routes.js';
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
  app.use(`${project}/collections`, createCollectionsRouter({ collections: deps.collections, projects: deps.projects, access }));
  app.use(`${project}/admin/users`, createUsersAdminRouter({ users: deps.endUsers, access }));
  app.use(project, createObservabilityRouter({ observability: deps.observability, access }));
  app.use(`${project}/storage`, createStorageRouter({ storage: deps.storage.service, access }));
  const { webhooks, models } = deps;
  const countWebhooks = (projectId: string) => models.Webhook.countDocuments({ projectId });
  app.use(
    `${project}/webhooks`,
    createWebhooksRouter({ webhooks: webhooks.service, dispatcher: webhooks.dispatcher, countWebhooks, access }),
  );
  app.use(`${project}/mail/templates`, createMailTemplatesRouter({ templates: deps.mail.templates, access }));
  app.use(`${project}/mail/deliveries`, createMailDeliveriesRouter({ deliveries: deps.mail.deliveries, access }));
  app.use(
    '/api/projects',
    createProjectsRouter({
      projects: deps.projects,
      settings: deps.projectSettings,
      requireDeveloper,
      access,
      publicApiUrl: deps.config.urls.publicApi,
    }),
  );
  app.use(
    '/api/analytics',
    limiters.dashboard,
    createAccountAnalyticsRouter({ observability: deps.observability, requireDeveloper }),
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
    }),
  );
  app.use(
    '/api/releases',
    limiters.dashboard,
    createReleasesRouter({ Release: deps.models.Release, requireDeveloper, postLimiter: limiters.releasePost }),
  );
  return finishApp(app, logger);
}
