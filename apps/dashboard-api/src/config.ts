import { type BaseConfig, type DeepReadonly, type EnvSource, durationMs, durationSchema } from '@urbackend/common/config';
import { type PlatformConfig, loadPlatformConfig } from '@urbackend/common/platform';
import { z } from 'zod';

/** The dashboard API's own variables (documented in `.env.example`). */
const dashboardEnvShape = {
  DASHBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(1234),
  RATE_LIMIT_DASHBOARD_IP_PER_15MIN: z.coerce.number().int().min(0).default(1000),
  ADMIN_EMAIL: z.string().trim().toLowerCase().email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  DASHBOARD_ACCESS_TOKEN_TTL: durationSchema.default('15m'),
  DASHBOARD_REFRESH_TOKEN_TTL: durationSchema.default('7d'),
  REGISTRATION_MODE: z.enum(['open', 'invite-only', 'closed']).default('open'),
  CONFIG_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
};

/** Dashboard-only settings: admin bootstrap, token lifetimes. */
export interface DashboardSettings {
  admin: { email: string; password: string | null } | null;
  tokens: { accessTtlMs: number; refreshTtlMs: number };
  /** Registration mode until the admin sets one (`REGISTRATION_MODE`, default `open`; absent → `open`). */
  registrationMode?: 'open' | 'invite-only' | 'closed';
  /** Days a project config-log entry is kept (`CONFIG_LOG_RETENTION_DAYS`, default 90; absent → 90). */
  configLogRetentionDays?: number;
}

export interface DashboardConfig extends PlatformConfig {
  port: number;
  rateLimits: BaseConfig['rateLimits'] & { dashboardIpPer15Min: number };
  dashboard: DashboardSettings;
}

/** Loads the dashboard API's configuration; throws `ConfigError` naming every bad variable. */
export function loadDashboardConfig(source: EnvSource): DeepReadonly<DashboardConfig> {
  return loadPlatformConfig(dashboardEnvShape, source, (env, base) => ({
    port: env.DASHBOARD_PORT,
    rateLimits: { ...base.rateLimits, dashboardIpPer15Min: env.RATE_LIMIT_DASHBOARD_IP_PER_15MIN },
    dashboard: {
      admin: env.ADMIN_EMAIL ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD ?? null } : null,
      tokens: {
        accessTtlMs: durationMs(env.DASHBOARD_ACCESS_TOKEN_TTL),
        refreshTtlMs: durationMs(env.DASHBOARD_REFRESH_TOKEN_TTL),
      },
      registrationMode: env.REGISTRATION_MODE,
      configLogRetentionDays: env.CONFIG_LOG_RETENTION_DAYS,
    },
  }));
}

export type Config = ReturnType<typeof loadDashboardConfig>;
