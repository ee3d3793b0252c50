import type { KeyObject } from 'node:crypto';
import { type RedisConnection, createRedisConnection } from '../cache/index.js';
import { type CollectionService, createCollectionService } from '../collections/index.js';
import type { BaseConfig } from '../config/index.js';
import { type ApiKeyIssuer, type SecretBox, createApiKeyIssuer, createSecretBox } from '../crypto/index.js';
import {
  type DataEventHandler,
  type DataServices,
  advanceDataVersions,
  createCountCache,
  createDataServices,
} from '../data/index.js';
import { type PlatformDb, createPlatformDb, deleteInBatches } from '../db/index.js';
import { type EndUserAdmin, createEndUserAdmin } from '../end-users/index.js';
import { type PeriodicTask, createPeriodicTask } from '../jobs/index.js';
import { createTrashPurge } from '../lifecycle/index.js';
import type { Logger } from '../logger/index.js';
import {
  type MailDeliveryLog,
  type MailService,
  type MailTemplatesService,
  createMailDeliveryLog,
  createMailQuota,
  createMailService,
  createMailTemplatesService,
} from '../mail-api/index.js';
import { type Mailer, createMailer } from '../mail/index.js';
import { type PlatformModels, authClaimModel, createPlatformModels, requestLogModel } from '../models/index.js';
import { assertPublicMongoUri } from '../outbound/index.js';
import { type PlanConfig, type Plans, createPlans } from '../plans/index.js';
import { DEFAULT_REALTIME_STREAM, type RealtimeBus, type RealtimeStreamConfig, createRealtimeBus } from '../realtime/index.js';
import type { Actor, ProjectScope, ScopedProject } from '../scope/index.js';
import {
  type StorageAppConfig,
  type StorageManager,
  type StorageService,
  createProjectStorage,
  defaultStorageAppConfig,
} from '../storage/index.js';
import {
  type ByodConnections,
  type TenantDatabases,
  createByodConnections,
  createModelRegistry,
  createTenantDatabases,
} from '../tenant/index.js';
import { type UsageMeter, createUsageMeter, createUsageReconciler, createUsageSources } from '../usage/index.js';
import { type PasswordHasher, createOtpService, createPasswordHasher, createProjectJwtKeys } from '../user-auth/index.js';
import {
  DEFAULT_RETRY_DELAYS_MS,
  type DeliveryConfig,
  type HookIndex,
  type WebhookDispatcher,
  type WebhookService,
  createDeliveryStore,
  createHookIndex,
  createSafeLookup,
  createWebhookDispatcher,
  createWebhookGuard,
  createWebhookService,
} from '../webhooks/index.js';

/** The trash purge task (docs/data-lifecycle.md) and its per-project entry point (tests). */
export type TrashPurge = ReturnType<typeof createTrashPurge>;

export { loadPlatformConfig, mapPlatformEnv, platformEnvShape, type PlatformSettings } from './config.js';

/**
 * What the platform builder reads: the base config plus the project-service settings both APIs
 * share. Absent optional parts get the documented defaults (tests pass only what they change).
 */
export interface PlatformConfig extends BaseConfig {
  /** Plan table (DEFAULT_PLAN, PLAN_LIMITS); built-in plans when absent. */
  plans?: PlanConfig;
  /** File storage (STORAGE_*, SUPABASE_*, S3_*, UPLOAD_LIMIT_BYTES); local defaults when absent. */
  storage?: StorageAppConfig;
  /** Webhook/mail delivery (WEBHOOK_*, MAIL_RETRY_DELAYS_MS). */
  delivery?: DeliveryConfig;
  /** Time limit of every data query (QUERY_MAX_TIME_MS, default 5000). */
  queryMaxTimeMs?: number;
  /** Lifetime of a cached list total (LIST_COUNT_CACHE_SEC, default 30 s; 0 = count every list). */
  listCountCacheMs?: number;
  /** Age after which request-log entries are deleted (REQUEST_LOG_RETENTION_DAYS, default 30 days; 0 keeps them). */
  requestLogRetentionMs?: number;
  /** bcrypt cost of end-user passwords (BCRYPT_COST, default 10). */
  bcryptCost?: number;
  /** Bounds of concurrent password hashing (PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE); defaults when absent. */
  passwordHashing?: { maxConcurrent?: number; maxQueued?: number };
  /** Realtime stream bounds (REALTIME_STREAM_MAXLEN, REALTIME_STREAM_MAX_AGE_SEC); defaults when absent. */
  realtime?: RealtimeStreamConfig;
}

export interface PlatformOverrides {
  /** Use an existing db (tests). */
  db?: PlatformDb;
  /** Use an existing cache (tests). */
  cache?: RedisConnection;
  /** Replaces the data-event handler (default: enqueue webhooks and publish to the realtime bus). */
  onDataEvent?: DataEventHandler;
}

/**
 * Everything both APIs build from the config, once per process: connections, models, plans,
 * tenants and every project service. Each app's `deps.ts` adds only what is its own.
 */
export interface Platform {
  db: PlatformDb;
  cache: RedisConnection;
  secretBox: SecretBox;
  /** The key that signs a project's end-user tokens (decrypted once per process, see `createProjectJwtKeys`). */
  projectJwtKey(project: { _id: string; jwtSecret: string }): KeyObject;
  /** Issues API keys carrying a check value, and tells forged keys apart in memory. */
  keyIssuer: ApiKeyIssuer;
  /** The platform mailer (`SMTP_URL`, `MAIL_FROM`): one transport per process, shared by every feature that mails. */
  mailer: Mailer;
  models: PlatformModels;
  plans: Plans;
  /** BYOD connection manager (one small pool per BYOD project, LRU + idle sweep). */
  byod: ByodConnections;
  tenants: TenantDatabases;
  /** The one password hasher (`BCRYPT_COST`): end users, developers, OTP codes. */
  hasher: PasswordHasher;
  /** Usage counters of every project (database bytes, storage bytes, mails per month). */
  meter: UsageMeter;
  /**
   * Maintenance every process may schedule (each runs in one process at a time): usage
   * reconciliation from the data, deletion of expired pending uploads with their bytes, the trash
   * purge, and the retention of the webhook delivery log and of the request log.
   */
  maintenance: {
    reconcileUsage: PeriodicTask;
    sweepUploads: PeriodicTask;
    purgeTrash: TrashPurge;
    /** Deletes finished webhook deliveries older than `WEBHOOK_DELIVERY_RETENTION_DAYS`. */
    pruneDeliveries: PeriodicTask;
    /** Deletes request-log entries older than `REQUEST_LOG_RETENTION_DAYS`. */
    pruneRequestLogs: PeriodicTask;
  };
  collections: CollectionService;
  data: DataServices;
  /** Developer administration of a project's end users. */
  endUsers: EndUserAdmin;
  storage: { manager: StorageManager; service: StorageService; config: StorageAppConfig };
  webhooks: { service: WebhookService; dispatcher: WebhookDispatcher; hookIndex: HookIndex };
  mail: { service: MailService; templates: MailTemplatesService; deliveries: MailDeliveryLog };
  /** Realtime events: one Redis stream per project (`packages/common/src/realtime`, docs/realtime.md). */
  realtime: RealtimeBus;
  /** The data-event handler every write path calls (webhooks + realtime), for writes made outside the data services. */
  onDataEvent: DataEventHandler;
  /** Closes an end user's realtime connections on every process (sessions revoked; `sessionId` null: all of them). */
  revokeRealtimeUser(projectId: string, userId: string, sessionId: string | null): void;
  /** The project scope of a request: the project, its tenant handle, its limits and the actor. */
  scopeFor<P extends ScopedProject>(project: P, actor: Actor): ProjectScope<P>;
  /**
   * Closes queues, storage clients, BYOD pools and the mailer, then the cache and the database
   * pool unless they were passed in as overrides (their owner closes them).
   */
  close(): Promise<void>;
}

/** `REQUEST_LOG_RETENTION_DAYS`' default: 30 days, the longest range the analytics show. */
const DEFAULT_REQUEST_LOG_RETENTION_MS = 30 * 86_400_000;

const DEFAULT_DELIVERY: DeliveryConfig = {
  webhookTimeoutMs: 10_000,
  webhookRetryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
  webhookConcurrency: 5,
  webhookDeliveryRetentionMs: 30 * 86_400_000,
};

function connect(config: BaseConfig, logger: Logger, overrides: PlatformOverrides) {
  const db =
    overrides.db ??
    createPlatformDb({ uri: config.mongodb.uri, timeoutMs: config.mongodb.timeoutMs, poolSize: config.mongodb.poolSize, logger });
  const cache =
    overrides.cache ??
    createRedisConnection({
      ...config.redis,
      logger,
    });
  if (!cache.client) {
    logger.warn(
      'No Redis configured (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES): SINGLE-PROCESS MODE (caches, rate limits and counters live in this process only)',
    );
  }
  return { db, cache };
}

function createWebhooks(
  config: PlatformConfig,
  deps: { models: PlatformModels; secretBox: SecretBox; logger: Logger; cache: RedisConnection },
) {
  const { models, secretBox, logger } = deps;
  const delivery = config.delivery ?? DEFAULT_DELIVERY;
  const guard = createWebhookGuard(config.security.allowPrivateTargets);
  const lookup = createSafeLookup(config.security.allowPrivateTargets);
  const hookIndex = createHookIndex({ webhooks: models.Webhook, cache: deps.cache, logger });
  const deliveries = createDeliveryStore(models);
  const dispatcher = createWebhookDispatcher({
    hooksOf: (projectId) => hookIndex.hooksOf(projectId),
    webhooks: models.Webhook,
    deliveries,
    secretBox,
    logger,
    guard,
    lookup,
    redis: config.redis,
    queuePrefix: `${deps.cache.prefix}bull`,
    timeoutMs: delivery.webhookTimeoutMs,
    retryDelaysMs: delivery.webhookRetryDelaysMs,
    concurrency: delivery.webhookConcurrency,
  });
  const service = createWebhookService({
    onChange: (projectId) => hookIndex.changed(projectId),
    webhooks: models.Webhook,
    deliveries,
    secretBox,
    guard,
    lookup,
    allowHttp: config.security.allowPrivateTargets || !config.isProduction,
    timeoutMs: delivery.webhookTimeoutMs,
  });
  return { service, dispatcher, hookIndex };
}

function createMail(
  config: PlatformConfig,
  deps: {
    models: PlatformModels;
    secretBox: SecretBox;
    logger: Logger;
    cache: RedisConnection;
    mailer: Mailer;
    meter: UsageMeter;
  },
) {
  const { models, logger } = deps;
  const service = createMailService({
    projects: models.Project,
    templates: models.MailTemplate,
    deliveries: models.MailDelivery,
    secretBox: deps.secretBox,
    quota: createMailQuota(deps.meter),
    platformMailer: deps.mailer,
    logger,
    isProduction: config.isProduction,
    redis: config.redis,
    queuePrefix: `${deps.cache.prefix}bull`,
    retryDelaysMs: config.delivery?.mailRetryDelaysMs,
  });
  return {
    service,
    templates: createMailTemplatesService(models.MailTemplate),
    deliveries: createMailDeliveryLog(models.MailDelivery, logger),
  };
}

/** Builds the platform (nothing connects here: call `db.connect()`). Logs loudly without Redis. */
export function createPlatform(config: PlatformConfig, logger: Logger, overrides: PlatformOverrides = {}): Platform {
  const { db, cache } = connect(config, logger, overrides);
  const secretBox = createSecretBox(config.security.encryptionKey, config.security.previousEncryptionKeys);
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    logger,
    isProduction: config.isProduction,
  });
  const models = createPlatformModels(db.connection);
  const plans = createPlans(config.plans);
  const outbound = { allowPrivateTargets: config.security.allowPrivateTargets };
  const byod = createByodConnections({ secretBox, logger, checkTarget: (uri) => assertPublicMongoUri(uri, outbound) });
  const tenants = createTenantDatabases(db, byod, createModelRegistry());
  const hasher = createPasswordHasher({ cost: config.bcryptCost ?? 10, ...config.passwordHashing });
  const meter = createUsageMeter({ cache, logger, sources: createUsageSources(models, tenants) });
  const storageConfig = config.storage ?? defaultStorageAppConfig(config.urls.publicApi, config.security.jwtSecret);
  const storage = createProjectStorage({ config: storageConfig, models, meter, secretBox, logger });
  const webhooks = createWebhooks(config, { models, secretBox, logger, cache });
  const mail = createMail(config, { models, secretBox, logger, cache, mailer, meter });
  const realtime = createRealtimeBus({ cache, logger, ...(config.realtime ?? DEFAULT_REALTIME_STREAM) });
  const override = overrides.onDataEvent;
  // Writers await this before answering. Webhooks are enqueued without delaying the answer (they
  // get the event as they always did); the realtime stream, which also advances the collection's
  // data version (the list-count cache), is written before it.
  const onDataEvent: DataEventHandler = override
    ? async (scope, event) => {
        // A test's hook replaces webhooks and realtime; data versions must still advance.
        await Promise.all([override(scope, event), advanceDataVersions(cache, scope.project._id, [event.collection])]);
      }
    : async (scope, event) => {
        const { before: _before, changedFields: _changed, ...webhookEvent } = event;
        void webhooks.dispatcher.dispatch({ projectId: scope.project._id, ...webhookEvent });
        await realtime.publish(scope.project._id, event);
      };
  const counts = createCountCache({ cache, ttlMs: config.listCountCacheMs ?? 30_000 });
  const revokeRealtimeUser = (projectId: string, userId: string, sessionId: string | null) =>
    void realtime.publishControl(projectId, {
      kind: 'revoke',
      userId,
      reason: 'user-revoked',
      ...(sessionId ? { sessionId } : {}),
    });
  return {
    db,
    cache,
    secretBox,
    projectJwtKey: createProjectJwtKeys(secretBox),
    keyIssuer: createApiKeyIssuer(config.security.encryptionKey, config.security.previousEncryptionKeys),
    mailer,
    models,
    plans,
    byod,
    tenants,
    hasher,
    collections: createCollectionService({ Project: models.Project, cache, logger }),
    meter,
    maintenance: {
      purgeTrash: createTrashPurge({ Project: models.Project, tenants, meter, cache, logger }),
      reconcileUsage: createUsageReconciler({ meter, Project: models.Project, cache, logger }),
      sweepUploads: createPeriodicTask({
        name: 'upload-sweep',
        cache,
        logger,
        lockMs: 5 * 60_000,
        run: () => storage.service.sweepExpired(),
      }),
      pruneDeliveries: createPeriodicTask({
        name: 'webhook-delivery-prune',
        cache,
        logger,
        lockMs: 5 * 60_000,
        run: async () => {
          const keepMs = (config.delivery ?? DEFAULT_DELIVERY).webhookDeliveryRetentionMs;
          return keepMs > 0 ? webhooks.service.pruneDeliveries(new Date(Date.now() - keepMs)) : 0;
        },
      }),
      pruneRequestLogs: createPeriodicTask({
        name: 'request-log-prune',
        cache,
        logger,
        lockMs: 5 * 60_000,
        run: async () => {
          const keepMs = config.requestLogRetentionMs ?? DEFAULT_REQUEST_LOG_RETENTION_MS;
          if (keepMs <= 0) return 0;
          return deleteInBatches(requestLogModel(db.connection), { at: { $lt: new Date(Date.now() - keepMs) } });
        },
      }),
    },
    data: createDataServices({
      meter,
      logger,
      hasher,
      maxTimeMs: config.queryMaxTimeMs ?? 5000,
      onDataEvent,
      counts,
      revokeUserSessions: async (projectId, userId) => {
        await models.UserSession.updateMany({ projectId, userId, revokedAt: null }, { $set: { revokedAt: new Date() } });
        revokeRealtimeUser(projectId, userId, null);
      },
    }),
    endUsers: createEndUserAdmin({
      UserSession: models.UserSession,
      hasher,
      onDataEvent,
      logger,
      onSessionsRevoked: revokeRealtimeUser,
      // The same code store and sender as the public API's request-password-reset.
      resetMail: {
        otp: createOtpService({ model: models.UserOtp, claims: authClaimModel(models.UserOtp.db) }),
        mailer,
        mailFrom: config.mail.from,
      },
    }),
    storage: { ...storage, config: storageConfig },
    webhooks,
    mail,
    realtime,
    onDataEvent,
    revokeRealtimeUser,
    scopeFor: (project, actor) => ({
      project,
      tenant: tenants.forProject(project),
      limits: plans.limitsFor(project.owner, project.customLimits),
      actor,
    }),
    async close() {
      await Promise.allSettled([
        webhooks.dispatcher.close(),
        webhooks.hookIndex.close(),
        mail.service.close(),
        storage.manager.close(),
        byod.close(),
        realtime.close(),
      ]);
      mailer.close();
      await Promise.allSettled([overrides.cache ? null : cache.close(), overrides.db ? null : db.close()]);
    },
  };
}
