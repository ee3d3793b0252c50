/** The trash through the real public API and the official @urbackend/sdk 0.4.8 (docs/data-lifecycle.md). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataEvent } from '@urbackend/common/data';
import { TRASH_COLLECTION } from '@urbackend/common/lifecycle';
import { type Actor, type ScopedProject, toScopedProject } from '@urbackend/common/scope';
import type { TestProject } from '@urbackend/common/testing';
import urBackend from '@urbackend/sdk';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../src/testing/harness.js';

let h: Harness;
let server: Server;
let baseUrl: string;
let p: TestProject;
const events: DataEvent[] = [];
const developer: Actor = { type: 'developer', developerId: 'd', email: 'dev@example.test', role: 'owner', via: 'session' };

async function scoped(): Promise<ScopedProject> {
  const doc = await h.platform.db.connection.collection('projects').findOne({ _id: new Types.ObjectId(p.projectId) });
  const owner = await h.platform.db.connection.collection('developers').findOne({ _id: doc?.owner });
  if (!doc || !owner) throw new Error('test project missing');
  return toScopedProject(doc as unknown as Record<string, unknown>, owner as never);
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'x-api-key': p.secretKey, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { data?: unknown; error?: string; message?: string },
  };
}

const used = () => h.deps.meter.current(p.projectId, 'db');
const tenant = () => h.platform.db.tenantDb(p.projectId);

beforeAll(async () => {
  h = await createHarness(
    'trash',
    { plans: { defaultPlan: 'free', overrides: { free: { reqPerMinute: -1, reqPerDay: -1, mongoBytes: 10_000_000 } } } },
    { onDataEvent: (_scope, e) => void events.push(e) },
  );
  p = await h.project({
    isAuthEnabled: true,
    collections: [
      { name: 'authors', model: [{ key: 'name', type: 'String', required: true }] },
      {
        name: 'books',
        model: [
          { key: 'title', type: 'String', required: true },
          { key: 'isbn', type: 'String', unique: true },
          { key: 'author', type: 'Ref', ref: 'authors' },
        ],
      },
      { name: 'logs', model: [{ key: 'line', type: 'String' }] },
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
        ],
      },
    ],
  });
  await h.deps.collections.ensurePhysical(h.deps.scopeFor(await scoped(), developer));
  server = h.app.listen(0);
  await new Promise((r) => server.once('listening', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});

describe('trash and recover (public API)', () => {
  it('SDK delete moves the document to the trash, no read sees it, recover brings it back with the same _id', async () => {
    const client = urBackend({ apiKey: p.secretKey, baseUrl });
    const author = await client.db.insert('authors', { name: 'Ursula' });
    const book = await client.db.insert('books', { title: 'Earthsea', isbn: '111', author: author._id });
    const other = await client.db.insert('books', { title: 'Other', isbn: '222', author: author._id });

    const del = await api('DELETE', `/api/data/authors/${author._id}`);
    expect(del.body).toEqual({ success: true, data: { id: author._id }, message: 'Document moved to trash' });
    expect(await client.db.delete('books', book._id)).toEqual({ deleted: true });

    // No read sees the trashed documents.
    expect((await api('GET', `/api/data/books/${book._id}`)).status).toBe(404);
    const list = (await api('GET', '/api/data/books')).body.data as { items: { _id: string }[]; total: number };
    expect(list.items.map((d) => d._id)).toEqual([other._id]);
    expect(list.total).toBe(1);
    expect((await api('GET', '/api/data/books?count=true')).body.data).toEqual({ count: 1 });
    const cursor = (await api('GET', '/api/data/books?cursor=')).body.data as { items: { _id: string }[] };
    expect(cursor.items.map((d) => d._id)).toEqual([other._id]);
    const agg = await api('POST', '/api/data/books/aggregate', { pipeline: [{ $group: { _id: null, n: { $sum: 1 } } }] });
    expect(agg.body.data).toEqual([{ _id: null, n: 1 }]);
    const populated = (await api('GET', `/api/data/books/${other._id}?populate=author`)).body as { author: unknown };
    expect(populated.author).toBeNull();
    // The trashed isbn does not block a live document.
    const reuse = await api('POST', '/api/data/books', { title: 'Reuse', isbn: '111' });
    expect(reuse.status).toBe(201);
    await api('DELETE', `/api/data/books/${(reuse.body as { _id: string })._id}?permanent=true`);

    events.length = 0;
    const rec = await api('PATCH', `/api/data/authors/${author._id}/recover`);
    expect(rec.status).toBe(200);
    expect(rec.body.message).toBe('Document recovered from trash');
    expect(await client.db.getOne('authors', author._id)).toMatchObject({ _id: author._id, name: 'Ursula' });
    expect(events).toEqual([expect.objectContaining({ action: 'insert', recovered: true, documentId: author._id })]);
    await api('PATCH', `/api/data/books/${book._id}/recover`);
    const back = (await client.db.getOne('books', book._id, { populate: 'author' })) as unknown as { author: { name: string } };
    expect(back.author.name).toBe('Ursula');

    // Twice: the second recover finds nothing in the trash.
    const again = await api('PATCH', `/api/data/books/${book._id}/recover`);
    expect(again).toMatchObject({ status: 404, body: { error: 'Document not found or recovery window expired (30 days).' } });
  });

  it('a recover whose unique value is taken answers 409 and changes nothing', async () => {
    const first = (await api('POST', '/api/data/books', { title: 'One', isbn: '333' })).body as unknown as { _id: string };
    await api('DELETE', `/api/data/books/${first._id}`);
    const taker = (await api('POST', '/api/data/books', { title: 'Taker', isbn: '333' })).body as unknown as { _id: string };
    const before = {
      live: await tenant().collection('books').countDocuments(),
      trash: await tenant().collection(TRASH_COLLECTION).countDocuments(),
    };
    const res = await api('PATCH', `/api/data/books/${first._id}/recover`);
    expect(res).toMatchObject({
      status: 409,
      body: {
        success: false,
        error: 'Cannot restore document: a unique field value conflicts with an existing active document.',
      },
    });
    expect({
      live: await tenant().collection('books').countDocuments(),
      trash: await tenant().collection(TRASH_COLLECTION).countDocuments(),
    }).toEqual(before);
    expect((await api('GET', `/api/data/books/${taker._id}`)).status).toBe(200);
    expect((await api('GET', `/api/data/books/${first._id}`)).status).toBe(404);
  });

  it('?permanent=true deletes at once (secret key only); a publishable key cannot recover', async () => {
    const doc = (await api('POST', '/api/data/logs', { line: 'x' })).body as unknown as { _id: string };
    const pk = { 'x-api-key': p.publishableKey };
    expect((await api('DELETE', `/api/data/logs/${doc._id}?permanent=true`, undefined, pk)).status).toBe(403);
    const res = await api('DELETE', `/api/data/logs/${doc._id}?permanent=true`);
    expect(res.body).toEqual({ success: true, data: { id: doc._id }, message: 'Document permanently deleted' });
    expect((await api('PATCH', `/api/data/logs/${doc._id}/recover`)).status).toBe(404);
    const kept = (await api('POST', '/api/data/logs', { line: 'y' })).body as unknown as { _id: string };
    await api('DELETE', `/api/data/logs/${kept._id}`);
    expect((await api('PATCH', `/api/data/logs/${kept._id}/recover`, undefined, pk)).status).toBe(403);
  });

  it('a trashed document stays charged; the purge releases exactly its bytes, and reconciliation agrees', async () => {
    const start = await used();
    const doc = (await api('POST', '/api/data/logs', { line: 'z'.repeat(500) })).body as unknown as { _id: string };
    const charged = (await used()) - start;
    expect(charged).toBeGreaterThan(500);
    await api('DELETE', `/api/data/logs/${doc._id}`);
    expect(await used()).toBe(start + charged);
    expect(await h.deps.meter.reconcile(p.projectId, 'db')).toBe(start + charged);
    // Recover charges nothing again.
    await api('PATCH', `/api/data/logs/${doc._id}/recover`);
    expect(await used()).toBe(start + charged);
    await api('DELETE', `/api/data/logs/${doc._id}`);
    // Not expired yet: the purge leaves it.
    expect(await h.deps.maintenance.purgeTrash.purgeProject(p.projectId)).toBe(0);
    await tenant()
      .collection(TRASH_COLLECTION)
      .updateMany({ documentId: new Types.ObjectId(doc._id) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await api('PATCH', `/api/data/logs/${doc._id}/recover`)).status).toBe(404);
    expect(await h.deps.maintenance.purgeTrash.runOnce()).toBeGreaterThanOrEqual(1);
    expect(
      await tenant()
        .collection(TRASH_COLLECTION)
        .countDocuments({ documentId: new Types.ObjectId(doc._id) }),
    ).toBe(0);
    expect(await used()).toBe(start);
    expect(await h.deps.meter.reconcile(p.projectId, 'db')).toBe(start);
  });

  it('a trashed end user gets 403 on login, me and signup; sessions are revoked; recover lets them log in again', async () => {
    const email = `trashed-${Date.now()}@example.test`;
    const signup = await fetch(`${baseUrl}/api/userAuth/signup`, {
      method: 'POST',
      headers: { 'x-api-key': p.publishableKey, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'secret-pass-1' }),
    });
    expect(signup.status).toBe(201);
    const userAuth = (path: string, body?: unknown, token?: string) =>
      fetch(`${baseUrl}/api/userAuth/${path}`, {
        method: body ? 'POST' : 'GET',
        headers: {
          'x-api-key': p.publishableKey,
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: string; data?: { accessToken?: string } } }));
    const login = await userAuth('login', { email, password: 'secret-pass-1' });
    expect(login.status).toBe(200);
    const token = (login.body as { accessToken: string }).accessToken;
    const user = await tenant().collection('users').findOne({ email });
    const userId = String(user?._id);

    const scope = h.deps.scopeFor(await scoped(), developer);
    await h.deps.endUsers.remove(scope, userId);
    const sessions = await h.platform.db.connection.collection('usersessions').countDocuments({ userId, revokedAt: null });
    expect(sessions).toBe(0);

    const scheduled =
      /^Your account is scheduled for deletion on \d{4}-\d{2}-\d{2}\. Please contact the administrator to recover it\.$/;
    const denied = await userAuth('login', { email, password: 'secret-pass-1' });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatch(scheduled);
    // A wrong password learns nothing.
    expect((await userAuth('login', { email, password: 'wrong-pass-1' })).status).toBe(400);
    const me = await userAuth('me', undefined, token);

    expect(me.status).toBe(403);
    expect(me.body.error).toMatch(scheduled);
    const again = await userAuth('signup', { email, password: 'another-pass-1' });
    expect(again.status).toBe(403);

    await h.deps.data.trash.recover(scope, 'users', userId);
    expect((await userAuth('login', { email, password: 'secret-pass-1' })).status).toBe(200);
  });

  it('a collection with the trash off deletes permanently', async () => {
    await h.platform.db.connection
      .collection('projects')
      .updateOne({ _id: new Types.ObjectId(p.projectId) }, { $set: { 'lifecycle.trashDisabled': ['logs'] } });
    const scope = h.deps.scopeFor(await scoped(), developer);
    const doc = await h.deps.data.writes.insert(scope, 'logs', { line: 'gone' });
    const res = await h.deps.data.writes.remove(scope, 'logs', String(doc._id));
    expect(res).toMatchObject({ message: 'Document permanently deleted', trashed: false });
    expect(await tenant().collection(TRASH_COLLECTION).countDocuments({ documentId: doc._id })).toBe(0);
  });
});
