import type { Cache } from '@urbackend/common/cache';
import type { SecretBox } from '@urbackend/common/crypto';
import type { Logger } from '@urbackend/common/logger';
import type { Mailer } from '@urbackend/common/mail';
import { type MailService, createMailQuota, createMailService, ensureSystemMailTemplates } from '@urbackend/common/mail-api';
import type { PlatformModels } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import {
  type StorageAppConfig,
  type StorageManager,
  type StorageService,
  createProjectStorage,
  defaultStorageAppConfig,
} from '@urbackend/common/storage';
import {
  DEFAULT_RETRY_DELAYS_MS,
  type DeliveryConfig,
  type WebhookDispatcher,
  createSafeLookup,
  createWebhookDispatcher,
  createWebhookGuard,
} from '@urbackend/common/webhooks';
import type { Config } from '../../config.js';
import type { DataEventHandler } from '../../data-events.js';

/** Files, mail and webhooks of the public API (built in `deps.ts`). */
export interface FilesMailWebhooks {
  storageManager: StorageManager;
  storage: StorageService;
  storageConfig: StorageAppConfig;
  webhooks: WebhookDispatcher;
  mail: MailService;
  /** Enqueues webhooks for every data event. */
  onDataEvent: DataEventHandler;
  /** Starts the queue workers, cross-process storage invalidation and seeds system mail templates (main.ts). */
  start(): void;
  close(): Promise<void>;
}

export interface FilesMailWebhooksInput {
  config: Config;
  logger: Logger;
  cache: Cache;
  secretBox: SecretBox;
  models: PlatformModels;
  plans: Plans;
  /** The platform mailer (owned and closed by the platform services). */
  mailer: Mailer;
  whenDbReady: () => Promise<void>;
}

/** Local storage under `.data/storage` with a key derived from JWT_SECRET (tests and configs without STORAGE_*). */
export function defaultStorageConfig(config: Pick<Config, 'urls' | 'security'>): StorageAppConfig {
  return defaultStorageAppConfig(config.urls.publicApi, config.security.jwtSecret);
}

const defaultDelivery: DeliveryConfig = {
  webhookTimeoutMs: 10_000,
  webhookRetryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
  webhookConcurrency: 5,
};

/** Builds storage, mail and webhook services (no connections until used or `start()`). */
export function createFilesMailWebhooks(input: FilesMailWebhooksInput): FilesMailWebhooks {
  const { config, logger, cache, secretBox, models, plans } = input;
  const storageConfig = config.storage ?? defaultStorageConfig(config);
  const delivery = config.delivery ?? defaultDelivery;
  const queuePrefix = `${cache.prefix}bull`;
  const { manager: storageManager, service: storage } = createProjectStorage({
    config: storageConfig,
    models,
    plans,
    cache,
    secretBox,
    logger,
  });
  const webhooks = createWebhookDispatcher({
    webhooks: models.Webhook,
    deliveries: models.WebhookDelivery,
    secretBox,
    logger,
    guard: createWebhookGuard(config.security.allowPrivateTargets),
    lookup: createSafeLookup(config.security.allowPrivateTargets),
    redisUrl: config.redis.url,
    queuePrefix,
    timeoutMs: delivery.webhookTimeoutMs,
    retryDelaysMs: delivery.webhookRetryDelaysMs,
    concurrency: delivery.webhookConcurrency,
  });
  const mail = createMailService({
    projects: models.Project,
    templates: models.MailTemplate,
    deliveries: models.MailDelivery,
    secretBox,
    quota: createMailQuota(cache),
    platformMailer: input.mailer,
    logger,
    isProduction: config.isProduction,
    redisUrl: config.redis.url,
    queuePrefix,
    retryDelaysMs: delivery.mailRetryDelaysMs,
  });
  let stopListening: (() => Promise<void>) | null = null;
  return {
    storageManager,
    storage,
    storageConfig,
    webhooks,
    mail,
    onDataEvent: async (ctx, event) => {
      await webhooks.dispatch({ projectId: ctx.projectId, ...event });
    },
    start() {
      webhooks.startWorker();
      mail.startWorker();
      stopListening ??= storageManager.listen(cache);
      input
        .whenDbReady()
        .then(() => ensureSystemMailTemplates(models.MailTemplate))
        .catch((err: Error) => logger.warn({ err: { message: err.message } }, 'could not seed system mail templates'));
    },
    async close() {
      await Promise.allSettled([webhooks.close(), mail.close(), storageManager.close(), stopListening?.()]);
    },
  };
}
