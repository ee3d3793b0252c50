import type { Logger } from '@urbackend/common/logger';
import { type PlatformOverrides, type PlatformServices, createPlatformServices } from '@urbackend/common/platform';
import type { Config } from './config.js';

/** Everything the Dashboard API needs, built once at boot (composition root). */
export interface AppDeps extends PlatformServices {
  config: Config;
  logger: Logger;
}

/** Builds the app's dependencies; nothing connects here (main.ts calls `db.connect()`). */
export function createDeps(config: Config, logger: Logger, overrides: PlatformOverrides = {}): AppDeps {
  const platform = createPlatformServices(config, logger, overrides);
  return { ...platform, config, logger };
}
