import { requestLogModel } from '@urbackend/common/models';
import { Types } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';
import { computeAnalytics } from './analytics.js';

let t: DashboardTestApp;
let dev: TestDeveloper;
let stranger: TestDeveloper;
let projectId: string;
const auth = (d: TestDeveloper) => ({ Authorization: `Bearer ${d.accessToken}` });

function log(projectId: string, minutesAgo: number, method: string, path: string, status: number, latencyMs: number) {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  const iso = at.toISOString();
  return {
    projectId: new Types.ObjectId(projectId),
    method,
    route: path,
    path,
    status,
    latencyMs,
    ip: '1.2.3.4',
    keyRole: 'publishable',
    at,
    minute: iso.slice(0, 16),
    hour: iso.slice(0, 13),
    day: iso.slice(0, 10),
  };
}

beforeAll(async () => {
  t = await createDashboardTestApp('dash-obs');
  dev = await registerVerifiedDeveloper(t);
  stranger = await registerVerifiedDeveloper(t);
  projectId = (await createTestProject(t.app, dev, 'Observed'))._id;
  const other = (await createTestProject(t.app, stranger, 'Other'))._id;
  await requestLogModel(t.platform.db.connection).insertMany([
    log(projectId, 1, 'GET', '/api/data/posts', 200, 10),
    log(projectId, 2, 'GET', '/api/data/posts', 200, 30),
    log(projectId, 3, 'POST', '/api/data/posts', 201, 50),
    log(projectId, 5, 'POST', '/api/userAuth/login', 401, 100),
    log(projectId, 60 * 30, 'GET', '/api/data/old', 500, 5),
    log(other, 1, 'GET', '/api/data/secret', 200, 1),
    {
      ...log(projectId, 60 * 5, 'GET', '/api/data/missing', 404, 7),
      ip: '::ffff:10.0.0.9',
      userAgent: 'my-app/1.2 (node)',
      userId: '65f000000000000000000001',
      error: "Collection 'missing' not found.",
    },
  ]);
});
afterAll(() => t.cleanup());

describe('request logs', () => {
  it('pages and filters by method, status, path and time, per project only', async () => {
    const all = await request(t.app).get(`/api/projects/${projectId}/logs`).set(auth(dev)).expect(200);
    expect(all.body.data.total).toBe(6);
    expect(JSON.stringify(all.body)).not.toContain('/api/data/secret');
    const posts = await request(t.app)
      .get(`/api/projects/${projectId}/logs?method=post&statusClass=2`)
      .set(auth(dev))
      .expect(200);
    expect(posts.body.data.items).toHaveLength(1);
    const byPath = await request(t.app)
      .get(`/api/projects/${projectId}/logs?path=userAuth&status=401`)
      .set(auth(dev))
      .expect(200);
    expect(byPath.body.data.total).toBe(1);
    const from = new Date(Date.now() - 60 * 60_000).toISOString();
    const recent = await request(t.app)
      .get(`/api/projects/${projectId}/logs?from=${from}&limit=2&page=2`)
      .set(auth(dev))
      .expect(200);
    expect(recent.body.data).toMatchObject({ total: 4, page: 2, limit: 2 });
    expect(recent.body.data.items).toHaveLength(2);
    await request(t.app).get(`/api/projects/${projectId}/logs?limit=0`).set(auth(dev)).expect(400);
    await request(t.app).get(`/api/projects/${projectId}/logs`).set(auth(stranger)).expect(404);
  });
});

describe('request logs: time range and detail', () => {
  const logs = (qs: string) => request(t.app).get(`/api/projects/${projectId}/logs?${qs}`).set(auth(dev));

  it('filters by a preset range on the server: last1h, last24h, last7d', async () => {
    const hour = await logs('range=last1h').expect(200);
    expect(hour.body.data.total).toBe(4);
    expect(new Date(hour.body.data.from).getTime()).toBeGreaterThan(Date.now() - 3_600_000 - 60_000);
    expect((await logs('range=last24h').expect(200)).body.data.total).toBe(5);
    const week = await logs('range=last7d').expect(200);
    expect(week.body.data.total).toBe(6);
    expect(week.body.data.items.map((l: { path: string }) => l.path)).toContain('/api/data/missing');
  });

  it('filters by a custom from/to window, both ends included', async () => {
    const from = new Date(Date.now() - 4 * 24 * 3_600_000).toISOString();
    const to = new Date(Date.now() - 60 * 60_000).toISOString();
    const window = await logs(`from=${from}&to=${to}`).expect(200);
    expect(window.body.data.items.map((l: { path: string; status: number }) => `${l.path} ${l.status}`)).toEqual([
      '/api/data/missing 404',
      '/api/data/old 500',
    ]);
    expect(window.body.data).toMatchObject({ total: 2, from, to });
    expect((await logs(`to=${to}`).expect(200)).body.data.total).toBe(2);
  });

  it('answers every recorded field of a request for the detail drawer', async () => {
    const res = await logs('status=404').expect(200);
    expect(res.body.data.items).toHaveLength(1);
    expect(res.body.data.items[0]).toMatchObject({
      method: 'GET',
      route: '/api/data/missing',
      path: '/api/data/missing',
      status: 404,
      latencyMs: 7,
      ip: '::ffff:10.0.0.9',
      keyRole: 'publishable',
      userAgent: 'my-app/1.2 (node)',
      userId: '65f000000000000000000001',
      error: "Collection 'missing' not found.",
    });
    expect(typeof res.body.data.items[0].at).toBe('string');
  });

  it.each([
    ['range=forever', 'range must be one of last1h, last24h, last7d, last30d'],
    ['from=yesterday', 'from must be an ISO 8601 date and time'],
    ['to=2026-13-45T99:00:00Z', 'to must be an ISO 8601 date and time'],
    ['from=2026-05-08T12:00:00Z&to=2026-05-08T11:00:00Z', 'from must be before to'],
    ['range=last1h&from=2026-05-08T12:00:00Z', 'Give either range or from/to, not both'],
  ])('refuses %s with a 400 that says what is wrong', async (qs, message) => {
    const res = await logs(qs).expect(400);
    expect(res.body).toMatchObject({ success: false, code: 400 });
    expect(res.body.error).toContain(message);
  });
});

describe('analytics', () => {
  it('computes totals, latency, error rate, series, top endpoints and distributions', async () => {
    const res = await request(t.app).get(`/api/projects/${projectId}/analytics?range=last1h`).set(auth(dev)).expect(200);
    const data = res.body.data;
    expect(res.body.message).toBe('Analytics fetched successfully.');
    expect(data.totalRequests).toBe(6);
    expect(data.rangeStats).toEqual({
      totalRequests: 4,
      avgResponseTimeMs: 47.5,
      p50ResponseTimeMs: 30,
      p95ResponseTimeMs: 100,
      errorRate: 25,
    });
    expect(data.topEndpoints[0]).toMatchObject({ path: '/api/data/posts', method: 'GET', count: 2, avgLatency: 20 });
    expect(data.distributions.statusCodes).toEqual([
      { _id: '2xx', count: 3 },
      { _id: '4xx', count: 1 },
    ]);
    expect(data.distributions.errorStatuses).toEqual([{ status: 401, count: 1 }]);
    // Every minute of the hour is a bucket, the empty ones as zeros; the four requests are in them.
    type Bucket = { _id: string; success: number; errors: number; p50Latency: number; p95Latency: number };
    const minutes = data.timeSeries as Bucket[];
    expect(minutes.length).toBeGreaterThanOrEqual(60);
    expect(minutes.length).toBeLessThanOrEqual(61);
    expect(minutes.every((b) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(b._id))).toBe(true);
    expect(minutes.filter((b) => b.success + b.errors === 0).length).toBeGreaterThanOrEqual(56);
    expect(minutes.reduce((n, b) => n + b.success + b.errors, 0)).toBe(4);
    expect(minutes.some((b) => b.errors === 1 && b.p95Latency === 100)).toBe(true);
    const day = await request(t.app).get(`/api/projects/${projectId}/analytics?range=last24h`).set(auth(dev)).expect(200);
    expect(day.body.data.rangeStats.totalRequests).toBe(5);
    // Hourly buckets for 24 hours, zeros included (not a single bar).
    const hours = day.body.data.timeSeries as Bucket[];
    expect(hours.length).toBeGreaterThanOrEqual(24);
    expect(hours.length).toBeLessThanOrEqual(25);
    expect(hours.every((b) => /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(b._id))).toBe(true);
    const month = await request(t.app).get(`/api/projects/${projectId}/analytics?range=last30d`).set(auth(dev)).expect(200);
    expect(month.body.data.timeSeries.length).toBeGreaterThanOrEqual(30);
    // Grouped by route template: the two GETs of /api/data/posts are one endpoint.
    expect(day.body.data.topEndpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`)).toEqual(
      expect.arrayContaining(['GET /api/data/posts', 'POST /api/data/posts', 'POST /api/userAuth/login']),
    );
    const week = await request(t.app).get(`/api/projects/${projectId}/analytics?range=last7d`).set(auth(dev)).expect(200);
    expect(week.body.data.rangeStats).toMatchObject({ totalRequests: 6, errorRate: 50 });
    await request(t.app).get(`/api/projects/${projectId}/analytics?range=forever`).set(auth(dev)).expect(400);
  });

  it('marks a project with many failing requests as warning in the project list', async () => {
    const list = await request(t.app).get('/api/projects').set(auth(dev)).expect(200);
    expect(list.body[0]).toMatchObject({ name: 'Observed', health: 'warning' });
    const other = await request(t.app).get('/api/projects').set(auth(stranger)).expect(200);
    expect(other.body[0]).toMatchObject({ name: 'Other', health: 'healthy' });
  });

  it('summarises the account (stats) and its latest activity', async () => {
    const stats = await request(t.app).get('/api/analytics/stats').set(auth(dev)).expect(200);
    expect(stats.body.data).toMatchObject({ plan: 'free', usage: { totalProjects: 1, totalRequests: 6, totalUsers: 0 } });
    const activity = await request(t.app).get('/api/analytics/activity').set(auth(dev)).expect(200);
    expect(activity.body).toHaveLength(6);
    expect(activity.body[0]).toMatchObject({ projectName: 'Observed', method: 'GET', status: 200 });
    await request(t.app).get('/api/analytics/stats').expect(401);
  });

  it('handles an empty range: every day drawn as zero', () => {
    const empty = computeAnalytics([], 'last7d', new Date('2026-03-10T12:00:00Z'));
    expect(empty.rangeStats).toEqual({
      totalRequests: 0,
      avgResponseTimeMs: 0,
      p50ResponseTimeMs: 0,
      p95ResponseTimeMs: 0,
      errorRate: 0,
    });
    expect(empty.timeSeries.map((b) => b._id)).toEqual([
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
    expect(empty.timeSeries.every((b) => b.success === 0 && b.errors === 0 && b.avgLatency === 0)).toBe(true);
  });

  it('shows the project plan limits next to its usage', async () => {
    const res = await request(t.app).get(`/api/projects/${projectId}/usage`).set(auth(dev)).expect(200);
    expect(res.body.data).toMatchObject({
      plan: 'free',
      limits: { maxCollections: 5, webhooksLimit: 0, mailTemplatesEnabled: false, maxMembers: 2 },
      usage: { collections: 0, webhooks: 0, members: 1, mailThisMonth: 0, exportsToday: 0 },
    });
    // The server's per-file upload limit comes with the plan's limits (the storage page checks it first).
    expect(res.body.data.limits.uploadBytes).toBe(t.deps.storage.config.uploadLimitBytes);
    expect(res.body.data.limits.exportsPerDay).toBe(1);
    expect(res.body.data.usage.requestsToday).toBeGreaterThanOrEqual(3);
    await request(t.app).get(`/api/projects/${projectId}/usage`).set(auth(stranger)).expect(404);
  });

  it("counts today's exports against the plan's exports per day", async () => {
    await request(t.app)
      .post(`/api/projects/${projectId}/collections`)
      .set(auth(dev))
      .send({ name: 'notes', schema: [{ key: 'text', type: 'String' }] })
      .expect(201);
    await request(t.app).get(`/api/projects/${projectId}/collections/notes/export?format=json`).set(auth(dev)).expect(200);
    const res = await request(t.app).get(`/api/projects/${projectId}/usage`).set(auth(dev)).expect(200);
    expect(res.body.data.usage).toMatchObject({ collections: 1, exportsToday: 1 });
    expect(res.body.data.limits.exportsPerDay).toBe(1);
  });
});
