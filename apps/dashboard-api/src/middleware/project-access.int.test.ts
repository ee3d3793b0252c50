import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
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
type Action = 'read' | 'write' | 'owner';

const someId = '64b000000000000000000001';

/**
 * Every route under `/api/projects/:projectId`, one row per route: the action its role needs
 * (the role matrix decides who may), and a body where it takes one (`:p` is the project id). Each
 * family: project, keys, settings, BYOD, collections, rows, end users, storage, webhooks, mail
 * templates, mail deliveries, logs and analytics, members, config log, schema as code.
 */
const routes: [Method, string, Action, unknown?][] = [
  ['get', '/api/projects/:p', 'read'],
  ['patch', '/api/projects/:p', 'write', { name: 'renamed' }],
  ['delete', '/api/projects/:p', 'owner'],
  ['post', '/api/projects/:p/api-key', 'owner', { keyType: 'secret' }],
  ['patch', '/api/projects/:p/allowed-domains', 'write', { domains: ['example.com'] }],
  ['patch', '/api/projects/:p/auth/toggle', 'write', { enable: false }],
  ['patch', '/api/projects/:p/auth/providers', 'write', { github: { enabled: false } }],
  ['patch', '/api/projects/:p/byod-config', 'write', {}],
  ['post', '/api/projects/:p/byod-config/test', 'write', { dbUri: 'mongodb://example.com/x' }],
  ['delete', '/api/projects/:p/byod-config/storage', 'write'],
  ['get', '/api/projects/:p/logs', 'read'],
  ['get', '/api/projects/:p/analytics', 'read'],
  ['get', '/api/projects/:p/usage', 'read'],
  ['post', '/api/projects/:p/collections', 'write', { name: 'things', schema: [] }],
  ['patch', '/api/projects/:p/collections/posts', 'write', { schema: [] }],
  ['delete', '/api/projects/:p/collections/posts', 'write'],
  ['patch', '/api/projects/:p/collections/posts/rls', 'write', { enabled: false }],
  ['get', '/api/projects/:p/collections/posts/data', 'read'],
  ['post', '/api/projects/:p/collections/posts/data', 'write', { title: 'x' }],
  ['patch', `/api/projects/:p/collections/posts/data/${someId}`, 'write', { title: 'y' }],
  ['delete', `/api/projects/:p/collections/posts/data/${someId}`, 'write'],
  ['patch', `/api/projects/:p/collections/posts/data/${someId}/recover`, 'write'],
  ['get', '/api/projects/:p/collections/posts/trash', 'read'],
  ['delete', '/api/projects/:p/collections/posts/trash', 'write'],
  ['delete', `/api/projects/:p/collections/posts/trash/${someId}`, 'write'],
  ['get', '/api/projects/:p/collections/posts/export', 'read'],
  ['post', '/api/projects/:p/collections/posts/import?format=json&dryRun=true', 'write', [{ title: 'x' }]],
  ['get', '/api/projects/:p/lifecycle', 'read'],
  ['patch', '/api/projects/:p/lifecycle', 'write', { trashRetentionDays: 30 }],
  ['get', '/api/projects/:p/backups', 'write'],
  ['post', '/api/projects/:p/backups', 'write'],
  ['get', `/api/projects/:p/backups/${someId}/download`, 'write'],
  ['delete', `/api/projects/:p/backups/${someId}`, 'owner'],
  ['post', `/api/projects/:p/backups/${someId}/restore`, 'owner', { confirm: 'nope' }],
  ['get', '/api/projects/:p/admin/users', 'read'],
  ['post', '/api/projects/:p/admin/users', 'write', { email: 'a@example.com', password: 'secret-1' }],
  ['get', `/api/projects/:p/admin/users/${someId}`, 'read'],
  ['put', `/api/projects/:p/admin/users/${someId}`, 'write', { username: 'x' }],
  ['delete', `/api/projects/:p/admin/users/${someId}`, 'write'],
  ['patch', `/api/projects/:p/admin/users/${someId}/password`, 'write', { newPassword: 'secret-2' }],
  ['get', `/api/projects/:p/admin/users/${someId}/sessions`, 'read'],
  ['delete', `/api/projects/:p/admin/users/${someId}/sessions/abc`, 'write'],
  ['patch', `/api/projects/:p/admin/users/${someId}/status`, 'write', { disabled: true }],
  ['post', `/api/projects/:p/admin/users/${someId}/password-reset`, 'write'],
  ['get', '/api/projects/:p/storage/files', 'read'],
  ['post', '/api/projects/:p/storage/upload-request', 'write', { filename: 'a.txt', contentType: 'text/plain', size: 3 }],
  ['post', '/api/projects/:p/storage/upload-confirm', 'write', { filePath: 'a.txt', size: 3 }],
  ['post', '/api/projects/:p/storage/delete', 'write', { path: 'a.txt' }],
  ['delete', '/api/projects/:p/storage/files', 'write'],
  ['post', '/api/projects/:p/webhooks', 'write', { name: 'w', url: 'https://example.com/hook' }],
  ['get', '/api/projects/:p/webhooks', 'read'],
  ['get', `/api/projects/:p/webhooks/${someId}`, 'read'],
  ['patch', `/api/projects/:p/webhooks/${someId}`, 'write', { enabled: false }],
  ['delete', `/api/projects/:p/webhooks/${someId}`, 'write'],
  ['get', `/api/projects/:p/webhooks/${someId}/deliveries`, 'read'],
  ['post', `/api/projects/:p/webhooks/${someId}/test`, 'write'],
  ['post', `/api/projects/:p/webhooks/${someId}/deliveries/${someId}/replay`, 'write'],
  ['get', '/api/projects/:p/mail/templates', 'read'],
  ['get', '/api/projects/:p/mail/templates/global', 'read'],
  ['get', `/api/projects/:p/mail/templates/${someId}`, 'read'],
  ['post', '/api/projects/:p/mail/templates', 'write', { name: 'welcome', subject: 'Hi', html: '<p>Hi</p>' }],
  ['patch', `/api/projects/:p/mail/templates/${someId}`, 'write', { subject: 'Hello' }],
  ['delete', `/api/projects/:p/mail/templates/${someId}`, 'write'],
  ['get', '/api/projects/:p/mail/deliveries', 'read'],
  ['get', '/api/projects/:p/members', 'read'],
  ['post', '/api/projects/:p/members/invite', 'owner', { email: 'nobody@example.com', role: 'viewer' }],
  ['get', '/api/projects/:p/invitations', 'owner'],
  ['delete', `/api/projects/:p/invitations/${someId}`, 'owner'],
  ['patch', `/api/projects/:p/members/${someId}/role`, 'owner', { role: 'admin' }],
  ['delete', `/api/projects/:p/members/${someId}`, 'owner'],
  ['post', '/api/projects/:p/leave', 'read'],
  ['post', '/api/projects/:p/transfer', 'owner', { memberId: someId, confirm: 'nope' }],
  ['get', '/api/projects/:p/config-logs', 'read'],
  ['get', '/api/projects/:p/schema', 'read'],
  ['put', '/api/projects/:p/sync-schema?dryRun=true', 'write', { collections: [] }],
  ['get', '/api/projects/:p/types.d.ts', 'read'],
  ['get', '/api/projects/:p/openapi.json', 'read'],
  ['get', '/api/projects/:p/collections/posts/live', 'read'],
  ['get', '/api/projects/:p/realtime/live', 'read'],
  ['get', '/api/projects/:p/realtime/stats', 'read'],
];

/** What a role that may not do an action is told (the matrix's messages). */
const refusal: Record<Exclude<Action, 'read'>, string> = {
  write: 'Viewers do not have write access to this project.',
  owner: 'Only the project owner can perform this action.',
};

/** Leaving is a real change for the one who calls it: its own test is in the members tests. */
const runnable = routes.filter(([, path]) => !path.endsWith('/leave'));

let t: DashboardTestApp;
let owner: TestDeveloper;
let stranger: TestDeveloper;
let admin: TestDeveloper;
let viewer: TestDeveloper;
/** A project where `admin` is an admin member, used up by the admin's writes. */
let scratchId: string;
let unverifiedToken: string;
let projectId: string;

async function addMember(pid: string, dev: TestDeveloper, role: 'admin' | 'viewer') {
  await request(t.app)
    .post(`/api/projects/${pid}/members/invite`)
    .set('Authorization', `Bearer ${owner.accessToken}`)
    .send({ email: dev.email, role })
    .expect(201);
  const mine = await request(t.app).get('/api/invitations').set('Authorization', `Bearer ${dev.accessToken}`).expect(200);
  const invitation = mine.body.data.find((i: { project: { _id: string } }) => i.project._id === pid);
  await request(t.app)
    .post(`/api/invitations/${invitation._id}/accept`)
    .set('Authorization', `Bearer ${dev.accessToken}`)
    .expect(200);
}

/** Parses a JSON answer, or the first chunk of an event stream (then aborts the stream). */
function firstEventOrJson(
  res: NodeJS.ReadableStream & { headers: Record<string, string> },
  done: (err: Error | null, body: unknown) => void,
) {
  let text = '';
  res.setEncoding('utf8');
  if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    res.once('data', (chunk: string) => {
      done(null, { stream: chunk });
      (res as unknown as { destroy(): void }).destroy();
    });
    return;
  }
  res.on('data', (chunk: string) => {
    text += chunk;
  });
  res.on('end', () => {
    try {
      done(null, text ? JSON.parse(text) : {});
    } catch (err) {
      done(err as Error, null);
    }
  });
}

function call(method: Method, template: string, pid: string, body: unknown, token?: string) {
  const req = request(t.app)[method](template.replace(':p', pid));
  if (token) req.set('Authorization', `Bearer ${token}`);
  // A live route (Server-Sent Events) never ends by itself: read its first event, then hang up.
  if (template.endsWith('/live')) req.buffer(true).parse(firstEventOrJson as never);
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
  [owner, stranger, admin, viewer] = (await Promise.all([1, 2, 3, 4].map(() => registerVerifiedDeveloper(t)))) as [
    TestDeveloper,
    TestDeveloper,
    TestDeveloper,
    TestDeveloper,
  ];
  // Pro: two projects and enough members for both roles.
  await t.deps.models.Developer.updateOne({ email: owner.email }, { $set: { plan: 'pro' } });
  const email = uniqueEmail('unverified');
  await request(t.app).post('/api/auth/register').send({ email, password: 'correct-horse-1' }).expect(201);
  const login = await request(t.app).post('/api/auth/login').send({ email, password: 'correct-horse-1' }).expect(200);
  unverifiedToken = login.body.accessToken;
  projectId = (await createTestProject(t.app, owner))._id;
  scratchId = (await createTestProject(t.app, owner, 'Scratch'))._id;
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
  await addMember(projectId, viewer, 'viewer');
  await addMember(projectId, admin, 'admin');
  await addMember(scratchId, admin, 'admin');
});
afterAll(() => t.cleanup());

describe('the role matrix', () => {
  it('lets the owner do everything and never lets a role do more than the one above it', () => {
    expect(ACCESS_MATRIX.owner).toEqual(['owner']);
    for (const action of ['read', 'write', 'owner'] as const) expect(ACCESS_MATRIX[action]).toContain('owner');
    expect(ACCESS_MATRIX.write).not.toContain('viewer');
    expect(ACCESS_MATRIX.read).toEqual(expect.arrayContaining([...ACCESS_MATRIX.write]));
  });

  it('the table below lists every project route declared in the code', async () => {
    const dir = path.join(import.meta.dirname, '../modules');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.routes.ts'));
    let declared = 0;
    for (const f of files) {
      const text = await readFile(path.join(dir, f), 'utf8');
      declared += text.match(/\.(get|post|put|patch|delete)\([^)]*\.\.\.(deps\.)?access\('(read|write|owner)'\)/g)?.length ?? 0;
    }
    expect(routes).toHaveLength(declared);
  });
});

describe('each role on each route', () => {
  it.each(runnable.filter(([, , action]) => action !== 'read'))(
    '%s %s (%s): a viewer is refused with 403',
    async (method, path, action, body) => {
      const res = await call(method, path, projectId, body, viewer.accessToken);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ success: false, error: refusal[action as 'write' | 'owner'], code: 403 });
    },
  );

  it.each(runnable.filter(([, , action]) => action === 'owner'))(
    '%s %s (%s): an admin is refused with 403',
    async (method, path, _action, body) => {
      const res = await call(method, path, projectId, body, admin.accessToken);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe(refusal.owner);
    },
  );

  it('a viewer and an admin going through every refused route changed nothing', async () => {
    const before = await ownerView();
    for (const [method, path, action, body] of runnable) {
      if (action !== 'read') await call(method, path, projectId, body, viewer.accessToken);
      if (action === 'owner') await call(method, path, projectId, body, admin.accessToken);
    }
    expect(await ownerView()).toEqual(before);
    const members = await request(t.app)
      .get(`/api/projects/${projectId}/members`)
      .set('Authorization', `Bearer ${owner.accessToken}`);
    expect(members.body.data.members.map((m: { role: string }) => m.role)).toEqual(['owner', 'viewer', 'admin']);
  });

  it.each(runnable.filter(([, , action]) => action === 'read'))(
    '%s %s (%s): a viewer gets past the guard',
    async (method, path, _a, body) => {
      const res = await call(method, path, projectId, body, viewer.accessToken);
      expect([refusal.write, refusal.owner, 'Project not found.']).not.toContain(res.body.error);
      expect([200, 404, 422]).toContain(res.status);
    },
  );

  it.each(runnable.filter(([, , action]) => action !== 'owner'))(
    '%s %s (%s): an admin gets past the guard',
    async (method, path, _action, body) => {
      const res = await call(method, path, scratchId, body, admin.accessToken);
      // The route's own answer (200, 201, or e.g. 400/403/404 about the payload), never the guard's.
      expect([refusal.write, refusal.owner, 'Project not found.']).not.toContain(res.body.error);
      expect(res.status).toBeLessThan(500);
    },
  );
});

describe('project access on every project route', () => {
  it.each(routes)('%s %s (%s): 401 without a token, 403 unverified, 400 malformed id', async (method, path, _a, body) => {
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

  it.each(routes)("%s %s (%s): another developer's project is not found (404)", async (method, path, _a, body) => {
    const res = await call(method, path, projectId, body, stranger.accessToken);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: 'Project not found.', code: 404 });
  });

  it('a stranger going through every route changed nothing of the project', async () => {
    const before = await ownerView();
    for (const [method, path, , body] of routes) await call(method, path, projectId, body, stranger.accessToken);
    expect(await ownerView()).toEqual(before);
    expect(before.rows).toEqual([expect.objectContaining({ title: 'kept' })]);
  });

  it.each(routes.filter(([method]) => method === 'get'))('%s %s (%s): the owner gets past the guard', async (method, path) => {
    const res = await call(method, path, projectId, undefined, owner.accessToken);
    // 200, or the route's own answer: an unknown row/user/webhook (404) or no users collection (422).
    expect([200, 404, 422]).toContain(res.status);
    expect(res.body.error).not.toBe('Project not found.');
  });
});
