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
  DASHBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(1234),
  RATE_LIMIT_DASHBOARD_IP_PER_15MIN: z.coerce.number().int().min(0).default(1000),
};

export interface DashboardConfig extends BaseConfig {
  port: number;
  rateLimits: BaseConfig['rateLimits'] & { dashboardIpPer15Min: number };
}

/** Loads the dashboard API's configuration; throws `ConfigError` naming every bad variable. */
export function loadDashboardConfig(source: EnvSource) {
  return loadConfig(
    shape,
    source,
    (env): DashboardConfig => {
      const base = mapBaseEnv(env);
      return {
        ...base,
        port: env.DASHBOARD_PORT,
        rateLimits: { ...base.rateLimits, dashboardIpPer15Min: env.RATE_LIMIT_DASHBOARD_IP_PER_15MIN },
      };
    },
    baseProductionRequired,
  );
}

export type Config = ReturnType<typeof loadDashboardConfig>;
