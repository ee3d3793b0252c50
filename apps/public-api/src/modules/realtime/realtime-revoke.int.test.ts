/**
 * Revocation of end users' realtime connections (real HTTP server, Redis, FerretDB): logout closes
 * the connections of that session only, within 1 s; a revoked session and logout-all close theirs;
 * deleting the user through the data API closes all of them. `/api/userAuth` signup and profile
 * updates reach the secret key's `users` subscribers (never the password).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';
import { type SseClient, openSse } from './realtime.test-client.js';

let h: Harness;
let server: Server;
let base = '';
let p: TestProject;
const open: SseClient[] = [];

beforeAll(async () => {
  h = await createHarness('realtime-revoke');
  server = h.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await h.deps.realtimeHub.ready();
  p = await h.project({
    collections: [
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
          { key: 'nickname', type: 'String' },
        ],
      },
      {
        name: 'posts',
        model: [{ key: 'title', type: 'String' }],
        rls: { enabled: true, mode: 'public-read', ownerField: 'userId' },
      },
    ],
  });
});

afterAll(async () => {
  for (const c of open) c.close();
  await h.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const pk = (token?: string) => ({ 'x-api-key': p.publishableKey, ...(token ? { authorization: `Bearer ${token}` } : {}) });
const sk = () => ({ 'x-api-key': p.secretKey });

async function sse(headers: Record<string, string>, path = '/api/realtime/posts'): Promise<SseClient> {
  const c = await openSse(`${base}${path}`, headers);
  open.push(c);
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  return c;
}

let counter = 0;
async function signup(): Promise<{ userId: string; email: string }> {
  counter += 1;
  const email = `rt-${counter}-${Date.now()}@example.com`;
  const res = await request(h.app).post('/api/userAuth/signup').set(pk()).send({ email, password: 'secret-pass-1' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { userId: String(res.body.data?.userId ?? res.body.userId ?? res.body.data?.user?._id), email };
}

async function login(email: string): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await request(h.app)
    .post('/api/userAuth/login')
    .set({ ...pk(), 'x-refresh-token-mode': 'header' })
    .send({ email, password: 'secret-pass-1' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const body = res.body.data ?? res.body;
  return { accessToken: body.accessToken, refreshToken: body.refreshToken };
}

/** A write every open subscriber sees: proves a connection is still open after a revocation. */
async function fence(clients: SseClient[]): Promise<void> {
  const res = await request(h.app).post('/api/data/posts').set(sk()).send({ title: 'fence' });
  expect(res.status).toBe(201);
  for (const c of clients) await c.next((e) => e.data.documentId === res.body._id);
}

describe('end-user revocation closes realtime connections', () => {
  it('logout closes that session’s connections within 1 s; the other session stays', async () => {
    const { email } = await signup();
    const [a, b] = [await login(email), await login(email)];
    const [subA, subB] = [await sse(pk(a.accessToken)), await sse(pk(b.accessToken))];
    const started = performance.now();
    const out = await request(h.app)
      .post('/api/userAuth/logout')
      .set({ ...pk(a.accessToken), 'x-refresh-token': a.refreshToken });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    const closed = await subA.next((e) => e.event === 'close', 1000);
    expect(closed.data).toEqual({ reason: 'user-revoked' });
    expect(performance.now() - started).toBeLessThan(1000);
    await fence([subB]);
    expect(subB.events.some((e) => e.event === 'close')).toBe(false);
  });

  it('revoking a session and logout-all close their connections', async () => {
    const { email } = await signup();
    const [a, b] = [await login(email), await login(email)];
    const [subA, subB] = [await sse(pk(a.accessToken)), await sse(pk(b.accessToken))];
    const sessions = await request(h.app).get('/api/userAuth/sessions').set(pk(a.accessToken)).expect(200);
    const sidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).sid;
    const target = (sessions.body.data as { id: string }[]).find((s) => s.id === sidOf(b.accessToken));
    expect(target).toBeTruthy();
    await request(h.app).delete(`/api/userAuth/sessions/${target?.id}`).set(pk(a.accessToken)).expect(200);
    await subB.next((e) => e.event === 'close', 1000);
    await fence([subA]);
    await request(h.app).post('/api/userAuth/logout-all').set(pk(a.accessToken)).expect(200);
    expect((await subA.next((e) => e.event === 'close', 1000)).data).toEqual({ reason: 'user-revoked' });
  });

  it('deleting the user through the data services (dashboard data browser, to the trash or for good) closes their connections within 1 s', async () => {
    const project = (await h.deps.apiKeys.resolve(p.secretKey))?.project;
    const devScope = h.deps.scopeFor(project as never, {
      type: 'developer',
      developerId: p.ownerId,
      email: 'o@example.test',
      role: 'owner',
      via: 'session',
    });
    for (const permanent of [false, true]) {
      const { email, userId } = await signup();
      const sub = await sse(pk((await login(email)).accessToken));
      const started = performance.now();
      await h.deps.data.writes.remove(devScope, 'users', userId, { permanent });
      const closed = await sub.next((e) => e.event === 'close', 1000);
      expect(['user-deleted', 'user-revoked']).toContain(closed.data.reason);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});

describe('/api/userAuth writes reach the users subscribers', () => {
  it('signup is an insert and a profile update an update, never with the password', async () => {
    const users = await sse(sk(), '/api/realtime/users');
    const { email, userId } = await signup();
    const inserted = await users.next((e) => e.event === 'insert' && e.data.documentId === userId);
    expect(inserted.data.document).toMatchObject({ _id: userId, email });
    const { accessToken } = await login(email);
    await request(h.app).put('/api/userAuth/update-profile').set(pk(accessToken)).send({ nickname: 'neo' }).expect(200);
    const updated = await users.next((e) => e.event === 'update' && e.data.documentId === userId);
    expect(updated.data).toMatchObject({ changedFields: ['nickname'], document: { email, nickname: 'neo' } });
    expect(JSON.stringify(users.events)).not.toMatch(/password|secret-pass/);
  });
});
