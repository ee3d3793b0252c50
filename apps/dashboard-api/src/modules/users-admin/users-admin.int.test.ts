import { authClaimModel } from '@urbackend/common/models';
import { createOtpService } from '@urbackend/common/user-auth';
import bcrypt from 'bcryptjs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
  testDashboardConfig,
} from '../../../test/helpers.js';
import { createApp } from '../../app.js';
import type { Config } from '../../config.js';
import { createDeps } from '../../deps.js';

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

describe('disable, enable and password-reset mail', () => {
  const session = (userId: string, familyId: string) => ({
    projectId,
    userId,
    familyId,
    tokenHash: `${familyId}-hash`,
    familyCreatedAt: new Date(),
    rotatedAt: null,
    revokedAt: null,
    expiresAt: new Date(Date.now() + 60_000),
    lastUsedAt: new Date(),
    ip: '::ffff:127.0.0.1',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  });
  const createUser = async (email: string) =>
    String((await request(t.app).post(base()).set(auth(dev)).send({ email, password: 'pass-word-1' }).expect(201)).body.user._id);

  it('shows sessions with a readable address and device', async () => {
    const id = await createUser('dora@example.com');
    await t.deps.models.UserSession.collection.insertOne(session(id, 'fam-dora'));
    const res = await request(t.app).get(`${base()}/${id}/sessions`).set(auth(dev)).expect(200);
    expect(res.body.sessions[0]).toMatchObject({ tokenId: 'fam-dora', ip: '127.0.0.1', device: 'Chrome on Linux' });
  });

  it('disables a user (flag shown in the list, every session revoked) and enables them again', async () => {
    const id = await createUser('carl@example.com');
    await t.deps.models.UserSession.collection.insertMany([session(id, 'fam-c1'), session(id, 'fam-c2')]);
    await request(t.app).patch(`${base()}/${id}/status`).set(auth(dev)).send({}).expect(400);
    await request(t.app).patch(`${base()}/${id}/status`).set(auth(stranger)).send({ disabled: true }).expect(404);
    const off = await request(t.app).patch(`${base()}/${id}/status`).set(auth(dev)).send({ disabled: true }).expect(200);
    expect(off.body.message).toBe('User disabled; their sessions were signed out');
    expect(typeof off.body.user.authDisabledAt).toBe('string');
    const listed = await request(t.app).get(`${base()}?search=carl`).set(auth(dev)).expect(200);
    expect(listed.body.data.items[0].authDisabledAt).toBe(off.body.user.authDisabledAt);
    expect((await request(t.app).get(`${base()}/${id}/sessions`).set(auth(dev)).expect(200)).body.sessions).toEqual([]);
    // Disabling twice keeps the first date; a generic edit cannot clear the flag.
    const twice = await request(t.app).patch(`${base()}/${id}/status`).set(auth(dev)).send({ disabled: true }).expect(200);
    expect(twice.body.user.authDisabledAt).toBe(off.body.user.authDisabledAt);
    await request(t.app).put(`${base()}/${id}`).set(auth(dev)).send({ authDisabledAt: null }).expect(200);
    expect((await request(t.app).get(`${base()}/${id}`).set(auth(dev)).expect(200)).body.authDisabledAt).toBeTruthy();

    const on = await request(t.app).patch(`${base()}/${id}/status`).set(auth(dev)).send({ disabled: false }).expect(200);
    expect(on.body).toMatchObject({ message: 'User enabled' });
    expect(on.body.user.authDisabledAt).toBeUndefined();
    const raw = await t.platform.db.tenantDb(projectId).collection('users').findOne({ email: 'carl@example.com' });
    expect(raw && 'authDisabledAt' in raw).toBe(false);
  });

  it('mails the public reset code (cooldown shared with the public API) that the public code store accepts', async () => {
    const id = await createUser('erin@example.com');
    const since = t.smtp.messages.length;
    const sent = await request(t.app).post(`${base()}/${id}/password-reset`).set(auth(dev)).expect(200);
    expect(sent.body.message).toBe('A password-reset code was sent to erin@example.com.');
    const code = await t.smtp.otpFor('erin@example.com', { since, subject: /Reset your password/ });
    const again = await request(t.app).post(`${base()}/${id}/password-reset`).set(auth(dev)).expect(429);
    expect(again.body.error).toMatch(/^Please wait \d+ seconds before requesting another code\.$/);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    // The store the public API's reset-password checks (apps/public-api disabled-users.int.test.ts resets with it).
    const otp = createOtpService({ model: t.deps.models.UserOtp, claims: authClaimModel(t.deps.models.UserOtp.db) });
    expect(await otp.verify(projectId, 'reset', 'erin@example.com', code)).toBe(true);
    await request(t.app)
      .post(`${base()}/${'0'.repeat(24)}/password-reset`)
      .set(auth(dev))
      .expect(404);
  });

  it('refuses (422) with a way forward when the server has no SMTP', async () => {
    // A second dashboard process on the same databases, started without SMTP_URL.
    const config = testDashboardConfig(t.platform, null);
    const bare = createDeps(config as Config, t.platform.logger, { db: t.platform.db, cache: t.platform.cache });
    try {
      const id = await createUser('fay@example.com');
      const res = await request(createApp(bare)).post(`${base()}/${id}/password-reset`).set(auth(dev)).expect(422);
      expect(res.body.error).toMatch(/No mail server is configured \(SMTP_URL\).*set a new password/);
    } finally {
      await bare.close();
    }
  });
});
