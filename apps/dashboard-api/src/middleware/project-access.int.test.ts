import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
  uniqueEmail,
} from '../../test/helpers.js';
import { ACCESS_MATRIX } from './project-access.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const someId = '64b000000000000000000001';

/**
 * Every route under `/api/projects/:projectId`, one row per route, with a body where it takes
 * one (`:p` is the project id). Each family: project, keys, settings, BYOD, collections, rows,
 * end users, storage, webhooks, mail templates, mail deliveries, logs and analytics.
 */
const routes: [Method, string, unknown?][] = [
  ['get', '/api/projects/:p'],
  ['patch', '/api/projects/:p', { name: 'renamed' }],
  ['delete', '/api/projects/:p'],
  ['post', '/api/projects/:p/api-key', { keyType: 'secret' }],
  ['patch', '/api/projects/:p/allowed-domains', { domains: ['example.com'] }],
  ['patch', '/api/projects/:p/auth/toggle', { enable: false }],
  ['patch', '/api/projects/:p/auth/providers', { github: { enabled: false } }],
  ['patch', '/api/projects/:p/byod-config', {}],
  ['post', '/api/projects/:p/byod-config/test', { dbUri: 'mongodb://example.com/x' }],
  ['delete', '/api/projects/:p/byod-config/storage'],
  ['get', '/api/projects/:p/logs'],
  ['get', '/api/projects/:p/analytics'],
  ['post', '/api/projects/:p/collections', { name: 'things', schema: [] }],
  ['patch', '/api/projects/:p/collections/posts', { schema: [] }],
  ['delete', '/api/projects/:p/collections/posts'],
  ['patch', '/api/projects/:p/collections/posts/rls', { enabled: false }],
  ['get', '/api/projects/:p/collections/posts/data'],
  ['post', '/api/projects/:p/collections/posts/data', { title: 'x' }],
  ['patch', `/api/projects/:p/collections/posts/data/${someId}`, { title: 'y' }],
  ['delete', `/api/projects/:p/collections/posts/data/${someId}`],
  ['get', '/api/projects/:p/admin/users'],
  ['post', '/api/projects/:p/admin/users', { email: 'a@example.com', password: 'secret-1' }],
  ['get', `/api/projects/:p/admin/users/${someId}`],
  ['put', `/api/projects/:p/admin/users/${someId}`, { username: 'x' }],
  ['delete', `/api/projects/:p/admin/users/${someId}`],
  ['patch', `/api/projects/:p/admin/users/${someId}/password`, { newPassword: 'secret-2' }],
  ['get', `/api/projects/:p/admin/users/${someId}/sessions`],
  ['delete', `/api/projects/:p/admin/users/${someId}/sessions/abc`],
  ['get', '/api/projects/:p/storage/files'],
  ['post', '/api/projects/:p/storage/upload-request', { filename: 'a.txt', contentType: 'text/plain', size: 3 }],
  ['post', '/api/projects/:p/storage/upload-confirm', { filePath: 'a.txt', size: 3 }],
  ['post', '/api/projects/:p/storage/delete', { path: 'a.txt' }],
  ['delete', '/api/projects/:p/storage/files'],
  ['post', '/api/projects/:p/webhooks', { name: 'w', url: 'https://example.com/hook' }],
  ['get', '/api/projects/:p/webhooks'],
  ['get', `/api/projects/:p/webhooks/${someId}`],
  ['patch', `/api/projects/:p/webhooks/${someId}`, { enabled: false }],
  ['delete', `/api/projects/:p/webhooks/${someId}`],
  ['get', `/api/projects/:p/webhooks/${someId}/deliveries`],
  ['post', `/api/projects/:p/webhooks/${someId}/test`],
  ['post', `/api/projects/:p/webhooks/${someId}/deliveries/${someId}/replay`],
  ['get', '/api/projects/:p/mail/templates'],
  ['get', '/api/projects/:p/mail/templates/global'],
  ['get', `/api/projects/:p/mail/templates/${someId}`],
  ['post', '/api/projects/:p/mail/templates', { name: 'welcome', subject: 'Hi', html: '<p>Hi</p>' }],
  ['patch', `/api/projects/:p/mail/templates/${someId}`, { subject: 'Hello' }],
  ['delete', `/api/projects/:p/mail/templates/${someId}`],
  ['get', '/api/projects/:p/mail/deliveries'],
];

let t: DashboardTestApp;
let owner: TestDeveloper;
let stranger: TestDeveloper;
let unverifiedToken: string;
let projectId: string;

function call(method: Method, template: string, pid: string, body: unknown, token?: string) {
  const req = request(t.app)[method](template.replace(':p', pid));
  if (token) req.set('Authorization', `Bearer ${token}`);
  return body === undefined ? req : req.send(body as object);
}

/** What a stranger could have changed: the project document and its rows, as the owner sees them. */
async function ownerView() {
  const auth = { Authorization: `Bearer ${owner.accessToken}` };
  const project = await request(t.app).get(`/api/projects/${projectId}`).set(auth).expect(200);
  const rows = await request(t.app).get(`/api/projects/${projectId}/collections/posts/data`).set(auth).expect(200);
  return { project: project.body, rows: rows.body };
}

beforeAll(async () => {
  t = await createDashboardTestApp('project-access');
  owner = await registerVerifiedDeveloper(t);
  stranger = await registerVerifiedDeveloper(t);
  const email = uniqueEmail('unverified');
  await request(t.app).post('/api/auth/register').send({ email, password: 'correct-horse-1' }).expect(201);
  const login = await request(t.app).post('/api/auth/login').send({ email, password: 'correct-horse-1' }).expect(200);
  unverifiedToken = login.body.accessToken;
  projectId = (await createTestProject(t.app, owner))._id;
  await request(t.app)
    .post(`/api/projects/${projectId}/collections`)
    .set('Authorization', `Bearer ${owner.accessToken}`)
    .send({ name: 'posts', schema: [{ key: 'title', type: 'String' }] })
    .expect(201);
  await request(t.app)
    .post(`/api/projects/${projectId}/collections/posts/data`)
    .set('Authorization', `Bearer ${owner.accessToken}`)
    .send({ title: 'kept' })
    .expect(201);
});
afterAll(() => t.cleanup());

describe('the role matrix', () => {
  it('lets the owner do everything and never lets a role do more than the one above it', () => {
    expect(ACCESS_MATRIX.owner).toEqual(['owner']);
    for (const action of ['read', 'write', 'owner'] as const) expect(ACCESS_MATRIX[action]).toContain('owner');
    expect(ACCESS_MATRIX.write).not.toContain('viewer');
    expect(ACCESS_MATRIX.read).toEqual(expect.arrayContaining([...ACCESS_MATRIX.write]));
  });
});

describe('project access on every project route', () => {
  it.each(routes)('%s %s: 401 without a token, 403 unverified, 400 malformed id', async (method, path, body) => {
    const none = await call(method, path, projectId, body);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ success: false, code: 401 });
    const unverified = await call(method, path, projectId, body, unverifiedToken);
    expect(unverified.status).toBe(403);
    expect(unverified.body.error).toBe('Email not verified. Verify your email first.');
    const malformed = await call(method, path, 'not-an-id', body, stranger.accessToken);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('Invalid ID format.');
  });

  it.each(routes)("%s %s: another developer's project is not found (404)", async (method, path, body) => {
    const res = await call(method, path, projectId, body, stranger.accessToken);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: 'Project not found.', code: 404 });
  });

  it('a stranger going through every route changed nothing of the project', async () => {
    const before = await ownerView();
    for (const [method, path, body] of routes) await call(method, path, projectId, body, stranger.accessToken);
    expect(await ownerView()).toEqual(before);
    expect(before.rows).toEqual([expect.objectContaining({ title: 'kept' })]);
  });

  it.each(routes.filter(([method]) => method === 'get'))('%s %s: the owner gets past the guard', async (method, path) => {
    const res = await call(method, path, projectId, undefined, owner.accessToken);
    // 200, or the route's own answer: an unknown row/user/webhook (404) or no users collection (422).
    expect([200, 404, 422]).toContain(res.status);
    expect(res.body.error).not.toBe('Project not found.');
  });
});
