import { createServer } from 'node:net';
import { type RedisConnection, createRedisConnection } from '@urbackend/common/cache';
import { type SmtpSink, type TestPlatform, createTestPlatform, startSmtpSink } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerVerifiedDeveloper, testDashboardConfig } from '../test/helpers.js';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createDeps } from './deps.js';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

let platform: TestPlatform;
let smtp: SmtpSink;
let deadCache: RedisConnection;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  platform = await createTestPlatform('dash-noredis');
  smtp = await startSmtpSink();
  deadCache = createRedisConnection({
    url: `redis://127.0.0.1:${await closedPort()}`,
    commandTimeoutMs: 200,
    logger: platform.logger,
  });
  const config = testDashboardConfig(platform, smtp.url);
  config.rateLimits.authAccountPer15Min = 2;
  const deps = createDeps(config as Config, platform.logger, { db: platform.db, cache: deadCache });
  await deps.startup();
  app = createApp(deps);
});
afterAll(async () => {
  await deadCache.close();
  await smtp.close();
  await platform.cleanup();
});

describe('with Redis unreachable', () => {
  it('keeps serving accounts and projects, reports degraded health, still limits per process', async () => {
    const dev = await registerVerifiedDeveloper({ app, smtp });
    const project = await request(app)
      .post('/api/projects')
      .set('Authorization', `Bearer ${dev.accessToken}`)
      .send({ name: 'x' })
      .expect(201);
    await request(app)
      .post(`/api/projects/${project.body._id}/api-key`)
      .set('Authorization', `Bearer ${dev.accessToken}`)
      .send({ keyType: 'secret' })
      .expect(200);
    await request(app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(200);
    const health = await request(app).get('/api/health').expect(200);
    expect(health.body.status).toBe('degraded');
    for (let i = 0; i < 2; i++)
      await request(app).post('/api/auth/login').send({ email: dev.email, password: 'wrong-pass' }).expect(401);
    await request(app).post('/api/auth/login').send({ email: dev.email, password: dev.password }).expect(429);
  });
});
