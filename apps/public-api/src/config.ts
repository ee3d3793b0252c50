import {
  type BaseConfig,
  type EnvSource,
  baseEnvShape,
  baseProductionRequired,
  loadConfig,
  mapBaseEnv,
} from '@urbackend/common/config';
import { z } from 'zod';

const shape = {
  ...baseEnvShape,
  PUBLIC_PORT: z.coerce.number().int().min(0).max(65535).default(1235),
  RATE_LIMIT_PUBLIC_IP_PER_MIN: z.coerce.number().int().min(0).default(600),
};

export interface PublicConfig extends BaseConfig {
  port: number;
  rateLimits: BaseConfig['rateLimits'] & { publicIpPerMin: number };
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
      };
    },
    baseProductionRequired,
  );
}

export type Config = ReturnType<typeof loadPublicConfig>;
