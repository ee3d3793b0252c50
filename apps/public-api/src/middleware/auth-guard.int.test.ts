import { publishProjectChanged } from '@urbackend/common/cache';
import { generateApiKey, sha256Hex } from '@urbackend/common/crypto';
import { type TestProject, waitFor } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../testing/harness.js';

let h: Harness;
let a: TestProject;
let b: TestProject;
const id = '64b000000000000000000001';

/** Every public data/schema route, with a body where it takes one. */
const routes: [method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown][] = [
  ['get', '/api/data/posts'],
  ['get', '/api/data/posts?count=true'],
  ['get', `/api/data/posts/${id}`],
  ['post', '/api/data/posts', { title: 'x' }],
  ['post', '/api/data/posts/bulk', [{ title: 'x' }]],
  ['post', '/api/data/posts/aggregate', { pipeline: [{ $count: 'n' }] }],
  ['put', `/api/data/posts/${id}`, { title: 'y' }],
  ['patch', `/api/data/posts/${id}`, { title: 'y' }],
  ['delete', `/api/data/posts/${id}`],
  ['get', '/api/schemas/posts'],
  ['post', '/api/schemas', { name: 'things', fields: [] }],
];

function call(method: (typeof routes)[number][0], path: string, body: unknown, headers: Record<string, string>) {
  const req = request(h.app)[method](path).set(headers);
  return body === undefined ? req : req.send(body as object);
}

beforeAll(async () => {
  h = await createHarness('guard');
  a = await h.project({ collections: [{ name: 'posts', model: [{ key: 'title', type: 'String' }] }] });
  b = await h.project({ collections: [{ name: 'other', model: [] }] });
});
afterAll(() => h.close());

describe.each(routes)('%s %s', (method, path, body) => {
  it('401 without a key, with a bad key, and with a secret key passed as ?key=', async () => {
    const none = await call(method, path, body, {});
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ success: false, error: 'API key not found', code: 401 });
    const bad = await call(method, path, body, { 'x-api-key': 'sk_live_nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('API key is expired or invalid.');
    const sep = path.includes('?') ? '&' : '?';
    expect((await call(method, `${path}${sep}key=${a.secretKey}`, body, {})).status).toBe(401);
  });

  it("another project's key never reaches this project's data (404)", async () => {
    const res = await call(method, path, body, { 'x-api-key': b.secretKey });
    expect([404, 201]).toContain(res.status);
    if (res.status === 201) expect(path).toBe('/api/schemas');
  });

  it('publishable keys: 403 on secret-only routes and on writes with RLS off', async () => {
    const res = await call(method, path, body, { 'x-api-key': a.publishableKey });
    const secretOnly = path === '/api/schemas' || (method !== 'get' && !path.endsWith('/aggregate'));
    if (secretOnly) expect(res.status).toBe(403);
    else expect([200, 404]).toContain(res.status);
  });
});

describe('key lifecycle and owner', () => {
  it('a rotated key stops working within 1 second, the new one works at once', async () => {
    // Without Redis nothing is published and the old key lives on until the local TTL (5 s).
    expect(h.platform.cache.client, 'this test needs Redis').toBeTruthy();
    const p = await h.project({ collections: [{ name: 'posts', model: [] }] });
    await request(h.app).get('/api/data/posts').set('x-api-key', p.secretKey).expect(200);
    const fresh = generateApiKey('sk_live_');
    await h.deps.models.Project.updateOne({ _id: p.projectId }, { secretKeyHash: sha256Hex(fresh) });
    await publishProjectChanged(
      h.platform.cache,
      { projectId: p.projectId, keyHashes: [sha256Hex(p.secretKey)], reason: 'keys' },
      h.platform.logger,
    );
    // The resolver's subscriber drops the cached key when the message reaches it: poll the outcome.
    await waitFor(async () => (await request(h.app).get('/api/data/posts').set('x-api-key', p.secretKey)).status === 401, {
      timeoutMs: 1000,
      message: 'the rotated key refused',
    });
    await request(h.app).get('/api/data/posts').set('x-api-key', p.secretKey).expect(401);
    await request(h.app).get('/api/data/posts').set('x-api-key', fresh).expect(200);
  });

  it('refuses projects whose owner is not verified', async () => {
    const p = await h.project({ ownerVerified: false, collections: [{ name: 'posts', model: [] }] });
    const res = await request(h.app).get('/api/data/posts').set('x-api-key', p.secretKey).expect(401);
    expect(res.body.error).toBe('Owner not verified');
  });

  it('accepts a publishable key as ?key=', async () => {
    await request(h.app).get(`/api/data/posts?key=${a.publishableKey}`).expect(200);
  });
});

describe('allowed domains for publishable keys', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = await h.project({ allowedDomains: ['*.example.com'], collections: [{ name: 'posts', model: [] }] });
  });

  it('echoes an allowed origin with credentials', async () => {
    const res = await request(h.app)
      .get('/api/data/posts')
      .set('x-api-key', p.publishableKey)
      .set('Origin', 'https://app.example.com')
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  it('refuses another origin with 403 and no Access-Control-Allow-Origin', async () => {
    const res = await request(h.app)
      .get('/api/data/posts')
      .set('x-api-key', p.publishableKey)
      .set('Origin', 'https://evil.test')
      .expect(403);
    expect(res.body.error).toBe("Forbidden: Origin https://evil.test is not allowed by this project's CORS policy.");
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('uses the Referer without an Origin, and refuses neither', async () => {
    await request(h.app)
      .get('/api/data/posts')
      .set('x-api-key', p.publishableKey)
      .set('Referer', 'https://example.com/page')
      .expect(200);
    await request(h.app).get('/api/data/posts').set('x-api-key', p.publishableKey).expect(403);
    await request(h.app).get('/api/data/posts').set('x-api-key', p.publishableKey).set('Origin', 'not a url').expect(400);
  });

  it('does not origin-check secret keys', async () => {
    await request(h.app).get('/api/data/posts').set('x-api-key', p.secretKey).set('Origin', 'https://evil.test').expect(200);
  });
});

describe('Redis down', () => {
  it('still resolves keys from MongoDB and serves data (no 500); quota-charged writes wait for Redis (503)', async () => {
    const { createRedisConnection } = await import('@urbackend/common/cache');
    const deadCache = createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200, logger: h.platform.logger });
    const degraded = await createHarness('guard-noredis', {}, { cache: deadCache });
    try {
      const p = await degraded.project({ collections: [{ name: 'posts', model: [] }] });
      const write = await request(degraded.app).post('/api/data/posts').set('x-api-key', p.secretKey).send({ a: 1 });
      // No admission without the atomic gate: a limit must hold across processes.
      expect(write.status).toBe(503);
      expect(write.body.error).toBe('Usage accounting unavailable: Redis is not reachable. Please retry.');
      const read = await request(degraded.app).get('/api/data/posts').set('x-api-key', p.secretKey).expect(200);
      expect(read.body.data.items).toEqual([]);
      await request(degraded.app).get('/api/data/posts').set('x-api-key', 'sk_live_unknown').expect(401);
    } finally {
      await degraded.close();
      await deadCache.close();
    }
  });
});
