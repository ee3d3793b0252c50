import { type ApiKeyResolver, createApiKeyResolver } from '@urbackend/common/api-keys';
import type { Logger } from '@urbackend/common/logger';
import { ensureSystemMailTemplates } from '@urbackend/common/mail-api';
import { ensurePlatformIndexes, requestLogModel } from '@urbackend/common/models';
import { type Platform, type PlatformOverrides, createPlatform } from '@urbackend/common/platform';
import { DEFAULT_REALTIME_SERVER } from '@urbackend/common/realtime';
import type { Config } from './config.js';
import { type RequestLogWriter, createRequestLogWriter } from './middleware/request-log.js';
import { type UsageCharge, createUsageCharge, createUsageCounter } from './middleware/usage.js';
import { type RealtimeHub, createRealtimeHub } from './modules/realtime/realtime.hub.js';
import { DEFAULT_USER_AUTH_SETTINGS, type UserAuthKit, createUserAuthKit } from './modules/user-auth/user-auth.kit.js';

/**
 * Everything the Public API needs, built once at boot (composition root): the platform (db,
 * cache, models, tenants, data, storage, mail, webhooks, `scopeFor`) plus what only this API has.
 */
export interface AppDeps extends Platform {
  config: Config;
  logger: Logger;
  /** API key → project, cached in Redis and in-process, invalidated over pub/sub. */
  apiKeys: ApiKeyResolver;
  /** Batched request log / analytics writer (`request_logs`). */
  requestLogs: RequestLogWriter;
  /** End-user auth services (`/api/userAuth`). */
  userAuth: UserAuthKit;
  /** Realtime connections of this process (SSE + WebSocket, docs/realtime.md). */
  realtimeHub: RealtimeHub;
  /** Charges one request to the project's plan quotas (429 when over): routes, realtime streams and upgrades. */
  usageCharge: UsageCharge;
  /** `details` of `GET /api/health`: this process's realtime metrics. */
  healthDetails(): Record<string, unknown>;
  /**
   * Starts this process's background work (main.ts, once): the webhook and mail queue workers,
   * cross-process storage invalidation, the expired-upload sweep (every minute) and the usage
   * reconciliation (every 10 minutes; one process at a time), and the system mail templates once
   * MongoDB answers.
   */
  start(): void;
  /** Closes the API-key resolver, the request log writer, then the platform. */
  close(): Promise<void>;
}

/** Expired presigned uploads are deleted (bytes and reservation) this often. */
const UPLOAD_SWEEP_INTERVAL_MS = 60_000;
/** Usage counters are recomputed from the data this often (they are also rebuilt whenever missing). */
const RECONCILE_INTERVAL_MS = 10 * 60_000;
/** Expired trash (docs/data-lifecycle.md) is purged hourly, one process at a time. */
const TRASH_PURGE_INTERVAL_MS = 60 * 60_000;
/** How often finished webhook deliveries and request-log entries past their retention are deleted (one process at a time). */
const RETENTION_INTERVAL_MS = 60 * 60_000;

/** Builds the app's dependencies; nothing connects here (main.ts calls `db.connect()` and `start()`). */
export function createDeps(config: Config, logger: Logger, overrides: PlatformOverrides = {}): AppDeps {
  const platform = createPlatform(config, logger, overrides);
  const { db, cache, models } = platform;
  const apiKeys = createApiKeyResolver({ models, cache, logger, issuer: platform.keyIssuer });
  const requestLogs = createRequestLogWriter({ model: requestLogModel(db.connection), logger });
  const userAuth = createUserAuthKit({
    settings: config.userAuth ?? DEFAULT_USER_AUTH_SETTINGS,
    isProduction: config.isProduction,
    publicApiUrl: config.urls.publicApi,
    dashboardUrl: config.urls.dashboard,
    authAccountPer15Min: config.rateLimits.authAccountPer15Min,
    cache,
    secretBox: platform.secretBox,
    projectJwtKey: platform.projectJwtKey,
    models,
    logger,
    hasher: platform.hasher,
    scopeFor: platform.scopeFor,
    mailer: platform.mailer,
    mailFrom: config.mail.from,
    onDataEvent: platform.onDataEvent,
    onSessionsRevoked: platform.revokeRealtimeUser,
  });
  const realtimeHub = createRealtimeHub({
    apiKeys,
    scopeFor: platform.scopeFor,
    secretBox: platform.secretBox,
    projectJwtKey: platform.projectJwtKey,
    cache,
    realtime: platform.realtime,
    logger,
    settings: config.realtimeServer ?? DEFAULT_REALTIME_SERVER,
  });
  const usageCounter = createUsageCounter(cache);
  let stopStorageListener: (() => Promise<void>) | null = null;
  const stopTasks: (() => void)[] = [];
  return {
    ...platform,
    config,
    logger,
    apiKeys,
    requestLogs,
    userAuth,
    realtimeHub,
    usageCharge: createUsageCharge(usageCounter),
    healthDetails: () => ({ realtime: realtimeHub.stats() }),
    start() {
      if (stopStorageListener) return;
      platform.webhooks.dispatcher.startWorker();
      platform.mail.service.startWorker();
      stopStorageListener = platform.storage.manager.listen(cache);
      const { maintenance } = platform;
      stopTasks.push(
        maintenance.sweepUploads.start(UPLOAD_SWEEP_INTERVAL_MS),
        maintenance.reconcileUsage.start(RECONCILE_INTERVAL_MS),
        maintenance.purgeTrash.start(TRASH_PURGE_INTERVAL_MS),
        maintenance.pruneDeliveries.start(RETENTION_INTERVAL_MS),
        maintenance.pruneRequestLogs.start(RETENTION_INTERVAL_MS),
      );
      // Unique indexes first (correctness: keys, sessions, one copy of each system template), then
      // the seed: a process never upserts a system template before the unique index exists.
      db.connect()
        .then(() => ensurePlatformIndexes(models))
        .then(() => ensureSystemMailTemplates(models.MailTemplate))
        .catch((err: Error) =>
          logger.error({ err: { message: err.message } }, 'could not ensure platform indexes and system mail templates'),
        );
    },
    async close() {
      for (const stop of stopTasks.splice(0)) stop();
      await realtimeHub.shutdown().catch(() => undefined);
      await Promise.allSettled([apiKeys.close(), requestLogs.close(), usageCounter.close(), stopStorageListener?.()]);
      await platform.close();
    },
  };
}
