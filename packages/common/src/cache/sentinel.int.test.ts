/**
 * The cache through Redis Sentinel (one primary, one replica, one sentinel, started from
 * redis-server on PATH): connect via the sentinel, read and write, run a job queue, and keep
 * working after `SENTINEL FAILOVER` promotes the replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobQueue } from '../jobs/index.js';
import { createLogger } from '../logger/index.js';
import { type TestRedisSentinel, startRedisSentinel, waitFor } from '../testing/index.js';
import { type Redis, type RedisConnection, createRedisConnection } from './index.js';

const logger = createLogger({ name: 'sentinel-test', level: 'silent' });
let setup: TestRedisSentinel;
let cache: RedisConnection;
const opened: RedisConnection[] = [];

function open(options: Partial<Parameters<typeof createRedisConnection>[0]> = {}): RedisConnection {
  const c = createRedisConnection({ ...setup.connection, commandTimeoutMs: 1000, keyPrefix: 'st:', logger, ...options });
  opened.push(c);
  return c;
}

/** The port of the server a one-node/Sentinel client is talking to. */
async function serverPort(c: RedisConnection): Promise<number> {
  const info = await (c.client as Redis).info('server');
  return Number(/^tcp_port:(\d+)/m.exec(info)?.[1]);
}

beforeAll(async () => {
  setup = await startRedisSentinel();
  cache = open();
  expect(await cache.waitUntilReady(10_000), 'connected through the sentinel').toBe(true);
});

afterAll(async () => {
  await Promise.allSettled(opened.map((c) => c.close()));
  await setup?.stop();
});

describe('cache through Redis Sentinel', () => {
  it('connects to the primary the sentinel names, reads and writes', async () => {
    expect(cache.mode).toBe('sentinel');
    await cache.assertDeployment(2000);
    expect(await serverPort(cache)).toBe(setup.servers[0].port);
    await cache.client?.set('greeting', 'hello', 'EX', 60);
    expect(await cache.client?.get('greeting')).toBe('hello');
    expect(await cache.status()).toBe('connected');
  });

  it('reports a one-node client on the replica as disconnected: PING answers, writes do not', async () => {
    const replica = open({ url: `redis://127.0.0.1:${setup.servers[1].port}`, sentinel: null });
    expect(await replica.waitUntilReady(5000)).toBe(true);
    expect(await replica.client?.ping()).toBe('PONG');
    expect(await replica.status(1000)).toBe('disconnected');
  });

  it('runs a BullMQ job queue through the sentinel', async () => {
    const seen: string[] = [];
    const queue = createJobQueue<{ id: string }>({
      name: 'sentinel-jobs',
      redis: setup.connection,
      prefix: 'st_jobs',
      logger,
      handler: async (d) => {
        seen.push(d.id);
      },
    });
    try {
      queue.startWorker();
      await queue.add({ id: 'a' });
      await waitFor(() => seen.length === 1, { timeoutMs: 10_000, message: 'job worked' });
      expect(seen).toEqual(['a']);
    } finally {
      await queue.close();
    }
  });

  it('keeps reading and writing after SENTINEL FAILOVER, on the new primary', async () => {
    const client = cache.client as Redis;
    await client.set('before-failover', 'kept');
    // Make sure the replica has it before it is promoted.
    expect(Number(await client.call('WAIT', '1', '2000'))).toBe(1);

    const started = Date.now();
    const promoted = await setup.failover(30_000);
    expect(promoted.port).toBe(setup.servers[1].port);

    await waitFor(
      async () => {
        try {
          await client.set('after-failover', 'written', 'EX', 60);
          return (await client.get('after-failover')) === 'written' && (await serverPort(cache)) === promoted.port;
        } catch {
          return false;
        }
      },
      { timeoutMs: 20_000, intervalMs: 100, message: 'writes through the sentinel reaching the new primary' },
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await client.get('before-failover')).toBe('kept');
    await waitFor(async () => (await cache.status(1000)) === 'connected', { timeoutMs: 5000, message: 'status connected' });
  });
});
