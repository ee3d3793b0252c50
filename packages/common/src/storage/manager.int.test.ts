import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../crypto/index.js';
import { type PlatformModels, createPlatformModels } from '../models/index.js';
import { type TestPlatform, createTestPlatform } from '../testing/index.js';
import { createStorageManager } from './manager.js';

let platform: TestPlatform;
let models: PlatformModels;
const secretBox = createSecretBox(randomBytes(32).toString('hex'));

beforeAll(async () => {
  platform = await createTestPlatform('storagemgr');
  models = createPlatformModels(platform.db.connection);
});
afterAll(() => platform.cleanup());

function s3Config(projectId: string, bucket: string): string {
  const json = JSON.stringify({
    provider: 's3',
    bucket,
    accessKeyId: 'k',
    secretAccessKey: 's',
    endpoint: 'https://s3.example.com',
  });
  return secretBox.encrypt(json, `project:${projectId}:byod:storage`);
}

describe('storage manager', () => {
  it('uses the platform driver, a project BYOD driver, and rebuilds it when the config changes', async () => {
    const manager = createStorageManager({
      config: {
        driver: 'local',
        local: { dir: '/tmp/ub-mgr', baseUrl: 'http://x', signingSecret: 's' },
        supabase: null,
        s3: null,
      },
      projects: models.Project,
      secretBox,
      logger: platform.logger,
      maxClients: 2,
    });
    const id = new Types.ObjectId();
    const pid = String(id);
    await models.Project.collection.insertOne({ _id: id, name: 'p', configVersion: 1 });
    const internal = await manager.forProject({ _id: pid, configVersion: 1 });
    expect(internal).toMatchObject({ provider: 'internal', driver: manager.platform });

    await models.Project.updateOne(
      { _id: pid },
      { $set: { 'resources.storage': { isExternal: true, config: s3Config(pid, 'one') }, configVersion: 2 } },
    );
    const first = await manager.forProject({ _id: pid, configVersion: 2 });
    expect(first.provider).toBe('external');
    expect(first.driver.publicUrl(`${pid}/a.txt`)).toBe(`https://s3.example.com/one/${pid}/a.txt`);
    expect((await manager.forProject({ _id: pid, configVersion: 2 })).driver).toBe(first.driver);

    await models.Project.updateOne(
      { _id: pid },
      { $set: { 'resources.storage.config': s3Config(pid, 'two'), configVersion: 3 } },
    );
    const second = await manager.forProject({ _id: pid, configVersion: 3 });
    expect(second.driver).not.toBe(first.driver);
    expect(second.driver.publicUrl(`${pid}/a.txt`)).toBe(`https://s3.example.com/two/${pid}/a.txt`);

    await expect(manager.forProject({ _id: String(new Types.ObjectId()) })).rejects.toMatchObject({ status: 404 });
    await manager.close();
  });

  it('answers 500 without leaking details when a stored config cannot be decrypted', async () => {
    const manager = createStorageManager({
      config: {
        driver: 'local',
        local: { dir: '/tmp/ub-mgr', baseUrl: 'http://x', signingSecret: 's' },
        supabase: null,
        s3: null,
      },
      projects: models.Project,
      secretBox,
      logger: platform.logger,
    });
    const id = new Types.ObjectId();
    const other = String(new Types.ObjectId());
    // Encrypted for another project: the AAD binding refuses it.
    await models.Project.collection.insertOne({
      _id: id,
      name: 'p',
      resources: { storage: { isExternal: true, config: s3Config(other, 'x') } },
    });
    await expect(manager.forProject({ _id: String(id) })).rejects.toMatchObject({
      status: 500,
      message: 'External storage is misconfigured.',
    });
    await manager.close();
  });
});
