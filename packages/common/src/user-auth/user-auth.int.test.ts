import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from '../cache/index.js';
import { type PlatformModels, createPlatformModels, ensurePlatformIndexes } from '../models/index.js';
import { type TestPlatform, createTestPlatform } from '../testing/index.js';
import { createOtpService } from './otp.js';
import { createRefreshSessions } from './refresh-sessions.js';

let platform: TestPlatform;
let models: PlatformModels;
const client = { ip: '203.0.113.7', userAgent: 'vitest' };

beforeAll(async () => {
  platform = await createTestPlatform('user-auth-core');
  models = createPlatformModels(platform.db.connection);
  await ensurePlatformIndexes({ UserSession: models.UserSession, UserOtp: models.UserOtp });
});
afterAll(() => platform.cleanup());

describe('refresh sessions', () => {
  it('rotates single-use tokens and revokes the whole family when a spent token is replayed', async () => {
    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const first = await sessions.create('p1', 'u1', client, 'password');
    const second = await sessions.rotate('p1', first.refreshToken, client);
    expect(second.userId).toBe('u1');
    expect(second.familyId).toBe(first.familyId);
    const third = await sessions.rotate('p1', second.refreshToken, client);

    await expect(sessions.rotate('p1', first.refreshToken, client)).rejects.toMatchObject({
      status: 403,
      message: 'Refresh token is invalid or already used',
    });
    // The replay burnt the family: the newest token is dead too.
    await expect(sessions.rotate('p1', third.refreshToken, client)).rejects.toMatchObject({ status: 403 });
    expect(await sessions.listActive('p1', 'u1')).toEqual([]);
  });

  it('lets only one of several concurrent rotations of the same token win', async () => {
    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const { refreshToken } = await sessions.create('p1', 'u-race', client, 'password');
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => sessions.rotate('p1', refreshToken, client)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses tokens of another project, unknown tokens and malformed ones', async () => {
    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const { refreshToken } = await sessions.create('pA', 'u2', client, 'password');
    await expect(sessions.rotate('pB', refreshToken, client)).rejects.toMatchObject({
      status: 403,
      message: 'Refresh token does not belong to this project',
    });
    // Still usable in its own project: another project's attempt must not burn it.
    await expect(sessions.rotate('pA', refreshToken, client)).resolves.toMatchObject({ userId: 'u2' });
    const unknown = `${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}.${'a'.repeat(64)}`;
    await expect(sessions.rotate('pA', unknown, client)).rejects.toMatchObject({
      status: 401,
      message: 'Refresh session not found',
    });
    await expect(sessions.rotate('pA', 'nope', client)).rejects.toMatchObject({
      status: 401,
      message: 'Invalid refresh token format',
    });
  });

  it('expires tokens after the sliding TTL and lists, revokes one and revokes all sessions', async () => {
    const short = createRefreshSessions({ model: models.UserSession, ttlMs: 1 });
    const expired = await short.create('p1', 'u3', client, 'password');
    await new Promise((r) => setTimeout(r, 10));
    await expect(short.rotate('p1', expired.refreshToken, client)).rejects.toMatchObject({ status: 403 });

    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const a = await sessions.create('p1', 'u3', client, 'password');
    const b = await sessions.create('p1', 'u3', { ip: '198.51.100.1', userAgent: 'phone' }, 'github');
    const listed = await sessions.listActive('p1', 'u3');
    expect(listed.map((s) => s.id).sort()).toEqual([a.familyId, b.familyId].sort());
    expect(listed.find((s) => s.id === b.familyId)).toMatchObject({ ip: '198.51.100.1', userAgent: 'phone', method: 'github' });

    expect(await sessions.revokeFamily('p1', 'someone-else', a.familyId)).toBe(false);
    expect(await sessions.revokeFamily('p1', 'u3', a.familyId)).toBe(true);
    await expect(sessions.rotate('p1', a.refreshToken, client)).rejects.toMatchObject({ status: 403 });
    expect(await sessions.revokeAllForUser('p1', 'u3')).toBe(1);
    await expect(sessions.rotate('p1', b.refreshToken, client)).rejects.toMatchObject({ status: 403 });
  });

  it('keeps working when Redis is unreachable (sessions live in MongoDB)', async () => {
    const deadCache = createCache({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100, logger: platform.logger });
    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const { refreshToken } = await sessions.create('p1', 'u4', client, 'password');
    await expect(sessions.rotate('p1', refreshToken, client)).resolves.toMatchObject({ userId: 'u4' });
    await deadCache.close();
  });
});

describe.each([
  ['Redis', () => platform.cache],
  ['MongoDB (no Redis)', () => createCache({ url: null, commandTimeoutMs: 100, logger: platform.logger })],
])('OTPs stored in %s', (_name, cacheOf) => {
  const rules = { ttlMs: 60_000, maxAttempts: 5, cooldownMs: 60_000 };

  it('accepts the right code once, for the normalised email', async () => {
    const otp = createOtpService({ cache: cacheOf(), model: models.UserOtp, rules });
    const code = await otp.issue('p1', 'verification', 'Ann@Example.com');
    expect(code).toMatch(/^\d{6}$/);
    expect(await otp.verify('p1', 'reset', 'ann@example.com', code)).toBe(false);
    expect(await otp.verify('p2', 'verification', 'ann@example.com', code)).toBe(false);
    expect(await otp.verify('p1', 'verification', ' ann@example.com ', code)).toBe(true);
    expect(await otp.verify('p1', 'verification', 'ann@example.com', code)).toBe(false);
  });

  it('burns the code after 5 wrong attempts', async () => {
    const otp = createOtpService({ cache: cacheOf(), model: models.UserOtp, rules });
    const code = await otp.issue('p1', 'reset', 'bob@example.com');
    const wrong = code === '123456' ? '654321' : '123456';
    for (let i = 0; i < 5; i++) expect(await otp.verify('p1', 'reset', 'bob@example.com', wrong)).toBe(false);
    expect(await otp.verify('p1', 'reset', 'bob@example.com', code)).toBe(false);
  });

  it('expires codes after the TTL', async () => {
    const otp = createOtpService({ cache: cacheOf(), model: models.UserOtp, rules: { ...rules, ttlMs: 20 } });
    const code = await otp.issue('p1', 'reset', 'carl@example.com');
    await new Promise((r) => setTimeout(r, 60));
    expect(await otp.verify('p1', 'reset', 'carl@example.com', code)).toBe(false);
  });

  it('applies a resend cooldown per email string with Retry-After', async () => {
    const otp = createOtpService({ cache: cacheOf(), model: models.UserOtp, rules });
    const email = `cool-${Math.random()}@example.com`;
    await otp.claimCooldown('p1', 'verification', email);
    const err = await otp.claimCooldown('p1', 'verification', email.toUpperCase()).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, headers: { 'Retry-After': expect.stringMatching(/^(60|59)$/) } });
    expect((err as Error).message).toMatch(/^Please wait \d+ seconds before requesting another code\.$/);
    await expect(otp.claimCooldown('p1', 'reset', email)).resolves.toBeUndefined();
  });
});
