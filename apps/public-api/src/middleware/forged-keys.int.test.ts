import { sha256Hex } from '@urbackend/common/crypto';
import type { TestProject } from '@urbackend/common/testing';
import mongoose from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, createHarness } from '../testing/harness.js';

let h: Harness;
let legacy: TestProject;
let signed: { publishable: string; secret: string };
let mongoCalls = 0;

/** Counts MongoDB and Redis commands sent by this process while `action` runs. */
async function commandsDuring(action: () => Promise<unknown>): Promise<{ mongo: number; redis: number }> {
  const client = h.platform.cache.client;
  if (!client) throw new Error('the tests need Redis');
  const redis = vi.spyOn(client, 'sendCommand');
  mongoCalls = 0;
  await action();
  const counts = { mongo: mongoCalls, redis: redis.mock.calls.length };
  redis.mockRestore();
  return counts;
}

beforeAll(async () => {
  h = await createHarness('forged-keys');
  legacy = await h.project({ collections: [{ name: 'posts', model: [{ key: 'title', type: 'String' }] }] });
  // Keys as the dashboard issues them now (with a check value), set on the same project.
  signed = { publishable: h.deps.keyIssuer.issue('pk_live_'), secret: h.deps.keyIssuer.issue('sk_live_') };
  await h.deps.models.Project.updateOne(
    { _id: legacy.projectId },
    { $set: { publishableKeyHash: sha256Hex(signed.publishable), secretKeyHash: sha256Hex(signed.secret) } },
  );
  // The key cache drops a changed project at once and again 300 ms later: wait for both drops so
  // that the second one is not counted in a measurement below.
  const client = h.platform.cache.client;
  if (!client) throw new Error('the tests need Redis');
  const sent = vi.spyOn(client, 'sendCommand');
  await h.deps.apiKeys.invalidate({ projectId: legacy.projectId, keyHashes: [] });
  await vi.waitFor(() => expect(sent.mock.calls.filter(([command]) => command.name === 'del').length).toBeGreaterThanOrEqual(2), {
    timeout: 5000,
    interval: 20,
  });
  sent.mockRestore();
  mongoose.set('debug', () => {
    mongoCalls += 1;
  });
});
afterAll(async () => {
  mongoose.set('debug', false);
  await h.close();
});

describe('API keys with a check value', () => {
  it('issued keys carry a check value and work; their role follows the prefix', async () => {
    expect(signed.publishable).toMatch(/^pk_live_[A-Za-z0-9_-]{43}[0-9a-f]{8}[A-Za-z0-9_-]{22}$/);
    expect(h.deps.keyIssuer.classify(signed.publishable)).toBe('signed');
    await request(h.app).get('/api/data/posts').set('x-api-key', signed.publishable).expect(200);
    await request(h.app).post('/api/data/posts').set('x-api-key', signed.secret).send({ title: 'x' }).expect(201);
  });

  it('a forged key costs no MongoDB and no Redis command, and the answer is the usual 401', async () => {
    const tampered = `${signed.secret.slice(0, -1)}${signed.secret.endsWith('A') ? 'B' : 'A'}`;
    const random = `pk_live_${'x'.repeat(43)}0123abcd${'y'.repeat(22)}`;
    const forged = [tampered, random, 'pk_live_short', 'nope', `sk_live_${'z'.repeat(60)}`];
    const counts = await commandsDuring(async () => {
      for (const key of forged) {
        const res = await request(h.app).get('/api/data/posts').set('x-api-key', key).expect(401);
        expect(res.body).toEqual({ success: false, error: 'API key is expired or invalid.', code: 401 });
      }
    });
    expect(counts).toEqual({ mongo: 0, redis: 0 });
    // The same check holds for the resolver used by every other entry point.
    for (const key of forged) expect(await h.deps.apiKeys.resolve(key)).toBeNull();
  });

  it('the counters do see a real request (the measurement is not blind)', async () => {
    const counts = await commandsDuring(() =>
      request(h.app).get('/api/data/posts').set('x-api-key', signed.publishable).expect(200),
    );
    expect(counts.redis).toBeGreaterThan(0);
    expect(counts.mongo).toBeGreaterThan(0);
  });

  it('keys issued before check values existed keep working; an unknown one is looked up once, then remembered', async () => {
    const other = await h.project({ collections: [{ name: 'posts', model: [] }] });
    expect(h.deps.keyIssuer.classify(other.publishableKey)).toBe('legacy');
    await request(h.app).get('/api/data/posts').set('x-api-key', other.publishableKey).expect(200);
    const unknown = `pk_live_${'q'.repeat(43)}`;
    await request(h.app).get('/api/data/posts').set('x-api-key', unknown).expect(401);
    const again = await commandsDuring(() => request(h.app).get('/api/data/posts').set('x-api-key', unknown).expect(401));
    expect(again.mongo).toBe(0);
  });

  it('a rotated signed key is refused (the check value proves origin, not validity)', async () => {
    const fresh = h.deps.keyIssuer.issue('sk_live_');
    await h.deps.models.Project.updateOne({ _id: legacy.projectId }, { $set: { secretKeyHash: sha256Hex(fresh) } });
    await h.deps.apiKeys.invalidate({ projectId: legacy.projectId, keyHashes: [sha256Hex(signed.secret)] });
    await request(h.app).get('/api/data/posts').set('x-api-key', signed.secret).expect(401);
    await request(h.app).get('/api/data/posts').set('x-api-key', fresh).expect(200);
  });
});
