import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlatformModels, ensurePlatformIndexes } from '../models/index.js';
import { type Platform, createPlatform } from '../platform/index.js';
import { type ProjectScope, toScopedProject } from '../scope/index.js';
import { type TestPlatform, createTestPlatform, testBaseConfig, watchProjectChanges } from '../testing/index.js';
import { type CollectionService, uniqueIndexName } from './index.js';

let platform: TestPlatform;
let built: Platform;
let models: PlatformModels;
let service: CollectionService;

async function newProject(): Promise<string> {
  const doc = await models.Project.create({
    name: 'p',
    owner: new Types.ObjectId(),
    publishableKeyHash: new Types.ObjectId().toHexString(),
    secretKeyHash: new Types.ObjectId().toHexString(),
    jwtSecret: 'x',
  });
  return doc._id.toHexString();
}

/** The project's scope as a developer would have it, with an optional collection limit. */
async function scopeOf(pid: string, maxCollections = -1): Promise<ProjectScope> {
  const doc = await models.Project.findById(pid).lean();
  const scope = built.scopeFor(toScopedProject(doc as unknown as Record<string, unknown>, { _id: doc?.owner }), {
    type: 'developer',
    developerId: String(doc?.owner),
    email: '',
    role: 'owner',
    via: 'session',
  });
  return { ...scope, limits: { ...scope.limits, maxCollections } };
}

beforeAll(async () => {
  platform = await createTestPlatform('collections');
  built = createPlatform(testBaseConfig(platform), platform.logger, { db: platform.db, cache: platform.cache });
  models = built.models;
  await ensurePlatformIndexes(models);
  service = built.collections;
});
afterAll(async () => {
  await built.close();
  await platform.cleanup();
});

describe('collection service', () => {
  it('creates a collection with its physical name and refuses duplicates', async () => {
    const pid = await newProject();
    const created = await service.create(await scopeOf(pid), {
      name: 'BlogPost',
      schema: [{ key: 'title', type: 'String', required: true }],
    });
    expect(created).toMatchObject({ name: 'BlogPost', version: 1, rls: { enabled: false, ownerField: 'userId' } });
    const names = (await platform.db.tenantDb(pid).db?.listCollections().toArray())?.map((c) => c.name);
    expect(names).toContain('BlogPost');
    await expect(service.create(await scopeOf(pid), { name: 'blogpost', schema: [] })).rejects.toMatchObject({ status: 409 });
    const project = await models.Project.findById(pid).lean();
    expect(project?.configVersion).toBe(2);
  });

  it('enforces the users contract (422) and the collection limit (403)', async () => {
    const pid = await newProject();
    await expect(
      service.create(await scopeOf(pid), { name: 'users', schema: [{ key: 'email', type: 'String', required: true }] }),
    ).rejects.toMatchObject({
      status: 422,
    });
    await service.create(await scopeOf(pid, 1), { name: 'a', schema: [] });
    await expect(service.create(await scopeOf(pid, 1), { name: 'b', schema: [] })).rejects.toMatchObject({ status: 403 });
  });

  it('edits a schema: unique index only after a duplicate check, 409 with examples, version bump', async () => {
    const pid = await newProject();
    await service.create(await scopeOf(pid), { name: 'people', schema: [{ key: 'email', type: 'String' }] });
    const col = platform.db.tenantDb(pid).collection('people');
    await col.insertMany([{ email: 'a@x.io' }, { email: 'a@x.io' }, { email: 'b@x.io' }, {}, {}]);
    const err = await service
      .update(await scopeOf(pid), 'people', [{ key: 'email', type: 'String', unique: true }])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409 });
    expect((err as Error).message).toContain('"a@x.io" (2 times)');
    await col.deleteOne({ email: 'a@x.io' });
    const updated = await service.update(await scopeOf(pid), 'people', [
      { key: 'email', type: 'String', unique: true },
      { key: 'age', type: 'Number', min: 0 },
    ]);
    expect(updated.version).toBe(2);
    const indexes = (await col.indexes()).map((i) => i.name);
    expect(indexes).toContain(uniqueIndexName('email'));
    await expect(col.insertOne({ email: 'b@x.io' })).rejects.toMatchObject({ code: 11000 });
    await service.update(await scopeOf(pid), 'people', [{ key: 'email', type: 'String' }]);
    expect((await col.indexes()).map((i) => i.name)).not.toContain(uniqueIndexName('email'));
  });

  it('deletes a collection with its data and publishes every change', async () => {
    const pid = await newProject();
    expect(platform.cache.client, 'this test needs Redis').toBeTruthy();
    const changes = await watchProjectChanges(platform.cache);
    await service.create(await scopeOf(pid), { name: 'tmp', schema: [] });
    await platform.db.tenantDb(pid).collection('tmp').insertOne({ a: 1 });
    await service.remove(await scopeOf(pid), 'tmp');
    const names = (await platform.db.tenantDb(pid).db?.listCollections().toArray())?.map((c) => c.name);
    expect(names).not.toContain('tmp');
    await expect(service.remove(await scopeOf(pid), 'tmp')).rejects.toMatchObject({ status: 404 });
    const events = await changes.settled(pid);
    await changes.close();
    expect(events.map((e) => e.reason)).toEqual(['collection', 'collection-deleted']);
  });

  it('updates RLS with a canonical owner field and bumps the version', async () => {
    const pid = await newProject();
    await service.create(await scopeOf(pid), { name: 'notes', schema: [{ key: 'ownerId', type: 'String' }] });
    const next = await service.updateRls(await scopeOf(pid), 'notes', { enabled: true, mode: 'private', ownerField: 'OWNERID' });
    expect(next).toMatchObject({ version: 2, rls: { enabled: true, mode: 'private', ownerField: 'ownerId' } });
    await expect(service.updateRls(await scopeOf(pid), 'notes', { mode: 'weird' })).rejects.toMatchObject({ status: 400 });
  });

  it('builds the list indexes: default sort and cursor order, and the owner field while RLS is on', async () => {
    const pid = await newProject();
    const indexNames = async () =>
      ((await platform.db.tenantDb(pid).db?.collection('notes').indexes()) ?? []).map((i) => i.name).sort();
    await service.create(await scopeOf(pid), { name: 'notes', schema: [{ key: 'ownerId', type: 'String' }] });
    expect(await indexNames()).toEqual(['_id_', 'q_createdAt']);
    await service.updateRls(await scopeOf(pid), 'notes', { enabled: true, mode: 'private', ownerField: 'ownerId' });
    expect(await indexNames()).toEqual(['_id_', 'q_createdAt', 'q_owner_ownerId']);
    await service.updateRls(await scopeOf(pid), 'notes', { enabled: false });
    expect(await indexNames()).toEqual(['_id_', 'q_createdAt']);
  });
});
