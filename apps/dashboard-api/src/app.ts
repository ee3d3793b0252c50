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
  app.use('/api/projects/:projectId/collections/:collectionName/data', dataRouter({ data: deps.data, requireDeveloper }));
  app.use(
    '/api/projects/:projectId/collections',
    collectionsRouter({ models: deps.models, collections: deps.collections, plans: deps.plans, requireDeveloper }),
  );
  app.use('/api/projects/:projectId/admin/users', usersAdminRouter({ users: deps.usersAdmin, requireDeveloper }));
  app.use('/api/projects/:projectId', observabilityRouter({ observability: deps.observability, requireDeveloper }));
  const { models, plans, files } = deps;
  app.use('/api/projects/:projectId/storage', storageRouter({ storage: files.storage, models, requireDeveloper }));
  app.use(
    '/api/projects/:projectId/webhooks',
    webhooksRouter({ webhooks: files.webhooks, dispatcher: files.dispatcher, models, plans, requireDeveloper }),
  );
  app.use(
    '/api/projects/:projectId/mail/templates',
    mailTemplatesRouter({ templates: files.mailTemplates, models, plans, requireDeveloper }),
  );
  app.use('/api/projects/:projectId/mail/deliveries', mailDeliveriesRouter({ models, logger, requireDeveloper }));
  app.use(
    '/api/projects',
    projectsRouter({
      projects: deps.projects,
      settings: deps.projectSettings,
      requireDeveloper,
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
