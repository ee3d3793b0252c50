import { z } from 'zod';
import {
  type BaseConfig,
  type DeepReadonly,
  type EnvSource,
  baseEnvShape,
  baseProductionRequired,
  loadConfig,
  mapBaseEnv,
} from '../config/index.js';
import { type PlanConfig, mapPlanEnv, planEnvShape } from '../plans/index.js';
import { type RealtimeStreamConfig, mapRealtimeStreamEnv, realtimeStreamEnvShape } from '../realtime/config.js';
import { type StorageAppConfig, mapStorageEnv, storageEnvShape } from '../storage/index.js';
import { type DeliveryConfig, deliveryEnvShape, mapDeliveryEnv } from '../webhooks/index.js';

/**
 * Variables of the project services both APIs run (plans, storage, delivery, query time limit,
 * end-user password cost). Each app's config extends `baseEnvShape` with this shape, so both
 * processes read them the same way. Documented in `.env.example`.
 */
export const platformEnvShape = {
  ...planEnvShape,
  ...storageEnvShape,
  ...deliveryEnvShape,
  ...realtimeStreamEnvShape,
  QUERY_MAX_TIME_MS: z.coerce.number().int().min(100).default(5000),
  LIST_COUNT_CACHE_SEC: z.coerce.number().int().min(0).max(3600).default(30),
  REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(10),
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(100_000).default(200),
};

type PlatformEnv = z.infer<z.ZodObject<typeof platformEnvShape>>;

/** The platform part of an app config (see `PlatformConfig`). */
export interface PlatformSettings {
  plans: PlanConfig;
  storage: StorageAppConfig;
  delivery: DeliveryConfig;
  queryMaxTimeMs: number;
  /** Lifetime of a cached list total in ms (0: off). */
  listCountCacheMs: number;
  /** Request-log entries older than this are deleted (REQUEST_LOG_RETENTION_DAYS, default 30; 0 keeps them). */
  requestLogRetentionMs: number;
  bcryptCost: number;
  /** Bounds of the password hasher (PASSWORD_HASH_CONCURRENCY, default the cores minus one; PASSWORD_HASH_QUEUE, default 200). */
  passwordHashing: { maxConcurrent?: number; maxQueued: number };
  realtime: RealtimeStreamConfig;
}

/** Maps the parsed platform variables; storage needs the public URL and the signing secret. */
export function mapPlatformEnv(env: PlatformEnv, base: { publicApiUrl: string; jwtSecret: string }): PlatformSettings {
  return {
    plans: mapPlanEnv(env),
    storage: mapStorageEnv(env, base.publicApiUrl, base.jwtSecret),
    delivery: mapDeliveryEnv(env),
    queryMaxTimeMs: env.QUERY_MAX_TIME_MS,
    listCountCacheMs: env.LIST_COUNT_CACHE_SEC * 1000,
    requestLogRetentionMs: env.REQUEST_LOG_RETENTION_DAYS * 86_400_000,
    bcryptCost: env.BCRYPT_COST,
    passwordHashing: { maxConcurrent: env.PASSWORD_HASH_CONCURRENCY, maxQueued: env.PASSWORD_HASH_QUEUE },
    realtime: mapRealtimeStreamEnv(env),
  };
}

type AppEnv<S extends z.ZodRawShape> = z.infer<z.ZodObject<typeof baseEnvShape & typeof platformEnvShape & S>>;

/**
 * Loads an API's configuration: the base variables, the platform variables and the app's own
 * `appShape`, mapped by `mapApp` (which receives the mapped base + platform settings to extend).
 * Throws `ConfigError` naming every bad variable; production requires `baseProductionRequired`.
 */
export function loadPlatformConfig<S extends z.ZodRawShape, T extends object>(
  appShape: S,
  source: EnvSource,
  mapApp: (env: AppEnv<S>, base: BaseConfig) => T,
): DeepReadonly<BaseConfig & PlatformSettings & T> {
  const shape = { ...baseEnvShape, ...platformEnvShape, ...appShape };
  return loadConfig(
    shape,
    source,
    (env) => {
      // zod cannot narrow the merged generic shape; every key of both parts is in it.
      const typed = env as AppEnv<S>;
      const base = mapBaseEnv(typed as unknown as Parameters<typeof mapBaseEnv>[0]);
      const platform = mapPlatformEnv(typed as unknown as PlatformEnv, {
        publicApiUrl: base.urls.publicApi,
        jwtSecret: base.security.jwtSecret,
      });
      return { ...base, ...platform, ...mapApp(typed, base) };
    },
    baseProductionRequired,
  );
}
