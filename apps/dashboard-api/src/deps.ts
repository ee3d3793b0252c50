import type { Logger } from '@urbackend/common/logger';
import { ensureSystemMailTemplates } from '@urbackend/common/mail-api';
import { type PlatformOverrides, type PlatformServices, createPlatformServices } from '@urbackend/common/platform';
import type { Config } from './config.js';
import { type DashboardFiles, createDashboardFiles } from './modules/storage/files.deps.js';
import { type DashboardServices, createDashboardServices } from './services.js';

/** Everything the Dashboard API needs, built once at boot (composition root). */
export interface AppDeps extends PlatformServices, DashboardServices {
  config: Config;
  logger: Logger;
  /** Storage files, webhooks (admin + replay queue) and mail templates. */
  files: DashboardFiles;
}

/** Builds the app's dependencies; nothing connects here (main.ts calls `db.connect()`). */
export function createDeps(config: Config, logger: Logger, overrides: PlatformOverrides = {}): AppDeps {
  const platform = createPlatformServices(config, logger, overrides);
  const dashboard = createDashboardServices(config, logger, platform);
  const files = createDashboardFiles({ config, logger, platform, models: dashboard.models, plans: dashboard.plans });
  dashboard.projectCleanupHooks.push(files.cleanupHook);
  dashboard.dataHooks.push((event) => {
    files.dispatcher
      .dispatch(event)
      .catch((err: unknown) => logger.warn({ err, projectId: event.projectId }, 'webhook dispatch failed'));
  });
  return {
    ...platform,
    ...dashboard,
    config,
    logger,
    files,
    async startup() {
      await dashboard.startup();
      await ensureSystemMailTemplates(dashboard.models.MailTemplate);
    },
    async close() {
      await files.close();
      await dashboard.closeDashboard();
      await platform.close();
    },
  };
}
