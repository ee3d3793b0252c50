import {
  type BaseConfig,
  type EnvSource,
  baseEnvShape,
  baseProductionRequired,
  loadConfig,
  mapBaseEnv,
} from '@urbackend/common/config';
import { type PlatformConfig, mapPlatformEnv, platformEnvShape } from '@urbackend/common/platform';
import { z } from 'zod';
import { type UserAuthSettings, mapUserAuthEnv, userAuthEnvShape } from './modules/user-auth/user-auth.config.js';

const shape = {
  ...baseEnvShape,
  PUBLIC_PORT: z.coerce.number().int().min(0).max(65535).default(1235),
  RATE_LIMIT_PUBLIC_IP_PER_MIN: z.coerce.number().int().min(0).default(600),
  ...platformEnvShape,
  ...userAuthEnvShape,
};

/** The public API's configuration: the platform settings (plans, storage, delivery, query time, bcrypt) plus its own. */
export interface PublicConfig extends PlatformConfig {
  port: number;
  rateLimits: BaseConfig['rateLimits'] & { publicIpPerMin: number };
  /** End-user auth (USER_*_TOKEN_TTL, OAUTH_*); defaults when absent. */
  userAuth?: UserAuthSettings;
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
        ...mapPlatformEnv(env, { publicApiUrl: base.urls.publicApi, jwtSecret: env.JWT_SECRET }),
        userAuth: mapUserAuthEnv(env),
      };
    },
    baseProductionRequired,
  );
}

export type Config = ReturnType<typeof loadPublicConfig>;
