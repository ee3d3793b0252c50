/**
 * Dependencies failing and returning while a server runs: the API degrades quickly and
 * recovers without a restart. Uses private Redis and FerretDB processes it can kill.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedisConnection } from '@urbackend/common/cache';
import { createPlatformDb } from '@urbackend/common/db';
import { toAppError } from '@urbackend/common/errors';
import { type TestPlatform, createTestPlatform, testBaseConfig, waitFor } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerret } from '../../../scripts/services/ferretdb.js';
import { freePort, stopChild, waitForPort, which } from '../../../scripts/services/util.js';
import { createApp } from '../src/app.js';
import { createDeps } from '../src/deps.js';

let platform: TestPlatform;
let dir: string;

beforeAll(async () => {
  platform = await createTestPlatform('recovery');
  dir = await mkdtemp(path.join(tmpdir(), 'urbackend-recovery-'));
});
afterAll(async () => {
  await platform.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const config = () => ({
  ...testBaseConfig(platform),
  port: 0,
  rateLimits: { authIpPer15Min: 100, authAccountPer15Min: 10, publicIpPerMin: 600 },
});

/** Probes every 200 ms until `accept` holds; resolves with that value, rejects with `what` after `timeoutMs`. */
async function until<T>(probe: () => Promise<T>, accept: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return waitFor(
    async () => {
      const value = await probe();
      return accept(value) ? { value } : undefined;
    },
    { timeoutMs, intervalMs: 200, message: what },
  ).then((found) => found.value);
}

describe('Redis stops and comes back', () => {
  it('degrades within seconds, never hangs, and recovers without a restart', async () => {
    const bin = await which('redis-server');
    expect(bin, 'redis-server must be on PATH for this test').toBeTruthy();
    const port = await freePort();
    const startRedis = async (): Promise<ChildProcess> => {
      const child = spawn(bin as string, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      await waitForPort('127.0.0.1', port, 5000, child);
      return child;
    };
    let redis = await startRedis();
    const cache = createRedisConnection({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300, logger: platform.logger });
    await cache.waitUntilReady(3000);
    const app = createApp(createDeps(config(), platform.logger, { db: platform.db, cache }));
    const health = async () => {
      const started = Date.now();
      const res = await request(app).get('/api/health');
      expect(Date.now() - started).toBeLessThan(2000);
      return res;
    };
    expect((await health()).body.status).toBe('ok');

    redis.kill('SIGKILL');
    const down = await until(health, (r) => r.body.status === 'degraded', 5000, 'health degraded after Redis died');
    expect(down.status).toBe(200);
    expect(down.body.dependencies.redis).toBe('disconnected');
    await expect(cache.client?.get('anything')).rejects.toThrow();

    redis = await startRedis();
    const back = await until(health, (r) => r.body.status === 'ok', 10_000, 'health ok after Redis came back');
    expect(back.body.dependencies.redis).toBe('connected');
    await cache.close();
    await stopChild(redis);
  });
});

describe('MongoDB stops and comes back', () => {
  it('fails fast with 503 while down and resumes without a restart', async () => {
    const port = await freePort();
    const dataDir = path.join(dir, 'ferret');
    let ferret = await startFerret(dataDir, () => undefined, port);
    const db = createPlatformDb({
      uri: `mongodb://127.0.0.1:${port}/recovery`,
      timeoutMs: 1000,
      poolSize: 2,
      logger: platform.logger,
    });
    await db.connect();
    const app = createApp(createDeps(config(), platform.logger, { db, cache: platform.cache }));
    const things = () => db.connection.collection('things');
    await things().insertOne({ name: 'kept' });
    await request(app).get('/api/ready').expect(200);

    await ferret.stop();
    const started = Date.now();
    const failure = await things()
      .findOne({ name: 'kept' })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(toAppError(failure).status).toBe(503);
    const down = await until(
      () => request(app).get('/api/health'),
      (r) => r.status === 503,
      5000,
      'health 503 after MongoDB died',
    );
    expect(down.body).toMatchObject({ status: 'error', dependencies: { mongodb: 'disconnected' } });
    await request(app).get('/api/ready').expect(503);

    ferret = await startFerret(dataDir, () => undefined, port);
    const back = await until(
      () => request(app).get('/api/ready'),
      (r) => r.status === 200,
      15_000,
      'ready again after MongoDB came back',
    );
    expect(back.status).toBe(200);
    expect(await things().findOne({ name: 'kept' })).toMatchObject({ name: 'kept' });
    await db.close();
    await ferret.stop();
  });
});
