import {
  type BaseConfig,
  type EnvSource,
  baseEnvShape,
  baseProductionRequired,
  loadConfig,
  mapBaseEnv,
} from '@urbackend/common/config';
import { type PlanConfig, mapPlanEnv, planEnvShape } from '@urbackend/common/plans';
import { type StorageAppConfig, mapStorageEnv, storageEnvShape } from '@urbackend/common/storage';
import { type DeliveryConfig, deliveryEnvShape, mapDeliveryEnv } from '@urbackend/common/webhooks';
import { z } from 'zod';
import { type UserAuthSettings, mapUserAuthEnv, userAuthEnvShape } from './modules/user-auth/user-auth.config.js';

const shape = {
  ...baseEnvShape,
  PUBLIC_PORT: z.coerce.number().int().min(0).max(65535).default(1235),
  RATE_LIMIT_PUBLIC_IP_PER_MIN: z.coerce.number().int().min(0).default(600),
  ...planEnvShape,
  QUERY_MAX_TIME_MS: z.coerce.number().int().min(100).default(5000),
  ...userAuthEnvShape,
  ...storageEnvShape,
  ...deliveryEnvShape,
};

export interface PublicConfig extends BaseConfig {
  port: number;
  rateLimits: BaseConfig['rateLimits'] & { publicIpPerMin: number };
  /** Plan table (DEFAULT_PLAN, PLAN_LIMITS); built-in plans when absent. */
  plans?: PlanConfig;
  /** Time limit of every data query (QUERY_MAX_TIME_MS); regex filters get min(2000, this). */
  queryMaxTimeMs?: number;
  /** End-user auth (USER_*_TOKEN_TTL, BCRYPT_COST, OAUTH_*, SMTP_URL, MAIL_FROM); defaults when absent. */
  userAuth?: UserAuthSettings;
  /** File storage (STORAGE_*, SUPABASE_*, S3_*, UPLOAD_LIMIT_BYTES); local defaults when absent. */
  storage?: StorageAppConfig;
  /** Webhook/mail delivery (WEBHOOK_*, MAIL_RETRY_DELAYS_MS); defaults when absent. */
  delivery?: DeliveryConfig;
}

/** Loads the public API's configuration; throws `ConfigError` naming every bad variable. */
export function loadPublicConfig(source: EnvSource) {
  return loadConfig(
    shape,
    source,
    (env): PublicConfig => {
      const base = mapBaseEnv(env);
      return {
        ...base,
        port: env.PUBLIC_PORT,
        rateLimits: { ...base.rateLimits, publicIpPerMin: env.RATE_LIMIT_PUBLIC_IP_PER_MIN },
        plans: mapPlanEnv(env),
        queryMaxTimeMs: env.QUERY_MAX_TIME_MS,
        userAuth: mapUserAuthEnv(env),
        storage: mapStorageEnv(env, base.urls.publicApi, env.JWT_SECRET),
        delivery: mapDeliveryEnv(env),
      };
    },
    baseProductionRequired,
  );
}

export type Config = ReturnType<typeof loadPublicConfig>;
