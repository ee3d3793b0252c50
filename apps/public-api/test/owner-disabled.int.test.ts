/**
 * A developer disabled by the platform admin (dashboard API) loses the public API: their
 * projects' keys are refused with 403 by every public-API process within a second, and work again
 * within a second of being re-enabled. Both apps run in this process on the same databases and
 * Redis; the public API hears the change only through Redis pub/sub (its own key cache).
 */
import { waitFor } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../dashboard-api/test/helpers.js';
import { createApp } from '../src/app.js';
import { type AppDeps, createDeps } from '../src/deps.js';
import { harnessConfig } from '../src/testing/harness.js';

let dash: DashboardTestApp;
let pub: { deps: AppDeps; app: ReturnType<typeof createApp> }[];
let adminToken: string;
let dev: TestDeveloper;
let keys: { publishable: string; secret: string };

const admin = () => ({ Authorization: `Bearer ${adminToken}` });
const DISABLED = 'This project is unavailable: its owner account has been disabled by the server administrator.';

/** The status each public-API process answers for `key` now. */
async function statuses(key: string): Promise<number[]> {
  return Promise.all(pub.map(async (p) => (await request(p.app).get('/api/data/posts').set('x-api-key', key)).status));
}

/** Waits (1 s at most) until every process answers `status` for both keys; returns the elapsed ms. */
async function expectEverywhere(status: number, what: string): Promise<number> {
  const started = performance.now();
  await waitFor(
    async () => {
      const all = [...(await statuses(keys.publishable)), ...(await statuses(keys.secret))];
      return all.every((s) => s === status);
    },
    { timeoutMs: 1000, intervalMs: 20, message: what },
  );
  return performance.now() - started;
}

beforeAll(async () => {
  dash = await createDashboardTestApp('owner-disabled', (c) => {
    c.dashboard.admin = { email: 'root@example.com', password: 'root-password-1' };
  });
  // Two public-API "processes": each has its own in-process key cache and pub/sub subscription.
  pub = [0, 1].map(() => {
    const deps = createDeps(harnessConfig(dash.platform), dash.platform.logger, {
      db: dash.platform.db,
      cache: dash.platform.cache,
    });
    return { deps, app: createApp(deps) };
  });
  await Promise.all(pub.map((p) => p.deps.apiKeys.ready()));
  const login = await request(dash.app)
    .post('/api/auth/login')
    .send({ email: 'root@example.com', password: 'root-password-1' })
    .expect(200);
  adminToken = login.body.accessToken;
  dev = await registerVerifiedDeveloper(dash);
  const project = await createTestProject(dash.app, dev);
  keys = { publishable: project.publishableKey, secret: project.secretKey };
  await request(dash.app)
    .post(`/api/projects/${project._id}/collections`)
    .set('Authorization', `Bearer ${dev.accessToken}`)
    .send({ name: 'posts', schema: [{ key: 'title', type: 'String' }] })
    .expect(201);
});

afterAll(async () => {
  await Promise.allSettled((pub ?? []).map((p) => p.deps.close()));
  await dash?.cleanup();
});

describe('a disabled developer', () => {
  it('has their API keys refused (403) by every public-API process within 1 s, and accepted again after enable', async () => {
    // Warm every cache first: the refusal must come from the invalidation, not a cold lookup.
    expect(await statuses(keys.publishable)).toEqual([200, 200]);
    expect(await statuses(keys.secret)).toEqual([200, 200]);

    await request(dash.app).post(`/api/admin/developers/${dev.userId}/disable`).set(admin()).expect(200);
    const refusedIn = await expectEverywhere(403, 'keys refused after disable');
    expect(refusedIn).toBeLessThan(1000);
    const [first] = pub as [(typeof pub)[number]];
    const refused = await request(first.app).get('/api/data/posts').set('x-api-key', keys.publishable).expect(403);
    expect(refused.body).toEqual({ success: false, error: DISABLED, code: 403 });

    // Their dashboard session is gone too: the refresh token no longer works.
    await request(dash.app).post('/api/auth/refresh-token').set('Cookie', dev.refreshCookie).expect(401);

    await request(dash.app).post(`/api/admin/developers/${dev.userId}/enable`).set(admin()).expect(200);
    const acceptedIn = await expectEverywhere(200, 'keys accepted after enable');
    expect(acceptedIn).toBeLessThan(1000);
  });
});
