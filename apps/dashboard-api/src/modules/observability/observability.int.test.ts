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
  ]);
});
afterAll(() => t.cleanup());

describe('request logs', () => {
  it('pages and filters by method, status, path and time, per project only', async () => {
    const all = await request(t.app).get(`/api/projects/${projectId}/logs`).set(auth(dev)).expect(200);
    expect(all.body.data.total).toBe(5);
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

describe('analytics', () => {
  it('computes totals, latency, error rate, series, top endpoints and distributions', async () => {
    const res = await request(t.app).get(`/api/projects/${projectId}/analytics?range=last1h`).set(auth(dev)).expect(200);
    const data = res.body.data;
    expect(res.body.message).toBe('Analytics fetched successfully.');
    expect(data.totalRequests).toBe(5);
    expect(data.rangeStats).toEqual({ totalRequests: 4, avgResponseTimeMs: 47.5, p95ResponseTimeMs: 100, errorRate: 25 });
    expect(data.topEndpoints[0]).toMatchObject({ path: '/api/data/posts', method: 'GET', count: 2, avgLatency: 20 });
    expect(data.distributions.statusCodes).toEqual([
      { _id: '2xx', count: 3 },
      { _id: '4xx', count: 1 },
    ]);
    expect(data.timeSeries.length).toBeGreaterThan(0);
    const day = await request(t.app).get(`/api/projects/${projectId}/analytics?range=last24h`).set(auth(dev)).expect(200);
    expect(day.body.data.rangeStats.totalRequests).toBe(4);
    const week = await request(t.app).get(`/api/projects/${projectId}/analytics?range=last7d`).set(auth(dev)).expect(200);
    expect(week.body.data.rangeStats).toMatchObject({ totalRequests: 5, errorRate: 40 });
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
    expect(stats.body.data).toMatchObject({ plan: 'free', usage: { totalProjects: 1, totalRequests: 5, totalUsers: 0 } });
    const activity = await request(t.app).get('/api/analytics/activity').set(auth(dev)).expect(200);
    expect(activity.body).toHaveLength(5);
    expect(activity.body[0]).toMatchObject({ projectName: 'Observed', method: 'GET', status: 200 });
    await request(t.app).get('/api/analytics/stats').expect(401);
  });

  it('handles an empty range', () => {
    expect(computeAnalytics([], 'last7d').rangeStats).toEqual({
      totalRequests: 0,
      avgResponseTimeMs: 0,
      p95ResponseTimeMs: 0,
      errorRate: 0,
    });
  });
});
