/**
 * Security audit of the dashboard API (docs/security-checklist.md): behaviours of SECURITY.md and
 * CONTRACT §2/§3/§8 that no other test file shows.
 */
import { createPlatformDb } from '@urbackend/common/db';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
  uniqueEmail,
} from '../test/helpers.js';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createDeps } from './deps.js';

let t: DashboardTestApp;
let dev: TestDeveloper;
let projectId: string;
const extra: DashboardTestApp[] = [];
const auth = () => ({ Authorization: `Bearer ${dev.accessToken}` });

beforeAll(async () => {
  t = await createDashboardTestApp('dash-audit');
  dev = await registerVerifiedDeveloper(t);
  projectId = (await createTestProject(t.app, dev, 'Audit'))._id;
  const collections = `/api/projects/${projectId}/collections`;
  await request(t.app)
    .post(collections)
    .set(auth())
    .send({ collectionName: 'posts', schema: [{ key: 'title', type: 'String' }] })
    .expect(201);
  const users = [
    { key: 'email', type: 'String', required: true },
    { key: 'password', type: 'String', required: true },
    { key: 'nickname', type: 'String' },
  ];
  await request(t.app).post(collections).set(auth()).send({ collectionName: 'users', schema: users }).expect(201);
});
afterAll(async () => {
  await Promise.allSettled(extra.map((e) => e.cleanup()));
  await t.cleanup();
});

async function variant(label: string, adjust: Parameters<typeof createDashboardTestApp>[1]) {
  const built = await createDashboardTestApp(label, adjust);
  extra.push(built);
  return built;
}

describe('unknown routes, health and headers', () => {
  it.each([
    ['get', '/api/nothing'],
    ['get', '/api/auth/nope'],
    ['post', '/api/projects/64b000000000000000000001/nope'],
    ['get', '/api/projects/64b000000000000000000001/collections/posts/data/x/y'],
    ['get', '/api/analytics/nope/deeper'],
    ['get', '/api/admin/nope'],
  ] as const)('%s %s without a token is 404, not 401', async (method, path) => {
    const res = await request(t.app)[method](path);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, code: 404 });
  });

  it('answers health and ready with the contract shapes (not error envelopes)', async () => {
    expect(t.platform.cache.client, 'this test needs Redis').toBeTruthy();
    const res = await request(t.app).get('/api/health').expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['dependencies', 'status', 'timestamp']);
    expect(res.body.status).toBe('ok');
    expect(res.body.dependencies).toEqual({ mongodb: 'connected', redis: 'connected' });
    expect(Date.parse(res.body.timestamp)).not.toBeNaN();
    await request(t.app).get('/api/ready').expect(200, { ready: true });
  });

  it('sends nosniff, no X-Powered-By, no HSTS outside production, and a strict refresh cookie', async () => {
    const res = await request(t.app).post('/api/auth/login').send({ email: dev.email, password: dev.password }).expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('refreshToken=')) ?? '';
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/api\/auth/);
    expect(cookie).not.toMatch(/; Secure/);
  });

  it('in production sends HSTS and a Secure refresh cookie', async () => {
    const prod = await variant('dash-audit-prod', (c) => {
      c.isProduction = true;
    });
    const developer = await registerVerifiedDeveloper(prod);
    const again = await request(prod.app).post('/api/auth/login').send({ email: developer.email, password: developer.password });
    expect(again.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(again.headers['x-powered-by']).toBeUndefined();
    const cookie = (again.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('refreshToken=')) ?? '';
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
  });

  it('answers CORS preflights only for the dashboard origins', async () => {
    const ok = await request(t.app)
      .options('/api/projects')
      .set('Origin', 'http://localhost:5173')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const evil = await request(t.app)
      .options('/api/projects')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After on the dashboard per-IP limit', async () => {
    const limited = await variant('dash-audit-ip', (c) => {
      c.rateLimits.dashboardIpPer15Min = 2;
    });
    await request(limited.app).get('/api/projects').expect(401);
    await request(limited.app).get('/api/projects').expect(401);
    const res = await request(limited.app).get('/api/projects').expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ success: false, code: 429 });
  });

  it('counts X-Forwarded-For only when TRUST_PROXY is set', async () => {
    const direct = await variant('dash-audit-xff', (c) => {
      c.rateLimits.dashboardIpPer15Min = 1;
    });
    await request(direct.app).get('/api/projects').set('x-forwarded-for', '198.51.100.1').expect(401);
    await request(direct.app).get('/api/projects').set('x-forwarded-for', '198.51.100.2').expect(429);
    const proxied = await variant('dash-audit-proxy', (c) => {
      c.rateLimits.dashboardIpPer15Min = 1;
      c.http.trustProxy = 1;
    });
    await request(proxied.app).get('/api/projects').set('x-forwarded-for', '198.51.100.1').expect(401);
    await request(proxied.app).get('/api/projects').set('x-forwarded-for', '198.51.100.2').expect(401);
    await request(proxied.app).get('/api/projects').set('x-forwarded-for', '198.51.100.2').expect(429);
  });
});

describe('input validation', () => {
  const bodies = ['{"title":"x","__proto__":{"polluted":1}}', '{"title":"x","a.b":1}', '{"title":"x","$set":{"a":1}}'];
  const raw = (method: 'post' | 'put' | 'patch', path: string, body: string) =>
    request(t.app)[method](path).set(auth()).set('content-type', 'application/json').send(body);

  it.each(bodies)('refuses %s on data rows and end-user admin writes with 400', async (body) => {
    const data = `/api/projects/${projectId}/collections/posts/data`;
    const row = await request(t.app).post(data).set(auth()).send({ title: 'ok' }).expect(201);
    const rowId = (row.body._id ?? row.body.data?._id) as string;
    const users = `/api/projects/${projectId}/admin/users`;
    const user = await request(t.app)
      .post(users)
      .set(auth())
      .send({ email: uniqueEmail('end'), password: 'pass-word-1' })
      .expect(201);
    const userBody = body.replace('"title":"x"', `"email":"${uniqueEmail('end')}","password":"pass-word-1"`);
    const editBody = body.replace('"title":"x"', '"nickname":"n"');
    for (const [method, path, payload] of [
      ['post', data, body],
      ['patch', `${data}/${rowId}`, body],
      ['post', users, userBody],
      ['put', `${users}/${user.body.user._id}`, editBody],
    ] as const) {
      const res = await raw(method, path, payload);
      expect(res.status, `${method} ${path} ${payload}`).toBe(400);
      expect(res.body.success).toBe(false);
    }
  });

  it('answers invalid ids with 400', async () => {
    const calls = [
      request(t.app).get('/api/projects/not-an-id').set(auth()),
      request(t.app).patch('/api/projects/not-an-id').set(auth()).send({ name: 'x' }),
      request(t.app).delete('/api/projects/not-an-id').set(auth()),
      request(t.app).get('/api/projects/not-an-id/collections/posts/data').set(auth()),
      request(t.app).patch(`/api/projects/${projectId}/collections/posts/data/not-an-id`).set(auth()).send({ title: 'x' }),
      request(t.app).delete(`/api/projects/${projectId}/collections/posts/data/not-an-id`).set(auth()),
      request(t.app).put(`/api/projects/${projectId}/admin/users/not-an-id`).set(auth()).send({ nickname: 'x' }),
    ];
    const answers = await Promise.all(calls);
    answers.forEach((res, i) => expect(res.status, `call ${i}: ${JSON.stringify(res.body)}`).toBe(400));
  });

  it('normalises developer emails on register, verify, login and forgot-password', async () => {
    const email = uniqueEmail('MiXeD');
    const shouted = `  ${email.toUpperCase()} `;
    const since = t.smtp.messages.length;
    await request(t.app).post('/api/auth/register').send({ email: shouted, password: 'correct-horse-1' }).expect(201);
    const otp = await t.smtp.otpFor(email.toLowerCase(), { since });
    await request(t.app).post('/api/auth/verify-otp').send({ email: shouted, otp }).expect(200);
    await request(t.app).post('/api/auth/login').send({ email: email.toLowerCase(), password: 'correct-horse-1' }).expect(200);
    await request(t.app).post('/api/auth/login').send({ email: shouted, password: 'correct-horse-1' }).expect(200);
    const before = t.smtp.messages.length;
    await request(t.app).post('/api/auth/forgot-password').send({ email: shouted }).expect(200);
    await t.smtp.otpFor(email.toLowerCase(), { since: before });
  });
});

describe('5xx bodies', () => {
  it('carry no driver text, URI, stack or path when MongoDB is unreachable', async () => {
    const deadDb = createPlatformDb({ uri: 'mongodb://127.0.0.1:1/x', timeoutMs: 300, poolSize: 1, logger: t.platform.logger });
    void deadDb.connect().catch(() => undefined);
    const deps = createDeps(t.config as Config, t.platform.logger, { db: deadDb, cache: t.platform.cache });
    const app = createApp(deps);
    const calls = [
      request(app).post('/api/auth/login').send({ email: dev.email, password: dev.password }),
      request(app).get('/api/projects').set(auth()),
    ];
    const started = Date.now();
    for (const res of await Promise.all(calls)) {
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.status).toBe(503);
      expect(Object.keys(res.body).sort()).toEqual(['code', 'error', 'success']);
      expect(JSON.stringify(res.body)).not.toMatch(/mongodb:|127\.0\.0\.1|ECONNREFUSED|Mongo|\bat |node_modules|\.ts|\.js/);
    }
    deps.mailer.close();
    await deadDb.close();
  });
});
