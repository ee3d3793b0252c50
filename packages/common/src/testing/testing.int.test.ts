/**
 * The test helpers against the run's Redis: one node under `pnpm test`, the 3-primary cluster of
 * the global setup under `pnpm test:cluster`. A file's cleanup must remove its keys from every
 * primary, and nothing of another file.
 */
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../cache/index.js';
import { type TestPlatform, createTestPlatform, deleteRedisKeys, testRedisConfig, testRedisEnv, testServices } from './index.js';

const opened: TestPlatform[] = [];
afterAll(async () => {
  await Promise.allSettled(opened.map((p) => p.cleanup()));
});

async function platform(label: string): Promise<TestPlatform> {
  const p = await createTestPlatform(label);
  opened.push(p);
  return p;
}

/** Keys starting with `prefix` on each primary (one entry for a single node). */
async function keysPerNode(client: RedisClient, prefix: string): Promise<string[][]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  return Promise.all(
    nodes.map(async (node) => {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        found.push(...keys);
      } while (cursor !== '0');
      return found;
    }),
  );
}

describe("the run's Redis", () => {
  it('is the deployment the global setup started, in the config, env and cache forms', async () => {
    const services = testServices();
    expect(services.redisMode, 'the tests need Redis (CI always has it)').toBeTruthy();
    const p = await platform('redis-mode');
    expect(p.cache.mode).toBe(services.redisMode);
    if (services.redisMode === 'cluster') {
      expect(testRedisConfig()).toEqual({ url: null, cluster: { nodes: services.redisClusterNodes } });
      expect(testRedisEnv()).toEqual({ REDIS_CLUSTER_NODES: services.redisClusterNodes });
      expect((p.cache.client as Cluster).nodes('master')).toHaveLength(3);
    } else {
      expect(testRedisConfig()).toEqual({ url: services.redisUrl });
      expect(testRedisEnv()).toEqual({ REDIS_URL: services.redisUrl });
    }
  });

  it("a file's cleanup deletes its keys on every primary (queue keys included) and no other file's", async () => {
    const mine = await createTestPlatform('cleanup-mine');
    const other = await platform('cleanup-other');
    const client = mine.cache.client as RedisClient;
    // 64 keys spread over the slots, hash-tagged ones, and a BullMQ-style queue key of the file.
    await Promise.all(Array.from({ length: 64 }, (_, i) => client.set(`k${i}`, '1', 'EX', 60)));
    await client.set('{u:p1}:db', '1', 'EX', 60);
    await client.set('{bull}:webhook:id', '1', 'EX', 60);
    await other.cache.client?.set('kept', '1', 'EX', 60);
    const before = await keysPerNode(client, mine.redisPrefix);
    expect(before.flat()).toHaveLength(66);
    if (mine.cache.mode === 'cluster') {
      // The keys really are spread: each primary holds some, so a one-node SCAN would miss them.
      expect(before.every((keys) => keys.length > 0)).toBe(true);
    }
    const otherClient = other.cache.client as RedisClient;
    await mine.cleanup();
    expect((await keysPerNode(otherClient, mine.redisPrefix)).flat()).toEqual([]);
    expect(await other.cache.client?.get('kept')).toBe('1');
  });

  it('deleteRedisKeys returns what it deleted and refuses a prefix outside the client keyPrefix', async () => {
    const p = await platform('delete-keys');
    const client = p.cache.client as RedisClient;
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.set(`gone:${i}`, '1', 'EX', 60)));
    await client.set('stays', '1', 'EX', 60);
    expect(await deleteRedisKeys(client, `${p.redisPrefix}gone:`)).toBe(10);
    expect(await client.get('stays')).toBe('1');
    if (p.cache.mode !== 'cluster') await expect(deleteRedisKeys(client, 'elsewhere:')).rejects.toThrow(/outside/);
  });
});
