import {
  type BaseConfig,
  type EnvSource,
  baseEnvShape,
  baseProductionRequired,
  durationSchema,
  loadConfig,
  mapBaseEnv,
} from '@urbackend/common/config';
import { type PlanConfig, mapPlanEnv, planEnvShape } from '@urbackend/common/plans';
import { type StorageAppConfig, mapStorageEnv, storageEnvShape } from '@urbackend/common/storage';
import { type DeliveryConfig, deliveryEnvShape, mapDeliveryEnv } from '@urbackend/common/webhooks';
import { z } from 'zod';

const shape = {
  ...baseEnvShape,
  DASHBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(1234),
  RATE_LIMIT_DASHBOARD_IP_PER_15MIN: z.coerce.number().int().min(0).default(1000),
  ...planEnvShape,
  ADMIN_EMAIL: z.string().trim().toLowerCase().email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  DASHBOARD_ACCESS_TOKEN_TTL: durationSchema.default('15m'),
  DASHBOARD_REFRESH_TOKEN_TTL: durationSchema.default('7d'),
  ...storageEnvShape,
  ...deliveryEnvShape,
};

/** Milliseconds of a duration like `15m`, `7d`, `3600s`, `500ms`. */
export function durationMs(value: string): number {
  const m = value.match(/^(\d+)(ms|s|m|h|d)$/);
  if (!m) throw new Error(`bad duration ${value}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Dashboard-only settings: admin bootstrap, token lifetimes, plans. */
export interface DashboardSettings {
  admin: { email: string; password: string | null } | null;
  tokens: { accessTtlMs: number; refreshTtlMs: number };
  plans: PlanConfig;
}

export interface DashboardConfig extends BaseConfig {
  port: number;
  rateLimits: BaseConfig['rateLimits'] & { dashboardIpPer15Min: number };
  dashboard: DashboardSettings;
  /** File storage (STORAGE_*, SUPABASE_*, S3_*, UPLOAD_LIMIT_BYTES); local defaults when absent. */
  storage?: StorageAppConfig;
  /** Webhook delivery (WEBHOOK_*): replays and dashboard data events enqueue with these. */
  delivery?: DeliveryConfig;
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
        dashboard: {
          admin: env.ADMIN_EMAIL ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD ?? null } : null,
          tokens: {
            accessTtlMs: durationMs(env.DASHBOARD_ACCESS_TOKEN_TTL),
            refreshTtlMs: durationMs(env.DASHBOARD_REFRESH_TOKEN_TTL),
          },
          plans: mapPlanEnv(env),
        },
        storage: mapStorageEnv(env, base.urls.publicApi, env.JWT_SECRET),
        delivery: mapDeliveryEnv(env),
      };
    },
    baseProductionRequired,
  );
}

export type Config = ReturnType<typeof loadDashboardConfig>;
