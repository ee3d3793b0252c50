import { sha256Hex } from '@urbackend/common/crypto';
import { requestLogModel } from '@urbackend/common/models';
import { watchProjectChanges } from '@urbackend/common/testing';
import { Types } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';

let t: DashboardTestApp;
let dev: TestDeveloper;
let stranger: TestDeveloper;
let projectId: string;
const auth = (d: TestDeveloper) => ({ Authorization: `Bearer ${d.accessToken}` });
const base = () => `/api/projects/${projectId}/collections`;

beforeAll(async () => {
  t = await createDashboardTestApp('dash-collections', (c) => {
    c.plans = { defaultPlan: 'free', overrides: { tiny: { mongoBytes: 400 } } };
  });
  dev = await registerVerifiedDeveloper(t);
  await t.deps.models.Developer.updateOne({ email: dev.email }, { $set: { plan: 'pro' } });
  stranger = await registerVerifiedDeveloper(t);
  projectId = (await createTestProject(t.app, dev, 'Blog'))._id;
});
afterAll(() => t.cleanup());

describe('collections', () => {
  it('creates a collection (201) and refuses bad names, bad schemas and duplicates', async () => {
    const res = await request(t.app)
      .post(base())
      .set(auth(dev))
      .send({
        collectionName: 'posts',
        schema: [
          { key: 'title', type: 'String', required: true },
          { key: 'userId', type: 'String' },
        ],
      })
      .expect(201);
    expect(res.body.collection).toMatchObject({ name: 'posts', version: 1, rls: { enabled: false, ownerField: 'userId' } });
    expect(res.body.collections.map((c: { name: string }) => c.name)).toEqual(['posts']);
    expect(res.body.secretKeyHash).toBeUndefined();
    await request(t.app).post(base()).set(auth(dev)).send({ collectionName: 'posts' }).expect(409);
    await request(t.app).post(base()).set(auth(dev)).send({ collectionName: 'system_x' }).expect(400);
    await request(t.app).post(base()).set(auth(dev)).send({ collectionName: '1bad' }).expect(400);
    const bad = await request(t.app)
      .post(base())
      .set(auth(dev))
      .send({ collectionName: 'things', schema: [{ key: 'a', type: 'Object' }] })
      .expect(400);
    expect(bad.body.details[0].path).toBe('schema.0.fields');
  });

  it('enforces the collection limit of the plan (403)', async () => {
    const free = await registerVerifiedDeveloper(t);
    const p = await createTestProject(t.app, free, 'Limits');
    for (let i = 0; i < 5; i++)
      await request(t.app)
        .post(`/api/projects/${p._id}/collections`)
        .set(auth(free))
        .send({ collectionName: `c${i}` })
        .expect(201);
    const res = await request(t.app)
      .post(`/api/projects/${p._id}/collections`)
      .set(auth(free))
      .send({ collectionName: 'c5' })
      .expect(403);
    expect(res.body.error).toMatch(/Collection limit/);
  });

  it('edits a schema with PATCH: version bump, unique index after a duplicate check (409 with examples)', async () => {
    expect(t.platform.cache.client, 'this test needs Redis').toBeTruthy();
    const changes = await watchProjectChanges(t.platform.cache);
    await request(t.app).post(`${base()}/posts/data`).set(auth(dev)).send({ title: 'Same' }).expect(201);
    await request(t.app).post(`${base()}/posts/data`).set(auth(dev)).send({ title: 'Same' }).expect(201);
    const dup = await request(t.app)
      .patch(`${base()}/posts`)
      .set(auth(dev))
      .send({ schema: [{ key: 'title', type: 'String', required: true, unique: true }] })
      .expect(409);
    expect(dup.body.error).toContain('"Same" (2 times)');
    const ok = await request(t.app)
      .patch(`${base()}/posts`)
      .set(auth(dev))
      .send({
        schema: [
          { key: 'title', type: 'String', required: true },
          { key: 'views', type: 'Number', min: 0, default: 0 },
          { key: 'userId', type: 'String' },
        ],
      })
      .expect(200);
    expect(ok.body).toMatchObject({ message: "Collection 'posts' updated successfully.", collection: { version: 2 } });
    await request(t.app).patch(`${base()}/posts`).set(auth(dev)).send({}).expect(400);
    await request(t.app).patch(`${base()}/nope`).set(auth(dev)).send({ schema: [] }).expect(404);
    const events = await changes.settled(projectId);
    await changes.close();
    expect(events.some((e) => e.reason === 'collection')).toBe(true);
  });

  it('updates RLS and validates the owner field', async () => {
    const res = await request(t.app)
      .patch(`${base()}/posts/rls`)
      .set(auth(dev))
      .send({ enabled: true, mode: 'private' })
      .expect(200);
    expect(res.body).toEqual({
      message: 'Collection RLS updated',
      collection: { name: 'posts', rls: { enabled: true, mode: 'private', ownerField: 'userId', requireAuthForWrite: true } },
    });
    await request(t.app).patch(`${base()}/posts/rls`).set(auth(dev)).send({ ownerField: 'ghost' }).expect(400);
    await request(t.app).patch(`${base()}/posts/rls`).set(auth(dev)).send({ mode: 'open' }).expect(400);
  });

  it("hides another developer's collections (404)", async () => {
    await request(t.app).patch(`${base()}/posts`).set(auth(stranger)).send({ schema: [] }).expect(404);
    await request(t.app).delete(`${base()}/posts`).set(auth(stranger)).expect(404);
    await request(t.app).get(`${base()}/posts/data`).set(auth(stranger)).expect(404);
    await request(t.app).patch(`${base()}/posts/rls`).set(auth(stranger)).send({ enabled: false }).expect(404);
  });
});

describe('data browsing', () => {
  it('lists, filters, edits and deletes rows with validation', async () => {
    const created = await request(t.app)
      .post(`${base()}/posts/data`)
      .set(auth(dev))
      .send({ title: 'Hello', views: 3 })
      .expect(201);
    expect(created.body).toMatchObject({ title: 'Hello', views: 3 });
    await request(t.app).post(`${base()}/posts/data`).set(auth(dev)).send({ views: 'many' }).expect(400);
    const list = await request(t.app).get(`${base()}/posts/data?title=Hello`).set(auth(dev)).expect(200);
    expect(list.body).toHaveLength(1);
    expect(list.headers['x-total-count']).toBe('1');
    await request(t.app).get(`${base()}/posts/data?$where=1`).set(auth(dev)).expect(400);
    const edited = await request(t.app)
      .patch(`${base()}/posts/data/${created.body._id}`)
      .set(auth(dev))
      .send({ views: 4 })
      .expect(200);
    expect(edited.body).toMatchObject({ success: true, message: 'Document edited successfully', data: { views: 4 } });
    await request(t.app).patch(`${base()}/posts/data/not-an-id`).set(auth(dev)).send({ views: 4 }).expect(400);
    await request(t.app).delete(`${base()}/posts/data/${created.body._id}`).set(auth(dev)).expect(200);
    await request(t.app).delete(`${base()}/posts/data/${created.body._id}`).set(auth(dev)).expect(404);
  });

  it('charges dashboard inserts and edits to the database quota and releases them on delete', async () => {
    const used = async () =>
      (await request(t.app).get(`/api/projects/${projectId}`).set(auth(dev)).expect(200)).body.databaseUsed;
    const start = await used();
    const created = await request(t.app).post(`${base()}/posts/data`).set(auth(dev)).send({ title: 'Quota' }).expect(201);
    const afterInsert = await used();
    expect(afterInsert).toBeGreaterThan(start);
    await request(t.app)
      .patch(`${base()}/posts/data/${created.body._id}`)
      .set(auth(dev))
      .send({ title: 'Quota, but a much longer title this time' })
      .expect(200);
    expect(await used()).toBeGreaterThan(afterInsert);
    // A trashed row stays charged (docs/data-lifecycle.md); a permanent delete releases it.
    await request(t.app).delete(`${base()}/posts/data/${created.body._id}?permanent=true`).set(auth(dev)).expect(200);
    expect(await used()).toBe(start);
    // On a plan with 400 bytes of database, an insert that would cross it is refused and nothing is stored.
    await t.deps.models.Developer.updateOne({ email: dev.email }, { $set: { plan: 'tiny' } });
    const full = await request(t.app)
      .post(`${base()}/posts/data`)
      .set(auth(dev))
      .send({ title: 'x'.repeat(400) });
    const rows = await request(t.app).get(`${base()}/posts/data`).set(auth(dev)).expect(200);
    await t.deps.models.Developer.updateOne({ email: dev.email }, { $set: { plan: 'pro' } });
    expect(full.status).toBe(403);
    expect(full.body.error).toBe('Database limit exceeded.');
    expect(rows.body.map((r: { title: string }) => r.title)).not.toContain('x'.repeat(400));
    expect(await used()).toBe(start);
  });

  it('hashes user passwords and never returns them', async () => {
    await request(t.app)
      .post(base())
      .set(auth(dev))
      .send({
        collectionName: 'users',
        schema: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
        ],
      })
      .expect(201);
    const user = await request(t.app)
      .post(`${base()}/users/data`)
      .set(auth(dev))
      .send({ email: 'A@X.io', password: 'pass-word-1' })
      .expect(201);
    expect(user.body.password).toBeUndefined();
    expect(user.body).toMatchObject({ email: 'a@x.io', emailVerified: false });
    const raw = await t.platform.db.tenantDb(projectId).collection('users').findOne({ email: 'a@x.io' });
    expect(String(raw?.password)).toMatch(/^\$2[ab]\$/);
    const list = await request(t.app).get(`${base()}/users/data`).set(auth(dev)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain('$2');
    await request(t.app)
      .post(`${base()}/users/data`)
      .set(auth(dev))
      .send({ email: 'a@x.io', password: 'pass-word-2' })
      .expect(409);
  });
});

describe('deleting', () => {
  it('deletes a collection and its data', async () => {
    await request(t.app).post(base()).set(auth(dev)).send({ collectionName: 'tmp' }).expect(201);
    await request(t.app).post(`${base()}/tmp/data`).set(auth(dev)).send({ a: 1 }).expect(201);
    const res = await request(t.app).delete(`${base()}/tmp`).set(auth(dev)).expect(200);
    expect(res.body).toEqual({ message: "Collection 'tmp' deleted successfully." });
    const names = (await t.platform.db.tenantDb(projectId).db?.listCollections().toArray())?.map((c) => c.name);
    expect(names).not.toContain('tmp');
  });

  it('deletes a project with its tenant database, files, logs, webhooks and cached keys', async () => {
    const p = await createTestProject(t.app, dev, 'Doomed');
    await request(t.app).post(`/api/projects/${p._id}/collections`).set(auth(dev)).send({ collectionName: 'items' }).expect(201);
    await request(t.app).post(`/api/projects/${p._id}/collections/items/data`).set(auth(dev)).send({ n: 1 }).expect(201);
    const pid = new Types.ObjectId(p._id);
    const m = t.deps.models;
    await m.Webhook.collection.insertOne({ projectId: pid, name: 'w', url: 'https://x.example', enabled: true });
    await m.WebhookDelivery.collection.insertOne({ projectId: pid, webhookId: new Types.ObjectId(), event: 'insert' });
    await m.WebhookOutbox.collection.insertOne({ projectId: pid, webhookId: new Types.ObjectId(), event: 'update' });
    await m.StoredFile.collection.insertOne({ projectId: pid, key: `${p._id}/a.txt`, size: 1 });
    await m.UserSession.collection.insertOne({ projectId: p._id, userId: 'u', tokenHash: 'h' });
    const logs = requestLogModel(t.platform.db.connection);
    await logs.collection.insertOne({ projectId: pid, method: 'GET', path: '/api/data/items', status: 200, at: new Date() });
    expect(t.platform.cache.client, 'this test needs Redis').toBeTruthy();
    const changes = await watchProjectChanges(t.platform.cache);
    const res = await request(t.app).delete(`/api/projects/${p._id}`).set(auth(dev)).expect(200);
    expect(res.body).toEqual({ message: 'Project and all associated resources deleted successfully' });
    const left = {
      project: await m.Project.countDocuments({ _id: pid }),
      webhooks: await m.Webhook.countDocuments({ projectId: pid }),
      deliveries: await m.WebhookDelivery.countDocuments({ projectId: pid }),
      inFlight: await m.WebhookOutbox.countDocuments({ projectId: pid }),
      files: await m.StoredFile.countDocuments({ projectId: pid }),
      sessions: await m.UserSession.countDocuments({ projectId: p._id }),
      logs: await logs.countDocuments({ projectId: pid }),
    };
    expect(left).toEqual({ project: 0, webhooks: 0, deliveries: 0, inFlight: 0, files: 0, sessions: 0, logs: 0 });
    const dbs = await t.platform.db.connection.db?.admin().listDatabases({ nameOnly: true });
    expect(dbs?.databases.map((d) => d.name)).not.toContain(t.platform.db.tenantDbName(p._id));
    const events = await changes.settled(p._id);
    await changes.close();
    const deleted = events.find((e) => e.reason === 'deleted');
    expect(deleted?.keyHashes).toEqual([sha256Hex(p.publishableKey), sha256Hex(p.secretKey)]);
    await request(t.app).get(`/api/projects/${p._id}`).set(auth(dev)).expect(404);
  });
});
