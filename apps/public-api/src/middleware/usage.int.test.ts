/**
 * The usage counters on a real Redis (one node, or the local Cluster under `pnpm test:cluster`):
 * requests of a project without a request limit are recorded in process and written within a
 * second; a limited project is counted per request, recorded requests first, so a limit set while
 * requests were still being recorded counts them all.
 */
import { createRedisConnection } from '@urbackend/common/cache';
import { createLogger } from '@urbackend/common/logger';
import type { ProjectScope } from '@urbackend/common/scope';
import { deleteRedisKeys, testRedisConfig, uniqueTestName } from '@urbackend/common/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type UsageCounter, createUsageCharge, createUsageCounter, usageKeys } from './usage.js';

const prefix = `${uniqueTestName('usage')}:`;
const redis = createRedisConnection({
  ...testRedisConfig(),
  commandTimeoutMs: 1000,
  keyPrefix: prefix,
  logger: createLogger({ name: 'usage-test', level: 'silent' }),
});
let counter: UsageCounter;
const at = new Date('2026-11-30T12:00:30Z');
const scope = (pid: string, reqPerMinute: number, reqPerDay = -1) =>
  ({ project: { _id: pid }, limits: { reqPerMinute, reqPerDay } }) as unknown as ProjectScope;
const stored = async (key: string) => Number((await redis.client?.get(key)) ?? 0);

beforeAll(async () => {
  if (!(await redis.waitUntilReady(5000))) throw new Error('the test Redis is not connected');
  counter = createUsageCounter(redis, { flushMs: 100 });
});
afterAll(async () => {
  await counter.close();
  if (redis.client) await deleteRedisKeys(redis.client, prefix);
  await redis.close();
});

describe('usage counters', () => {
  it('records the requests of an unlimited project and writes them within the flush interval', async () => {
    const charge = createUsageCharge(counter);
    for (let i = 0; i < 25; i++) await charge(scope('p-unlimited', -1), at);
    await vi.waitFor(async () => expect(await stored(usageKeys.day('p-unlimited', at))).toBe(25), {
      timeout: 3000,
      interval: 20,
    });
    expect(await stored(usageKeys.minute('p-unlimited', at))).toBe(25);
    expect(await redis.client?.ttl(usageKeys.minute('p-unlimited', at))).toBeGreaterThan(0);
  });

  it('a limited request counts what was recorded before it, so a new limit holds at once', async () => {
    const slow = createUsageCounter(redis, { flushMs: 60_000 });
    try {
      const charge = createUsageCharge(slow);
      for (let i = 0; i < 4; i++) await charge(scope('p-switch', -1), at);
      expect(await stored(usageKeys.minute('p-switch', at))).toBe(0);
      // The plan now allows 5 a minute: 4 were served, so one more passes and the next is refused.
      await charge(scope('p-switch', 5), at);
      expect(await stored(usageKeys.minute('p-switch', at))).toBe(5);
      await expect(charge(scope('p-switch', 5), at)).rejects.toMatchObject({ status: 429 });
    } finally {
      await slow.close();
    }
  });

  it('close writes what is still recorded', async () => {
    const slow = createUsageCounter(redis, { flushMs: 60_000 });
    for (let i = 0; i < 3; i++) slow.record('p-close', at);
    await slow.close();
    expect(await stored(usageKeys.day('p-close', at))).toBe(3);
  });
});
