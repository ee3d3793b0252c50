import { sha256Hex } from '@urbackend/common/crypto';
import { type ProjectChangeWatch, watchProjectChanges, withDatabase } from '@urbackend/common/testing';
import { Types } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
  uniqueEmail,
} from '../../../test/helpers.js';

let t: DashboardTestApp;
let strict: DashboardTestApp;
let owner: TestDeveloper;
let stranger: TestDeveloper;
let pro: TestDeveloper;

const auth = (dev: Pick<TestDeveloper, 'accessToken'>) => ({ Authorization: `Bearer ${dev.accessToken}` });

async function makePro(): Promise<TestDeveloper> {
  const dev = await registerVerifiedDeveloper(t);
  await t.deps.models.Developer.updateOne({ email: dev.email }, { $set: { plan: 'pro' } });
  return dev;
}

/** Records the project changes published from now on (fails the test without Redis). */
async function watchChanges(): Promise<ProjectChangeWatch> {
  expect(t.platform.cache.client, 'this test needs Redis').toBeTruthy();
  const changes = await watchProjectChanges(t.platform.cache);
  onTestFinished(() => changes.close());
  return changes;
}

beforeAll(async () => {
  t = await createDashboardTestApp('dash-projects');
  strict = await createDashboardTestApp('dash-strict', (c) => {
    c.security.allowPrivateTargets = false;
    c.rateLimits.dashboardIpPer15Min = 6;
  });
  owner = await registerVerifiedDeveloper(t);
  stranger = await registerVerifiedDeveloper(t);
  pro = await makePro();
});
afterAll(async () => {
  await Promise.all([t.cleanup(), strict.cleanup()]);
});

describe('projects', () => {
  it('creates a project: raw keys shown once, stored hashed, JWT secret encrypted', async () => {
    const body = await createTestProject(t.app, owner, 'Shop');
    expect(body.publishableKey).toMatch(/^pk_live_[A-Za-z0-9_-]{43}[0-9a-f]{8}[A-Za-z0-9_-]{22}$/);
    expect(body.secretKey).toMatch(/^sk_live_[A-Za-z0-9_-]{43}[0-9a-f]{8}[A-Za-z0-9_-]{22}$/);
    const stored = await t.deps.models.Project.findById(body._id).lean();
    expect(stored?.publishableKeyHash).toBe(sha256Hex(body.publishableKey));
    expect(stored?.secretKeyHash).toBe(sha256Hex(body.secretKey));
    expect(t.deps.secretBox.decrypt(stored?.jwtSecret ?? '', `project:${body._id}:jwtSecret`)).toMatch(/^jwt_/);
    const got = await request(t.app).get(`/api/projects/${body._id}`).set(auth(owner)).expect(200);
    const text = JSON.stringify(got.body);
    for (const secret of ['publishableKey', 'secretKey', 'jwtSecret', 'KeyHash']) expect(text).not.toContain(secret);
    expect(got.body).toMatchObject({
      name: 'Shop',
      allowedDomains: ['*'],
      isAuthEnabled: false,
      publicApiUrl: t.config.urls.publicApi,
    });
  });

  it('validates input (400), enforces the plan (403) and email verification (403)', async () => {
    const dev = await registerVerifiedDeveloper(t);
    await request(t.app).post('/api/projects').set(auth(dev)).send({}).expect(400);
    await request(t.app).post('/api/projects').set(auth(dev)).send({ name: 'x', siteUrl: 'http://example.com' }).expect(400);
    await createTestProject(t.app, dev, 'one');
    const limit = await request(t.app).post('/api/projects').set(auth(dev)).send({ name: 'two' }).expect(403);
    expect(limit.body.error).toMatch(/Project limit reached/);
    const email = uniqueEmail('unverified');
    await request(t.app).post('/api/auth/register').send({ email, password: 'secret-123' }).expect(201);
    const login = await request(t.app).post('/api/auth/login').send({ email, password: 'secret-123' }).expect(200);
    await request(t.app).post('/api/projects').set(auth(login.body)).send({ name: 'x' }).expect(403);
  });

  it('lists projects with usage metrics', async () => {
    const dev = await registerVerifiedDeveloper(t);
    await createTestProject(t.app, dev, 'Listed');
    const res = await request(t.app).get('/api/projects').set(auth(dev)).expect(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({
      name: 'Listed',
      collectionsCount: 0,
      health: 'healthy',
      metrics: { database: { used: 0 } },
    });
  });

  it("answers 404 for another developer's project and 401 without a token", async () => {
    const p = await createTestProject(t.app, pro, 'Private');
    await request(t.app).get(`/api/projects/${p._id}`).set(auth(stranger)).expect(404);
    await request(t.app).patch(`/api/projects/${p._id}`).set(auth(stranger)).send({ name: 'x' }).expect(404);
    await request(t.app).delete(`/api/projects/${p._id}`).set(auth(stranger)).expect(404);
    await request(t.app).post(`/api/projects/${p._id}/api-key`).set(auth(stranger)).send({ keyType: 'secret' }).expect(404);
    await request(t.app).post(`/api/projects/${p._id}/collections`).set(auth(stranger)).send({ collectionName: 'a' }).expect(404);
    await request(t.app).get('/api/projects/not-an-id').set(auth(stranger)).expect(400);
    await request(t.app).get(`/api/projects/${p._id}`).expect(401);
    await request(t.app).get('/api/projects').set('Authorization', 'Bearer nope').expect(401);
  });

  it('updates a project and publishes the change', async () => {
    const changes = await watchChanges();
    const p = await createTestProject(t.app, pro, 'Before');
    const res = await request(t.app)
      .patch(`/api/projects/${p._id}`)
      .set(auth(pro))
      .send({ name: 'After', allowPublishableUploads: true, siteUrl: 'https://app.example.com' })
      .expect(200);
    expect(res.body).toMatchObject({ name: 'After', allowPublishableUploads: true, configVersion: 2 });
    await request(t.app).patch(`/api/projects/${p._id}`).set(auth(pro)).send({ owner: 'me' }).expect(400);
    expect((await changes.settled(p._id)).map((e) => e.reason)).toEqual(['project']);
  });

  it('rotates a key: the old hash is gone and every process is told', async () => {
    const changes = await watchChanges();
    const p = await createTestProject(t.app, pro, 'Rotate');
    await request(t.app).post(`/api/projects/${p._id}/api-key`).set(auth(pro)).send({ keyType: 'bogus' }).expect(400);
    const res = await request(t.app)
      .post(`/api/projects/${p._id}/api-key`)
      .set(auth(pro))
      .send({ keyType: 'secret' })
      .expect(200);
    expect(res.body.apiKey).toMatch(/^sk_live_/);
    expect(res.body.keyType).toBe('secret');
    const stored = await t.deps.models.Project.findById(p._id).lean();
    expect(stored?.secretKeyHash).toBe(sha256Hex(res.body.apiKey));
    expect(stored?.publishableKeyHash).toBe(sha256Hex(p.publishableKey));
    const [event] = await changes.settled(p._id);
    expect(event?.keyHashes).toContain(sha256Hex(p.secretKey));
  });

  it('sets allowed domains and validates them', async () => {
    const p = await createTestProject(t.app, pro, 'Domains');
    const res = await request(t.app)
      .patch(`/api/projects/${p._id}/allowed-domains`)
      .set(auth(pro))
      .send({ domains: ['https://App.example.com/', '*.example.org', 'localhost:3000'] })
      .expect(200);
    expect(res.body).toEqual({
      message: 'Allowed domains updated',
      allowedDomains: ['https://app.example.com', '*.example.org', 'localhost:3000'],
    });
    await request(t.app)
      .patch(`/api/projects/${p._id}/allowed-domains`)
      .set(auth(pro))
      .send({ domains: ['bad domain!'] })
      .expect(400);
  });
});

describe('auth settings', () => {
  it('enables auth only with a valid users collection', async () => {
    const p = await createTestProject(t.app, pro, 'Auth');
    const missing = await request(t.app)
      .patch(`/api/projects/${p._id}/auth/toggle`)
      .set(auth(pro))
      .send({ enable: true })
      .expect(422);
    expect(missing.body.code).toBe(422);
    await request(t.app)
      .post(`/api/projects/${p._id}/collections`)
      .set(auth(pro))
      .send({ collectionName: 'users', schema: [{ key: 'email', type: 'String', required: true }] })
      .expect(422);
    await request(t.app)
      .post(`/api/projects/${p._id}/collections`)
      .set(auth(pro))
      .send({
        collectionName: 'users',
        schema: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
        ],
      })
      .expect(201);
    const res = await request(t.app)
      .patch(`/api/projects/${p._id}/auth/toggle`)
      .set(auth(pro))
      .send({ enable: true })
      .expect(200);
    expect(res.body).toMatchObject({ message: 'Authentication enabled successfully', isAuthEnabled: true });
    await request(t.app).patch(`/api/projects/${p._id}/auth/toggle`).set(auth(pro)).send({ enable: 'yes' }).expect(400);
  });

  it('stores OAuth client secrets encrypted and checks completeness', async () => {
    const p = await createTestProject(t.app, pro, 'OAuth');
    const url = `/api/projects/${p._id}/auth/providers`;
    await request(t.app).patch(url).set(auth(pro)).send({}).expect(400);
    await request(t.app)
      .patch(url)
      .set(auth(pro))
      .send({ github: { enabled: true, clientId: 'id' } })
      .expect(422);
    const noSite = await request(t.app)
      .patch(url)
      .set(auth(pro))
      .send({ github: { enabled: true, clientId: 'id', clientSecret: 'shh' } })
      .expect(422);
    expect(noSite.body.error).toMatch(/siteUrl required/);
    await request(t.app).patch(`/api/projects/${p._id}`).set(auth(pro)).send({ siteUrl: 'https://shop.example.com' }).expect(200);
    const res = await request(t.app)
      .patch(url)
      .set(auth(pro))
      .send({ github: { enabled: true, clientId: 'id', clientSecret: 'shh' } })
      .expect(200);
    expect(res.body.authProviders.github).toEqual({ enabled: true, clientId: 'id', hasClientSecret: true });
    const stored = await t.deps.models.Project.findById(p._id).lean();
    const secret = stored?.authProviders.github.clientSecret ?? '';
    expect(secret).not.toContain('shh');
    expect(t.deps.secretBox.decrypt(secret, `project:${p._id}:oauth:github`)).toBe('shh');
    const free = (await request(t.app).get('/api/projects').set(auth(owner)).expect(200)).body[0];
    await request(t.app)
      .patch(`/api/projects/${free._id}/auth/providers`)
      .set(auth(owner))
      .send({ google: { clientId: 'x', clientSecret: 'y' } })
      .expect(403);
  });
});

describe('BYOD', () => {
  it('tests, encrypts and stores an external database, then uses it for collections', async () => {
    const p = await createTestProject(t.app, pro, 'Byod');
    await request(t.app)
      .post(`/api/projects/${p._id}/collections`)
      .set(auth(pro))
      .send({ collectionName: 'before', schema: [{ key: 'code', type: 'String', unique: true }] })
      .expect(201);
    const dbUri = withDatabase(t.platform.mongoUri, `${t.platform.tenantDbPrefix}byod`);
    const tested = await request(t.app).post(`/api/projects/${p._id}/byod-config/test`).set(auth(pro)).send({ dbUri });
    expect(tested.body).toMatchObject({ ok: true });
    expect((await t.deps.models.Project.findById(p._id).lean())?.resources.db.isExternal).toBe(false);
    const res = await request(t.app).patch(`/api/projects/${p._id}/byod-config`).set(auth(pro)).send({ dbUri }).expect(200);
    expect(res.body).toEqual({ message: 'External configuration updated successfully.' });
    const stored = await t.deps.models.Project.findById(p._id).lean();
    expect(stored?.resources.db.isExternal).toBe(true);
    expect(JSON.parse(t.deps.secretBox.decrypt(stored?.resources.db.config ?? '', `project:${p._id}:byod:db`))).toEqual({
      dbUri,
    });
    await request(t.app)
      .post(`/api/projects/${p._id}/collections`)
      .set(auth(pro))
      .send({ collectionName: 'ext_items' })
      .expect(201);
    const external = t.platform.db.connection.useDb(`${t.platform.tenantDbPrefix}byod`);
    const names = (await external.db?.listCollections().toArray())?.map((c) => c.name);
    expect(names).toContain('ext_items');
    expect(names).toContain('before');
    expect((await external.collection('before').indexes()).map((i) => i.name)).toContain('unique_code_1');
    await request(t.app).delete(`/api/projects/${p._id}/byod-config/db`).set(auth(pro)).expect(200);
    expect((await t.deps.models.Project.findById(p._id).lean())?.resources.db.isExternal).toBe(false);
  });

  it('refuses unreachable databases (400) and non-mongodb URIs (400)', async () => {
    const p = await createTestProject(t.app, await makePro(), 'ByodBad');
    const dev = await t.deps.models.Project.findById(p._id).lean();
    const owner2 = await t.deps.models.Developer.findById(dev?.owner).lean();
    const login = await request(t.app)
      .post('/api/auth/login')
      .send({ email: owner2?.email, password: 'correct-horse-1' })
      .expect(200);
    const url = `/api/projects/${p._id}/byod-config`;
    const res = await request(t.app).patch(url).set(auth(login.body)).send({ dbUri: 'mongodb://127.0.0.1:9/x' }).expect(400);
    expect(res.body.error).toMatch(/Could not connect/);
    expect(res.body.error).not.toContain('127.0.0.1');
    const tested = await request(t.app).post(`${url}/test`).set(auth(login.body)).send({ dbUri: 'mongodb://127.0.0.1:9/x' });
    expect(tested.status).toBe(400);
    await request(t.app).patch(url).set(auth(login.body)).send({ dbUri: 'postgres://x' }).expect(400);
  });

  it('stores S3 storage settings encrypted for pro plans, 403 on free', async () => {
    const p = await createTestProject(t.app, pro, 'Byos');
    const body = {
      storageProvider: 's3',
      s3Bucket: 'files',
      s3AccessKeyId: 'AKIA',
      s3SecretAccessKey: 'secret',
      s3Endpoint: 'https://s3.example.com',
    };
    await request(t.app).patch(`/api/projects/${p._id}/byod-config`).set(auth(pro)).send(body).expect(200);
    const stored = await t.deps.models.Project.findById(p._id).lean();
    expect(stored?.resources.storage).toMatchObject({ isExternal: true, provider: 's3' });
    const config = JSON.parse(t.deps.secretBox.decrypt(stored?.resources.storage.config ?? '', `project:${p._id}:byod:storage`));
    expect(config).toMatchObject({ provider: 's3', bucket: 'files', secretAccessKey: 'secret' });
    const free = await request(t.app).get('/api/projects').set(auth(owner)).expect(200);
    await request(t.app).patch(`/api/projects/${free.body[0]._id}/byod-config`).set(auth(owner)).send(body).expect(403);
  });

  it('refuses internal database hosts unless private targets are allowed (SSRF), then rate limits (429)', async () => {
    const dev = await registerVerifiedDeveloper(strict);
    const p = await createTestProject(strict.app, dev, 'Ssrf');
    const res = await request(strict.app)
      .patch(`/api/projects/${p._id}/byod-config`)
      .set(auth(dev))
      .send({ dbUri: 'mongodb://169.254.169.254:27017/x' })
      .expect(400);
    expect(res.body.error).toMatch(/private or internal/);
    let last = 200;
    for (let i = 0; i < 6 && last !== 429; i++) last = (await request(strict.app).get('/api/projects').set(auth(dev))).status;
    expect(last).toBe(429);
  });
});
