/**
 * End-user auth end to end: the real public-api process, the official @urbackend/sdk@0.4.8,
 * a real SMTP sink for OTPs and real OAuth2/OIDC servers standing in for GitHub and Google.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createSecretBox } from '@urbackend/common/crypto';
import { createPlatformDb } from '@urbackend/common/db';
import { createLogger } from '@urbackend/common/logger';
import { createPlatformModels } from '@urbackend/common/models';
import { projectSecretContext } from '@urbackend/common/scope';
import {
  type SmtpSink,
  createTestProject,
  startSmtpSink,
  testRedisEnv,
  testServices,
  uniqueTestName,
  waitFor,
  withDatabase,
} from '@urbackend/common/testing';
import urBackend from '@urbackend/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/services/util.js';
import { type MockProvider, startGithubLike, startGoogleLike } from '../src/testing/oauth-mocks.js';

const appDir = path.resolve(import.meta.dirname, '..');
const encryptionKey = randomBytes(32).toString('hex');
const box = createSecretBox(encryptionKey);
const siteUrl = 'http://app.example.test';

let child: ChildProcess;
let output = '';
let baseUrl = '';
let sink: SmtpSink;
let github: MockProvider;
let google: MockProvider;
let pk = '';
const db = { close: async () => undefined as unknown };

async function waitForHealth(): Promise<void> {
  await waitFor(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`public-api exited (${child.exitCode ?? child.signalCode}):\n${output}`);
      const res = await fetch(`${baseUrl}/api/health`).catch(() => undefined);
      return res?.ok;
    },
    { timeoutMs: 20_000, intervalMs: 100, message: () => `public-api did not start:\n${output}` },
  );
}

beforeAll(async () => {
  const services = testServices();
  const mongoUri = withDatabase(services.mongoUri, uniqueTestName('uauth-e2e'));
  sink = await startSmtpSink();
  github = await startGithubLike(() => ({
    id: 4242,
    login: 'octo',
    name: 'Octo Cat',
    email: 'octo@example.com',
    verified: true,
  }));
  google = await startGoogleLike(() => ({ sub: 'g-777', email: 'gina@example.com', email_verified: true, name: 'Gina' }));

  const platformDb = createPlatformDb({
    uri: mongoUri,
    timeoutMs: 5000,
    poolSize: 2,
    logger: createLogger({ name: 'e2e', level: 'silent' }),
  });
  await platformDb.connect();
  db.close = () => platformDb.close();
  const project = await createTestProject(platformDb, box, {
    name: 'E2E Shop',
    collections: [
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
          { key: 'username', type: 'String' },
          { key: 'displayName', type: 'String' },
        ],
      },
      {
        name: 'notes',
        model: [{ key: 'text', type: 'String', required: true }],
        rls: { enabled: true, mode: 'private', ownerField: 'userId' },
      },
    ],
  });
  pk = project.publishableKey;
  const provider = (p: string, clientId: string) => ({
    enabled: true,
    clientId,
    clientSecret: box.encrypt(`${p}-secret`, projectSecretContext(project.projectId, `oauth:${p}`)),
  });
  await createPlatformModels(platformDb.connection).Project.updateOne(
    { _id: project.projectId },
    {
      $set: {
        siteUrl,
        'authProviders.github': provider('github', 'gh-client'),
        'authProviders.google': provider('google', 'google-client'),
      },
    },
  );

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'src/main.ts'], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PUBLIC_PORT: String(port),
      PUBLIC_API_URL: baseUrl,
      MONGODB_URI: mongoUri,
      ...testRedisEnv(),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: encryptionKey,
      SMTP_URL: sink.url,
      BCRYPT_COST: '4',
      // The shared test Redis has no per-file prefix here: per-IP limits would carry over between runs.
      RATE_LIMIT_AUTH_IP_PER_15MIN: '0',
      RATE_LIMIT_PUBLIC_IP_PER_MIN: '0',
      PLAN_LIMITS: JSON.stringify({ free: { reqPerMinute: -1, reqPerDay: -1 } }),
      OAUTH_GITHUB_BASE_URL: github.url,
      OAUTH_GITHUB_API_URL: github.url,
      OAUTH_GOOGLE_ISSUER: google.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  await waitForHealth();
});

afterAll(async () => {
  child?.kill('SIGTERM');
  await Promise.allSettled([sink?.close(), github?.close(), google?.close(), db.close()]);
});

describe('end-user auth with the official SDK', () => {
  it('runs signUp → verifyEmail → login → me → updateProfile → data → refresh → password change/reset → logout', async () => {
    const client = urBackend({ apiKey: pk, baseUrl });
    const email = `e2e-${randomBytes(3).toString('hex')}@example.com`;

    const signed = await client.auth.signUp({ email, password: 'first-pass-1', username: 'e2e_user', displayName: 'E2E' });
    expect(signed).toMatchObject({ message: 'User registered successfully. Please verify your email.' });
    const otp = await sink.otpFor(email, { subject: /Verify your account/ });
    await expect(client.auth.verifyEmail({ email, otp })).resolves.toMatchObject({ message: 'Email verified successfully' });

    const login = await client.auth.login({ email, password: 'first-pass-1' });
    expect(login.accessToken).toBeTruthy();
    const me = (await client.auth.me()) as unknown as Record<string, unknown>;
    expect(me).toMatchObject({ email, username: 'e2e_user', displayName: 'E2E', emailVerified: true });
    expect(me).not.toHaveProperty('password');
    await client.auth.updateProfile({ displayName: 'Renamed' });
    expect(((await client.auth.me()) as unknown as Record<string, unknown>).displayName).toBe('Renamed');

    const note = (await client.db.insert('notes', { text: 'mine' })) as unknown as Record<string, unknown>;
    expect(note.userId).toBe(me._id);
    const notes = await client.db.getAll('notes');
    expect(notes.map((n) => (n as unknown as Record<string, unknown>).text)).toEqual(['mine']);
    const anonymous = urBackend({ apiKey: pk, baseUrl });
    await expect(anonymous.db.getAll('notes')).rejects.toMatchObject({ statusCode: 401 });

    const oldRefresh = (login as unknown as { refreshToken: string }).refreshToken;
    const refreshed = await client.auth.refreshToken();
    expect(refreshed.accessToken).toBeTruthy();
    const current = (refreshed as unknown as { refreshToken: string }).refreshToken;
    expect(current).not.toBe(oldRefresh);

    await client.auth.changePassword({ currentPassword: 'first-pass-1', newPassword: 'second-pass-2' });
    await expect(client.auth.refreshToken(current)).rejects.toMatchObject({ statusCode: 403 });

    const before = sink.messages.length;
    await client.auth.requestPasswordReset({ email });
    const resetOtp = await sink.otpFor(email, { subject: /Reset your password/, since: before });
    await client.auth.resetPassword({ email, otp: resetOtp, newPassword: 'third-pass-3' });
    await expect(client.auth.login({ email, password: 'second-pass-2' })).rejects.toMatchObject({ statusCode: 400 });
    const again = await client.auth.login({ email, password: 'third-pass-3' });
    const lastRefresh = (again as unknown as { refreshToken: string }).refreshToken;
    await expect(client.auth.logout()).resolves.toMatchObject({ success: true, message: 'Logged out successfully' });
    await expect(urBackend({ apiKey: pk, baseUrl }).auth.refreshToken(lastRefresh)).rejects.toMatchObject({ statusCode: 403 });
  });

  it.each([
    ['github', 'githubId', '4242', 'octo@example.com'],
    ['google', 'googleId', 'g-777', 'gina@example.com'],
  ] as const)(
    'signs in with %s: socialStart → provider → callback → socialExchange',
    async (provider, idField, providerId, email) => {
      const client = urBackend({ apiKey: pk, baseUrl });
      const start = await fetch(client.auth.socialStart(provider), { redirect: 'manual' });
      expect(start.status).toBe(302);
      const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
      const callbackUrl = consent.headers.get('location') ?? '';
      expect(callbackUrl.startsWith(`${baseUrl}/api/userAuth/social/${provider}/callback`)).toBe(true);
      const callback = await fetch(callbackUrl, { redirect: 'manual' });
      expect(callback.status, await callback.clone().text()).toBe(302);
      const landing = new URL(callback.headers.get('location') ?? '');
      expect(`${landing.origin}${landing.pathname}`).toBe(`${siteUrl}/auth/callback`);
      expect(landing.searchParams.get('error')).toBeNull();
      expect(landing.searchParams.get('provider')).toBe(provider);
      const token = new URLSearchParams(landing.hash.slice(1)).get('token') ?? '';
      const rtCode = landing.searchParams.get('rtCode') ?? '';

      const exchanged = await client.auth.socialExchange({ token, rtCode });
      expect(exchanged.refreshToken).toBeTruthy();
      await expect(client.auth.socialExchange({ token, rtCode })).rejects.toMatchObject({ statusCode: 400 });
      await client.auth.refreshToken();
      const me = (await client.auth.me()) as unknown as Record<string, unknown>;
      expect(me).toMatchObject({ email, [idField]: providerId, emailVerified: true });
    },
  );
});
