import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';

let t: DashboardTestApp;
let admin: { accessToken: string };
let dev: TestDeveloper;
const auth = (d: { accessToken: string }) => ({ Authorization: `Bearer ${d.accessToken}` });

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

describe('platform admin', () => {
  it('sets a developer plan (operator-defined plans included); others get 403', async () => {
    await request(t.app).get('/api/admin/developers').set(auth(dev)).expect(403);
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
    await request(t.app)
      .patch(`/api/admin/developers/${'0'.repeat(24)}/plan`)
      .set(auth(admin))
      .send({ plan: 'pro' })
      .expect(404);
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
