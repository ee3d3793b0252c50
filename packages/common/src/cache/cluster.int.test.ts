/**
 * The cache on a real Redis Cluster (3 primaries started from redis-server on PATH): keys spread
 * over the primaries, pub/sub invalidation across processes, health reporting, and the start-up
 * refusal of a one-node configuration pointing at a cluster node (and of the reverse).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthRouter } from '../http/health.js';
import { createLogger } from '../logger/index.js';
import { type TestRedisCluster, startRedisCluster, waitFor } from '../testing/index.js';
import {
  type ProjectChangedEvent,
  type RedisConnection,
  RedisDeploymentError,
  createRedisConnection,
  publishProjectChanged,
  subscribeProjectChanged,
} from './index.js';

const logger = createLogger({ name: 'cluster-test', level: 'silent' });
let cluster: TestRedisCluster;
let cache: RedisConnection;
const opened: RedisConnection[] = [];

function open(options: Partial<Parameters<typeof createRedisConnection>[0]> = {}): RedisConnection {
  const c = createRedisConnection({ ...cluster.connection, commandTimeoutMs: 1000, keyPrefix: 'cc:', logger, ...options });
  opened.push(c);
  return c;
}

beforeAll(async () => {
  cluster = await startRedisCluster();
  cache = open();
  expect(await cache.waitUntilReady(10_000), 'cluster client ready').toBe(true);
});

afterAll(async () => {
  await Promise.allSettled(opened.map((c) => c.close()));
  await cluster?.stop();
});

async function dbsize(port: number): Promise<number> {
  const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null });
  try {
    await r.connect();
    return await r.dbsize();
  } finally {
    r.disconnect();
  }
}

describe('cache on a Redis Cluster', () => {
  it('connects through REDIS_CLUSTER_NODES, and keys spread over every primary', async () => {
    expect(cache.mode).toBe('cluster');
    expect(cache.isReady()).toBe(true);
    await cache.assertDeployment(2000);
    const client = cache.client as NonNullable<RedisConnection['client']>;
    for (let i = 0; i < 60; i++) await client.set(`spread:${i}`, String(i), 'EX', 60);
    expect(await client.get('spread:7')).toBe('7');
    const sizes = await Promise.all(cluster.nodes.map((n) => dbsize(n.port)));
    for (const size of sizes) expect(size).toBeGreaterThan(0);
  });

  it('delivers project changes from one process to another (pub/sub on a Cluster)', async () => {
    const other = open();
    const received: ProjectChangedEvent[] = [];
    const unsubscribe = subscribeProjectChanged(other, (e) => received.push(e), logger);
    try {
      // The subscriber connects in the background: publish until it has heard one.
      await waitFor(
        async () => {
          await publishProjectChanged(cache, { projectId: 'p-cluster', keyHashes: ['h1'], reason: 'keys' }, logger);
          return received.length > 0;
        },
        { timeoutMs: 10_000, intervalMs: 100, message: 'project change received over the cluster' },
      );
      expect(received[0]).toEqual({ projectId: 'p-cluster', keyHashes: ['h1'], reason: 'keys' });
    } finally {
      await unsubscribe();
    }
  });

  it('refuses a key prefix with braces (it would override the hash tag of every key)', () => {
    expect(() =>
      createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100, keyPrefix: '{app}:', logger }),
    ).toThrow(/must not contain \{ or \}/);
  });

  it('refuses a one-node configuration (REDIS_URL) pointing at a cluster node, naming REDIS_CLUSTER_NODES', async () => {
    const node = cluster.nodes[0] as { port: number };
    const single = open({ url: `redis://127.0.0.1:${node.port}`, cluster: null });
    expect(single.mode).toBe('single');
    const err = await single.assertDeployment(5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisDeploymentError);
    expect((err as Error).message).toMatch(/cluster_enabled:1/);
    expect((err as Error).message).toMatch(/set REDIS_CLUSTER_NODES/);
    // The socket answers PING, yet the cache does not pretend to work.
    expect(await single.client?.ping()).toBe('PONG');
    expect(await single.status(1000)).toBe('disconnected');
  });

  it('refuses a cluster configuration (REDIS_CLUSTER_NODES) pointing at a server without cluster mode', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    let child: ChildProcess | null = null;
    try {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      const plain = open({ url: null, cluster: { nodes: `127.0.0.1:${port}` } });
      const err = await plain.assertDeployment(10_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RedisDeploymentError);
      expect((err as Error).message).toMatch(/REDIS_CLUSTER_NODES points at Redis servers without cluster mode/);
      await plain.close();
    } finally {
      child?.kill('SIGTERM');
    }
  });

  it('reports health connected while commands work, disconnected once a primary is gone (CLUSTERDOWN)', async () => {
    const app = express().use(healthRouter({ db: { ping: async () => true }, cache }));
    const ok = await request(app).get('/api/health').expect(200);
    expect(ok.body).toMatchObject({ status: 'ok', dependencies: { mongodb: 'connected', redis: 'connected' } });
    expect(await cache.status()).toBe('connected');

    await cluster.stopNode((cluster.nodes[2] as { port: number }).port);
    // With a primary failed and no replica, the cluster refuses every command (full coverage lost).
    await waitFor(async () => (await cache.status(1000)) === 'disconnected', {
      timeoutMs: 20_000,
      intervalMs: 200,
      message: 'status() reporting disconnected after a primary stopped',
    });
    const degraded = await request(app).get('/api/health').expect(200);
    expect(degraded.body).toMatchObject({ status: 'degraded', dependencies: { redis: 'disconnected' } });
  });
});
