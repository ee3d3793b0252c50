import { requestLogModel } from '@urbackend/common/models';
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
let admin: { accessToken: string; user: { _id: string } };
let dev: TestDeveloper;
const auth = (d: { accessToken: string }) => ({ Authorization: `Bearer ${d.accessToken}` });
const ZERO_ID = '0'.repeat(24);

beforeAll(async () => {
  t = await createDashboardTestApp('dash-admin', (c) => {
    c.dashboard.admin = { email: 'root@example.com', password: 'root-password-1' };
    c.plans = { defaultPlan: 'free', overrides: { team: { maxProjects: 3 } } };
  });
  const login = await request(t.app)
    .post('/api/auth/login')
    .send({ email: 'root@example.com', password: 'root-password-1' })
    .expect(200);
  admin = login.body;
  dev = await registerVerifiedDeveloper(t);
});
afterAll(() => t.cleanup());

/** Every admin route (method, path, body): a non-admin gets 403 on each and nothing changes. */
const ADMIN_ROUTES: [method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: object][] = [
  ['get', '/api/admin/plans'],
  ['get', '/api/admin/developers'],
  ['patch', `/api/admin/developers/${ZERO_ID}/plan`, { plan: 'pro' }],
  ['post', `/api/admin/developers/${ZERO_ID}/disable`],
  ['post', `/api/admin/developers/${ZERO_ID}/enable`],
  ['delete', `/api/admin/developers/${ZERO_ID}`],
  ['patch', `/api/admin/projects/${ZERO_ID}/limits`, { reqPerDay: 5 }],
  ['get', '/api/admin/registration'],
  ['put', '/api/admin/registration', { mode: 'closed' }],
  ['get', '/api/admin/invite-codes'],
  ['post', '/api/admin/invite-codes', { maxUses: 1, expiresInDays: 1 }],
  ['delete', `/api/admin/invite-codes/${ZERO_ID}`],
  ['get', '/api/admin/audit-log'],
];

describe('platform admin', () => {
  it('refuses every admin route to a non-admin developer (403) and to anonymous callers (401)', async () => {
    for (const [method, path, body] of ADMIN_ROUTES) {
      const res = await request(t.app)[method](path).set(auth(dev)).send(body);
      expect(res.status, `${method.toUpperCase()} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ success: false, error: 'Admin access required.', code: 403 });
      await request(t.app)[method](path).send(body).expect(401);
    }
    const mode = await request(t.app).get('/api/admin/registration').set(auth(admin)).expect(200);
    expect(mode.body.data.mode).toBe('open');
    const audit = await request(t.app).get('/api/admin/audit-log').set(auth(admin)).expect(200);
    expect(audit.body.data.total).toBe(0);
  });

  it('sets a developer plan (operator-defined plans included); others get 403', async () => {
    const list = await request(t.app)
      .get(`/api/admin/developers?search=${encodeURIComponent(dev.email)}`)
      .set(auth(admin))
      .expect(200);
    expect(list.body.data.items).toHaveLength(1);
    const url = `/api/admin/developers/${dev.userId}/plan`;
    await request(t.app).patch(url).set(auth(admin)).send({ plan: 'gold' }).expect(400);
    const res = await request(t.app).patch(url).set(auth(admin)).send({ plan: 'team' }).expect(200);
    expect(res.body.limits.maxProjects).toBe(3);
    const me = await request(t.app).get('/api/auth/me').set(auth(dev)).expect(200);
    expect(me.body.user).toMatchObject({ plan: 'team', limits: { maxProjects: 3 } });
    await request(t.app).patch(`/api/admin/developers/${ZERO_ID}/plan`).set(auth(admin)).send({ plan: 'pro' }).expect(404);
  });

  it('lists developers with search, project counts and usage summed over their projects', async () => {
    const owner = await registerVerifiedDeveloper(t);
    await t.deps.models.Developer.updateOne({ _id: owner.userId }, { $set: { plan: 'pro' } }); // 2 projects
    const [p1] = [await createTestProject(t.app, owner, 'One'), await createTestProject(t.app, owner, 'Two')];
    const RequestLog = requestLogModel(t.platform.db.connection);
    const now = new Date();
    const day = now.toISOString().slice(0, 10);
    const log = { projectId: p1?._id, method: 'GET', route: '/api/data/:c', path: '/api/data/x', status: 200, at: now, day };
    await RequestLog.insertMany([log, log, log, { ...log, day: '2000-01-01', at: new Date(0) }]);

    const res = await request(t.app)
      .get(`/api/admin/developers?search=${encodeURIComponent(owner.email.toUpperCase())}`)
      .set(auth(admin))
      .expect(200);
    expect(res.body.data).toMatchObject({ total: 1, page: 1, limit: 50 });
    expect(res.body.data.items[0]).toMatchObject({
      _id: owner.userId,
      email: owner.email,
      isVerified: true,
      isAdmin: false,
      plan: 'pro',
      disabledAt: null,
      projectCount: 2,
      usage: { requests: 3, storageBytes: 0 },
    });
    expect(res.body.data.items[0].usage.databaseBytes).toBeGreaterThanOrEqual(0);
    expect(res.body.data.items[0].createdAt).toBeTruthy();

    const all = await request(t.app).get('/api/admin/developers?limit=100').set(auth(admin)).expect(200);
    const counts = Object.fromEntries(
      all.body.data.items.map((d: { email: string; projectCount: number }) => [d.email, d.projectCount]),
    );
    expect(counts).toMatchObject({ [owner.email]: 2, [dev.email]: 0, 'root@example.com': 0 });
    const paged = await request(t.app).get('/api/admin/developers?limit=1&page=2').set(auth(admin)).expect(200);
    expect(paged.body.data).toMatchObject({ page: 2, limit: 1, total: all.body.data.total });
    expect(paged.body.data.items).toHaveLength(1);
    await request(t.app).get('/api/admin/developers?limit=500').set(auth(admin)).expect(400);
  });

  it('disables a developer (sessions revoked, sign-in refused) and enables them again', async () => {
    const target = await registerVerifiedDeveloper(t);
    await request(t.app).post(`/api/admin/developers/${target.userId}/disable`).set(auth(dev)).expect(403);
    const res = await request(t.app).post(`/api/admin/developers/${target.userId}/disable`).set(auth(admin)).expect(200);
    expect(res.body).toMatchObject({ success: true, data: { _id: target.userId, email: target.email } });
    expect(new Date(res.body.data.disabledAt).getTime()).toBeGreaterThan(0);

    // The refresh session was revoked; signing in again is refused.
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', target.refreshCookie).expect(401);
    const login = await request(t.app).post('/api/auth/login').send({ email: target.email, password: target.password });
    expect(login.status).toBe(403);
    expect(login.body.error).toMatch(/disabled/i);
    const listed = await request(t.app)
      .get(`/api/admin/developers?search=${encodeURIComponent(target.email)}`)
      .set(auth(admin))
      .expect(200);
    expect(listed.body.data.items[0].disabledAt).toBeTruthy();
    const onlyDisabled = await request(t.app).get('/api/admin/developers?disabled=true').set(auth(admin)).expect(200);
    expect(onlyDisabled.body.data.items.map((d: { email: string }) => d.email)).toEqual([target.email]);

    await request(t.app).post(`/api/admin/developers/${target.userId}/enable`).set(auth(admin)).expect(200);
    const again = await request(t.app)
      .post('/api/auth/login')
      .send({ email: target.email, password: target.password })
      .expect(200);
    await request(t.app).get('/api/auth/me').set(auth(again.body)).expect(200);
    await request(t.app).post(`/api/admin/developers/${ZERO_ID}/disable`).set(auth(admin)).expect(404);
  });

  it('an admin cannot disable or delete their own account', async () => {
    const self = admin.user._id;
    const disable = await request(t.app).post(`/api/admin/developers/${self}/disable`).set(auth(admin)).expect(400);
    expect(disable.body).toMatchObject({ success: false, error: 'You cannot disable your own account.' });
    await request(t.app).delete(`/api/admin/developers/${self}`).set(auth(admin)).expect(400);
    await request(t.app).get('/api/auth/me').set(auth(admin)).expect(200);
  });

  it('deletes a developer with their projects (the account-deletion path)', async () => {
    const target = await registerVerifiedDeveloper(t);
    const project = await createTestProject(t.app, target, 'Doomed');
    const res = await request(t.app).delete(`/api/admin/developers/${target.userId}`).set(auth(admin)).expect(200);
    expect(res.body.data).toMatchObject({ email: target.email, projectCount: 1 });
    expect(await t.deps.models.Developer.countDocuments({ email: target.email })).toBe(0);
    expect(await t.deps.models.Project.countDocuments({ _id: project._id })).toBe(0);
    await request(t.app).get('/api/auth/me').set(auth(target)).expect(401);
    await request(t.app).post('/api/auth/refresh-token').set('Cookie', target.refreshCookie).expect(401);
    await request(t.app).delete(`/api/admin/developers/${target.userId}`).set(auth(admin)).expect(404);
  });

  it('lists the effective limits of every plan (built-in and operator-defined)', async () => {
    const res = await request(t.app).get('/api/admin/plans').set(auth(admin)).expect(200);
    expect(res.body.defaultPlan).toBe('free');
    const byName = Object.fromEntries(res.body.plans.map((p: { name: string; limits: object }) => [p.name, p.limits]));
    expect(Object.keys(byName).sort()).toEqual(['free', 'pro', 'team']);
    expect(byName.team).toMatchObject({ maxProjects: 3 });
    expect(Object.keys(byName.team).sort()).toEqual(Object.keys(byName.free).sort());
  });

  it('records every admin action in the platform audit log, newest first', async () => {
    const target = await registerVerifiedDeveloper(t);
    const project = await createTestProject(t.app, target, 'Audited');
    const a = auth(admin);
    await request(t.app).patch(`/api/admin/developers/${target.userId}/plan`).set(a).send({ plan: 'pro' }).expect(200);
    await request(t.app).patch(`/api/admin/projects/${project._id}/limits`).set(a).send({ reqPerDay: 10 }).expect(200);
    await request(t.app).post(`/api/admin/developers/${target.userId}/disable`).set(a).expect(200);
    await request(t.app).post(`/api/admin/developers/${target.userId}/enable`).set(a).expect(200);
    await request(t.app).put('/api/admin/registration').set(a).send({ mode: 'invite-only' }).expect(200);
    const code = await request(t.app).post('/api/admin/invite-codes').set(a).send({ maxUses: 3, expiresInDays: 7 }).expect(201);
    await request(t.app).delete(`/api/admin/invite-codes/${code.body.data._id}`).set(a).expect(200);
    await request(t.app).put('/api/admin/registration').set(a).send({ mode: 'open' }).expect(200);
    await request(t.app).delete(`/api/admin/developers/${target.userId}`).set(a).expect(200);
    // A refused action is not recorded.
    await request(t.app).put('/api/admin/registration').set(a).send({ mode: 'nobody' }).expect(400);

    const res = await request(t.app).get('/api/admin/audit-log?limit=9').set(a).expect(200);
    const entries = res.body.data.entries as { action: string; adminEmail: string; target: { label: string }; details: object }[];
    expect(entries.map((e) => e.action)).toEqual([
      'developer.delete',
      'registration.mode',
      'invite-code.revoke',
      'invite-code.create',
      'registration.mode',
      'developer.enable',
      'developer.disable',
      'project.limits',
      'developer.plan',
    ]);
    expect(entries.every((e) => e.adminEmail === 'root@example.com')).toBe(true);
    expect(entries[0]).toMatchObject({ target: { type: 'developer', id: target.userId, label: target.email } });
    expect(entries[4]).toMatchObject({ details: { from: 'open', to: 'invite-only' } });
    expect(entries[7]).toMatchObject({
      target: { label: 'Audited' },
      details: { from: { reqPerDay: null }, to: { reqPerDay: 10 } },
    });
    expect(entries[8]).toMatchObject({ details: { from: 'free', to: 'pro' } });
    // The earlier tests' actions are there too (plan change to `team`, disable/enable), older.
    expect(res.body.data.total).toBeGreaterThan(9);
    const page2 = await request(t.app).get('/api/admin/audit-log?limit=9&page=2').set(a).expect(200);
    expect(page2.body.data.entries.length).toBe(res.body.data.total - 9);
    expect(JSON.stringify(res.body)).not.toContain(code.body.data.code);
  });

  it('publishes releases (admin only) and lists them publicly', async () => {
    const body = { version: '1.2.0', title: 'Editable schemas', content: '# New' };
    await request(t.app).post('/api/releases').set(auth(dev)).send(body).expect(403);
    await request(t.app).post('/api/releases').send(body).expect(401);
    await request(t.app).post('/api/releases').set(auth(admin)).send({ version: '' }).expect(400);
    const res = await request(t.app).post('/api/releases').set(auth(admin)).send(body).expect(201);
    expect(res.body.release).toMatchObject({ version: '1.2.0', publishedBy: 'root@example.com' });
    const list = await request(t.app).get('/api/releases').expect(200);
    expect(list.body[0]).toMatchObject({ version: '1.2.0', title: 'Editable schemas' });
  });
});
