import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withDatabase } from '@urbackend/common/testing';
import mongoose from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMongo, startFerret } from '../../../../../scripts/services/ferretdb.js';
import { type Harness, createHarness } from '../../testing/harness.js';

let h: Harness;
let second: RunningMongo;
let dir: string;

beforeAll(async () => {
  h = await createHarness('byod');
  dir = await mkdtemp(path.join(tmpdir(), 'urbackend-byod-'));
  second = await startFerret(dir, () => undefined);
}, 120_000);
afterAll(async () => {
  await h.close();
  await second.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('BYOD databases', () => {
  it('stores and reads data in the developer database, nothing in the platform database', async () => {
    const byodUri = withDatabase(second.uri, 'customerdata');
    const p = await h.project({
      byodUri,
      collections: [{ name: 'orders', model: [{ key: 'total', type: 'Number', required: true }] }],
    });
    const key = { 'x-api-key': p.secretKey };
    const created = await request(h.app).post('/api/data/orders').set(key).send({ total: 42 }).expect(201);
    const list = await request(h.app).get('/api/data/orders').set(key).expect(200);
    expect(list.body.data.items.map((o: { total: number }) => o.total)).toEqual([42]);
    expect(h.deps.byod.size()).toBe(1);

    const direct = mongoose.createConnection(byodUri);
    await direct.asPromise();
    const stored = await direct.collection('orders').find().toArray();
    await direct.close();
    expect(stored.map((d) => String(d._id))).toEqual([created.body._id]);

    const platformDbs = (await h.platform.db.connection.db?.admin().listDatabases({ nameOnly: true }))?.databases.map(
      (d) => d.name,
    );
    expect(platformDbs).not.toContain(h.platform.db.tenantDbName(p.projectId));
  });

  it('answers 503 without leaking the URI when the developer database is unreachable', async () => {
    const secretUri = 'mongodb://admin:hunter2@127.0.0.1:1/private';
    const p = await h.project({ byodUri: secretUri, collections: [{ name: 'orders', model: [] }] });
    const res = await request(h.app).get('/api/data/orders').set('x-api-key', p.secretKey);
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|127\.0\.0\.1|mongodb:/);
  });
});
