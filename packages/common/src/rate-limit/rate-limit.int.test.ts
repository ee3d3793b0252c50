import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisConnection, createRedisConnection } from '../cache/index.js';
import { errorHandler } from '../http/index.js';
import { createLogger } from '../logger/index.js';
import { type TestPlatform, createTestPlatform } from '../testing/index.js';
import { createRateLimiter } from './index.js';

const logger = createLogger({ name: 'rl-test', level: 'silent' });

function appWith(cache: RedisConnection, name: string, limit: number) {
  const app = express();
  app.use(createRateLimiter({ cache, name, windowMs: 60_000, limit, message: 'Slow down!' }));
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(errorHandler(logger));
  return app;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform('ratelimit');
});
afterAll(() => platform.cleanup());

describe('createRateLimiter', () => {
  it('answers 429 in the envelope with Retry-After once the limit is used up', async () => {
    const app = appWith(platform.cache, 'basic', 2);
    await request(app).get('/').expect(200);
    await request(app).get('/').expect(200);
    const res = await request(app).get('/').expect(429);
    expect(res.body).toEqual({ success: false, error: 'Slow down!', code: 429 });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('shares counts across processes through Redis', async () => {
    expect(platform.cache.client, 'this test needs Redis').toBeTruthy();
    const a = appWith(platform.cache, 'shared', 2);
    const b = appWith(platform.cache, 'shared', 2);
    await request(a).get('/').expect(200);
    await request(b).get('/').expect(200);
    await request(a).get('/').expect(429);
  });

  it('keeps limiting per process when Redis is unreachable, never 500', async () => {
    const dead = createRedisConnection({ url: `redis://127.0.0.1:${await freePort()}`, commandTimeoutMs: 200, logger });
    const app = appWith(dead, 'dead', 1);
    await request(app).get('/').expect(200);
    await request(app).get('/').expect(429);
    await dead.close();
  });

  it('recovers onto Redis when it comes back', async () => {
    const port = await freePort();
    const cache = createRedisConnection({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300, logger });
    const app = appWith(cache, 'recover', 3);
    await request(app).get('/').expect(200);
    let child: ChildProcess | null = null;
    try {
      child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      expect(await cache.waitUntilReady(5000)).toBe(true);
      await request(app).get('/').expect(200);
      const keys = await cache.client?.keys('rl:recover:*');
      expect(keys?.length).toBe(1);
    } finally {
      await cache.close();
      child?.kill('SIGTERM');
    }
  });

  it('does nothing when the limit is 0', async () => {
    const app = appWith(platform.cache, 'off', 0);
    for (let i = 0; i < 3; i++) await request(app).get('/').expect(200);
  });
});
