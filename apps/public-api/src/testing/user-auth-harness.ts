/** Shared setup of the user-auth integration tests: a test platform, an SMTP sink and the app. */
import {
  type SmtpSink,
  type TestPlatform,
  createTestPlatform,
  createTestProject,
  startSmtpSink,
  testBaseConfig,
} from '@urbackend/common/testing';
import { createApp } from '../app.js';
import type { Config } from '../config.js';
import { type AppDeps, createDeps } from '../deps.js';
import { DEFAULT_USER_AUTH_SETTINGS } from '../modules/user-auth/user-auth.kit.js';

export const USERS_MODEL = [
  { key: 'email', type: 'String', required: true },
  { key: 'password', type: 'String', required: true },
  { key: 'username', type: 'String' },
  { key: 'nickname', type: 'String' },
  { key: 'bio', type: 'String' },
  { key: 'age', type: 'Number' },
] as const;

export interface UserAuthHarness {
  platform: TestPlatform;
  sink: SmtpSink;
  config: Config;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  /** Builds another app on the same platform with config overrides (plans, limits). */
  appWith(over: Partial<Config>): { deps: AppDeps; app: ReturnType<typeof createApp> };
  /** A project with auth on and the users schema above (options as `createTestProject`). */
  project(options?: Parameters<typeof createTestProject>[2]): ReturnType<typeof createTestProject>;
  close(): Promise<void>;
}

export async function startUserAuthHarness(label: string): Promise<UserAuthHarness> {
  const platform = await createTestPlatform(label);
  const sink = await startSmtpSink();
  const config = {
    ...testBaseConfig(platform),
    port: 0,
    rateLimits: { authIpPer15Min: 1000, authAccountPer15Min: 10, publicIpPerMin: 10_000 },
    plans: { defaultPlan: 'free', overrides: { free: { reqPerMinute: -1, reqPerDay: -1 } } },
    mail: { smtpUrl: sink.url, from: 'Platform <no-reply@platform.test>' },
    userAuth: DEFAULT_USER_AUTH_SETTINGS,
    bcryptCost: 4,
  } as Config;
  const built: AppDeps[] = [];
  const appWith = (over: Partial<Config>) => {
    const deps = createDeps({ ...config, ...over } as Config, platform.logger, { db: platform.db, cache: platform.cache });
    built.push(deps);
    return { deps, app: createApp(deps) };
  };
  const main = appWith({});
  await main.deps.models.UserSession.createIndexes();
  await main.deps.models.UserOtp.createIndexes();
  return {
    platform,
    sink,
    config,
    ...main,
    appWith,
    project: (options = {}) =>
      createTestProject(platform.db, main.deps.secretBox, {
        name: 'Acme App',
        collections: [{ name: 'users', model: [...USERS_MODEL] }],
        ...options,
      }),
    async close() {
      await Promise.allSettled(built.map((d) => d.close()));
      await sink.close();
      await platform.cleanup();
    },
  };
}
