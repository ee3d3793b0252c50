/**
 * The usage meter on a real Redis Cluster: every counter script touches one key, and a project's
 * counters and rebuild locks share the hash tag `{u:<pid>}`, so reserve / release / rebuild work
 * on any primary, across processes, with small fake data sources.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, type RedisConnection, createRedisConnection } from '../cache/index.js';
import { createLogger } from '../logger/index.js';
import { type TestRedisCluster, startRedisCluster } from '../testing/index.js';
import { type UsageMeter, type UsageSource, createUsageMeter } from './meter.js';

const logger = createLogger({ name: 'meter-cluster-test', level: 'silent' });
let cluster: TestRedisCluster;
let cacheA: RedisConnection;
let cacheB: RedisConnection;

/** What the data holds per project (the durable truth the meter rebuilds from), and how often it was read. */
const stored = new Map<string, number>();
const reads = new Map<string, number>();
const dbSource: UsageSource = async (pid) => {
  reads.set(pid, (reads.get(pid) ?? 0) + 1);
  await new Promise((r) => setTimeout(r, 30)); // a real recount takes a moment: lets a second process wait on the lock
  return stored.get(pid) ?? 0;
};
const sources = { db: dbSource, storage: async () => 0, mail: async () => 0 };

function meterOn(cache: RedisConnection): UsageMeter {
  return createUsageMeter({ cache, logger, sources, rebuildWaitMs: 5000 });
}

const pid = () => randomBytes(12).toString('hex');

beforeAll(async () => {
  cluster = await startRedisCluster();
  cacheA = createRedisConnection({ ...cluster.connection, commandTimeoutMs: 1000, keyPrefix: 'um:', logger });
  cacheB = createRedisConnection({ ...cluster.connection, commandTimeoutMs: 1000, keyPrefix: 'um:', logger });
  expect(await cacheA.waitUntilReady(10_000)).toBe(true);
  expect(await cacheB.waitUntilReady(10_000)).toBe(true);
});

afterAll(async () => {
  await Promise.allSettled([cacheA?.close(), cacheB?.close()]);
  await cluster?.stop();
});

describe('usage meter on a Redis Cluster', () => {
  it('reserves up to the limit and releases, for projects on every primary', async () => {
    const meter = meterOn(cacheA);
    const projects = Array.from({ length: 12 }, pid);
    for (const p of projects) {
      expect(await meter.reserve(p, 'db', 60, 100)).toBe(true);
      expect(await meter.reserve(p, 'db', 50, 100)).toBe(false);
      await meter.release(p, 'db', 20);
      expect(await meter.reserve(p, 'db', 50, 100)).toBe(true);
      expect(await meter.current(p, 'db')).toBe(90);
      await meter.release(p, 'db', 500);
      expect(await meter.current(p, 'db')).toBe(0);
    }
    // The counters landed on more than one primary.
    const client = cacheA.client as Cluster;
    const slots = await Promise.all(projects.map((p) => client.cluster('KEYSLOT', `um:{u:${p}}:db`)));
    const ranges = await client.cluster('SLOTS');
    const owners = new Set(slots.map((s) => ranges.find(([from, to]) => Number(s) >= from && Number(s) <= to)?.[2]?.[1]));
    expect(owners.size).toBeGreaterThan(1);
  });

  it('keeps the counters and rebuild lock of one project in one slot (hash tag {u:<pid>})', async () => {
    const client = cacheA.client as Cluster;
    const p = pid();
    const keys = [`um:{u:${p}}:db`, `um:{u:${p}}:storage`, `um:{u:${p}}:mail:2025-01`, `um:{u:${p}}:db:lock`];
    const slots = new Set(await Promise.all(keys.map((k) => client.cluster('KEYSLOT', k))));
    expect(slots.size).toBe(1);
  });

  it('never admits more than the limit under concurrent reserves from two processes', async () => {
    const [one, two] = [meterOn(cacheA), meterOn(cacheB)];
    const p = pid();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).reserve(p, 'db', 10, 100)));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(await one.current(p, 'db')).toBe(100);
  });

  it('rebuilds a missing counter from the data once, while another process waits for it', async () => {
    const [one, two] = [meterOn(cacheA), meterOn(cacheB)];
    const p = pid();
    stored.set(p, 70);
    const [r1, r2] = await Promise.all([one.reserve(p, 'db', 20, 100), two.reserve(p, 'db', 20, 100)]);
    expect([r1, r2].sort()).toEqual([false, true]);
    expect(reads.get(p)).toBe(1);
    expect(await two.current(p, 'db')).toBe(90);

    // Counter lost (Redis flushed / project forgotten): the next charge rebuilds it from the data.
    stored.set(p, 95);
    await one.forget(p, 'db');
    expect(await cacheA.client?.exists(`{u:${p}}:db`)).toBe(0);
    expect(await one.reserve(p, 'db', 10, 100)).toBe(false);
    expect(await one.reserve(p, 'db', 5, 100)).toBe(true);
    expect(await two.current(p, 'db')).toBe(100);
    expect(reads.get(p)).toBe(2);

    // Reconciliation sets the counter to the data when nothing changed meanwhile.
    stored.set(p, 40);
    expect(await two.reconcile(p, 'db')).toBe(40);
    expect(await one.current(p, 'db')).toBe(40);
  });
});
