import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeProjectChanged } from '../cache/index.js';
import type { ProjectChangedEvent } from '../cache/index.js';
import { type PlatformModels, createPlatformModels, ensurePlatformIndexes } from '../models/index.js';
import { type TestPlatform, createTestPlatform } from '../testing/index.js';
import { type CollectionService, createCollectionService, uniqueIndexName } from './index.js';

let platform: TestPlatform;
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

beforeAll(async () => {
  platform = await createTestPlatform('collections');
  models = createPlatformModels(platform.db.connection);
  await ensurePlatformIndexes(models);
  service = createCollectionService({
    Project: models.Project,
    cache: platform.cache,
    logger: platform.logger,
    tenantConnection: async (p) => ({ conn: platform.db.tenantDb(String(p._id)), kind: platform.db.serverKind() }),
  });
});
afterAll(() => platform.cleanup());

describe('collection service', () => {
  it('creates a collection with its physical name and refuses duplicates', async () => {
    const pid = await newProject();
    const created = await service.create(pid, { name: 'BlogPost', schema: [{ key: 'title', type: 'String', required: true }] });
    expect(created).toMatchObject({ name: 'BlogPost', version: 1, rls: { enabled: false, ownerField: 'userId' } });
    const names = (await platform.db.tenantDb(pid).db?.listCollections().toArray())?.map((c) => c.name);
    expect(names).toContain('BlogPost');
    await expect(service.create(pid, { name: 'blogpost', schema: [] })).rejects.toMatchObject({ status: 409 });
    const project = await models.Project.findById(pid).lean();
    expect(project?.configVersion).toBe(2);
  });

  it('enforces the users contract (422) and the collection limit (403)', async () => {
    const pid = await newProject();
    await expect(
      service.create(pid, { name: 'users', schema: [{ key: 'email', type: 'String', required: true }] }),
    ).rejects.toMatchObject({
      status: 422,
    });
    await service.create(pid, { name: 'a', schema: [] }, { maxCollections: 1 });
    await expect(service.create(pid, { name: 'b', schema: [] }, { maxCollections: 1 })).rejects.toMatchObject({ status: 403 });
  });

  it('edits a schema: unique index only after a duplicate check, 409 with examples, version bump', async () => {
    const pid = await newProject();
    await service.create(pid, { name: 'people', schema: [{ key: 'email', type: 'String' }] });
    const col = platform.db.tenantDb(pid).collection('people');
    await col.insertMany([{ email: 'a@x.io' }, { email: 'a@x.io' }, { email: 'b@x.io' }, {}, {}]);
    const err = await service.update(pid, 'people', [{ key: 'email', type: 'String', unique: true }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409 });
    expect((err as Error).message).toContain('"a@x.io" (2 times)');
    await col.deleteOne({ email: 'a@x.io' });
    const updated = await service.update(pid, 'people', [
      { key: 'email', type: 'String', unique: true },
      { key: 'age', type: 'Number', min: 0 },
    ]);
    expect(updated.version).toBe(2);
    const indexes = (await col.indexes()).map((i) => i.name);
    expect(indexes).toContain(uniqueIndexName('email'));
    await expect(col.insertOne({ email: 'b@x.io' })).rejects.toMatchObject({ code: 11000 });
    await service.update(pid, 'people', [{ key: 'email', type: 'String' }]);
    expect((await col.indexes()).map((i) => i.name)).not.toContain(uniqueIndexName('email'));
  });

  it('deletes a collection with its data and publishes every change', async () => {
    const pid = await newProject();
    const events: ProjectChangedEvent[] = [];
    const stop = subscribeProjectChanged(platform.cache, (e) => events.push(e), platform.logger);
    await new Promise((r) => setTimeout(r, 200));
    await service.create(pid, { name: 'tmp', schema: [] });
    await platform.db.tenantDb(pid).collection('tmp').insertOne({ a: 1 });
    await service.remove(pid, 'tmp');
    const names = (await platform.db.tenantDb(pid).db?.listCollections().toArray())?.map((c) => c.name);
    expect(names).not.toContain('tmp');
    await expect(service.remove(pid, 'tmp')).rejects.toMatchObject({ status: 404 });
    if (platform.cache.client) {
      await new Promise((r) => setTimeout(r, 200));
      expect(events.filter((e) => e.projectId === pid).map((e) => e.reason)).toEqual(['collection', 'collection-deleted']);
    }
    await stop();
  });

  it('updates RLS with a canonical owner field and bumps the version', async () => {
    const pid = await newProject();
    await service.create(pid, { name: 'notes', schema: [{ key: 'ownerId', type: 'String' }] });
    const next = await service.updateRls(pid, 'notes', { enabled: true, mode: 'private', ownerField: 'OWNERID' });
    expect(next).toMatchObject({ version: 2, rls: { enabled: true, mode: 'private', ownerField: 'ownerId' } });
    await expect(service.updateRls(pid, 'notes', { mode: 'weird' })).rejects.toMatchObject({ status: 400 });
  });
});
