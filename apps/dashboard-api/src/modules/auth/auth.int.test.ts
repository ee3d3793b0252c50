import { authClaimModel } from '@urbackend/common/models';
import { deleteRedisKeys } from '@urbackend/common/testing';
import jwt from 'jsonwebtoken';
import { Types } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  createDashboardTestApp,
  refreshCookieOf,
  registerVerifiedDeveloper,
  uniqueEmail,
} from '../../../test/helpers.js';
import { createDeveloperOtps } from './otp.js';
import { REUSE_WINDOW_MS } from './sessions.js';

let t: DashboardTestApp;
beforeAll(async () => {
  t = await createDashboardTestApp('dash-auth', (c) => {
    c.dashboard.admin = { email: 'boss@example.com', password: 'admin-password-1' };
  });
});
afterAll(() => t.cleanup());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('register and verify', () => {
  it('registers (201), mails a 6-digit OTP and refuses a verified duplicate', async () => {
    const email = uniqueEmail();
    await request(t.app)
      .post('/api/auth/register')
      .send({ email: `  ${email.toUpperCase()} `, password: 'secret-123' })
      .expect(201);
    const mail = await t.smtp.waitFor(email);
    expect(mail.subject).toBe('Verify your urBackend account');
    expect(mail.html).toContain(mail.text.match(/\d{6}/)?.[0]);
    const otp = await t.smtp.otpFor(email);
    const res = await request(t.app).post('/api/auth/verify-otp').send({ email, otp }).expect(200);
    expect(res.body).toMatchObject({ success: true, user: { email, isVerified: true, isAdmin: false, plan: 'free' } });
    expect(typeof res.body.accessToken).toBe('string');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('refreshToken='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/auth/);
    const dup = await request(t.app).post('/api/auth/register').send({ email, password: 'another-123' }).expect(400);
    expect(dup.body).toEqual({ success: false, error: 'Email already exists', code: 400 });
  });

  it.each([
    [{ email: 'not-an-email', password: 'secret-123' }],
    [{ email: 'a@b.co', password: '123' }],
    [{ email: { $gt: '' }, password: 'secret-123' }],
    [{}],
  ])('refuses a bad registration body with 400 %#', async (body) => {
    const res = await request(t.app).post('/api/auth/register').send(body).expect(400);
    expect(res.body).toMatchObject({ success: false, code: 400 });
  });

  it('counts wrong OTPs and burns the code after 5', async () => {
    const email = uniqueEmail();
    await request(t.app).post('/api/auth/register').send({ email, password: 'secret-123' }).expect(201);
    const otp = await t.smtp.otpFor(email);
    const wrong = otp === '000000' ? '111111' : '000000';
    const first = await request(t.app).post('/api/auth/verify-otp').send({ email, otp: wrong }).expect(400);
    expect(first.body.error).toBe('Incorrect OTP. 4 attempt(s) remaining.');
    for (let i = 0; i < 3; i++) await request(t.app).post('/api/auth/verify-otp').send({ email, otp: wrong }).expect(400);
    const burnt = await request(t.app).post('/api/auth/verify-otp').send({ email, otp: wrong }).expect(429);
    expect(burnt.headers['retry-after']).toBeDefined();
    await request(t.app).post('/api/auth/verify-otp').send({ email, otp }).expect(400);
  });

  it('answers send-otp the same for unknown and known emails, with a 60 s cooldown', async () => {
    const unknown = await request(t.app)
      .post('/api/auth/send-otp')
      .send({ email: uniqueEmail('nobody') })
      .expect(200);
    const email = uniqueEmail();
    await request(t.app).post('/api/auth/register').send({ email, password: 'secret-123' }).expect(201);
    const cooled = await request(t.app).post('/api/auth/send-otp').send({ email }).expect(429);
    expect(Number(cooled.headers['retry-after'])).toBeGreaterThan(0);
    const other = uniqueEmail('nobody');
    const known = await request(t.app).post('/api/auth/send-otp').send({ email: other }).expect(200);
    expect(known.body).toEqual(unknown.body);
    await request(t.app).post('/api/auth/send-otp').send({ email: other }).expect(429);
  });
});

describe('login, tokens and sessions', () => {
  it('logs in and answers unknown email and wrong password identically', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const ok = await request(t.app).post('/api/auth/login').send({ email: dev.email, password: dev.password }).expect(200);
    expect(ok.body.user).toMatchObject({ email: dev.email, isVerified: true });
    const wrong = await request(t.app).post('/api/auth/login').send({ email: dev.email, password: 'nope-nope' }).expect(401);
    const unknown = await request(t.app)
      .post('/api/auth/login')
      .send({ email: uniqueEmail(), password: 'nope-nope' })
      .expect(401);
    expect(wrong.body).toEqual(unknown.body);
    await request(t.app)
      .post('/api/auth/login')
      .send({ email: { $ne: null }, password: 'x' })
      .expect(400);
  });

  it('locks an account after too many failed logins (429)', async () => {
    const dev = await registerVerifiedDeveloper(t);
    for (let i = 0; i < 10; i++)
      await request(t.app).post('/api/auth/login').send({ email: dev.email, password: 'bad-pass' }).expect(401);
    const res = await request(t.app).post('/api/auth/login').send({ email: dev.email, password: dev.password }).expect(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('guards /me: no token, bad token, alg none, wrong secret → 401', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const me = await request(t.app).get('/api/auth/me').set(bearer(dev.accessToken)).expect(200);
    expect(me.body.user).toMatchObject({ email: dev.email, limits: { maxProjects: 1 } });
    expect(me.body.user.passwordHash).toBeUndefined();
    await request(t.app).get('/api/auth/me').expect(401);
    await request(t.app).get('/api/auth/me').set(bearer('garbage')).expect(401);
    const none = jwt.sign({ _id: dev.userId, isVerified: true, isAdmin: true }, '', { algorithm: 'none' });
    await request(t.app).get('/api/auth/me').set(bearer(none)).expect(401);
    const forged = jwt.sign({ _id: dev.userId, isVerified: true, isAdmin: true }, 'wrong-secret-wrong-secret-wrong-secret!');
    await request(t.app).get('/api/auth/me').set(bearer(forged)).expect(401);
  });

  /** Moves every exchange of this developer's tokens back past the reuse window. */
  const afterWindow = (userId: string) =>
    t.deps.models.DeveloperSession.updateMany(
      { developerId: userId, rotatedAt: { $ne: null } },
      { $set: { rotatedAt: new Date(Date.now() - REUSE_WINDOW_MS - 1000) } },
    );

  it('rotates refresh tokens and revokes the family when a used one is replayed after the reuse window', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const first = await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(200);
    expect(first.body).toMatchObject({ success: true, user: { email: dev.email } });
    const second = refreshCookieOf(first);
    expect(second).not.toBe(dev.refreshCookie);
    await afterWindow(dev.userId);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(401);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', second).expect(401);
    await request(t.app).post('/api/auth/refresh-token').expect(401);
  });

  it('accepts a replay within the reuse window (two tabs) without logging either tab out', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const first = await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(200);
    const replay = await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(200);
    expect(refreshCookieOf(replay)).not.toBe(refreshCookieOf(first));
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', refreshCookieOf(first)).expect(200);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', refreshCookieOf(replay)).expect(200);
  });

  it('lets 20 concurrent refreshes of one token all succeed; each new token refreshes again', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const refresh = (cookie: string) => request(t.app).post('/api/auth/refresh-token').set('Cookie', cookie);
    const tabs = await Promise.all(Array.from({ length: 20 }, () => refresh(dev.refreshCookie)));
    expect(tabs.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const r of tabs) {
      const me = await request(t.app).get('/api/auth/me').set(bearer(r.body.accessToken)).expect(200);
      expect(me.body.user.email).toBe(dev.email);
    }
    const cookies = tabs.map((r) => refreshCookieOf(r));
    expect(new Set(cookies).size).toBe(20);
    const again = await Promise.all(cookies.map((c) => refresh(c)));
    expect(again.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await t.deps.models.DeveloperSession.countDocuments({ developerId: dev.userId, revokedAt: { $ne: null } })).toBe(0);

    // The original token replayed after the window: the whole family is revoked.
    await afterWindow(dev.userId);
    await refresh(dev.refreshCookie).expect(401);
    expect(await t.deps.models.DeveloperSession.countDocuments({ developerId: dev.userId, revokedAt: null })).toBe(0);
    await refresh(refreshCookieOf(again[0] as request.Response)).expect(401);
  });

  it('refuses refresh from a foreign Origin (403) and accepts the dashboard origin', async () => {
    const dev = await registerVerifiedDeveloper(t);
    await request(t.app)
      .post('/api/auth/refresh-token')
      .set('Origin', 'https://evil.example')
      .set('Cookie', dev.refreshCookie)
      .expect(403);
    await request(t.app)
      .post('/api/auth/refresh-token')
      .set('Origin', 'http://localhost:5173')
      .set('Cookie', dev.refreshCookie)
      .expect(200);
  });

  it('logout revokes the session', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const res = await request(t.app).post('/api/auth/logout').set('Cookie', dev.refreshCookie).expect(200);
    expect(res.body).toEqual({ success: true, message: 'Logged out successfully' });
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(401);
  });

  it('logout-all revokes every session of the developer', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const other = await request(t.app).post('/api/auth/login').send({ email: dev.email, password: dev.password }).expect(200);
    await request(t.app).post('/api/auth/logout-all').set(bearer(dev.accessToken)).expect(200);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(401);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', refreshCookieOf(other)).expect(401);
    await request(t.app).post('/api/auth/logout-all').expect(401);
  });
});

describe('passwords', () => {
  it('changes the password and revokes the other sessions only', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const other = await request(t.app).post('/api/auth/login').send({ email: dev.email, password: dev.password }).expect(200);
    const otherCookie = refreshCookieOf(other);
    const bad = await request(t.app)
      .put('/api/auth/change-password')
      .set(bearer(dev.accessToken))
      .send({ currentPassword: 'wrong-one', newPassword: 'brand-new-1' })
      .expect(400);
    expect(bad.body.error).toBe('Incorrect current password');
    await request(t.app)
      .put('/api/auth/change-password')
      .set(bearer(dev.accessToken))
      .set('Cookie', dev.refreshCookie)
      .send({ currentPassword: dev.password, newPassword: 'brand-new-1' })
      .expect(200);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', otherCookie).expect(401);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(200);
    await request(t.app).post('/api/auth/login').send({ email: dev.email, password: 'brand-new-1' }).expect(200);
  });

  it('resets a forgotten password by OTP without revealing accounts', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const unknown = await request(t.app)
      .post('/api/auth/forgot-password')
      .send({ email: uniqueEmail('ghost') })
      .expect(200);
    const since = t.smtp.messages.length;
    const known = await request(t.app).post('/api/auth/forgot-password').send({ email: dev.email }).expect(200);
    expect(known.body).toEqual(unknown.body);
    await request(t.app).post('/api/auth/forgot-password').send({ email: dev.email }).expect(429);
    const mail = await t.smtp.waitFor(dev.email, { since });
    expect(mail.subject).toBe('Password Reset OTP — urBackend');
    const otp = await t.smtp.otpFor(dev.email, { since });
    await request(t.app)
      .post('/api/auth/reset-password')
      .send({ email: dev.email, otp: otp === '123456' ? '654321' : '123456', newPassword: 'reset-pass-1' })
      .expect(400);
    const ok = await request(t.app)
      .post('/api/auth/reset-password')
      .send({ email: dev.email, otp, newPassword: 'reset-pass-1' })
      .expect(200);
    expect(ok.body.message).toBe('Password reset successfully. Please log in with your new password.');
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(401);
    await request(t.app).post('/api/auth/login').send({ email: dev.email, password: 'reset-pass-1' }).expect(200);
    await request(t.app)
      .post('/api/auth/reset-password')
      .send({ email: uniqueEmail('ghost'), otp: '123456', newPassword: 'reset-pass-1' })
      .expect(400);
  });
});

describe('admin bootstrap and account deletion', () => {
  it('creates a verified admin from ADMIN_EMAIL/ADMIN_PASSWORD with no limits', async () => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .send({ email: 'boss@example.com', password: 'admin-password-1' })
      .expect(200);
    expect(res.body.user).toMatchObject({ isAdmin: true, isVerified: true });
    const me = await request(t.app).get('/api/auth/me').set(bearer(res.body.accessToken)).expect(200);
    expect(me.body.user.limits.maxProjects).toBe(-1);
  });

  it('deletes the account with its projects and tenant data', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const project = await request(t.app).post('/api/projects').set(bearer(dev.accessToken)).send({ name: 'doomed' }).expect(201);
    await request(t.app)
      .post(`/api/projects/${project.body._id}/collections`)
      .set(bearer(dev.accessToken))
      .send({ collectionName: 'posts', schema: [{ key: 'title', type: 'String' }] })
      .expect(201);
    await t.platform.db.tenantDb(project.body._id).collection('posts').insertOne({ title: 'x' });
    await request(t.app)
      .delete('/api/auth/delete-account')
      .set(bearer(dev.accessToken))
      .send({ password: 'wrong-one' })
      .expect(400);
    const res = await request(t.app)
      .delete('/api/auth/delete-account')
      .set(bearer(dev.accessToken))
      .send({ password: dev.password })
      .expect(200);
    expect(res.body.message).toBe('Account and all projects deleted.');
    expect(await t.deps.models.Project.countDocuments({ owner: dev.userId })).toBe(0);
    expect(await t.deps.models.Developer.countDocuments({ email: dev.email })).toBe(0);
    const dbs = await t.platform.db.connection.db?.admin().listDatabases({ nameOnly: true });
    expect(dbs?.databases.map((d) => d.name)).not.toContain(t.platform.db.tenantDbName(project.body._id));
    await request(t.app).get('/api/auth/me').set(bearer(dev.accessToken)).expect(401);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(401);
  });
});

describe('per-IP limit of the auth routes', () => {
  it('answers 429 with Retry-After once the IP used its auth attempts', async () => {
    const limited = await createDashboardTestApp('dash-auth-ip', (c) => {
      c.rateLimits.authIpPer15Min = 3;
    });
    try {
      for (let i = 0; i < 3; i++) {
        await request(limited.app).post('/api/auth/login').send({ email: uniqueEmail(), password: 'whatever-1' }).expect(401);
      }
      const res = await request(limited.app)
        .post('/api/auth/login')
        .send({ email: uniqueEmail(), password: 'whatever-1' })
        .expect(429);
      expect(res.body).toEqual({ success: false, error: 'Too many attempts. Please try again in 15 minutes.', code: 429 });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.cleanup();
    }
  });
});

/** Deletes every Redis key of this file (what a `FLUSHALL` does to them; every primary of a cluster), never another file's. */
async function dropRedisKeys(): Promise<number> {
  const redis = t.platform.cache.client;
  expect(redis, 'this test needs Redis').toBeTruthy();
  return redis ? deleteRedisKeys(redis, t.platform.redisPrefix) : 0;
}

describe('attempt limits and cooldowns survive Redis losing its keys (MongoDB holds them)', () => {
  it('keeps an account blocked after its failed logins, and the OTP resend cooldown running', async () => {
    const dev = await registerVerifiedDeveloper(t);
    for (let i = 0; i < t.config.rateLimits.authAccountPer15Min; i++)
      await request(t.app).post('/api/auth/login').send({ email: dev.email, password: 'wrong-pass' }).expect(401);
    const email = uniqueEmail();
    await request(t.app).post('/api/auth/register').send({ email, password: 'secret-123' }).expect(201);
    await t.platform.cache.client?.set('marker', '1');
    expect(await dropRedisKeys()).toBeGreaterThan(0);
    await request(t.app).post('/api/auth/login').send({ email: dev.email, password: dev.password }).expect(429);
    await request(t.app).post('/api/auth/send-otp').send({ email }).expect(429);
  });

  it('counts 20 concurrent wrong OTPs exactly (4, 3, 2, 1 left, then burnt) and accepts a right code once', async () => {
    const otps = createDeveloperOtps(t.deps.models.DeveloperOtp, t.deps.hasher, authClaimModel(t.platform.db.connection));
    const developerId = new Types.ObjectId();
    const code = await otps.issue(developerId, 'verify');
    const wrong = code === '000000' ? '111111' : '000000';
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => otps.consume(developerId, 'verify', wrong)));
    const messages = results.map((r) => (r.status === 'rejected' ? `${r.reason.status} ${r.reason.message}` : 'accepted'));
    const count = (m: string) => messages.filter((x) => x === m).length;
    for (let left = 4; left >= 1; left--) expect(count(`400 Incorrect OTP. ${left} attempt(s) remaining.`)).toBe(1);
    expect(count('429 Too many incorrect attempts. Please request a new OTP.')).toBe(1);
    expect(count('400 Invalid or expired OTP. Please request a new one.')).toBe(15);
    await expect(otps.consume(developerId, 'verify', code)).rejects.toMatchObject({ status: 400 });

    const fresh = await otps.issue(developerId, 'reset');
    const rights = await Promise.allSettled(Array.from({ length: 10 }, () => otps.consume(developerId, 'reset', fresh)));
    expect(rights.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});
