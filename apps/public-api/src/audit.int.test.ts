/**
 * Security audit of the public API (docs/security-checklist.md): behaviours of SECURITY.md and
 * CONTRACT §2/§3/§8 that no other test file shows.
 */
import { type RedisConnection, createRedisConnection } from '@urbackend/common/cache';
import { createPlatformDb } from '@urbackend/common/db';
import { type TestProject, testRedisConfig } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { type AppDeps, createDeps } from './deps.js';
import { USERS_MODEL, type UserAuthHarness, startUserAuthHarness } from './testing/user-auth-harness.js';

let h: UserAuthHarness;
let p: TestProject;
let other: TestProject;
const caches: RedisConnection[] = [];
const built: AppDeps[] = [];
let limiterApps = 0;

/** An app whose rate-limit counters start from zero: its own Redis key prefix (under the file's). */
async function limitedApp(over: Partial<Config>) {
  limiterApps += 1;
  const { platform } = h;
  const cache = createRedisConnection({
    ...testRedisConfig(),
    commandTimeoutMs: 1000,
    keyPrefix: `${platform.redisPrefix}limits${limiterApps}:`,
    logger: platform.logger,
  });
  caches.push(cache);
  await cache.waitUntilReady(3000);
  const deps = createDeps({ ...h.config, ...over } as Config, platform.logger, { db: platform.db, cache });
  built.push(deps);
  return createApp(deps);
}

const posts = [
  { key: 'title', type: 'String' },
  { key: 'price', type: 'Number' },
  { key: 'owner', type: 'Ref', ref: 'users' },
];

beforeAll(async () => {
  h = await startUserAuthHarness('audit');
  const collections = [
    { name: 'users', model: [...USERS_MODEL] as never },
    { name: 'posts', model: posts as never },
  ];
  p = await h.project({ collections });
  other = await h.project({ name: 'Other', collections });
});
afterAll(async () => {
  await Promise.allSettled(built.map((d) => d.close()));
  await Promise.allSettled(caches.map((c) => c.close()));
  await h.close();
});

const sk = () => ({ 'x-api-key': p.secretKey });
const mail = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function signup(project: TestProject, email = mail('u'), password = 'secret-123') {
  const res = await request(h.app)
    .post('/api/userAuth/signup')
    .set('x-api-key', project.publishableKey)
    .set('x-refresh-token-mode', 'header')
    .send({ email, password });
  expect(res.status).toBe(201);
  return { email, password, token: res.body.accessToken as string, userId: res.body.userId as string };
}

function rawJson(method: 'post' | 'put' | 'patch', path: string, body: string, headers: Record<string, string>) {
  return request(h.app)[method](path).set(headers).set('content-type', 'application/json').send(body);
}

describe('unknown routes and headers', () => {
  it.each([
    ['get', '/api/data'],
    ['get', '/api/data/posts/64b000000000000000000001/extra'],
    ['post', '/api/storage/nope'],
    ['get', '/api/userAuth/nope'],
    ['post', '/api/mail/nope'],
    ['delete', '/api/schemas/posts'],
    ['get', '/api/nothing/here'],
  ] as const)('%s %s without a key is 404, not 401', async (method, path) => {
    const res = await request(h.app)[method](path);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, code: 404 });
  });

  it('sends HSTS and Secure refresh cookies only in production, never X-Powered-By', async () => {
    const prod = h.appWith({ isProduction: true } as Partial<Config>).app;
    const health = await request(prod).get('/api/health');
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(health.headers['x-powered-by']).toBeUndefined();
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    const res = await request(prod)
      .post('/api/userAuth/signup')
      .set('x-api-key', p.publishableKey)
      .send({ email: mail('prod'), password: 'secret-123' });
    expect(res.status).toBe(201);
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0] ?? '';
    expect(cookie).toMatch(/^refreshToken=.*; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/SameSite/i);
    const dev = await request(h.app)
      .post('/api/userAuth/signup')
      .set('x-api-key', p.publishableKey)
      .send({ email: mail('dev'), password: 'secret-123' });
    expect((dev.headers['set-cookie'] as unknown as string[])[0]).not.toMatch(/; Secure/);
  });

  it('answers CORS preflights with exactly the SDK headers, for any origin', async () => {
    const res = await request(h.app)
      .options('/api/userAuth/login')
      .set('Origin', 'https://random.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://random.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    const allowed = String(res.headers['access-control-allow-headers']).split(',');
    for (const header of ['x-api-key', 'authorization', 'content-type', 'x-refresh-token', 'x-refresh-token-mode']) {
      expect(allowed).toContain(header);
    }
  });
});

describe('5xx bodies', () => {
  it('carry no driver text, URI, stack or path when MongoDB is unreachable', async () => {
    const { platform } = h;
    const deadDb = createPlatformDb({ uri: 'mongodb://127.0.0.1:1/x', timeoutMs: 300, poolSize: 1, logger: platform.logger });
    void deadDb.connect().catch(() => undefined);
    const deps = createDeps(h.config, platform.logger, { db: deadDb, cache: platform.cache });
    built.push(deps);
    const app = createApp(deps);
    // Well-formed keys (the lookup path needs the database); forged ones are refused without it.
    const calls = [
      request(app)
        .get('/api/data/posts')
        .set('x-api-key', `sk_live_${'u'.repeat(43)}`),
      request(app)
        .post('/api/userAuth/login')
        .set('x-api-key', `pk_live_${'v'.repeat(43)}`),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(503);
      expect(Object.keys(res.body).sort()).toEqual(['code', 'error', 'success']);
      expect(JSON.stringify(res.body)).not.toMatch(/mongodb:|127\.0\.0\.1|ECONNREFUSED|Mongo|\bat |node_modules|\.ts|\.js/);
    }
    await deadDb.close();
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After on the whole-API per-IP limit', async () => {
    const app = await limitedApp({ rateLimits: { authIpPer15Min: 1000, authAccountPer15Min: 10, publicIpPerMin: 2 } });
    await request(app).get('/api/data/posts').set(sk()).expect(200);
    await request(app).get('/api/data/posts').set(sk()).expect(200);
    const res = await request(app).get('/api/data/posts').set(sk()).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ success: false, code: 429 });
  });

  it('counts X-Forwarded-For only when TRUST_PROXY is set', async () => {
    const limits = { authIpPer15Min: 1000, authAccountPer15Min: 10, publicIpPerMin: 1 };
    const direct = await limitedApp({ rateLimits: limits });
    await request(direct).get('/api/data/posts').set(sk()).set('x-forwarded-for', '203.0.113.2').expect(200);
    await request(direct).get('/api/data/posts').set(sk()).set('x-forwarded-for', '203.0.113.3').expect(429);

    const http = { ...h.config.http, trustProxy: 1 };
    const proxied = await limitedApp({ rateLimits: limits, http } as Partial<Config>);
    await request(proxied).get('/api/data/posts').set(sk()).set('x-forwarded-for', '203.0.113.4').expect(200);
    await request(proxied).get('/api/data/posts').set(sk()).set('x-forwarded-for', '203.0.113.5').expect(200);
    await request(proxied).get('/api/data/posts').set(sk()).set('x-forwarded-for', '203.0.113.5').expect(429);
  });

  it('answers 429 with Retry-After on the auth per-IP limit', async () => {
    const app = await limitedApp({ rateLimits: { authIpPer15Min: 1, authAccountPer15Min: 10, publicIpPerMin: 0 } });
    const body = { email: mail('ip'), password: 'whatever-1' };
    await request(app).post('/api/userAuth/login').set('x-api-key', p.publishableKey).send(body).expect(400);
    const res = await request(app).post('/api/userAuth/login').set('x-api-key', p.publishableKey).send(body).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('input validation', () => {
  const bad = ['{"title":"x","__proto__":{"polluted":1}}', '{"title":"x","a.b":1}', '{"title":"x","$set":{"a":1}}'];
  const nested = '{"title":"x","meta":{"constructor":{"prototype":{"x":1}},"__proto__":{"y":1}}}';

  it.each([...bad, nested])('refuses %s on insert, PUT, PATCH and bulk with 400', async (body) => {
    const doc = await request(h.app).post('/api/data/posts').set(sk()).send({ title: 'ok' }).expect(201);
    const id = doc.body._id as string;
    for (const [method, path, payload] of [
      ['post', '/api/data/posts', body],
      ['put', `/api/data/posts/${id}`, body],
      ['patch', `/api/data/posts/${id}`, body],
      ['post', '/api/data/posts/bulk', `[${body}]`],
    ] as const) {
      const res = await rawJson(method, path, payload, sk());
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.success).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(bad)('refuses %s on signup and update-profile with 400', async (body) => {
    const custom = body.replace('"title":"x"', `"email":"${mail('proto')}","password":"secret-123"`);
    const signupRes = await rawJson('post', '/api/userAuth/signup', custom, { 'x-api-key': p.publishableKey });
    expect(signupRes.status).toBe(400);
    const user = await signup(p);
    const profile = body.replace('"title":"x"', '"nickname":"n"');
    const res = await rawJson('put', '/api/userAuth/update-profile', profile, {
      'x-api-key': p.publishableKey,
      authorization: `Bearer ${user.token}`,
    });
    expect(res.status).toBe(400);
  });

  it('answers invalid ids with 400 on every id route', async () => {
    const calls = [
      request(h.app).get('/api/data/posts/xyz').set(sk()),
      request(h.app).put('/api/data/posts/xyz').set(sk()).send({ title: 'a' }),
      request(h.app).patch('/api/data/posts/xyz').set(sk()).send({ title: 'a' }),
      request(h.app).delete('/api/data/posts/xyz').set(sk()),
      request(h.app).get('/api/data/posts?_id=xyz').set(sk()),
      request(h.app).post('/api/data/posts').set(sk()).send({ owner: 'xyz' }),
    ];
    const answers = await Promise.all(calls);
    answers.forEach((res, i) => expect(res.status, `call ${i}: ${JSON.stringify(res.body)}`).toBe(400));
  });

  it('caps limit at 100 on lists', async () => {
    const res = await request(h.app).get('/api/data/posts?limit=500').set(sk()).expect(200);
    expect(res.body.data.limit).toBe(100);
  });

  it.each(['price', 'price:-1', 'price:desc,title:asc', '-price,title', 'createdAt:asc'])(
    'walks a cursor with sort=%s, every document once',
    async (sort) => {
      const fresh = await h.project({ name: 'Cursor', collections: [{ name: 'posts', model: posts as never }] });
      const docs = Array.from({ length: 7 }, (_, i) => ({ title: `t${i % 3}`, price: i % 2 }));
      await request(h.app).post('/api/data/posts/bulk').set('x-api-key', fresh.secretKey).send(docs).expect(201);
      const seen: string[] = [];
      let cursor = '';
      for (let i = 0; i < 10; i++) {
        const qs = new URLSearchParams({ limit: '3', cursor, sort });
        const res = await request(h.app).get(`/api/data/posts?${qs}`).set('x-api-key', fresh.secretKey).expect(200);
        seen.push(...res.body.data.items.map((d: { _id: string }) => d._id));
        if (!res.body.data.nextCursor) break;
        cursor = res.body.data.nextCursor;
      }
      expect(new Set(seen).size).toBe(7);
      expect(seen).toHaveLength(7);
    },
  );

  it('refuses reserved and malformed collection names on POST /api/schemas', async () => {
    for (const name of ['system_users', 'SystemX', '1abc', 'a-b', 'x'.repeat(64)]) {
      const res = await request(h.app).post('/api/schemas').set(sk()).send({ name, fields: [] });
      expect(res.status, name).toBe(400);
    }
  });
});

describe('tenants and tokens', () => {
  it("refuses a user token of project A on project B's data and auth routes (401)", async () => {
    const user = await signup(p);
    const asOther = { 'x-api-key': other.publishableKey, authorization: `Bearer ${user.token}` };
    await request(h.app).get('/api/userAuth/me').set(asOther).expect(401);
    await request(h.app).put('/api/userAuth/update-profile').set(asOther).send({ nickname: 'x' }).expect(401);
    await request(h.app).get('/api/userAuth/sessions').set(asOther).expect(401);
  });

  it('stores refresh tokens hashed, and refuses the tokens of a user that no longer exists', async () => {
    const user = await signup(p);
    const login = await request(h.app)
      .post('/api/userAuth/login')
      .set({ 'x-api-key': p.publishableKey, 'x-refresh-token-mode': 'header' })
      .send({ email: user.email, password: user.password })
      .expect(200);
    const refreshToken = login.body.refreshToken as string;
    const stored = await h.deps.models.UserSession.find({ userId: user.userId }).lean();
    expect(stored.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored)).not.toContain(refreshToken);
    expect(JSON.stringify(stored)).not.toContain(refreshToken.split('.')[1]);

    await h.platform.db.tenantDb(p.projectId).collection('users').deleteOne({ email: user.email });
    const asUser = { 'x-api-key': p.publishableKey, authorization: `Bearer ${user.token}` };
    // The reference answers `me` for a vanished user with 404 `User not found` (wire-compatible).
    await request(h.app).get('/api/userAuth/me').set(asUser).expect(404);
    await request(h.app).get('/api/data/posts').set(asUser).expect(401);
    const refresh = await request(h.app)
      .post('/api/userAuth/refresh-token')
      .set({ 'x-api-key': p.publishableKey, 'x-refresh-token': refreshToken, 'x-refresh-token-mode': 'header' });
    expect([401, 403]).toContain(refresh.status);
  });

  it('lists with populate never expose user secrets', async () => {
    const user = await signup(p);
    await request(h.app).post('/api/data/posts').set(sk()).send({ title: 'pop', owner: user.userId }).expect(201);
    const res = await request(h.app).get('/api/data/posts?populate=owner&title=pop').set(sk()).expect(200);
    const owner = res.body.data.items[0].owner as Record<string, unknown>;
    expect(owner.email).toBe(user.email);
    for (const key of Object.keys(owner)) expect(key).not.toMatch(/password|otp|token|session/i);
  });
});

describe('emails and enumeration', () => {
  it('normalises emails on login, verify, resend and reset', async () => {
    const user = await signup(p, mail('case'));
    const shouted = `  ${user.email.toUpperCase()} `;
    const pkH = { 'x-api-key': p.publishableKey };
    await request(h.app).post('/api/userAuth/login').set(pkH).send({ email: shouted, password: user.password }).expect(200);
    const since = h.sink.messages.length;
    await request(h.app).post('/api/userAuth/request-password-reset').set(pkH).send({ email: shouted }).expect(200);
    const otp = await h.sink.otpFor(user.email, { subject: /Reset your password/, since });
    await request(h.app)
      .post('/api/userAuth/reset-password')
      .set(pkH)
      .send({ email: shouted, otp, newPassword: 'brand-new-1' })
      .expect(200);
    await request(h.app).post('/api/userAuth/login').set(pkH).send({ email: user.email, password: 'brand-new-1' }).expect(200);
  });

  it('returns emailVerified from me', async () => {
    const user = await signup(p);
    const me = await request(h.app)
      .get('/api/userAuth/me')
      .set({ 'x-api-key': p.publishableKey, authorization: `Bearer ${user.token}` })
      .expect(200);
    expect(me.body.emailVerified).toBe(false);
  });

  it('answers request-password-reset twice identically for unknown and known emails (cooldown)', async () => {
    const user = await signup(p);
    const pkH = { 'x-api-key': p.publishableKey };
    const answers = [];
    for (const email of [user.email, mail('ghost')]) {
      const first = await request(h.app).post('/api/userAuth/request-password-reset').set(pkH).send({ email });
      const second = await request(h.app).post('/api/userAuth/request-password-reset').set(pkH).send({ email });
      answers.push([first.status, first.body, second.status, second.body, second.headers['retry-after'] !== undefined]);
    }
    expect(answers[0]).toEqual(answers[1]);
  });
});
