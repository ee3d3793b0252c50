import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthClaimModel, authClaimModel } from '../models/index.js';
import { type TestPlatform, createTestPlatform, deleteRedisKeys } from '../testing/index.js';
import { createClaims } from './claims.js';
import { createAttemptCounter, createCooldown } from './index.js';

/**
 * Attempt counters and cooldowns live in MongoDB (`auth_claims`): exact under concurrency (unique
 * slots, FerretDB included) and unaffected by Redis losing its keys.
 */

let platform: TestPlatform;
let model: AuthClaimModel;
beforeAll(async () => {
  platform = await createTestPlatform('attempts');
  model = authClaimModel(platform.db.connection);
});
afterAll(() => platform.cleanup());

/** Deletes every Redis key of this file (what a `FLUSHALL` does to them; every primary of a cluster), never another file's. */
async function dropRedisKeys(): Promise<number> {
  const redis = platform.cache.client;
  expect(redis, 'this test needs Redis').toBeTruthy();
  return redis ? deleteRedisKeys(redis, platform.redisPrefix) : 0;
}

describe('createAttemptCounter', () => {
  it('blocks an account after the allowed failures (Retry-After) and resets on success', async () => {
    const counter = createAttemptCounter({ model, name: 'login', windowMs: 60_000, limit: 2 });
    await counter.assertAllowed('A@x.io');
    expect(await counter.recordFailure('a@x.io')).toBe(1);
    expect(await counter.recordFailure('A@X.io')).toBe(2);
    const err = await counter.assertAllowed('a@x.io').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, headers: { 'Retry-After': expect.stringMatching(/^(60|59)$/) } });
    await counter.reset('a@x.io');
    await counter.assertAllowed('a@x.io');
  });

  it('keeps its counts when Redis loses every key', async () => {
    const counter = createAttemptCounter({ model, name: 'flush', windowMs: 60_000, limit: 3 });
    await platform.cache.client?.set('marker', '1');
    for (let i = 0; i < 3; i++) await counter.recordFailure('b@x.io');
    expect(await dropRedisKeys()).toBeGreaterThan(0);
    await expect(counter.assertAllowed('b@x.io')).rejects.toMatchObject({ status: 429 });
  });

  it('counts every one of many concurrent failures', async () => {
    const counter = createAttemptCounter({ model, name: 'race', windowMs: 60_000, limit: 8 });
    await Promise.all(Array.from({ length: 5 }, () => counter.recordFailure('c@x.io')));
    expect(await counter.recordFailure('c@x.io')).toBe(6);
    await Promise.all(Array.from({ length: 10 }, () => counter.recordFailure('c@x.io')));
    await expect(counter.assertAllowed('c@x.io')).rejects.toMatchObject({ status: 429 });
  });

  it('lets each failure expire on its own (sliding window)', async () => {
    const counter = createAttemptCounter({ model, name: 'slide', windowMs: 60_000, limit: 2 });
    await counter.recordFailure('d@x.io');
    await counter.recordFailure('d@x.io');
    await expect(counter.assertAllowed('d@x.io')).rejects.toMatchObject({ status: 429 });
    // The older failure runs out: one attempt is free again, and a new failure takes its slot.
    await model.updateOne({ key: 'attempts:slide:d@x.io#1' }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    await counter.assertAllowed('d@x.io');
    expect(await counter.recordFailure('d@x.io')).toBe(2);
    await expect(counter.assertAllowed('d@x.io')).rejects.toMatchObject({ status: 429 });
  });

  it('does nothing when the limit is 0', async () => {
    const counter = createAttemptCounter({ model, name: 'off', windowMs: 60_000, limit: 0 });
    await counter.recordFailure('e@x.io');
    await counter.assertAllowed('e@x.io');
  });
});

describe('createCooldown', () => {
  it('admits one caller per key until the cooldown ends, with Retry-After, across Redis key loss', async () => {
    const cooldown = createCooldown({ model, name: 'otp', ms: 60_000, message: 'Wait.' });
    await cooldown.enter('F@x.io');
    await platform.cache.client?.set('marker', '1');
    expect(await dropRedisKeys()).toBeGreaterThan(0);
    const err = await cooldown.enter(' f@x.io ').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, message: 'Wait.', headers: { 'Retry-After': expect.stringMatching(/^(60|59)$/) } });
    await cooldown.clear('f@x.io');
    await cooldown.enter('f@x.io');
  });

  it('admits exactly one of many concurrent callers, and again once the cooldown ran out', async () => {
    const cooldown = createCooldown({ model, name: 'race', ms: 60_000 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => cooldown.enter('g@x.io')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await model.updateOne({ key: 'cooldown:race:g@x.io' }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    const again = await Promise.allSettled(Array.from({ length: 10 }, () => cooldown.enter('g@x.io')));
    expect(again.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('createClaims', () => {
  it('never hands one slot to two concurrent takers', async () => {
    const claims = createClaims(model);
    const slots = await Promise.all(Array.from({ length: 12 }, () => claims.takeSlot('slots', 10, 60_000)));
    expect(slots.filter((n) => n > 0).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(slots.filter((n) => n === 0)).toHaveLength(2);
    expect(await claims.slots('slots', 10)).toMatchObject({ count: 10 });
    await claims.release('slots', 10);
    expect(await claims.slots('slots', 10)).toEqual({ count: 0, freeInMs: 0 });
  });
});
