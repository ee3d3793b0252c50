import { createBaseApp, finishApp, publicCors } from '@urbackend/common/http';
import { createOpenApiCache } from '@urbackend/common/openapi';
import { createRateLimiter } from '@urbackend/common/rate-limit';
import { DEFAULT_REALTIME_SERVER } from '@urbackend/common/realtime';
import type { Express } from 'express';
import type { AppDeps } from './deps.js';
import { createForgedKeyFilter } from './middleware/api-key.js';
import { createPublicGuards } from './middleware/guards.js';
import { requestLogMiddleware } from './middleware/request-log.js';
import { createDataRouter } from './modules/data/data.routes.js';
import { createMailRouter } from './modules/mail/mail.routes.js';
import { createOpenApiRouter } from './modules/openapi/openapi.routes.js';
import { createRealtimeRouter } from './modules/realtime/realtime.routes.js';
import { createSchemasRouter } from './modules/schemas/schemas.routes.js';
import { createSchemasService } from './modules/schemas/schemas.service.js';
import { createLocalFilesRouter } from './modules/storage/local-files.routes.js';
import { createStorageRouter } from './modules/storage/storage.routes.js';
import { createUserAuthModule } from './modules/user-auth/user-auth.module.js';

/** The Public API's Express app. No env, no listen: main.ts and tests call this. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const { local } = deps.storage.manager;
  const app = createBaseApp(deps, {
    cors: publicCors(),
    beforeBody: local ? [createLocalFilesRouter(local, deps.storage.service)] : [],
  });
  app.use(createForgedKeyFilter(deps.keyIssuer, logger));
  app.use(
    createRateLimiter({
      cache: deps.cache,
      name: 'public-ip',
      windowMs: 60_000,
      limit: config.rateLimits.publicIpPerMin,
      logger,
    }),
  );
  app.use(requestLogMiddleware(deps.requestLogs));
  const guards = createPublicGuards(deps);
  app.use(
    '/api/data',
    createDataRouter({ reads: deps.data.reads, writes: deps.data.writes, trash: deps.data.trash, guard: guards.standard }),
  );
  app.use(
    '/api/realtime',
    createRealtimeRouter({
      hub: deps.realtimeHub,
      settings: config.realtimeServer ?? DEFAULT_REALTIME_SERVER,
      standard: guards.standard,
      apiKey: guards.apiKey,
      usage: guards.usage,
      charge: deps.usageCharge,
      secretOnly: guards.secretOnly,
    }),
  );
  const schemas = createSchemasService({ collections: deps.collections, apiKeys: deps.apiKeys });
  app.use('/api/schemas', createSchemasRouter(schemas, [guards.apiKey, guards.usage], guards.secretOnly));
  const authIpLimit = createRateLimiter({
    cache: deps.cache,
    name: 'auth-ip',
    windowMs: 15 * 60_000,
    limit: config.rateLimits.authIpPer15Min,
    logger,
  });
  app.use('/api/userAuth', createUserAuthModule(deps.userAuth, { guard: [guards.apiKey, guards.usage], ipLimit: authIpLimit }));
  app.use(
    '/api/storage',
    createStorageRouter({
      storage: deps.storage.service,
      uploadLimitBytes: deps.storage.config.uploadLimitBytes,
      guard: guards.standard,
      secretOnly: guards.secretOnly,
    }),
  );
  app.use(
    '/api/mail',
    createMailRouter({ mail: deps.mail.service, guard: [guards.apiKey, guards.usage], secretOnly: guards.secretOnly }),
  );
  app.use(
    '/api',
    createOpenApiRouter({ cache: createOpenApiCache(), serverUrl: config.urls.publicApi, guard: [guards.apiKey, guards.usage] }),
  );
  return finishApp(app, logger);
}
