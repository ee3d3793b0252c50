import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, createPlatform } from '../platform/index.js';
import { type Actor, type ScopedProject, toScopedProject } from '../scope/index.js';
import { type TestPlatform, type TestProject, createTestPlatform, createTestProject, testBaseConfig } from '../testing/index.js';

const LIMIT = 300;

let tp: TestPlatform;
let platform: Platform;
let project: TestProject;

const developer: Actor = { type: 'developer', developerId: '', email: '', role: 'owner', via: 'session' };
const secretKey: Actor = { type: 'key', key: 'secret', keyHash: '', user: null };

async function scoped(): Promise<ScopedProject> {
  const doc = await platform.models.Project.findById(project.projectId).lean();
  const owner = await platform.models.Developer.findById(doc?.owner).lean();
  if (!doc || !owner) throw new Error('test project missing');
  return toScopedProject(doc as unknown as Record<string, unknown>, owner);
}

async function used(): Promise<number> {
  return platform.meter.current(project.projectId, 'db');
}

async function rows(): Promise<number> {
  const conn = await platform.tenants.forProject(await scoped()).connection();
  return conn.collection('posts').countDocuments();
}

beforeAll(async () => {
  tp = await createTestPlatform('data-quota');
  platform = createPlatform(
    { ...testBaseConfig(tp), plans: { defaultPlan: 'free', overrides: { free: { mongoBytes: LIMIT } } } },
    tp.logger,
    { db: tp.db, cache: tp.cache },
  );
  project = await createTestProject(tp.db, platform.secretBox, {
    collections: [{ name: 'posts', model: [{ key: 'title', type: 'String' }] }],
  });
});
afterAll(async () => {
  await platform.close();
  await tp.cleanup();
});

describe('the database quota, for the dashboard (developer) and the public API (secret key) alike', () => {
  it('charges the same bytes for the same document, whoever writes it', async () => {
    const doc = { title: 'the same document, twice' };
    const start = await used();
    await platform.data.writes.insert(platform.scopeFor(await scoped(), developer), 'posts', doc);
    const byDeveloper = (await used()) - start;
    await platform.data.writes.insert(platform.scopeFor(await scoped(), secretKey), 'posts', doc);
    const byKey = (await used()) - start - byDeveloper;
    expect(byDeveloper).toBeGreaterThan(0);
    expect(byKey).toBe(byDeveloper);
  });

  it('refuses both over the limit and changes nothing', async () => {
    const before = { used: await used(), rows: await rows() };
    const big = { title: 'x'.repeat(LIMIT) };
    for (const actor of [developer, secretKey]) {
      const insert = platform.data.writes.insert(platform.scopeFor(await scoped(), actor), 'posts', big);
      await expect(insert).rejects.toMatchObject({ status: 403, message: 'Database limit exceeded.' });
    }
    expect({ used: await used(), rows: await rows() }).toEqual(before);
  });

  it('counts exactly what is stored, and rebuilds the same count from the documents when Redis lost it', async () => {
    const counted = await used();
    expect(await platform.meter.reconcile(project.projectId, 'db')).toBe(counted);
    expect(tp.cache.client, 'this test needs Redis').toBeTruthy();
    await platform.meter.forget(project.projectId, 'db');
    expect(await used()).toBe(counted);
  });

  it('refuses an edit that would cross the limit, from the dashboard too (no error swallowed)', async () => {
    const scope = platform.scopeFor(await scoped(), developer);
    const created = await platform.data.writes.insert(scope, 'posts', { title: 'small' });
    const before = await used();
    const patch = platform.data.writes.update(scope, 'posts', String(created._id), { title: 'y'.repeat(LIMIT) });
    await expect(patch).rejects.toMatchObject({ status: 403 });
    expect(await used()).toBe(before);
    expect(await platform.data.reads.getOne(scope, 'posts', String(created._id), {})).toMatchObject({ title: 'small' });
  });
});
