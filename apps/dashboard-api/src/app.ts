import { createBaseApp, dashboardCors, finishApp } from '@urbackend/common/http';
import type { Express } from 'express';
import type { AppDeps } from './deps.js';
import { adminRouter } from './modules/admin/admin.routes.js';
import { authRouter } from './modules/auth/auth.routes.js';
import { collectionsRouter } from './modules/collections/collections.routes.js';
import { dataRouter } from './modules/collections/data.routes.js';
import { mailDeliveriesRouter } from './modules/mail-deliveries/mail-deliveries.routes.js';
import { mailTemplatesRouter } from './modules/mail-templates/mail-templates.routes.js';
import { accountAnalyticsRouter, observabilityRouter } from './modules/observability/observability.routes.js';
import { projectsRouter } from './modules/projects/projects.routes.js';
import { releasesRouter } from './modules/releases/releases.routes.js';
import { storageRouter } from './modules/storage/storage.routes.js';
import { usersAdminRouter } from './modules/users-admin/users-admin.routes.js';
import { webhooksRouter } from './modules/webhooks/webhooks.routes.js';

/** The Dashboard API's Express app. No env, no listen: main.ts and tests call this. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = createBaseApp({
    logger,
    isProduction: config.isProduction,
    trustProxy: config.http.trustProxy,
    bodyLimit: config.http.bodyLimit,
    cors: dashboardCors(config.http.dashboardOrigins),
    db: deps.db,
    cache: deps.cache,
  });
  const { requireDeveloper, limiters } = deps;
  app.use(
    '/api/auth',
    limiters.dashboard,
    authRouter({
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
  app.use(`${project}/collections/:collectionName/data`, dataRouter({ data: deps.data, access }));
  app.use(`${project}/collections`, collectionsRouter({ collections: deps.collections, projects: deps.projects, access }));
  app.use(`${project}/admin/users`, usersAdminRouter({ users: deps.endUsers, access }));
  app.use(project, observabilityRouter({ observability: deps.observability, access }));
  app.use(`${project}/storage`, storageRouter({ storage: deps.storage.service, access }));
  const { webhooks, models } = deps;
  const countWebhooks = (projectId: string) => models.Webhook.countDocuments({ projectId });
  app.use(
    `${project}/webhooks`,
    webhooksRouter({ webhooks: webhooks.service, dispatcher: webhooks.dispatcher, countWebhooks, access }),
  );
  app.use(`${project}/mail/templates`, mailTemplatesRouter({ templates: deps.mail.templates, access }));
  app.use(`${project}/mail/deliveries`, mailDeliveriesRouter({ deliveries: deps.mail.deliveries, access }));
  app.use(
    '/api/projects',
    projectsRouter({
      projects: deps.projects,
      settings: deps.projectSettings,
      requireDeveloper,
      access,
      publicApiUrl: deps.config.urls.publicApi,
    }),
  );
  app.use('/api/analytics', limiters.dashboard, accountAnalyticsRouter({ observability: deps.observability, requireDeveloper }));
  app.use(
    '/api/admin',
    limiters.dashboard,
    adminRouter({ Developer: deps.models.Developer, plans: deps.plans, requireDeveloper }),
  );
  app.use(
    '/api/releases',
    limiters.dashboard,
    releasesRouter({ Release: deps.models.Release, requireDeveloper, postLimiter: limiters.releasePost }),
  );
  return finishApp(app, logger);
}
