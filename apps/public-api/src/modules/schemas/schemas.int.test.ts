import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('schemas');
});
afterAll(() => h.close());

describe('schemas API', () => {
  it('creates a collection with the secret key (default kept) and serves it right away to pk and sk', async () => {
    const p = await h.project();
    const created = await request(h.app)
      .post('/api/schemas')
      .set('x-api-key', p.secretKey)
      .send({
        name: 'products',
        fields: [
          { name: 'title', type: 'string', required: true },
          { name: 'stock', type: 'number', default: 3 },
        ],
      })
      .expect(201);
    expect(created.body.message).toBe('Schema created successfully');
    expect(JSON.stringify(created.body)).not.toMatch(/KeyHash|jwtSecret/);

    const got = await request(h.app).get('/api/schemas/products').set('x-api-key', p.publishableKey).expect(200);
    expect(got.body.message).toBe('Schema exists');
    expect(got.body.collection.model).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'stock', type: 'Number', default: 3 })]),
    );
    const doc = await request(h.app).post('/api/data/products').set('x-api-key', p.secretKey).send({ title: 'Pen' }).expect(201);
    expect(doc.body.stock).toBe(3);

    const dup = await request(h.app).post('/api/schemas').set('x-api-key', p.secretKey).send({ name: 'products' }).expect(400);
    expect(dup.body.error).toBe('Collection/Schema already exists');
    await request(h.app).post('/api/schemas').set('x-api-key', p.secretKey).send({ name: '$bad' }).expect(400);
    await request(h.app).post('/api/schemas').set('x-api-key', p.publishableKey).send({ name: 'x' }).expect(403);
    await request(h.app).get('/api/schemas/none').set('x-api-key', p.secretKey).expect(404);
  });
});

describe('plan quotas', () => {
  it('answers 429 with Retry-After over the per-minute quota', async () => {
    const limited = await createHarness('quota', { plans: { defaultPlan: 'free', overrides: { free: { reqPerMinute: 3 } } } });
    try {
      const p = await limited.project({ collections: [{ name: 'things', model: [] }] });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await request(limited.app).get('/api/data/things').set('x-api-key', p.secretKey)).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      const res = await request(limited.app).get('/api/data/things').set('x-api-key', p.secretKey).expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body.error).toMatch(/per minute/);
    } finally {
      await limited.close();
    }
  });

  it('enforces the database-size quota atomically on insert', async () => {
    const small = await createHarness('dbquota', {
      plans: { defaultPlan: 'free', overrides: { free: { mongoBytes: 300, reqPerMinute: -1 } } },
    });
    try {
      const p = await small.project({ collections: [{ name: 'blobs', model: [] }] });
      const body = { text: 'x'.repeat(100) };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => request(small.app).post('/api/data/blobs').set('x-api-key', p.secretKey).send(body)),
      );
      const ok = results.filter((r) => r.status === 201).length;
      expect(ok).toBeGreaterThan(0);
      expect(ok).toBeLessThan(5);
      expect(results.find((r) => r.status === 403)?.body.error).toBe('Database limit exceeded.');
      const count = await request(small.app).get('/api/data/blobs?count=true').set('x-api-key', p.secretKey);
      expect(count.body.data.count).toBe(ok);
    } finally {
      await small.close();
    }
  });
});
