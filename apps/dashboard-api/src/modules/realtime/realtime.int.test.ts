/**
 * The dashboard's live routes against real FerretDB and Redis: a developer's stream of one
 * collection (filters, leave → delete, `users` without password), resume with Last-Event-ID,
 * the project-wide tail, the Realtime view's counts, and a stream that ends when access goes.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SseClient, openSse } from '@urbackend/common/testing';
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
let server: Server;
let base = '';
let dev: TestDeveloper;
let projectId = '';
const clients: SseClient[] = [];

const auth = () => ({ Authorization: `Bearer ${dev.accessToken}` });

async function live(path: string, headers: Record<string, string> = {}) {
  const c = await openSse(`${base}/api/projects/${projectId}${path}`, { ...auth(), ...headers });
  clients.push(c);
  return c;
}

async function insert(collection: string, body: Record<string, unknown>): Promise<string> {
  const res = await request(t.app).post(`/api/projects/${projectId}/collections/${collection}/data`).set(auth()).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body._id as string;
}

beforeAll(async () => {
  t = await createDashboardTestApp('dash-live');
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dev = await registerVerifiedDeveloper(t);
  projectId = (await createTestProject(t.app, dev, 'Live'))._id;
  const schema = [
    { key: 'title', type: 'String' },
    { key: 'status', type: 'String' },
  ];
  await request(t.app).post(`/api/projects/${projectId}/collections`).set(auth()).send({ name: 'posts', schema }).expect(201);
  const users = [
    { key: 'email', type: 'String', required: true, unique: true },
    { key: 'password', type: 'String', required: true },
  ];
  await request(t.app)
    .post(`/api/projects/${projectId}/collections`)
    .set(auth())
    .send({ name: 'users', schema: users })
    .expect(201);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await t?.cleanup();
});

describe('dashboard live routes', () => {
  it('streams a collection with the list filters: enter → insert, leave → delete without content', async () => {
    const sub = await live('/collections/posts/live?status=published');
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    const draft = await insert('posts', { title: 'draft', status: 'draft' });
    const published = await insert('posts', { title: 'out', status: 'published' });
    const first = await sub.next((e) => e.event === 'insert');
    expect(first.data).toMatchObject({ type: 'insert', documentId: published, document: { title: 'out', status: 'published' } });
    await request(t.app)
      .patch(`/api/projects/${projectId}/collections/posts/data/${draft}`)
      .set(auth())
      .send({ status: 'published' })
      .expect(200);
    await sub.next((e) => e.event === 'insert' && e.data.documentId === draft);
    await request(t.app)
      .patch(`/api/projects/${projectId}/collections/posts/data/${published}`)
      .set(auth())
      .send({ status: 'draft' })
      .expect(200);
    const left = await sub.next((e) => e.event === 'delete');
    expect(left.data).toEqual({
      id: left.id,
      type: 'delete',
      collection: 'posts',
      documentId: published,
      at: expect.any(String),
    });
    expect(sub.dataEvents().map((e) => e.data.documentId)).toEqual([published, draft, published]);
  });

  it('shows end users like the secret key does, never their password', async () => {
    const sub = await live('/collections/users/live');
    const created = await request(t.app)
      .post(`/api/projects/${projectId}/admin/users`)
      .set(auth())
      .send({ email: 'live@example.com', password: 'secret-123' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const got = await sub.next((e) => e.event === 'insert');
    expect(got.data.document).toMatchObject({ email: 'live@example.com' });
    expect(JSON.stringify(got.data)).not.toMatch(/password/i);
  });

  it('resumes with Last-Event-ID: every missed event exactly once, then live ones', async () => {
    const sub = await live('/collections/posts/live');
    await insert('posts', { title: 'seen' });
    const seen = await sub.next((e) => e.event === 'insert');
    sub.close();
    const missed = [await insert('posts', { title: 'm1' }), await insert('posts', { title: 'm2' })];
    const again = await live('/collections/posts/live', { 'last-event-id': String(seen.id) });
    expect(again.events[0]).toMatchObject({ event: 'ready', data: { resumed: true } });
    const later = await insert('posts', { title: 'later' });
    await again.next((e) => e.data.documentId === later);
    expect(again.dataEvents().map((e) => e.data.documentId)).toEqual([...missed, later]);
  });

  it('answers 404 for an unknown collection and 400 for a bad filter before streaming', async () => {
    expect((await live('/collections/nope/live')).status).toBe(404);
    expect((await live('/collections/posts/live?sort=title:asc')).status).toBe(400);
  });

  it('tails every collection and counts connections for the Realtime view', async () => {
    const tail = await live('/realtime/live');
    const id = await insert('posts', { title: 'tail' });
    const got = await tail.next((e) => e.event === 'insert');
    expect(got.data).toMatchObject({ collection: 'posts', documentId: id });
    const stats = await request(t.app).get(`/api/projects/${projectId}/realtime/stats`).set(auth()).expect(200);
    expect(stats.body.data).toMatchObject({ connections: 0, dashboardStreams: expect.any(Number) });
    expect(stats.body.data.dashboardStreams).toBeGreaterThanOrEqual(1);
  });

  it('closes the stream at once when the project is deleted', async () => {
    const owner = await registerVerifiedDeveloper(t);
    const headers = { Authorization: `Bearer ${owner.accessToken}` };
    const other = (await createTestProject(t.app, owner, 'Doomed'))._id;
    const c = await openSse(`${base}/api/projects/${other}/realtime/live`, headers);
    clients.push(c);
    expect(c.status).toBe(200);
    const deleted = await request(t.app).delete(`/api/projects/${other}`).set(headers);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    const closed = await c.next((e) => e.event === 'close', 3000);
    expect(closed.data).toMatchObject({ reason: 'access-revoked', code: 404 });
  });
});
