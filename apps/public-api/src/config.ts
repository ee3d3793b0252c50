import type { BaseConfig, DeepReadonly, EnvSource } from '@urbackend/common/config';
import { type PlatformConfig, loadPlatformConfig } from '@urbackend/common/platform';
import { type RealtimeServerConfig, mapRealtimeServerEnv, realtimeServerEnvShape } from '@urbackend/common/realtime';
import { z } from 'zod';
import { type UserAuthSettings, mapUserAuthEnv, userAuthEnvShape } from './modules/user-auth/user-auth.config.js';

/** The public API's own variables (documented in `.env.example`). */
const publicEnvShape = {
  PUBLIC_PORT: z.coerce.number().int().min(0).max(65535).default(1235),
  RATE_LIMIT_PUBLIC_IP_PER_MIN: z.coerce.number().int().min(0).default(600),
  ...userAuthEnvShape,
  ...realtimeServerEnvShape,
};

/** The public API's configuration: the platform settings (plans, storage, delivery, query time, bcrypt) plus its own. */
export interface PublicConfig extends PlatformConfig {
  port: number;
  rateLimits: BaseConfig['rateLimits'] & { publicIpPerMin: number };
  /** End-user auth (USER_*_TOKEN_TTL, OAUTH_*); defaults when absent. */
  userAuth?: UserAuthSettings;
  /** Realtime limits and timings (REALTIME_*); defaults when absent. */
  realtimeServer?: RealtimeServerConfig;
}

/** Loads the public API's configuration; throws `ConfigError` naming every bad variable. */
export function loadPublicConfig(source: EnvSource): DeepReadonly<PublicConfig> {
  return loadPlatformConfig(publicEnvShape, source, (env, base) => ({
    port: env.PUBLIC_PORT,
    rateLimits: { ...base.rateLimits, publicIpPerMin: env.RATE_LIMIT_PUBLIC_IP_PER_MIN },
    userAuth: mapUserAuthEnv(env),
    realtimeServer: mapRealtimeServerEnv(env),
  }));
}

export type Config = ReturnType<typeof loadPublicConfig>;
