/** A webhook must listen to at least one event: the dashboard API refuses one without (issue 17, defect 10). */
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
let pro: TestDeveloper;
let base = '';
const auth = () => ({ Authorization: `Bearer ${pro.accessToken}` });
const secret = 'a-long-enough-signing-secret';

beforeAll(async () => {
  t = await createDashboardTestApp('dash-hook-events');
  pro = await registerVerifiedDeveloper(t);
  await t.deps.models.Developer.updateOne({ email: pro.email }, { $set: { plan: 'pro' } });
  const project = await createTestProject(t.app, pro, 'Hooks');
  base = `/api/projects/${project._id}/webhooks`;
});
afterAll(() => t.cleanup());

describe('webhook events', () => {
  it('refuses a webhook with no event on create and on update, and saves one with an event', async () => {
    const url = 'https://example.com/hook';
    for (const events of [undefined, {}, { posts: { insert: false, update: false } }]) {
      const res = await request(t.app).post(base).set(auth()).send({ name: 'none', url, secret, events }).expect(400);
      expect(res.body.error).toMatch(/Choose at least one event/);
    }
    expect((await request(t.app).get(base).set(auth()).expect(200)).body.data ?? []).toHaveLength(0);
    const created = await request(t.app)
      .post(base)
      .set(auth())
      .send({ name: 'orders', url, secret, events: { posts: { insert: true } } })
      .expect(201);
    const id = created.body.data._id as string;
    const cleared = await request(t.app)
      .patch(`${base}/${id}`)
      .set(auth())
      .send({ events: { posts: {} } })
      .expect(400);
    expect(cleared.body.error).toMatch(/Choose at least one event/);
    // Other fields still update without resending the events.
    await request(t.app).patch(`${base}/${id}`).set(auth()).send({ name: 'orders-2' }).expect(200);
  });
});
