/**
 * Realtime over a real HTTP server (SSE + WebSocket) on the run's Redis (single node, or the
 * cluster under `pnpm test:cluster`) and FerretDB: RLS per subscriber, filters, projection,
 * resume/reset, tickets, key rotation, limits. Every wait is on an event; "never received" is
 * proven with a later fence event (one ordered stream per project).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { publishProjectChanged } from '@urbackend/common/cache';
import { generateApiKey, sha256Hex } from '@urbackend/common/crypto';
import { type TestProject, createTestUser, signTestUserToken, waitFor } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';
import { type SseClient, type SseEvent, openSse, openWs } from './realtime.test-client.js';
import { attachRealtimeWebSocket } from './realtime.ws.js';

let h: Harness;
let server: Server;
let base = '';
let wsBase = '';
let p: TestProject;
let alice = '';
let bob = '';
let aliceToken = '';
let bobToken = '';
const open: SseClient[] = [];

const MAX_CONNECTIONS = 12;

beforeAll(async () => {
  h = await createHarness('realtime', {
    realtimeServer: {
      maxConnectionsPerProject: MAX_CONNECTIONS,
      maxSubscriptionsPerConnection: 3,
      ticketTtlMs: 1500,
      heartbeatMs: 60_000,
      maxBufferedBytes: 1024 * 1024,
      reauthMs: 60_000,
    },
  });
  server = h.app.listen(0);
  attachRealtimeWebSocket(server, {
    hub: h.deps.realtimeHub,
    settings: h.deps.config.realtimeServer as never,
    logger: h.platform.logger,
    charge: h.deps.usageCharge,
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  wsBase = `ws://127.0.0.1:${port}`;
  await h.deps.realtimeHub.ready();
  p = await h.project({
    collections: [
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
        ],
      },
      {
        name: 'notes',
        model: [
          { key: 'text', type: 'String' },
          { key: 'userId', type: 'String' },
        ],
        rls: { enabled: true, mode: 'private' },
      },
      {
        name: 'posts',
        model: [
          { key: 'title', type: 'String' },
          { key: 'status', type: 'String' },
          { key: 'views', type: 'Number' },
          { key: 'userId', type: 'String' },
        ],
        rls: { enabled: true, mode: 'public-read', ownerField: 'userId', requireAuthForWrite: false },
      },
    ],
  });
  const conn = h.platform.db.tenantDb(p.projectId);
  alice = await createTestUser(conn);
  bob = await createTestUser(conn);
  aliceToken = signTestUserToken(p, alice);
  bobToken = signTestUserToken(p, bob);
});

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await waitFor(() => h.deps.realtimeHub.stats().connections.sse === 0, { timeoutMs: 5000, message: 'SSE connections closed' });
});

afterAll(async () => {
  await h.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sk = () => ({ 'x-api-key': p.secretKey });
const pk = (token?: string) => ({ 'x-api-key': p.publishableKey, ...(token ? { authorization: `Bearer ${token}` } : {}) });

async function sse(path: string, headers: Record<string, string>): Promise<SseClient> {
  const client = await openSse(`${base}${path}`, headers);
  open.push(client);
  return client;
}

async function insert(collection: string, body: Record<string, unknown>, headers: Record<string, string>) {
  const res = await request(h.app).post(`/api/data/${collection}`).set(headers).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return String(res.body._id);
}

async function patch(collection: string, id: string, body: Record<string, unknown>) {
  const res = await request(h.app).patch(`/api/data/${collection}/${id}`).set(sk()).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const about = (id: string) => (e: SseEvent) => e.data.documentId === id;

describe('SSE: rules per subscriber', () => {
  it('private mode: each user gets only their own documents, also when the owner field changes', async () => {
    const a = await sse('/api/realtime/notes', pk(aliceToken));
    const b = await sse('/api/realtime/notes', pk(bobToken));
    const all = await sse('/api/realtime/notes', sk());
    expect([a.status, b.status, all.status]).toEqual([200, 200, 200]);
    const aliceNote = await insert('notes', { text: 'alice secret' }, pk(aliceToken));
    const bobFence = await insert('notes', { text: 'bob fence' }, pk(bobToken));
    const got = await a.next(about(aliceNote));
    expect(got).toMatchObject({
      event: 'insert',
      data: { type: 'insert', collection: 'notes', document: { text: 'alice secret', userId: alice } },
    });
    await b.next(about(bobFence));
    await all.next(about(bobFence));
    expect(b.dataEvents().map((e) => e.data.documentId)).toEqual([bobFence]);
    expect(all.dataEvents().map((e) => e.data.documentId)).toEqual([aliceNote, bobFence]);

    // The secret key gives Alice's note to Bob: Alice sees it leave (no content), Bob sees it arrive.
    await patch('notes', aliceNote, { userId: bob });
    const left = await a.next((e) => e.event === 'delete');
    expect(left.data).toEqual({ id: left.id, type: 'delete', collection: 'notes', documentId: aliceNote });
    const arrived = await b.next((e) => e.event === 'insert' && e.data.documentId === aliceNote);
    expect(arrived.data.document).toMatchObject({ userId: bob, text: 'alice secret' });
    await all.next((e) => e.event === 'update' && e.data.documentId === aliceNote);
  });

  it('private mode refuses a subscriber without a user token (401, the list route’s answer)', async () => {
    const anon = await sse('/api/realtime/notes', pk());
    expect(anon.status).toBe(401);
  });

  it('public-read: everyone gets every document; a filter turns leaving into a delete without content', async () => {
    const anon = await sse('/api/realtime/posts?status=published&fields=title,status', pk());
    const everything = await sse('/api/realtime/posts', pk(bobToken));
    const draft = await insert('posts', { title: 'T1', status: 'draft', views: 1 }, pk(aliceToken));
    await patch('posts', draft, { status: 'published' });
    const entered = await anon.next(about(draft));
    expect(entered.event).toBe('insert');
    expect(entered.data.document).toEqual({ _id: draft, title: 'T1', status: 'published' });
    await patch('posts', draft, { title: 'T2' });
    const changed = await anon.next((e) => e.event === 'update' && e.data.documentId === draft);
    expect(changed.data.changedFields).toEqual(['title']);
    expect(changed.data.document).toEqual({ _id: draft, title: 'T2', status: 'published' });
    await patch('posts', draft, { views: 5 }); // invisible to `fields=title,status`: nothing sent
    await patch('posts', draft, { status: 'archived' });
    const left = await anon.next((e) => e.event === 'delete');
    expect(left.data).toEqual({ id: left.id, type: 'delete', collection: 'posts', documentId: draft });
    expect(anon.dataEvents().map((e) => e.event)).toEqual(['insert', 'update', 'delete']);
    // The unfiltered subscriber saw every step as insert/update.
    await everything.next(
      (e) =>
        e.event === 'update' &&
        (e.data.changedFields as string[])[0] === 'status' &&
        (e.data.document as { status: string }).status === 'archived',
    );
    expect(everything.dataEvents().map((e) => e.event)).toEqual(['insert', 'update', 'update', 'update', 'update']);
  });

  it('deletes reach subscribers that could see the document, with its id only', async () => {
    const anon = await sse('/api/realtime/posts', pk());
    const id = await insert('posts', { title: 'gone', status: 'x' }, pk(aliceToken));
    await request(h.app).delete(`/api/data/posts/${id}`).set(sk()).expect(200);
    const gone = await anon.next((e) => e.event === 'delete' && e.data.documentId === id);
    expect(gone.data.document).toBeUndefined();
  });

  it('users: only the secret key may subscribe, and never sees password', async () => {
    expect((await sse('/api/realtime/users', pk(aliceToken))).status).toBe(403);
    const admin = await sse('/api/realtime/users', sk());
    const scope = h.deps.scopeFor((await h.deps.apiKeys.resolve(p.secretKey))?.project as never, {
      type: 'developer',
      developerId: p.ownerId,
      email: 'o@example.test',
      role: 'owner',
      via: 'session',
    });
    const created = await h.deps.endUsers.create(scope, { email: 'carol@example.test', password: 'carol-password-1' });
    const got = await admin.next((e) => e.event === 'insert' && e.data.documentId === String(created._id));
    expect(got.data.document).toMatchObject({ email: 'carol@example.test' });
    expect(JSON.stringify(got.data)).not.toMatch(/password/i);
  });

  it('a dashboard data edit (developer scope, the same write service) reaches a public subscriber', async () => {
    const anon = await sse('/api/realtime/posts', pk());
    const id = await insert('posts', { title: 'before' }, pk(aliceToken));
    const project = (await h.deps.apiKeys.resolve(p.secretKey))?.project;
    const devScope = h.deps.scopeFor(project as never, {
      type: 'developer',
      developerId: p.ownerId,
      email: 'o@example.test',
      role: 'owner',
      via: 'session',
    });
    await h.deps.data.writes.update(devScope, 'posts', id, { title: 'edited in the dashboard' });
    const got = await anon.next((e) => e.event === 'update' && e.data.documentId === id);
    expect(got.data).toMatchObject({ changedFields: ['title'], document: { title: 'edited in the dashboard' } });
  });

  it('rejects list-only parameters and keys in the URL', async () => {
    expect((await sse('/api/realtime/posts?sort=-title', pk())).status).toBe(400);
    expect((await sse(`/api/realtime/posts?key=${p.publishableKey}`, {})).status).toBe(400);
    expect((await sse('/api/realtime/nope', pk())).status).toBe(404);
  });
});

describe('SSE: resume and reset', () => {
  it('resumes with Last-Event-ID: every missed event exactly once, then live', async () => {
    const first = await sse('/api/realtime/posts', pk());
    const ready = first.events.find((e) => e.event === 'ready') as SseEvent;
    const seen = await insert('posts', { title: 'seen' }, sk());
    const lastSeen = (await first.next(about(seen))).id as string;
    first.close();
    const missed = [];
    for (let i = 0; i < 3; i++) missed.push(await insert('posts', { title: `missed ${i}` }, sk()));
    const again = await sse('/api/realtime/posts', { ...pk(), 'last-event-id': lastSeen });
    await again.next(about(missed[2] as string));
    const live = await insert('posts', { title: 'live' }, sk());
    await again.next(about(live));
    expect(again.dataEvents().map((e) => e.data.documentId)).toEqual([...missed, live]);
    expect(ready.id).toMatch(/^\d+-\d+$/);
  });

  it('sends reset when the position is no longer in the stream', async () => {
    const c = await sse('/api/realtime/posts', { ...pk(), 'last-event-id': '1-0' });
    const reset = await c.next((e) => e.event === 'reset');
    expect(reset.data).toMatchObject({ type: 'reset', reason: 'history-unavailable' });
    const live = await insert('posts', { title: 'after reset' }, sk());
    await c.next(about(live));
  });
});

describe('tickets', () => {
  it('a ticket opens one stream with the issuing user’s rights, once', async () => {
    const issued = await request(h.app).post('/api/realtime/ticket').set(pk(aliceToken)).expect(201);
    const ticket = issued.body.data.ticket as string;
    expect(ticket).toMatch(/^rt_/);
    const c = await sse(`/api/realtime/notes?ticket=${ticket}`, {});
    expect(c.status).toBe(200);
    const mine = await insert('notes', { text: 'via ticket' }, pk(aliceToken));
    await c.next(about(mine));
    const reused = await sse(`/api/realtime/notes?ticket=${ticket}`, {});
    expect(reused.status).toBe(401);
  });

  it('an unused ticket expires', async () => {
    const issued = await request(h.app).post('/api/realtime/ticket').set(pk()).expect(201);
    const ticket = issued.body.data.ticket as string;
    const key = `urbackend:rt:ticket:${sha256Hex(ticket)}`;
    const client = h.platform.cache.client;
    if (client) await waitFor(async () => (await client.exists(key)) === 0, { timeoutMs: 5000, message: 'the ticket expired' });
    else await new Promise((r) => setTimeout(r, 1600));
    expect((await sse(`/api/realtime/posts?ticket=${ticket}`, {})).status).toBe(401);
  });
});

describe('revocation and limits', () => {
  it('a rotated key closes its connections within 1 s', async () => {
    expect(h.platform.cache.client, 'this test needs Redis').toBeTruthy();
    const q = await h.project({ collections: [{ name: 'items', model: [] }] });
    const c = await sse('/api/realtime/items', { 'x-api-key': q.secretKey });
    const ws = await openWs(`${wsBase}/api/realtime`, { 'x-api-key': q.secretKey });
    await h.deps.models.Project.updateOne({ _id: q.projectId }, { secretKeyHash: sha256Hex(generateApiKey('sk_live_')) });
    const started = performance.now();
    await publishProjectChanged(
      h.platform.cache,
      { projectId: q.projectId, keyHashes: [sha256Hex(q.secretKey)], reason: 'keys' },
      h.platform.logger,
    );
    const closed = await c.next((e) => e.event === 'close', 1000);
    expect(closed.data).toEqual({ reason: 'key-revoked' });
    const wsClosed = await ws.closed;
    expect(wsClosed).toEqual({ code: 4401, reason: 'key-revoked' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('limits connections per project across the hub, and subscriptions per WebSocket', async () => {
    const q = await h.project({ collections: [{ name: 'items', model: [] }] });
    const clients = [];
    for (let i = 0; i < MAX_CONNECTIONS; i++) clients.push(await sse('/api/realtime/items', { 'x-api-key': q.secretKey }));
    expect(clients.every((c) => c.status === 200)).toBe(true);
    const over = await sse('/api/realtime/items', { 'x-api-key': q.secretKey });
    expect(over.status).toBe(429);
    (clients[0] as SseClient).close();
    await waitFor(async () => (await sse('/api/realtime/items', { 'x-api-key': q.secretKey })).status === 200, {
      timeoutMs: 3000,
      message: 'a slot freed by a closed connection',
    });
    for (const c of clients) c.close();
  });
});

describe('WebSocket', () => {
  it('many subscriptions on one connection, with ids; unsubscribe; errors per subscription', async () => {
    const ws = await openWs(`${wsBase}/api/realtime`, pk(bobToken));
    ws.send({ type: 'subscribe', id: 'mine', collection: 'notes' });
    ws.send({ type: 'subscribe', id: 'pub', collection: 'posts', filter: { status: 'published' }, fields: 'title' });
    ws.send({ type: 'subscribe', id: 'bad', collection: 'users' });
    await ws.next((m) => m.type === 'subscribed' && m.id === 'mine');
    await ws.next((m) => m.type === 'subscribed' && m.id === 'pub');
    expect(await ws.next((m) => m.type === 'error' && m.id === 'bad')).toMatchObject({ code: 403 });
    const note = await insert('notes', { text: 'bob ws' }, pk(bobToken));
    const post = await insert('posts', { title: 'ws post', status: 'published' }, sk());
    expect(await ws.next((m) => m.documentId === note)).toMatchObject({
      type: 'insert',
      subscription: 'mine',
      collection: 'notes',
    });
    expect(await ws.next((m) => m.documentId === post)).toMatchObject({
      type: 'insert',
      subscription: 'pub',
      document: { _id: post, title: 'ws post' },
    });
    ws.send({ type: 'unsubscribe', id: 'pub' });
    await ws.next((m) => m.type === 'unsubscribed');
    await insert('posts', { title: 'unseen', status: 'published' }, sk());
    const fence = await insert('notes', { text: 'fence' }, pk(bobToken));
    await ws.next((m) => m.documentId === fence);
    expect(ws.inbox.items.filter((m) => m.subscription === 'pub')).toHaveLength(1);
    ws.send({ type: 'subscribe', id: 'x1', collection: 'posts' });
    ws.send({ type: 'subscribe', id: 'x2', collection: 'posts' });
    ws.send({ type: 'subscribe', id: 'x3', collection: 'posts' });
    expect(await ws.next((m) => m.type === 'error' && m.id === 'x3')).toMatchObject({ code: 429 });
    ws.close();
  });

  it('authenticates the upgrade like HTTP (401 without a key) and accepts a ticket', async () => {
    await expect(openWs(`${wsBase}/api/realtime`)).rejects.toMatchObject({ status: 401 });
    const issued = await request(h.app).post('/api/realtime/ticket').set(pk(aliceToken)).expect(201);
    const ws = await openWs(`${wsBase}/api/realtime?ticket=${issued.body.data.ticket}`);
    ws.send({ type: 'subscribe', id: 'n', collection: 'notes' });
    await ws.next((m) => m.type === 'subscribed');
    const mine = await insert('notes', { text: 'alice over ws' }, pk(aliceToken));
    expect(await ws.next((m) => m.documentId === mine)).toMatchObject({ subscription: 'n', document: { userId: alice } });
    ws.close();
    await expect(openWs(`${wsBase}/api/realtime?ticket=${issued.body.data.ticket}`)).rejects.toMatchObject({ status: 401 });
  });
});
