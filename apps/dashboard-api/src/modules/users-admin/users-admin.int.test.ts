import bcrypt from 'bcryptjs';
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
const base = () => `/api/projects/${projectId}/admin/users`;

beforeAll(async () => {
  t = await createDashboardTestApp('dash-users');
  dev = await registerVerifiedDeveloper(t);
  stranger = await registerVerifiedDeveloper(t);
  projectId = (await createTestProject(t.app, dev, 'App'))._id;
});
afterAll(() => t.cleanup());

describe('end-user administration', () => {
  it('needs a users collection (422)', async () => {
    await request(t.app).get(base()).set(auth(dev)).expect(422);
    await request(t.app)
      .post(`/api/projects/${projectId}/collections`)
      .set(auth(dev))
      .send({
        collectionName: 'users',
        schema: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
          { key: 'username', type: 'String' },
        ],
      })
      .expect(201);
  });

  it('creates, lists, searches, reads and edits users without exposing passwords', async () => {
    const created = await request(t.app)
      .post(base())
      .set(auth(dev))
      .send({ email: 'Ann@Example.com', password: 'pass-word-1', username: 'ann' })
      .expect(201);
    expect(created.body).toMatchObject({
      message: 'User created successfully',
      user: { email: 'ann@example.com', username: 'ann' },
    });
    await request(t.app).post(base()).set(auth(dev)).send({ email: 'ann@example.com', password: 'pass-word-1' }).expect(409);
    await request(t.app).post(base()).set(auth(dev)).send({ email: 'x@example.com' }).expect(400);
    // The signup rules: junk is refused and nothing is created.
    const junk = await request(t.app).post(base()).set(auth(dev)).send({ email: 'bad-email', password: 'x' }).expect(400);
    expect(junk.body.error).toBe('Invalid email address');
    const short = await request(t.app).post(base()).set(auth(dev)).send({ email: 'ok@example.com', password: 'x' }).expect(400);
    expect(short.body.error).toBe('password must be at least 6 characters');
    await request(t.app)
      .post(base())
      .set(auth(dev))
      .send({ email: 'bob@example.com', password: 'pass-word-2', emailVerified: true })
      .expect(201);
    const list = await request(t.app).get(`${base()}?search=ANN`).set(auth(dev)).expect(200);
    expect(list.body.data).toMatchObject({ total: 1, page: 1 });
    // Unverified unless the developer says so (the original marked every created user verified).
    expect(list.body.data.items[0]).toMatchObject({ email: 'ann@example.com', emailVerified: false });
    const bob = await request(t.app).get(`${base()}?search=bob`).set(auth(dev)).expect(200);
    expect(bob.body.data.items[0]).toMatchObject({ email: 'bob@example.com', emailVerified: true });
    expect(bob.body.data.total).toBe(1);
    expect(JSON.stringify(list.body)).not.toContain('password');
    const id = created.body.user._id;
    const one = await request(t.app).get(`${base()}/${id}`).set(auth(dev)).expect(200);
    expect(one.body.password).toBeUndefined();
    await request(t.app).put(`${base()}/${id}`).set(auth(dev)).send({ username: 'annie', password: 'sneaky' }).expect(200);
    const raw = await t.platform.db.tenantDb(projectId).collection('users').findOne({ email: 'ann@example.com' });
    expect(raw?.username).toBe('annie');
    expect(await bcrypt.compare('pass-word-1', String(raw?.password))).toBe(true);
    await request(t.app).get(`${base()}/bad-id`).set(auth(dev)).expect(400);
    await request(t.app)
      .get(`${base()}/${'0'.repeat(24)}`)
      .set(auth(dev))
      .expect(404);
    await request(t.app).get(base()).set(auth(stranger)).expect(404);
  });

  it('resets a password (hashed) and revokes the sessions; lists and revokes sessions', async () => {
    const list = await request(t.app).get(`${base()}?search=bob`).set(auth(dev)).expect(200);
    const id = list.body.data.items[0]._id as string;
    const now = new Date();
    const session = (familyId: string) => ({
      projectId,
      userId: id,
      familyId,
      tokenHash: `${familyId}-hash`,
      familyCreatedAt: now,
      rotatedAt: null,
      revokedAt: null,
      expiresAt: new Date(Date.now() + 60_000),
      lastUsedAt: now,
      ip: '1.2.3.4',
      userAgent: 'test',
    });
    await t.deps.models.UserSession.collection.insertMany([session('fam-1'), session('fam-2')]);
    const sessions = await request(t.app).get(`${base()}/${id}/sessions`).set(auth(dev)).expect(200);
    expect(sessions.body.sessions.map((s: { tokenId: string }) => s.tokenId).sort()).toEqual(['fam-1', 'fam-2']);
    await request(t.app).delete(`${base()}/${id}/sessions/fam-1`).set(auth(dev)).expect(200);
    await request(t.app).delete(`${base()}/${id}/sessions/fam-1`).set(auth(dev)).expect(404);
    await request(t.app).patch(`${base()}/${id}/password`).set(auth(dev)).send({ newPassword: '123' }).expect(400);
    await request(t.app).patch(`${base()}/${id}/password`).set(auth(dev)).send({ newPassword: 'new-pass-9' }).expect(200);
    const raw = await t.platform.db.tenantDb(projectId).collection('users').findOne({ email: 'bob@example.com' });
    expect(await bcrypt.compare('new-pass-9', String(raw?.password))).toBe(true);
    const after = await request(t.app).get(`${base()}/${id}/sessions`).set(auth(dev)).expect(200);
    expect(after.body.sessions).toEqual([]);
    await request(t.app).delete(`${base()}/${id}`).set(auth(dev)).expect(200);
    await request(t.app).get(`${base()}/${id}`).set(auth(dev)).expect(404);
  });
});
