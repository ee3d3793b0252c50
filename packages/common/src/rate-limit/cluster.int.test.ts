/**
 * The rate limiter on a real Redis Cluster: rate-limit-redis's scripts run on the primary owning
 * each key (routed by `cluster.call`), counts are shared by processes, and a flushed script cache
 * (NOSCRIPT on any primary) is reloaded instead of falling back to per-process counts.
 */
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, type RedisConnection, createRedisConnection } from '../cache/index.js';
import { errorHandler } from '../http/index.js';
import { createLogger } from '../logger/index.js';
import { type TestRedisCluster, startRedisCluster } from '../testing/index.js';
import { createRateLimiter } from './index.js';

const logger = createLogger({ name: 'rl-cluster-test', level: 'silent' });
let cluster: TestRedisCluster;
/** Two "processes": each has its own cluster client. */
let a: RedisConnection;
let b: RedisConnection;

beforeAll(async () => {
  cluster = await startRedisCluster();
  a = createRedisConnection({ ...cluster.connection, commandTimeoutMs: 1000, keyPrefix: 'rlc:', logger });
  b = createRedisConnection({ ...cluster.connection, commandTimeoutMs: 1000, keyPrefix: 'rlc:', logger });
  expect(await a.waitUntilReady(10_000)).toBe(true);
  expect(await b.waitUntilReady(10_000)).toBe(true);
});

afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await cluster?.stop();
});

function appWith(cache: RedisConnection, name: string, limit: number) {
  const app = express();
  app.use(createRateLimiter({ cache, name, windowMs: 60_000, limit, key: (req) => String(req.headers['x-client']), logger }));
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(errorHandler(logger));
  return app;
}

const clients = Array.from({ length: 12 }, (_, i) => `client-${i}`);

async function slotOwners(cache: RedisConnection, keys: string[]): Promise<Set<string>> {
  const client = cache.client as Cluster;
  const owners = new Set<string>();
  for (const key of keys) {
    const slot = Number(await client.cluster('KEYSLOT', `rlc:${key}`));
    const range = (await client.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to);
    owners.add(String(range?.[2]?.[1]));
  }
  return owners;
}

describe('rate limiter on a Redis Cluster', () => {
  it('counts each client on the primary owning its key, shared by every process', async () => {
    const appA = appWith(a, 'shared', 2);
    const appB = appWith(b, 'shared', 2);
    for (const client of clients) {
      await request(appA).get('/').set('x-client', client).expect(200);
      await request(appB).get('/').set('x-client', client).expect(200);
      const res = await request(appA).get('/').set('x-client', client).expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The counts are in the cluster (a per-process fallback would have let the third request in).
    for (const client of clients) expect(await a.client?.get(`rl:shared:${client}`)).toBe('3');
    // ... and on more than one primary: the routing by key is exercised, not one lucky slot.
    expect(
      (
        await slotOwners(
          a,
          clients.map((c) => `rl:shared:${c}`),
        )
      ).size,
    ).toBeGreaterThan(1);
  });

  it('reloads its scripts on every primary after SCRIPT FLUSH (NOSCRIPT), still counting in Redis', async () => {
    const appA = appWith(a, 'flushed', 2);
    const appB = appWith(b, 'flushed', 2);
    await request(appA).get('/').set('x-client', 'warm-up').expect(200);
    await request(appB).get('/').set('x-client', 'warm-up').expect(200);
    await Promise.all((a.client as Cluster).nodes('master').map((node) => node.script('FLUSH')));
    for (const client of clients) {
      await request(appA).get('/').set('x-client', client).expect(200);
      await request(appB).get('/').set('x-client', client).expect(200);
      await request(appA).get('/').set('x-client', client).expect(429);
    }
    for (const client of clients) expect(await b.client?.get(`rl:flushed:${client}`)).toBe('3');
  });
});
