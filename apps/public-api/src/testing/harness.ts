/** Shared set-up of the public API's integration tests: a real app on the file's own databases. */
import type { PlatformOverrides } from '@urbackend/common/platform';
import {
  type TestPlatform,
  type TestProjectOptions,
  createTestPlatform,
  createTestProject,
  testBaseConfig,
} from '@urbackend/common/testing';
import type { Express } from 'express';
import { createApp } from '../app.js';
import type { Config } from '../config.js';
import { type AppDeps, createDeps } from '../deps.js';

export interface Harness {
  platform: TestPlatform;
  deps: AppDeps;
  app: Express;
  project(options?: TestProjectOptions): ReturnType<typeof createTestProject>;
  close(): Promise<void>;
}

/** Config for tests: quotas off unless `plans` says otherwise. */
export function harnessConfig(platform: TestPlatform, extra: Partial<Config> = {}): Config {
  return {
    ...testBaseConfig(platform),
    port: 0,
    rateLimits: { authIpPer15Min: 100, authAccountPer15Min: 10, publicIpPerMin: 0 },
    plans: { defaultPlan: 'free', overrides: { free: { reqPerMinute: -1, reqPerDay: -1 } } },
    queryMaxTimeMs: 5000,
    ...extra,
  } as Config;
}

export async function createHarness(
  label: string,
  extra: Partial<Config> = {},
  overrides: PlatformOverrides = {},
): Promise<Harness> {
  const platform = await createTestPlatform(label);
  const deps = createDeps(harnessConfig(platform, extra), platform.logger, {
    db: platform.db,
    cache: platform.cache,
    ...overrides,
  });
  const app = createApp(deps);
  return {
    platform,
    deps,
    app,
    project: (options) => createTestProject(platform.db, deps.secretBox, options),
    async close() {
      await deps.close();
      await platform.cleanup();
    },
  };
}
