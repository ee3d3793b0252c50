import { createRedisConnection } from '@urbackend/common/cache';
import { createPlatformDb } from '@urbackend/common/db';
import { type TestPlatform, createTestPlatform, testBaseConfig } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createDeps } from './deps.js';

let platform: TestPlatform;
let app: ReturnType<typeof createApp>;

function testConfig(): Config {
  return {
    ...testBaseConfig(platform),
    port: 0,
    rateLimits: { authIpPer15Min: 100, authAccountPer15Min: 10, publicIpPerMin: 600 },
  };
}

beforeAll(async () => {
  platform = await createTestPlatform('public-app');
  app = createApp(createDeps(testConfig(), platform.logger, { db: platform.db, cache: platform.cache }));
});
afterAll(() => platform.cleanup());

describe('public API foundation', () => {
  it('reports healthy dependencies', async () => {
    expect(platform.cache.client, 'this test needs Redis').toBeTruthy();
    const res = await request(app).get('/api/health').expect(200);
    expect(res.body.dependencies.mongodb).toBe('connected');
    expect(res.body.status).toBe('ok');
    expect(res.body.dependencies.redis).toBe('connected');
    expect(Date.parse(res.body.timestamp)).not.toBeNaN();
    await request(app).get('/api/ready').expect(200, { ready: true });
  });

  it('answers unknown routes with a JSON 404 in the envelope, before any auth', async () => {
    const res = await request(app).get('/api/does-not-exist').expect(404);
    expect(res.body).toEqual({ success: false, error: 'Route not found: GET /api/does-not-exist', code: 404 });
  });

  it.each([
    ['malformed JSON', '{"a":', 400, /Invalid JSON/],
    ['a body nested deeper than 32 levels', `${'['.repeat(40)}${']'.repeat(40)}`, 400, /nested deeper/],
    ['a body over 1 MB', JSON.stringify({ a: 'x'.repeat(1_100_000) }), 413, /too large/],
  ])('answers %s with %i in the envelope', async (_name, body, status, message) => {
    const res = await request(app).post('/api/data/things').set('content-type', 'application/json').send(body);
    expect(res.status).toBe(status);
    expect(res.body.success).toBe(false);
    expect(res.body.code).toBe(status);
    expect(res.body.error).toMatch(message);
    expect(JSON.stringify(res.body)).not.toMatch(/node_modules|at .*\.js/);
  });

  it('sends security headers and a request id, and hides the framework', async () => {
    const res = await request(app).get('/api/health').set('x-request-id', 'abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers CORS preflights for any origin with credentials (the SDK uses credentials: include)', async () => {
    const res = await request(app)
      .options('/api/data/posts')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-api-key,content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-headers']).toContain('x-api-key');
  });
});

describe('degraded dependencies', () => {
  it('says degraded, quickly, when Redis is unreachable', async () => {
    const deadCache = createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200, logger: platform.logger });
    const degraded = createApp(createDeps(testConfig(), platform.logger, { db: platform.db, cache: deadCache }));
    const started = Date.now();
    const res = await request(degraded).get('/api/health').expect(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.body).toMatchObject({ status: 'degraded', dependencies: { mongodb: 'connected', redis: 'disconnected' } });
    await deadCache.close();
  });

  it('answers 503 on health and readiness, quickly, when MongoDB is unreachable', async () => {
    const deadDb = createPlatformDb({ uri: 'mongodb://127.0.0.1:1/x', timeoutMs: 300, poolSize: 1, logger: platform.logger });
    void deadDb.connect();
    const down = createApp(createDeps(testConfig(), platform.logger, { db: deadDb, cache: platform.cache }));
    const started = Date.now();
    const res = await request(down).get('/api/health').expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.dependencies.mongodb).toBe('disconnected');
    await request(down).get('/api/ready').expect(503, { ready: false });
    expect(Date.now() - started).toBeLessThan(3000);
    await deadDb.close();
  });
});
