import { createRedisConnection } from '@urbackend/common/cache';
import { deleteRedisKeys } from '@urbackend/common/testing';
import { REFRESH_REUSE_WINDOW_MS } from '@urbackend/common/user-auth';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.js';
import { type AppDeps, createDeps } from '../../deps.js';
import { type UserAuthHarness, startUserAuthHarness } from '../../testing/user-auth-harness.js';

let h: UserAuthHarness;
let app: UserAuthHarness['app'];
let deps: AppDeps;
let pk: string;
let otherPk: string;

const email = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function signupVerified(label: string, password = 'secret-123') {
  const address = email(label);
  const res = await request(app)
    .post('/api/userAuth/signup')
    .set('x-api-key', pk)
    .set('x-refresh-token-mode', 'header')
    .send({ email: address, password });
  expect(res.status).toBe(201);
  return {
    email: address,
    password,
    userId: res.body.userId as string,
    accessToken: res.body.accessToken as string,
    refreshToken: res.body.refreshToken as string,
  };
}

/** Moves every spend of the user's refresh tokens back past the reuse window. */
async function afterReuseWindow(userId: string) {
  const past = new Date(Date.now() - REFRESH_REUSE_WINDOW_MS - 1000);
  await deps.models.UserSession.updateMany({ userId, rotatedAt: { $ne: null } }, { $set: { rotatedAt: past } });
  // A spend whose rotatedAt is not set yet is dated by its successor's creation.
  await deps.models.UserSession.collection.updateMany({ userId }, { $set: { createdAt: past } });
}

/** Deletes every Redis key of this file (what a `FLUSHALL` does to them; every primary of a cluster), never another file's. */
async function dropRedisKeys(): Promise<number> {
  const redis = h.platform.cache.client;
  expect(redis, 'this test needs Redis').toBeTruthy();
  return redis ? deleteRedisKeys(redis, h.platform.redisPrefix) : 0;
}

beforeAll(async () => {
  h = await startUserAuthHarness('user-auth');
  ({ app, deps } = h);
  pk = (await h.project()).publishableKey;
  otherPk = (await h.project({ name: 'Other' })).publishableKey;
});
afterAll(() => h.close());

describe('signup and login', () => {
  it('signs up with a normalised email, keeps declared custom fields only, and mails a verification code', async () => {
    const address = email('Ann').toUpperCase();
    const res = await request(app)
      .post('/api/userAuth/signup')
      .set('x-api-key', pk)
      .set('x-refresh-token-mode', 'header')
      .send({
        email: `  ${address} `,
        password: 'secret-123',
        nickname: 'annie',
        age: 31,
        undeclared: 'x',
        emailVerified: true,
        role: 'admin',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ message: 'User registered successfully. Please verify your email.', expiresIn: '15m' });
    expect(res.body.token).toBe(res.body.accessToken);
    expect(res.body.refreshToken).toMatch(/^[0-9a-f-]{36}\.[0-9a-f]{64}$/);
    expect(res.headers['set-cookie']?.[0]).toMatch(/^refreshToken=.+HttpOnly/);

    const me = await request(app)
      .get('/api/userAuth/me')
      .set('x-api-key', pk)
      .set('authorization', `Bearer ${res.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      _id: res.body.userId,
      email: address.toLowerCase(),
      nickname: 'annie',
      age: 31,
      emailVerified: false,
    });
    expect(me.body).not.toHaveProperty('password');
    expect(me.body).not.toHaveProperty('undeclared');
    expect(me.body).not.toHaveProperty('role');

    const mail = await h.sink.waitFor((m) => m.to.includes(address.toLowerCase()));
    expect(mail.subject).toBe('Verify your account');
    expect(mail.from).toContain('Acme App');
    expect(mail.text).toMatch(/\b\d{6}\b/);
  });

  it('validates custom fields like an insert (400 naming the field) and refuses operator objects', async () => {
    const bad = await request(app)
      .post('/api/userAuth/signup')
      .set('x-api-key', pk)
      .send({ email: email('typo'), password: 'secret-123', age: 'old' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/age/);
    const op = await request(app)
      .post('/api/userAuth/login')
      .set('x-api-key', pk)
      .send({ email: { $ne: null }, password: 'x' });
    expect(op.status).toBe(400);
  });

  it('answers an existing verified email with 400 and an unverified one inside the cooldown with 429', async () => {
    const user = await signupVerified('dup');
    const again = await request(app)
      .post('/api/userAuth/signup')
      .set('x-api-key', pk)
      .send({ email: user.email, password: 'other-123' });
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    await deps.tenants
      .forProject({
        _id: (jwt.decode(user.accessToken) as { projectId: string }).projectId,
        resources: { db: { isExternal: false, config: null } },
      })
      .connection()
      .then((c) => c.collection('users').updateOne({ email: user.email }, { $set: { emailVerified: true } }));
    const verified = await request(app)
      .post('/api/userAuth/signup')
      .set('x-api-key', pk)
      .send({ email: user.email, password: 'other-123' });
    expect(verified.status).toBe(400);
    expect(verified.body).toEqual({ success: false, error: 'User already exists with this email.', code: 400 });
  });

  it('answers unknown email and wrong password identically', async () => {
    const user = await signupVerified('login');
    const wrong = await request(app)
      .post('/api/userAuth/login')
      .set('x-api-key', pk)
      .send({ email: user.email, password: 'nope-nope' });
    const unknown = await request(app)
      .post('/api/userAuth/login')
      .set('x-api-key', pk)
      .send({ email: email('ghost'), password: 'nope-nope' });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error).toBe('Invalid email or password');

    const ok = await request(app)
      .post('/api/userAuth/login')
      .set('x-api-key', pk)
      .send({ email: user.email.toUpperCase(), password: user.password });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(['accessToken', 'expiresIn', 'token']);
  });

  it('limits failed logins per account with 429 and Retry-After', async () => {
    const user = await signupVerified('brute');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (
          await request(app)
            .post('/api/userAuth/login')
            .set('x-api-key', pk)
            .send({ email: user.email, password: `bad-${i}-xx` })
        ).status,
      );
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    const blocked = await request(app)
      .post('/api/userAuth/login')
      .set('x-api-key', pk)
      .send({ email: user.email, password: user.password });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses projects without auth or without a valid users schema (reference wording)', async () => {
    const off = await h.project({ isAuthEnabled: false });
    const res = await request(app)
      .post('/api/userAuth/login')
      .set('x-api-key', off.publishableKey)
      .send({ email: 'a@b.co', password: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('Please enable Auth in the urBackend dashboard for this project to use this endpoint.');
    const noUsers = await h.project({ collections: [] });
    const missing = await request(app)
      .post('/api/userAuth/login')
      .set('x-api-key', noUsers.publishableKey)
      .send({ email: 'a@b.co', password: 'x' });
    expect(missing.status).toBe(403);
    expect(missing.body.error).toBe('User Schema Missing');
    const broken = await h.project({
      collections: [{ name: 'users', model: [{ key: 'email', type: 'String', required: true }] }],
    });
    const invalid = await request(app)
      .post('/api/userAuth/login')
      .set('x-api-key', broken.publishableKey)
      .send({ email: 'a@b.co', password: 'x' });
    expect(invalid.status).toBe(422);
  });
});

describe('tokens', () => {
  it('rejects alg:none, wrong-secret, expired and other-project tokens with 401', async () => {
    const user = await signupVerified('tokens');
    const claims = jwt.decode(user.accessToken) as { userId: string; projectId: string };
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const wrong = jwt.sign(claims, 'not-the-project-secret');
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, 'whatever');
    for (const token of [none, wrong, expired]) {
      const res = await request(app).get('/api/userAuth/me').set('x-api-key', pk).set('authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
    }
    const foreign = await request(app)
      .get('/api/userAuth/me')
      .set('x-api-key', otherPk)
      .set('authorization', `Bearer ${user.accessToken}`);
    expect(foreign.status).toBe(401);
    const none2 = await request(app).get('/api/userAuth/me').set('x-api-key', pk);
    expect(none2.body.error).toBe('Access Denied: No Token Provided');
  });

  it('rotates refresh tokens (header and cookie modes) and revokes the family on replay', async () => {
    const user = await signupVerified('refresh');
    const first = await request(app)
      .post('/api/userAuth/refresh-token')
      .set('x-api-key', pk)
      .set('x-refresh-token', user.refreshToken)
      .set('x-refresh-token-mode', 'header');
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).toBeTruthy();
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    const cookie = await request(app)
      .post('/api/userAuth/refresh-token')
      .set('x-api-key', pk)
      .set('cookie', `refreshToken=${first.body.refreshToken}`);
    expect(cookie.status).toBe(200);
    expect(cookie.body).not.toHaveProperty('refreshToken');
    const newest = /refreshToken=([^;]+)/.exec(cookie.headers['set-cookie']?.[0] ?? '')?.[1] ?? '';

    // Replayed after the reuse window (within it, a replay is a second tab and succeeds).
    await afterReuseWindow(user.userId);
    const replay = await request(app)
      .post('/api/userAuth/refresh-token')
      .set('x-api-key', pk)
      .set('x-refresh-token', user.refreshToken);
    expect(replay.status).toBe(403);
    expect(replay.body.error).toBe('Refresh token is invalid or already used');
    const afterReplay = await request(app)
      .post('/api/userAuth/refresh-token')
      .set('x-api-key', pk)
      .set('x-refresh-token', decodeURIComponent(newest));
    expect(afterReplay.status).toBe(403);
    const missing = await request(app).post('/api/userAuth/refresh-token').set('x-api-key', pk);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('Refresh token missing');
  });

  it('lets 20 concurrent refreshes of one token all succeed (two tabs); a replay after the window revokes the family', async () => {
    const user = await signupVerified('tabs');
    const refresh = (token: string) =>
      request(app)
        .post('/api/userAuth/refresh-token')
        .set('x-api-key', pk)
        .set('x-refresh-token', token)
        .set('x-refresh-token-mode', 'header');
    const tabs = await Promise.all(Array.from({ length: 20 }, () => refresh(user.refreshToken)));
    expect(tabs.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const r of tabs) {
      const me = await request(app)
        .get('/api/userAuth/me')
        .set('x-api-key', pk)
        .set('authorization', `Bearer ${r.body.accessToken}`);
      expect(me.status).toBe(200);
    }
    const again = await Promise.all(tabs.map((r) => refresh(r.body.refreshToken)));
    expect(again.map((r) => r.status)).toEqual(Array(20).fill(200));
    const sessions = await request(app)
      .get('/api/userAuth/sessions')
      .set('x-api-key', pk)
      .set('authorization', `Bearer ${again[0]?.body.accessToken}`);
    expect(sessions.body.data).toHaveLength(1);

    await afterReuseWindow(user.userId);
    const replay = await refresh(user.refreshToken);
    expect(replay.status).toBe(403);
    expect(replay.body.error).toBe('Refresh token is invalid or already used');
    expect(await deps.models.UserSession.countDocuments({ userId: user.userId, revokedAt: null })).toBe(0);
    expect((await refresh(again[0]?.body.refreshToken)).status).toBe(403);
  });

  it('keeps sessions across a Redis outage (MongoDB holds them)', async () => {
    const user = await signupVerified('redis-down');
    const deadCache = createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100, logger: h.platform.logger });
    const downDeps = createDeps(h.config, h.platform.logger, { db: h.platform.db, cache: deadCache });
    const res = await request(createApp(downDeps))
      .post('/api/userAuth/refresh-token')
      .set('x-api-key', pk)
      .set('x-refresh-token', user.refreshToken);
    expect(res.status).toBe(200);
    downDeps.mailer.close();
    await deadCache.close();
  });
});

describe('OTPs and attempt counts survive Redis losing its keys (MongoDB holds them)', () => {
  const post = (path: string, body: object) => request(app).post(`/api/userAuth/${path}`).set('x-api-key', pk).send(body);

  it('verifies with a code mailed before the keys were lost, and keeps a burnt code burnt', async () => {
    await h.platform.cache.client?.set('marker', '1');
    const user = await signupVerified('flush');
    const code = await h.sink.otpFor(user.email, { subject: /Verify your account/ });
    expect(await dropRedisKeys()).toBeGreaterThan(0);
    expect((await post('resend-verification-otp', { email: user.email })).status).toBe(429);
    expect((await post('verify-email', { email: user.email, otp: code })).status).toBe(200);

    const other = await signupVerified('flush-burn');
    const otherCode = await h.sink.otpFor(other.email, { subject: /Verify your account/ });
    const wrong = otherCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await post('verify-email', { email: other.email, otp: wrong })).status).toBe(400);
    await dropRedisKeys();
    const late = await post('verify-email', { email: other.email, otp: otherCode });
    expect(late.status).toBe(400);
    expect(late.body.error).toBe('Invalid or expired OTP');
  });

  it('keeps an account blocked after its failed logins', async () => {
    const user = await signupVerified('flush-login');
    for (let i = 0; i < 10; i++) expect((await post('login', { email: user.email, password: 'wrong-pass' })).status).toBe(400);
    await h.platform.cache.client?.set('marker', '1');
    expect(await dropRedisKeys()).toBeGreaterThan(0);
    expect((await post('login', { email: user.email, password: user.password })).status).toBe(429);
  });
});
