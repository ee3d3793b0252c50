import { type ApiKeyResolver, createApiKeyResolver } from '@urbackend/common/api-keys';
import { createCollectionService } from '@urbackend/common/collections';
import type { Logger } from '@urbackend/common/logger';
import { type PlatformModels, createPlatformModels, requestLogModel } from '@urbackend/common/models';
import { assertPublicMongoUri } from '@urbackend/common/outbound';
import { type Plans, createPlans } from '@urbackend/common/plans';
import { type PlatformOverrides, type PlatformServices, createPlatformServices } from '@urbackend/common/platform';
import {
  type ByodConnections,
  type TenantDatabases,
  createByodConnections,
  createModelRegistry,
  createTenantDatabases,
} from '@urbackend/common/tenant';
import type { Config } from './config.js';
import type { DataEventHandler } from './data-events.js';
import { type RequestLogWriter, createRequestLogWriter } from './middleware/request-log.js';
import { type DataReadService, createDataReadService } from './modules/data/data-read.service.js';
import { type DataWriteService, createDataWriteService } from './modules/data/data-write.service.js';
import { createDbQuota } from './modules/data/quota.js';
import { type SchemasService, createSchemasService } from './modules/schemas/schemas.service.js';
import { type FilesMailWebhooks, createFilesMailWebhooks } from './modules/storage/storage.deps.js';
import { DEFAULT_USER_AUTH_SETTINGS, type UserAuthKit, createUserAuthKit } from './modules/user-auth/user-auth.kit.js';

/** Everything the Public API needs, built once at boot (composition root). */
export interface AppDeps extends PlatformServices {
  config: Config;
  logger: Logger;
  /** Platform models (projects, developers) on the platform connection. */
  models: PlatformModels;
  /** API key → project, cached in Redis and in-process, invalidated over pub/sub. */
  apiKeys: ApiKeyResolver;
  /** BYOD connection manager (one small pool per BYOD project, LRU + idle sweep). */
  byod: ByodConnections;
  /** Tenant data access (`tenants.forProject(project)`). */
  tenants: TenantDatabases;
  /** Hook after data writes (webhooks); a no-op by default. See `data-events.ts`. */
  onDataEvent: DataEventHandler;
  /** Plan quotas (`plans.limitsFor(project.owner, project.customLimits)`). */
  plans: Plans;
  dataReads: DataReadService;
  dataWrites: DataWriteService;
  schemas: SchemasService;
  /** Batched request log / analytics writer (`request_logs`). */
  requestLogs: RequestLogWriter;
  /** End-user auth services (`/api/userAuth`). */
  userAuth: UserAuthKit;
  /** Storage, mail API and webhooks (`/api/storage`, `/api/mail`, data-event webhooks). */
  files: FilesMailWebhooks;
}

/** Test/boot overrides on top of the platform ones. */
export interface PublicOverrides extends PlatformOverrides {
  onDataEvent?: DataEventHandler;
}

/** Builds the app's dependencies; nothing connects here (main.ts calls `db.connect()`). */
export function createDeps(config: Config, logger: Logger, overrides: PublicOverrides = {}): AppDeps {
  const platform = createPlatformServices(config, logger, overrides);
  const models = createPlatformModels(platform.db.connection);
  const apiKeys = createApiKeyResolver({ models, cache: platform.cache, logger });
  const byod = createByodConnections({
    secretBox: platform.secretBox,
    logger,
    checkTarget: (uri) => assertPublicMongoUri(uri, { allowPrivateTargets: config.security.allowPrivateTargets }),
  });
  const tenants = createTenantDatabases(platform.db, byod, createModelRegistry());
  const plans = createPlans(config.plans);
  const files = createFilesMailWebhooks({
    ...{ config, logger, models, plans, cache: platform.cache, secretBox: platform.secretBox, mailer: platform.mailer },
    whenDbReady: () => platform.db.connect(),
  });
  const onDataEvent = overrides.onDataEvent ?? files.onDataEvent;
  const maxTimeMs = config.queryMaxTimeMs ?? 5000;
  const requestLogs = createRequestLogWriter({ model: requestLogModel(platform.db.connection), logger });
  const collections = createCollectionService({
    Project: models.Project,
    cache: platform.cache,
    logger,
    async tenantConnection(project) {
      const tenant = tenants.forProject(await apiKeysProject(models, String(project._id)));
      const conn = await tenant.connection();
      return { conn, kind: tenant.isExternal ? 'unknown' : platform.db.serverKind() };
    },
  });
  return {
    ...platform,
    config,
    logger,
    models,
    apiKeys,
    byod,
    tenants,
    onDataEvent,
    plans,
    dataReads: createDataReadService({ maxTimeMs, regexMaxTimeMs: Math.min(2000, maxTimeMs) }),
    dataWrites: createDataWriteService({ quota: createDbQuota(models, plans, platform.cache), onDataEvent, logger, maxTimeMs }),
    schemas: createSchemasService({ collections, plans, apiKeys }),
    requestLogs,
    userAuth: createUserAuthKit({
      settings: config.userAuth ?? DEFAULT_USER_AUTH_SETTINGS,
      isProduction: config.isProduction,
      publicApiUrl: config.urls.publicApi,
      dashboardUrl: config.urls.dashboard,
      authAccountPer15Min: config.rateLimits.authAccountPer15Min,
      cache: platform.cache,
      secretBox: platform.secretBox,
      models,
      tenants,
      logger,
      plans,
      mailer: platform.mailer,
      mailFrom: config.mail.from,
    }),
    files,
    async close() {
      await Promise.allSettled([apiKeys.close(), byod.close(), files.close(), requestLogs.close()]);
      await platform.close();
    },
  };
}

/** The BYOD settings of a project, for the collection service's tenant connection. */
async function apiKeysProject(models: PlatformModels, projectId: string) {
  const doc = await models.Project.findById(projectId).select('resources').lean();
  const db = doc?.resources?.db ?? { isExternal: false, config: null };
  return { _id: projectId, resources: { db, storage: { isExternal: false, config: null } } };
}
