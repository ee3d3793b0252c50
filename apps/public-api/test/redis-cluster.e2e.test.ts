/**
 * Both API processes on a real Redis Cluster (3 primaries from redis-server on PATH): they refuse
 * to start when REDIS_URL points at a cluster node (naming REDIS_CLUSTER_NODES), and they serve
 * with REDIS_CLUSTER_NODES. Also the public API's request counters (one MULTI per request) on it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { type RedisConnection, createRedisConnection } from '@urbackend/common/cache';
import { createLogger } from '@urbackend/common/logger';
import {
  type TestRedisCluster,
  startRedisCluster,
  testServices,
  uniqueTestName,
  waitFor,
  withDatabase,
} from '@urbackend/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/services/util.js';
import { createUsageCounter, usageKeys } from '../src/middleware/usage.js';

const apps = [
  { name: 'public-api', dir: path.resolve(import.meta.dirname, '..'), portVar: 'PUBLIC_PORT' },
  { name: 'dashboard-api', dir: path.resolve(import.meta.dirname, '../../dashboard-api'), portVar: 'DASHBOARD_PORT' },
];

let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

function start(
  dir: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'src/main.ts'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      MONGODB_URI: withDatabase(testServices().mongoUri, uniqueTestName('rediscluster')),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe.each(apps)('$name on a Redis Cluster', ({ dir, portVar }) => {
  it('refuses to start when REDIS_URL points at a cluster node, telling the operator to set REDIS_CLUSTER_NODES', async () => {
    const node = cluster.nodes[0] as { port: number };
    const proc = start(dir, { [portVar]: String(await freePort()), REDIS_URL: `redis://127.0.0.1:${node.port}` });
    const code = await Promise.race([
      proc.exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 25_000)),
    ]);
    if (code === 'timeout') proc.child.kill('SIGKILL');
    expect(code, proc.output()).toBe(1);
    expect(proc.output()).toContain('REDIS_CLUSTER_NODES');
    expect(proc.output()).toContain('cluster_enabled:1');
  });

  it('serves with REDIS_CLUSTER_NODES (health: redis connected) and stops cleanly', async () => {
    const port = await freePort();
    const proc = start(dir, { [portVar]: String(port), REDIS_CLUSTER_NODES: cluster.nodeList, REDIS_KEY_PREFIX: 'e2e:' });
    try {
      const body = await waitFor(
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`exited (${proc.child.exitCode}):\n${proc.output()}`);
          const res = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
          if (!res?.ok) return undefined;
          const json = (await res.json()) as { status: string; dependencies: { redis: string } };
          return json.dependencies.redis === 'connected' ? json : undefined;
        },
        { timeoutMs: 25_000, intervalMs: 200, message: () => `health with redis connected:\n${proc.output()}` },
      );
      expect(body.status).toBe('ok');
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect(await proc.exited, proc.output()).toBe(0);
  });
});

describe('public API request counters on a Redis Cluster', () => {
  let cache: RedisConnection;
  beforeAll(async () => {
    cache = createRedisConnection({
      ...cluster.connection,
      commandTimeoutMs: 1000,
      keyPrefix: 'uc:',
      logger: createLogger({ name: 'usage-cluster', level: 'silent' }),
    });
    expect(await cache.waitUntilReady(10_000)).toBe(true);
  });
  afterAll(() => cache.close());

  it('counts minute and day in one script (one hash tag per project), for projects on every primary', async () => {
    const counter = createUsageCounter(cache);
    const now = new Date();
    for (let i = 0; i < 10; i++) {
      const pid = randomBytes(12).toString('hex');
      expect(await counter.hit(pid, now)).toEqual({ minute: 1, day: 1 });
      expect(await counter.hit(pid, now)).toEqual({ minute: 2, day: 2 });
      await counter.undoDay(pid, now);
      expect(await counter.hit(pid, now)).toEqual({ minute: 3, day: 2 });
      // Both buckets expire on their own (set when the counter was created, not pushed back per hit).
      const client = cache.client as NonNullable<typeof cache.client>;
      const minuteTtl = await client.ttl(usageKeys.minute(pid, now));
      const dayTtl = await client.ttl(usageKeys.day(pid, now));
      expect(minuteTtl).toBeGreaterThan(0);
      expect(minuteTtl).toBeLessThanOrEqual(65);
      expect(dayTtl).toBeGreaterThan(65);
      expect(dayTtl).toBeLessThanOrEqual(90_000);
    }
  });
});
