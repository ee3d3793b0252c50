import type { Logger } from '@urbackend/common/logger';
import { type MailTemplatesService, createMailTemplatesService } from '@urbackend/common/mail-api';
import type { PlatformModels } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import type { PlatformServices } from '@urbackend/common/platform';
import {
  type StorageManager,
  type StorageService,
  createProjectStorage,
  defaultStorageAppConfig,
} from '@urbackend/common/storage';
import {
  DEFAULT_RETRY_DELAYS_MS,
  type WebhookDispatcher,
  type WebhookService,
  createSafeLookup,
  createWebhookDispatcher,
  createWebhookGuard,
  createWebhookService,
} from '@urbackend/common/webhooks';
import type { Config } from '../../config.js';
import type { ProjectCleanupHook } from '../projects/project-cleanup.js';

/** Files, webhooks and mail templates of the dashboard API. */
export interface DashboardFiles {
  storageManager: StorageManager;
  storage: StorageService;
  webhooks: WebhookService;
  /** Enqueues replays and dashboard data-edit events (delivered by the public-api worker). */
  dispatcher: WebhookDispatcher;
  mailTemplates: MailTemplatesService;
  /** Deletes a deleted project's objects in platform storage (register in `projectCleanupHooks`). */
  cleanupHook: ProjectCleanupHook;
  close(): Promise<void>;
}

export interface DashboardFilesInput {
  config: Config;
  logger: Logger;
  platform: PlatformServices;
  models: PlatformModels;
  plans: Plans;
}

/** Builds the dashboard's storage, webhook and mail-template services. */
export function createDashboardFiles(input: DashboardFilesInput): DashboardFiles {
  const { config, logger, models, plans } = input;
  const { cache, secretBox } = input.platform;
  const storageConfig = config.storage ?? defaultStorageAppConfig(config.urls.publicApi, config.security.jwtSecret);
  const { manager: storageManager, service: storage } = createProjectStorage({
    config: storageConfig,
    models,
    plans,
    cache,
    secretBox,
    logger,
  });
  const guard = createWebhookGuard(config.security.allowPrivateTargets);
  const lookup = createSafeLookup(config.security.allowPrivateTargets);
  const delivery = config.delivery;
  const dispatcher = createWebhookDispatcher({
    webhooks: models.Webhook,
    deliveries: models.WebhookDelivery,
    secretBox,
    logger,
    guard,
    lookup,
    redisUrl: config.redis.url,
    queuePrefix: `${cache.prefix}bull`,
    timeoutMs: delivery?.webhookTimeoutMs ?? 10_000,
    retryDelaysMs: delivery?.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
  });
  const webhooks = createWebhookService({
    webhooks: models.Webhook,
    deliveries: models.WebhookDelivery,
    secretBox,
    guard,
    lookup,
    allowHttp: config.security.allowPrivateTargets || !config.isProduction,
    timeoutMs: delivery?.webhookTimeoutMs ?? 10_000,
  });
  return {
    storageManager,
    storage,
    webhooks,
    dispatcher,
    mailTemplates: createMailTemplatesService(models.MailTemplate),
    async cleanupHook(project) {
      // The project's own (BYOD) bucket belongs to the developer: only platform storage is emptied.
      storageManager.invalidate(String(project._id));
      if (!project.resources?.storage?.isExternal) await storageManager.platform.deletePrefix(`${String(project._id)}/`);
    },
    async close() {
      await Promise.allSettled([dispatcher.close(), storageManager.close()]);
    },
  };
}
