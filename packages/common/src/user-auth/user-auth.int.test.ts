import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '../cache/index.js';
import {
  type AuthClaimModel,
  type PlatformModels,
  authClaimModel,
  createPlatformModels,
  ensurePlatformIndexes,
} from '../models/index.js';
import { type TestPlatform, createTestPlatform, deleteRedisKeys } from '../testing/index.js';
import { createOtpService } from './otp.js';
import { REFRESH_REUSE_WINDOW_MS, createRefreshSessions } from './refresh-sessions.js';

let platform: TestPlatform;
let models: PlatformModels;
let claims: AuthClaimModel;
const client = { ip: '203.0.113.7', userAgent: 'vitest' };

beforeAll(async () => {
  platform = await createTestPlatform('user-auth-core');
  models = createPlatformModels(platform.db.connection);
  claims = authClaimModel(platform.db.connection);
  await ensurePlatformIndexes({ UserSession: models.UserSession, UserOtp: models.UserOtp });
});
afterAll(() => platform.cleanup());

describe('refresh sessions', () => {
  /** Moves every spend of the family `familyId` back past the reuse window. */
  const afterWindow = (familyId: string) =>
    models.UserSession.updateMany(
      { familyId },
      { $set: { rotatedAt: new Date(Date.now() - REFRESH_REUSE_WINDOW_MS - 1000) } },
    ).then(() =>
      // A spend whose rotatedAt is not set yet is dated by its successor's creation.
      models.UserSession.collection.updateMany(
        { familyId },
        { $set: { createdAt: new Date(Date.now() - REFRESH_REUSE_WINDOW_MS - 1000) } },
      ),
    );

  it('rotates tokens and revokes the whole family when a spent token is replayed after the reuse window', async () => {
    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const first = await sessions.create('p1', 'u1', client, 'password');
    const second = await sessions.rotate('p1', first.refreshToken, client);
    expect(second.userId).toBe('u1');
    expect(second.familyId).toBe(first.familyId);
    const third = await sessions.rotate('p1', second.refreshToken, client);

    await afterWindow(first.familyId);
    await expect(sessions.rotate('p1', first.refreshToken, client)).rejects.toMatchObject({
      status: 403,
      message: 'Refresh token is invalid or already used',
    });
    // The replay burnt the family: the newest token is dead too.
    await expect(sessions.rotate('p1', third.refreshToken, client)).rejects.toMatchObject({ status: 403 });
    expect(await sessions.listActive('p1', 'u1')).toEqual([]);
  });

  it('lets 20 concurrent refreshes of one token all succeed with tokens that refresh again (two tabs)', async () => {
    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const { refreshToken, familyId } = await sessions.create('p1', 'u-race', client, 'password');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => sessions.rotate('p1', refreshToken, client)));
    const issued = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
    expect(issued.filter((r) => r instanceof Error)).toEqual([]);
    const tokens = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(tokens.every((t) => t.familyId === familyId && t.userId === 'u-race')).toBe(true);
    expect(new Set(tokens.map((t) => t.refreshToken)).size).toBe(20);
    // Nothing was revoked, and every returned token works for one further refresh.
    expect(await models.UserSession.countDocuments({ familyId, revokedAt: { $ne: null } })).toBe(0);
    const again = await Promise.all(tokens.map((t) => sessions.rotate('p1', t.refreshToken, client)));
    expect(again.every((t) => t.familyId === familyId)).toBe(true);
    // One login, listed once however many live tokens it has.
    expect((await sessions.listActive('p1', 'u-race')).map((s) => s.id)).toEqual([familyId]);

    // A replay of the original token after the window is theft: the whole family is revoked.
    await afterWindow(familyId);
    await expect(sessions.rotate('p1', refreshToken, client)).rejects.toMatchObject({ status: 403 });
    expect(await models.UserSession.countDocuments({ familyId, revokedAt: null })).toBe(0);
    await expect(sessions.rotate('p1', again[0]?.refreshToken ?? '', client)).rejects.toMatchObject({ status: 403 });
  });

  it('accepts a sequential replay within the reuse window without revoking', async () => {
    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const first = await sessions.create('p1', 'u-tab', client, 'password');
    const a = await sessions.rotate('p1', first.refreshToken, client);
    const b = await sessions.rotate('p1', first.refreshToken, client);
    expect(b.refreshToken).not.toBe(a.refreshToken);
    await expect(sessions.rotate('p1', a.refreshToken, client)).resolves.toMatchObject({ familyId: first.familyId });
    await expect(sessions.rotate('p1', b.refreshToken, client)).resolves.toMatchObject({ familyId: first.familyId });
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
    // Kept on purpose: the 1 ms sliding TTL running out is what this step tests.
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
    const deadCache = createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100, logger: platform.logger });
    const sessions = createRefreshSessions({ model: models.UserSession, ttlMs: 60_000 });
    const { refreshToken } = await sessions.create('p1', 'u4', client, 'password');
    await expect(sessions.rotate('p1', refreshToken, client)).resolves.toMatchObject({ userId: 'u4' });
    await deadCache.close();
  });
});

/** Deletes every Redis key of this file (what a `FLUSHALL` does to them; every primary of a cluster), never another file's. */
async function dropRedisKeys(): Promise<number> {
  const redis = platform.cache.client;
  expect(redis, 'this test needs Redis').toBeTruthy();
  return redis ? deleteRedisKeys(redis, platform.redisPrefix) : 0;
}

describe('OTPs (MongoDB is the only copy)', () => {
  const rules = { ttlMs: 60_000, maxAttempts: 5, cooldownMs: 60_000 };
  const otpService = (more: Partial<typeof rules> = {}) =>
    createOtpService({ model: models.UserOtp, claims, rules: { ...rules, ...more } });
  const wrongFor = (code: string) => (code === '123456' ? '654321' : '123456');

  it('accepts the right code once, for the normalised email', async () => {
    const otp = otpService();
    const code = await otp.issue('p1', 'verification', 'Ann@Example.com');
    expect(code).toMatch(/^\d{6}$/);
    expect(await otp.verify('p1', 'reset', 'ann@example.com', code)).toBe(false);
    expect(await otp.verify('p2', 'verification', 'ann@example.com', code)).toBe(false);
    expect(await otp.verify('p1', 'verification', ' ann@example.com ', code)).toBe(true);
    expect(await otp.verify('p1', 'verification', 'ann@example.com', code)).toBe(false);
  });

  it('burns the code after 5 wrong attempts', async () => {
    const otp = otpService();
    const code = await otp.issue('p1', 'reset', 'bob@example.com');
    for (let i = 0; i < 5; i++) expect(await otp.verify('p1', 'reset', 'bob@example.com', wrongFor(code))).toBe(false);
    expect(await otp.verify('p1', 'reset', 'bob@example.com', code)).toBe(false);
  });

  it('gives a new code fresh attempts', async () => {
    const otp = otpService();
    const first = await otp.issue('p1', 'reset', 'fresh@example.com');
    for (let i = 0; i < 4; i++) await otp.verify('p1', 'reset', 'fresh@example.com', wrongFor(first));
    const second = await otp.issue('p1', 'reset', 'fresh@example.com');
    for (let i = 0; i < 4; i++) await otp.verify('p1', 'reset', 'fresh@example.com', wrongFor(second));
    expect(await otp.verify('p1', 'reset', 'fresh@example.com', second)).toBe(true);
  });

  it('expires codes after the TTL', async () => {
    const otp = otpService({ ttlMs: 20 });
    const code = await otp.issue('p1', 'reset', 'carl@example.com');
    // Kept on purpose: the 20 ms TTL running out is what this test tests.
    await new Promise((r) => setTimeout(r, 60));
    expect(await otp.verify('p1', 'reset', 'carl@example.com', code)).toBe(false);
  });

  it('applies a resend cooldown per email string with Retry-After', async () => {
    const otp = otpService();
    const email = `cool-${Math.random()}@example.com`;
    await otp.claimCooldown('p1', 'verification', email);
    const err = await otp.claimCooldown('p1', 'verification', email.toUpperCase()).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, headers: { 'Retry-After': expect.stringMatching(/^(60|59)$/) } });
    expect((err as Error).message).toMatch(/^Please wait \d+ seconds before requesting another code\.$/);
    await expect(otp.claimCooldown('p1', 'reset', email)).resolves.toBeUndefined();
  });

  it('keeps a mailed code, its used attempts and the cooldown when Redis loses every key', async () => {
    const otp = otpService();
    // Redis holds something of this file, so the drop below really drops keys.
    await platform.cache.client?.set('marker', '1');
    const code = await otp.issue('p1', 'verification', 'flush@example.com');
    await otp.claimCooldown('p1', 'verification', 'flush@example.com');
    expect(await dropRedisKeys()).toBeGreaterThan(0);
    await expect(otp.claimCooldown('p1', 'verification', 'flush@example.com')).rejects.toMatchObject({ status: 429 });
    expect(await otp.verify('p1', 'verification', 'flush@example.com', code)).toBe(true);

    const burnt = await otp.issue('p1', 'reset', 'flush@example.com');
    for (let i = 0; i < 5; i++) await otp.verify('p1', 'reset', 'flush@example.com', wrongFor(burnt));
    await dropRedisKeys();
    expect(await otp.verify('p1', 'reset', 'flush@example.com', burnt)).toBe(false);

    const partly = await otp.issue('p1', 'reset', 'flush2@example.com');
    for (let i = 0; i < 4; i++) await otp.verify('p1', 'reset', 'flush2@example.com', wrongFor(partly));
    await dropRedisKeys();
    // 4 of 5 used before the flush: one wrong guess after it burns the code.
    expect(await otp.verify('p1', 'reset', 'flush2@example.com', wrongFor(partly))).toBe(false);
    expect(await otp.verify('p1', 'reset', 'flush2@example.com', partly)).toBe(false);
  });

  it('counts concurrent wrong guesses exactly and accepts a right code only once', async () => {
    const otp = otpService();
    const code = await otp.issue('p1', 'reset', 'race@example.com');
    const guesses = await Promise.all(
      Array.from({ length: 20 }, () => otp.verify('p1', 'reset', 'race@example.com', wrongFor(code))),
    );
    expect(guesses.every((ok) => !ok)).toBe(true);
    expect(await otp.verify('p1', 'reset', 'race@example.com', code)).toBe(false);
    const slots = await claims.countDocuments({ key: /^uauth:otp-try:/ });
    expect(slots).toBeGreaterThanOrEqual(5);

    const again = await otp.issue('p1', 'reset', 'race2@example.com');
    const rights = await Promise.all(Array.from({ length: 10 }, () => otp.verify('p1', 'reset', 'race2@example.com', again)));
    expect(rights.filter(Boolean)).toHaveLength(1);
  });
});
