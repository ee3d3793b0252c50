import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DashboardTestApp, createDashboardTestApp, registerVerifiedDeveloper, uniqueEmail } from '../../../test/helpers.js';

let t: DashboardTestApp;
let admin: { accessToken: string };
const asAdmin = () => ({ Authorization: `Bearer ${admin.accessToken}` });
const PASSWORD = 'correct-horse-1';

async function setMode(mode: string) {
  await request(t.app).put('/api/admin/registration').set(asAdmin()).send({ mode }).expect(200);
}

async function newCode(body: object = { maxUses: 1, expiresInDays: 1 }) {
  const res = await request(t.app).post('/api/admin/invite-codes').set(asAdmin()).send(body).expect(201);
  return res.body.data as { _id: string; code: string; suffix: string; maxUses: number; uses: number };
}

/** A code as `GET /api/admin/invite-codes` lists it. */
async function listed(id: string) {
  const res = await request(t.app).get('/api/admin/invite-codes').set(asAdmin()).expect(200);
  return res.body.data.codes.find((c: { _id: string }) => c._id === id) as {
    uses: number;
    remaining: number;
    usedBy: string[];
    status: string;
  };
}

const register = (email: string, extra: object = {}) =>
  request(t.app)
    .post('/api/auth/register')
    .send({ email, password: PASSWORD, ...extra });

beforeAll(async () => {
  t = await createDashboardTestApp('dash-registration', (c) => {
    c.dashboard.admin = { email: 'root@example.com', password: 'root-password-1' };
    c.dashboard.registrationMode = 'closed';
  });
  const login = await request(t.app)
    .post('/api/auth/login')
    .send({ email: 'root@example.com', password: 'root-password-1' })
    .expect(200);
  admin = login.body;
});
afterAll(() => t.cleanup());

describe('registration mode', () => {
  beforeEach(() => setMode('open'));

  it('starts from REGISTRATION_MODE; the admin account is bootstrapped whatever the mode', async () => {
    await t.deps.models.PlatformSettings.deleteMany({});
    const pub = await request(t.app).get('/api/auth/registration').expect(200);
    expect(pub.body).toEqual({ success: true, data: { mode: 'closed' }, message: '' });
    // The admin (ADMIN_EMAIL) was created at start-up although the environment says `closed`.
    const root = await t.deps.models.Developer.findOne({ email: 'root@example.com' }).lean();
    expect(root).toMatchObject({ isAdmin: true, isVerified: true });
  });

  it('closed: register is refused with 403 and changes nothing (no account, no mail)', async () => {
    await setMode('closed');
    expect((await request(t.app).get('/api/auth/registration').expect(200)).body.data.mode).toBe('closed');
    const mails = t.smtp.messages.length;
    const email = uniqueEmail('closed');
    const res = await register(email).expect(403);
    expect(res.body).toEqual({
      success: false,
      error: 'Registration is closed on this server. Ask the administrator for an account.',
      code: 403,
    });
    // Even with an invite code, and for an email that is already registered.
    const code = await newCode();
    await register(email, { inviteCode: code.code }).expect(403);
    await register('root@example.com').expect(403);
    expect(await t.deps.models.Developer.countDocuments({ email })).toBe(0);
    expect(t.smtp.messages.length).toBe(mails);
    expect(await listed(code._id)).toMatchObject({ uses: 0 });
    // Existing developers still sign in.
    await request(t.app).post('/api/auth/login').send({ email: 'root@example.com', password: 'root-password-1' }).expect(200);
  });

  it('open: register works without a code', async () => {
    expect((await request(t.app).get('/api/auth/registration').expect(200)).body.data.mode).toBe('open');
    await registerVerifiedDeveloper(t);
  });

  it('refuses an unknown mode with 400', async () => {
    const res = await request(t.app).put('/api/admin/registration').set(asAdmin()).send({ mode: 'sometimes' }).expect(400);
    expect(res.body.error).toBeTruthy();
  });
});

describe('invite-only', () => {
  beforeEach(() => setMode('invite-only'));

  it('requires a code (400) and refuses unknown, expired, used-up and revoked codes (403)', async () => {
    const missing = await register(uniqueEmail()).expect(400);
    expect(missing.body.error).toMatch(/invitation only.*invite code/i);
    const unknown = await register(uniqueEmail(), { inviteCode: 'inv_nope' }).expect(403);
    expect(unknown.body.error).toMatch(/invalid invite code/i);

    const expired = await newCode();
    await t.deps.models.InviteCode.updateOne({ _id: expired._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const exp = await register(uniqueEmail(), { inviteCode: expired.code }).expect(403);
    expect(exp.body.error).toMatch(/expired/i);

    const single = await newCode();
    await register(uniqueEmail(), { inviteCode: single.code }).expect(201);
    const used = await register(uniqueEmail(), { inviteCode: single.code }).expect(403);
    expect(used.body.error).toMatch(/maximum number of times/i);

    const revoked = await newCode({ maxUses: 5, expiresInDays: 30, note: 'for Ana' });
    await request(t.app).delete(`/api/admin/invite-codes/${revoked._id}`).set(asAdmin()).expect(200);
    await register(uniqueEmail(), { inviteCode: revoked.code }).expect(403);

    const list = await request(t.app).get('/api/admin/invite-codes').set(asAdmin()).expect(200);
    const byId = new Map(list.body.data.codes.map((c: { _id: string }) => [c._id, c]));
    expect(byId.get(expired._id)).toMatchObject({ status: 'expired', uses: 0 });
    expect(byId.get(single._id)).toMatchObject({ status: 'used', uses: 1, maxUses: 1, remaining: 0 });
    expect(byId.get(revoked._id)).toMatchObject({ status: 'revoked', note: 'for Ana', uses: 0 });
    // The raw code is shown once (creation) and never listed.
    expect(JSON.stringify(list.body)).not.toContain(single.code);
    await request(t.app)
      .delete(`/api/admin/invite-codes/${'0'.repeat(24)}`)
      .set(asAdmin())
      .expect(404);
  });

  it('validates invite code creation (maxUses 1..1000, expiresInDays 1..365)', async () => {
    for (const body of [
      { maxUses: 0, expiresInDays: 1 },
      { maxUses: 1001, expiresInDays: 1 },
      { maxUses: 1, expiresInDays: 366 },
      {},
    ]) {
      await request(t.app).post('/api/admin/invite-codes').set(asAdmin()).send(body).expect(400);
    }
    const code = await newCode({ maxUses: 1000, expiresInDays: 365 });
    expect(code.code).toMatch(/^inv_[A-Za-z0-9_-]{24}$/);
    expect(code.code.endsWith(code.suffix)).toBe(true);
  });

  it('a code with maxUses 2 admits exactly 2 of 5 concurrent registrations', async () => {
    const code = await newCode({ maxUses: 2, expiresInDays: 1 });
    const emails = Array.from({ length: 5 }, () => uniqueEmail('race'));
    const results = await Promise.all(emails.map((email) => register(email, { inviteCode: code.code })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 403, 403, 403]);
    const created = emails.filter((_, i) => results[i]?.status === 201);
    expect(await t.deps.models.Developer.countDocuments({ email: { $in: emails } })).toBe(2);
    const after = await listed(code._id);
    expect(after).toMatchObject({ uses: 2, remaining: 0, status: 'used' });
    expect([...after.usedBy].sort()).toEqual([...created].sort());
    // Still used up afterwards.
    await register(uniqueEmail('late'), { inviteCode: code.code }).expect(403);
  });

  it('gives the use back when no account is created (an email already registered)', async () => {
    const code = await newCode({ maxUses: 1, expiresInDays: 1 });
    await register('root@example.com', { inviteCode: code.code }).expect(400);
    expect(await listed(code._id)).toMatchObject({ uses: 0, remaining: 1, status: 'active' });
    // The registered developer verifies and signs in like any other.
    const email = uniqueEmail('invited');
    const since = t.smtp.messages.length;
    await register(email, { inviteCode: code.code }).expect(201);
    const otp = await t.smtp.otpFor(email, { since });
    await request(t.app).post('/api/auth/verify-otp').send({ email, otp }).expect(200);
  });
});
