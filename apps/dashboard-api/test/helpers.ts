import { type SmtpSink, type TestPlatform, createTestPlatform, startSmtpSink, testBaseConfig } from '@urbackend/common/testing';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../src/app.js';
import type { Config } from '../src/config.js';
import { type AppDeps, createDeps } from '../src/deps.js';

type Mutable<T> = T extends readonly (infer U)[] ? U[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
export type DashboardTestConfig = Mutable<Config>;

/** A dashboard config for tests: the file's platform, the SMTP sink, generous rate limits. */
export function testDashboardConfig(platform: TestPlatform, smtpUrl: string | null): DashboardTestConfig {
  const base = testBaseConfig(platform);
  return {
    ...base,
    http: { ...base.http, dashboardOrigins: [...base.http.dashboardOrigins] },
    security: { ...base.security, previousEncryptionKeys: [] },
    port: 0,
    rateLimits: { authIpPer15Min: 1000, authAccountPer15Min: 10, dashboardIpPer15Min: 10_000 },
    mail: { smtpUrl, from: 'urBackend <no-reply@test.local>' },
    dashboard: {
      admin: null,
      tokens: { accessTtlMs: 15 * 60_000, refreshTtlMs: 7 * 86_400_000 },
    },
    plans: { defaultPlan: 'free', overrides: {} },
    bcryptCost: 4,
  };
}

/** A running dashboard app for one test file: its own databases, Redis prefix and SMTP sink. */
export interface DashboardTestApp {
  app: Express;
  deps: AppDeps;
  platform: TestPlatform;
  smtp: SmtpSink;
  config: DashboardTestConfig;
  /** Drops the file's databases and keys, closes everything. */
  cleanup(): Promise<void>;
}

/** Builds the dashboard app against real FerretDB/MongoDB, Redis and an SMTP sink; runs start-up tasks. */
export async function createDashboardTestApp(
  label: string,
  adjust: (config: DashboardTestConfig) => void = () => undefined,
): Promise<DashboardTestApp> {
  const platform = await createTestPlatform(label);
  const smtp = await startSmtpSink();
  const config = testDashboardConfig(platform, smtp.url);
  adjust(config);
  const deps = createDeps(config as Config, platform.logger, { db: platform.db, cache: platform.cache });
  await deps.startup();
  return {
    app: createApp(deps),
    deps,
    platform,
    smtp,
    config,
    async cleanup() {
      await deps.close();
      await smtp.close();
      await platform.cleanup();
    },
  };
}

let counter = 0;

/** A unique test email. */
export function uniqueEmail(prefix = 'dev'): string {
  counter += 1;
  return `${prefix}${counter}.${Date.now().toString(36)}@example.com`;
}

/** A registered and verified developer with a session. */
export interface TestDeveloper {
  email: string;
  password: string;
  accessToken: string;
  /** The `refreshToken=...` cookie pair, to send as `Cookie`. */
  refreshCookie: string;
  userId: string;
}

/** Reads the `refreshToken` cookie pair from a response's `Set-Cookie`. */
export function refreshCookieOf(res: { headers: Record<string, unknown> }): string {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const found = cookies.find((c) => c.startsWith('refreshToken='));
  if (!found) throw new Error('no refreshToken cookie');
  return found.split(';')[0] as string;
}

/** Registers a developer, reads the OTP from the SMTP sink, verifies it: returns tokens. */
export async function registerVerifiedDeveloper(
  t: Pick<DashboardTestApp, 'app' | 'smtp'>,
  email = uniqueEmail(),
  password = 'correct-horse-1',
): Promise<TestDeveloper> {
  const since = t.smtp.messages.length;
  await request(t.app).post('/api/auth/register').send({ email, password }).expect(201);
  const otp = await t.smtp.otpFor(email, { since });
  const res = await request(t.app).post('/api/auth/verify-otp').send({ email, otp }).expect(200);
  return {
    email,
    password,
    accessToken: res.body.accessToken as string,
    refreshCookie: refreshCookieOf(res),
    userId: res.body.user._id as string,
  };
}

/** Creates a project for `dev`; returns the body (including the raw keys, shown once). */
export async function createTestProject(
  app: Express,
  dev: Pick<TestDeveloper, 'accessToken'>,
  name = 'Test project',
): Promise<{ _id: string; publishableKey: string; secretKey: string; [k: string]: unknown }> {
  const res = await request(app)
    .post('/api/projects')
    .set('Authorization', `Bearer ${dev.accessToken}`)
    .send({ name })
    .expect(201);
  return res.body;
}
