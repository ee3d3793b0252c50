/**
 * The whole stack end to end: the real dashboard-api and public-api processes (configured from the
 * environment alone), a real SMTP sink, and the official @urbackend/sdk@0.4.8. Everything a developer
 * does goes over HTTP to the dashboard API; everything an app does goes through the SDK.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type SmtpSink, startSmtpSink, testServices, uniqueTestName, withDatabase } from '@urbackend/common/testing';
import urBackend from '@urbackend/sdk';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, json, pollUntil, stackEnv, startApi, status } from './stack.js';

type Doc = Record<string, unknown> & { _id: string };

const run = randomBytes(4).toString('hex');
const mongoUri = withDatabase(testServices().mongoUri, uniqueTestName('stack'));
let sink: SmtpSink;
let storageDir: string;
let dash: ApiProcess;
let pub: ApiProcess;
let token = '';
let projectId = '';
let pk = '';
let sk = '';

/** Calls the dashboard API as the developer. */
const d = (p: string, init: Parameters<typeof json>[1] = {}) => json(`${dash.baseUrl}/api${p}`, { token, ...init });
const sdk = (apiKey: string) => urBackend({ apiKey, baseUrl: pub.baseUrl });
const schemas = {
  authors: [{ key: 'name', type: 'String', required: true }],
  posts: [
    { key: 'title', type: 'String', required: true, maxLength: 80 },
    { key: 'views', type: 'Number', default: 0, min: 0 },
    { key: 'published', type: 'Boolean' },
    { key: 'tags', type: 'Array', items: { type: 'String' } },
    { key: 'author', type: 'Ref', ref: 'authors' },
    { key: 'ownerId', type: 'String' },
  ],
  users: ['email', 'password', 'displayName'].map((key) => ({ key, type: 'String', required: key !== 'displayName' })),
};

beforeAll(async () => {
  sink = await startSmtpSink();
  storageDir = await mkdtemp(path.join(tmpdir(), 'ub-stack-'));
  const env = stackEnv({ mongoUri, smtpUrl: sink.url, storageDir });
  [dash, pub] = await Promise.all([startApi('dashboard-api', env), startApi('public-api', env)]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([dash?.stop(), pub?.stop()]);
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  await conn.dropDatabase().catch(() => undefined);
  if (projectId)
    await conn
      .useDb(`ub_${projectId}`)
      .dropDatabase()
      .catch(() => undefined);
  await conn.close();
  await Promise.allSettled([sink?.close(), rm(storageDir, { recursive: true, force: true })]);
}, 60_000);

/** Signs up (SDK, publishable key), verifies with the mailed OTP and logs in; returns the client, its token and id. */
async function endUser(name: string) {
  const client = sdk(pk);
  const email = `${name}-${run}@example.com`;
  await client.auth.signUp({ email, password: 'end-user-pass-1', displayName: name });
  const otp = await sink.otpFor(email);
  await client.auth.verifyEmail({ email, otp });
  const login = await client.auth.login({ email, password: 'end-user-pass-1' });
  const me = await client.auth.me();
  return { client, token: login.accessToken ?? '', id: me._id };
}

/** Changes a collection's RLS on the dashboard API and waits until the public API applies it. */
async function setRls(collection: string, rls: Record<string, unknown>, applied: () => Promise<boolean>) {
  const res = await d(`/projects/${projectId}/collections/${collection}/rls`, { method: 'PATCH', body: rls });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await pollUntil(applied, 3000, `RLS ${JSON.stringify(rls)} applied`);
}

describe('dashboard-api + public-api processes with @urbackend/sdk', () => {
  it('registers and verifies a developer with the mailed OTP, then creates a project, collections and auth', async () => {
    const email = `dev-${run}@example.com`;
    const reg = await json(`${dash.baseUrl}/api/auth/register`, { body: { email, password: 'dev-password-1' } });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const otp = await sink.otpFor(email, { subject: /verify/i });
    const verified = await json<{ accessToken: string; user: { isVerified: boolean } }>(`${dash.baseUrl}/api/auth/verify-otp`, {
      body: { email, otp },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.user.isVerified).toBe(true);
    token = verified.body.accessToken;

    const project = await d('/projects', { body: { name: `Stack ${run}` } });
    expect(project.status, JSON.stringify(project.body)).toBe(201);
    projectId = String(project.body._id);
    pk = String(project.body.publishableKey);
    sk = String(project.body.secretKey);
    expect(pk).toMatch(/^pk_live_/);
    expect(sk).toMatch(/^sk_live_/);

    for (const [collectionName, schema] of Object.entries(schemas)) {
      const res = await d(`/projects/${projectId}/collections`, { body: { collectionName, schema } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const auth = await d(`/projects/${projectId}/auth/toggle`, { method: 'PATCH', body: { enable: true } });
    expect(auth.body).toMatchObject({ isAuthEnabled: true });
  });

  it('secret key: insert, getAll with filters/sort/pagination, count, getOne with populate, update, patch, delete', async () => {
    const client = sdk(sk);
    const ada = await client.db.insert('authors', { name: 'Ada' });
    const rows = [
      ['Alpha', 10, true],
      ['Beta', 20, false],
      ['Gamma', 30, true],
      ['Delta', 40, true],
    ] as const;
    for (const [title, views, published] of rows) {
      await client.db.insert('posts', { title, views, published, tags: ['intro'], author: ada._id });
    }
    const page1 = await client.db.getAll('posts', { filter: { published: true }, sort: 'views:desc', limit: 2, page: 1 });
    expect(page1.map((p) => p.title)).toEqual(['Delta', 'Gamma']);
    const page2 = await client.db.getAll('posts', { filter: { published: true }, sort: '-views', limit: 2, page: 2 });
    expect(page2.map((p) => p.title)).toEqual(['Alpha']);
    expect((await client.db.getAll('posts', { filter: { title_regex: 'ta$' }, sort: 'title:asc' })).map((p) => p.title)).toEqual([
      'Beta',
      'Delta',
    ]);
    expect(await client.db.count('posts', { filter: { views_gte: 20 } })).toBe(3);

    const delta = page1[0] as Doc;
    const populated = await client.db.getOne('posts', delta._id, { populate: 'author' });
    expect(populated).toMatchObject({ title: 'Delta', author: { _id: ada._id, name: 'Ada' } });
    expect(await client.db.update('posts', delta._id, { views: 41 })).toMatchObject({ title: 'Delta', views: 41 });
    expect(await client.db.patch('posts', delta._id, { title: 'Delta 2' })).toMatchObject({ title: 'Delta 2', views: 41 });
    expect(await client.db.delete('posts', delta._id)).toEqual({ deleted: true });
    expect(await status(client.db.getOne('posts', delta._id))).toBe(404);
    expect(await status(client.db.insert('posts', { views: -1 }))).toBe(400);
    expect((await client.db.insert('posts', { title: 'Defaults' })).views).toBe(0);
  });

  it('schema.getSchema answers for publishable and secret keys', async () => {
    for (const key of [pk, sk]) {
      const schema = await sdk(key).schema.getSchema('posts');
      expect(schema.name).toBe('posts');
      expect(schema.model.map((f) => f.key)).toEqual(['title', 'views', 'published', 'tags', 'author', 'ownerId']);
    }
  });

  it('publishable key with RLS off, public-read and private, with and without an end-user token', async () => {
    const alice = await endUser('alice');
    const bob = await endUser('bob');
    const anon = sdk(pk);

    // RLS off: reads are open, publishable-key writes are refused even with a user token.
    expect((await anon.db.getAll('posts')).length).toBe(4);
    expect(await status(anon.db.insert('posts', { title: 'nope' }))).toBe(403);
    expect(await status(anon.db.insert('posts', { title: 'nope' }, alice.token))).toBe(403);

    let mine = '';
    await setRls('posts', { enabled: true, mode: 'public-read', ownerField: 'ownerId' }, async () => {
      const res = await anon.db.insert('posts', { title: 'Alice post' }, alice.token).catch(() => null);
      mine = res?._id ?? '';
      return res !== null;
    });
    const stored = await anon.db.getOne('posts', mine);
    expect(stored.ownerId).toBe(alice.id);
    expect(await status(anon.db.insert('posts', { title: 'anonymous' }))).toBe(401);
    expect(await status(anon.db.insert('posts', { title: 'forged', ownerId: alice.id }, bob.token))).toBe(403);
    expect(await status(anon.db.patch('posts', mine, { title: 'hijack' }, bob.token))).toBe(403);
    expect(await status(anon.db.patch('posts', mine, { ownerId: bob.id }, alice.token))).toBe(403);
    expect(await anon.db.patch('posts', mine, { title: 'Alice edited' }, alice.token)).toMatchObject({ ownerId: alice.id });
    expect((await anon.db.getAll('posts')).length).toBe(5);
    expect(await sdk(sk).db.patch('posts', mine, { views: 7 })).toMatchObject({ views: 7, ownerId: alice.id });

    await setRls('posts', { mode: 'private' }, async () => (await status(anon.db.getAll('posts'))) === 401);
    expect((await anon.db.getAll('posts', {}, alice.token)).map((p) => p.title)).toEqual(['Alice edited']);
    expect(await anon.db.getAll('posts', {}, bob.token)).toEqual([]);
    expect(await anon.db.count('posts', {}, alice.token)).toBe(1);
    expect(await status(anon.db.getOne('posts', mine, {}, bob.token))).toBe(404);
    expect(await status(anon.db.delete('posts', mine, bob.token))).toBe(403);
    expect(await sdk(sk).db.count('posts')).toBe(5);
    expect(await anon.db.delete('posts', mine, alice.token)).toEqual({ deleted: true });

    await setRls('posts', { enabled: false }, async () => (await status(anon.db.getAll('posts'))) === 200);
    expect(await status(anon.db.insert('posts', { title: 'again' }, alice.token))).toBe(403);
  });

  it('refuses query and body injection with 400 through the real process', async () => {
    const get = (query: string) => json(`${pub.baseUrl}/api/data/posts?${query}`, { headers: { 'x-api-key': pk } });
    for (const query of ['$where=sleep(1000)', 'title[$ne]=x', 'title%5B%24ne%5D=x', 'views[$gt]=0']) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ success: false, code: 400 });
    }
    const insert = await json(`${pub.baseUrl}/api/data/posts`, {
      headers: { 'x-api-key': sk },
      body: { title: { $ne: null } },
    });
    expect(insert.status).toBe(400);
    const aggregate = await json(`${pub.baseUrl}/api/data/posts/aggregate`, {
      headers: { 'x-api-key': sk },
      body: { pipeline: [{ $lookup: { from: 'users', localField: 'ownerId', foreignField: '_id', as: 'u' } }] },
    });
    expect(aggregate.status).toBe(400);
  });

  it('a schema change on the dashboard is enforced by the public API within 1 second (CONTRACT §3.9)', async () => {
    const insert = (country: string) =>
      json(`${pub.baseUrl}/api/data/authors`, { headers: { 'x-api-key': sk }, body: { name: 'Bo', country } });
    expect((await insert('xx')).status).toBe(201);
    const schema = [...schemas.authors, { key: 'country', type: 'String', enum: ['fr', 'de'] }];
    const patched = await d(`/projects/${projectId}/collections/authors`, { method: 'PATCH', body: { schema } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const elapsed = await pollUntil(async () => (await insert('xx')).status === 400, 2000, 'new enum enforced');
    expect(elapsed).toBeLessThan(1000);
    expect((await insert('fr')).status).toBe(201);
  });

  it('a publishable key rotated on the dashboard is refused by the public API within 1 second', async () => {
    expect((await sdk(pk).db.getAll('posts')).length).toBeGreaterThan(0);
    const rotated = await d(`/projects/${projectId}/api-key`, { body: { keyType: 'publishable' } });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const elapsed = await pollUntil(async () => (await status(sdk(pk).db.getAll('posts'))) === 401, 2000, 'old key refused');
    expect(elapsed).toBeLessThan(1000);
    const fresh = String(rotated.body.apiKey);
    expect(fresh).toMatch(/^pk_live_/);
    expect((await sdk(fresh).db.getAll('posts')).length).toBeGreaterThan(0);
    pk = fresh;
  });

  it('the dashboard sees what the public API stored and logged', async () => {
    const rows = await fetch(`${dash.baseUrl}/api/projects/${projectId}/collections/posts/data?sort=views:asc&limit=2`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(rows.status).toBe(200);
    expect(rows.headers.get('x-total-count')).toBe('4');
    expect(((await rows.json()) as Doc[]).map((p) => p.title)).toEqual(['Defaults', 'Alpha']);

    let logs: { total: number; items: { path: string; status: number }[] } = { total: 0, items: [] };
    await pollUntil(
      async () => {
        logs = (await d(`/projects/${projectId}/logs?path=/api/data/posts&limit=100`)).body.data as typeof logs;
        return logs.items.some((l) => l.status === 401);
      },
      5000,
      'request logs written by the public API',
    );
    expect(logs.total).toBeGreaterThan(20);
    expect(logs.items.every((l) => l.path.startsWith('/api/data/posts'))).toBe(true);
    const analytics = await d(`/projects/${projectId}/analytics?range=last1h`);
    expect(analytics.status).toBe(200);
    expect((analytics.body.data as { rangeStats: { totalRequests: number } }).rangeStats.totalRequests).toBeGreaterThan(20);
  });

  it('deleting the project on the dashboard makes its keys fail on the public API', async () => {
    const client = sdk(sk);
    expect(await client.db.count('posts')).toBe(4);
    const conn = await mongoose.createConnection(mongoUri).asPromise();
    const tenant = conn.useDb(`ub_${projectId}`);
    // The project's collections (and `_urb_trash`, where deleted documents wait: docs/data-lifecycle.md).
    const names = (await tenant.listCollections()).map((c) => c.name).sort();
    expect(names.filter((n) => !n.startsWith('_urb_'))).toEqual(['authors', 'posts', 'users']);
    const deleted = await d(`/projects/${projectId}`, { method: 'DELETE' });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    const elapsed = await pollUntil(async () => (await status(client.db.count('posts'))) === 401, 2000, 'deleted project');
    expect(elapsed).toBeLessThan(1000);
    expect(await status(sdk(pk).db.getAll('posts'))).toBe(401);
    try {
      expect(await tenant.listCollections()).toEqual([]);
    } finally {
      await conn.close();
    }
  });

  it('both processes exit 0 on SIGTERM', async () => {
    const [dashCode, pubCode] = await Promise.all([dash.stop(), pub.stop()]);
    expect(dashCode, dash.output()).toBe(0);
    expect(pubCode, pub.output()).toBe(0);
  }, 40_000);
});
