/**
 * Scale-out: one dashboard-api and two public-api processes on one MongoDB-compatible server and one
 * Redis, driven over HTTP the way a load balancer would spread an app's requests. Limits must hold
 * across the processes, the counters must equal what is stored (also after Redis lost them), and a
 * plan change must reach both processes within a second.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedisConnection } from '@urbackend/common/cache';
import { createLogger } from '@urbackend/common/logger';
import {
  type SmtpSink,
  deleteRedisKeys,
  startSmtpSink,
  testRedisConfig,
  testServices,
  uniqueTestName,
  waitFor,
  withDatabase,
} from '@urbackend/common/testing';
import { documentBytes } from '@urbackend/common/validation';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, json, stackEnv, startApi } from './stack.js';

const DB_LIMIT = 20_000;
const STORAGE_LIMIT = 300_000;
const MAIL_LIMIT = 60;
const prefix = `${uniqueTestName('scale')}:`;
const mongoUri = withDatabase(testServices().mongoUri, uniqueTestName('scale'));
const admin = { email: `root-${randomBytes(3).toString('hex')}@example.com`, password: 'root-password-1' };
const redis = createRedisConnection({
  ...testRedisConfig(),
  commandTimeoutMs: 1000,
  keyPrefix: prefix,
  logger: createLogger({ name: 'scale-test', level: 'silent' }),
});

let sink: SmtpSink;
let storageDir: string;
let dash: ApiProcess;
let pubs: ApiProcess[];
let devToken = '';
let adminToken = '';
let devId = '';

const d = (p: string, init: Parameters<typeof json>[1] = {}, token = devToken) =>
  json(`${dash.baseUrl}/api${p}`, { token, ...init });
/** Request `i` goes to process `i % 2`, as a round-robin load balancer would send it. */
const pub = (i: number) => pubs[i % pubs.length] as ApiProcess;

/** Deletes every Redis key of this run (on every primary of a cluster run): what a FLUSHALL would do to it. */
async function flushRedis(): Promise<void> {
  const client = redis.client;
  if (!client) throw new Error('this test needs Redis');
  if (!(await redis.waitUntilReady(3000))) throw new Error('the test Redis is not connected');
  await deleteRedisKeys(client, prefix);
}

async function newProject(name: string) {
  const created = await d('/projects', { body: { name } });
  expect(created.status).toBe(201);
  const body = created.body as { _id: string; secretKey: string; publishableKey: string };
  return { id: body._id, sk: body.secretKey, pk: body.publishableKey };
}

async function usage(projectId: string) {
  const res = await d(`/projects/${projectId}`);
  expect(res.status).toBe(200);
  return res.body as { databaseUsed: number; storageUsed: number };
}

beforeAll(async () => {
  expect(testServices().redisMode, 'the scale-out test needs Redis').toBeTruthy();
  sink = await startSmtpSink();
  storageDir = await mkdtemp(path.join(tmpdir(), 'ub-scale-'));
  const env = {
    ...stackEnv({ mongoUri, smtpUrl: sink.url, storageDir }),
    REDIS_KEY_PREFIX: prefix,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    PLAN_LIMITS: JSON.stringify({
      free: {
        maxProjects: 10,
        reqPerMinute: -1,
        reqPerDay: -1,
        mongoBytes: DB_LIMIT,
        storageBytes: STORAGE_LIMIT,
        mailPerMonth: MAIL_LIMIT,
      },
      roomy: { maxProjects: 10, reqPerMinute: -1, reqPerDay: -1, mongoBytes: 10_000_000 },
    }),
  };
  [dash, ...pubs] = await Promise.all([startApi('dashboard-api', env), startApi('public-api', env), startApi('public-api', env)]);
  const email = `dev-${randomBytes(3).toString('hex')}@example.com`;
  await d('/auth/register', { body: { email, password: 'correct-horse-1' } });
  const otp = await sink.otpFor(email);
  const verified = await d('/auth/verify-otp', { body: { email, otp } });
  devToken = (verified.body as { accessToken: string }).accessToken;
  devId = (verified.body as { user: { _id: string } }).user._id;
  // /api/health answers before the dashboard's start-up tasks (indexes, then the ADMIN_EMAIL account)
  // are done; under load the admin may not exist yet. Wait for it in the database rather than retry
  // logins, which count towards the account's failed-login limit.
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  try {
    await waitFor(() => conn.collection('developers').findOne({ email: admin.email, isAdmin: true }), {
      timeoutMs: 60_000,
      intervalMs: 100,
      message: () => `the admin account created at dashboard start-up; dashboard-api output:\n${dash.output()}`,
    });
  } finally {
    await conn.close();
  }
  const login = await d('/auth/login', { body: admin }, '');
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  adminToken = (login.body as { accessToken: string }).accessToken;
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([dash?.stop(), ...(pubs ?? []).map((p) => p.stop())]);
  await flushRedis().catch(() => undefined);
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  const dbs = (await conn.db?.admin().listDatabases({ nameOnly: true }))?.databases ?? [];
  for (const { name } of dbs)
    if (name.startsWith('ub_') || name === conn.name)
      await conn
        .useDb(name)
        .dropDatabase()
        .catch(() => undefined);
  await conn.close();
  await Promise.allSettled([sink?.close(), rm(storageDir, { recursive: true, force: true }), redis.close()]);
}, 60_000);

describe('two public-api processes share every limit', () => {
  it('10 concurrent bulk inserts never store more than the database quota; the counter equals what is stored, also after Redis lost it', async () => {
    const project = await newProject('bulk');
    const schema = [
      { key: 'title', type: 'String' },
      { key: 'body', type: 'String' },
    ];
    expect((await d(`/projects/${project.id}/collections`, { body: { name: 'items', schema } })).status).toBe(201);
    const batch = Array.from({ length: 5 }, (_, i) => ({ title: `t${i}`, body: 'x'.repeat(500) }));
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        json(`${pub(i).baseUrl}/api/data/items/bulk`, { body: batch, headers: { 'x-api-key': project.sk } }),
      ),
    );
    expect(answers.map((a) => a.status).every((s) => s === 201 || s === 403)).toBe(true);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 403).length).toBeGreaterThan(0);
    const list = await json<{ data: { items: Record<string, unknown>[] } }>(`${pub(0).baseUrl}/api/data/items?limit=100`, {
      headers: { 'x-api-key': project.sk },
    });
    const stored = list.body.data.items.reduce((n, doc) => n + documentBytes(doc), 0);
    expect(stored).toBeLessThanOrEqual(DB_LIMIT);
    expect(list.body.data.items).toHaveLength(answers.filter((a) => a.status === 201).length * batch.length);
    expect((await usage(project.id)).databaseUsed).toBe(stored);
    await flushRedis();
    expect((await usage(project.id)).databaseUsed).toBe(stored);
  });

  it('12 concurrent 60 kB uploads never store more than the storage quota; the counter equals the files, also after Redis lost it', async () => {
    const project = await newProject('uploads');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const form = new FormData();
        form.append('file', new Blob([Buffer.alloc(60_000, i)]), `f${i}.bin`);
        return fetch(`${pub(i).baseUrl}/api/storage/upload`, {
          method: 'POST',
          body: form,
          headers: { 'x-api-key': project.sk },
        });
      }),
    );
    const admitted = answers.filter((a) => a.status === 201).length;
    expect(admitted).toBe(5);
    expect(answers.filter((a) => a.status === 403)).toHaveLength(7);
    const files = await json<{ data: { items: { size: number }[] } }>(`${pub(1).baseUrl}/api/storage/files?limit=100`, {
      headers: { 'x-api-key': project.sk },
    });
    const stored = files.body.data.items.reduce((n, f) => n + f.size, 0);
    expect(stored).toBe(admitted * 60_000);
    expect((await usage(project.id)).storageUsed).toBe(stored);
    await flushRedis();
    expect((await usage(project.id)).storageUsed).toBe(stored);
  });

  it('a plan change reaches both processes within a second (downgrade and upgrade)', async () => {
    const project = await newProject('plans');
    const schema = [{ key: 'body', type: 'String' }];
    expect((await d(`/projects/${project.id}/collections`, { body: { name: 'notes', schema } })).status).toBe(201);
    const big = { body: 'y'.repeat(DB_LIMIT + 100) };
    const insert = (i: number) => json(`${pub(i).baseUrl}/api/data/notes`, { body: big, headers: { 'x-api-key': project.sk } });
    const setPlan = (plan: string) =>
      json(`${dash.baseUrl}/api/admin/developers/${devId}/plan`, { method: 'PATCH', body: { plan }, token: adminToken });
    expect((await Promise.all([insert(0), insert(1)])).map((r) => r.status)).toEqual([403, 403]);
    expect((await setPlan('roomy')).status).toBe(200);
    const started = performance.now();
    await waitFor(async () => (await insert(0)).status === 201 && (await insert(1)).status === 201, {
      timeoutMs: 1000,
      intervalMs: 20,
      message: 'the upgrade applied by both processes',
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await setPlan('free')).status).toBe(200);
    await waitFor(async () => (await insert(0)).status === 403 && (await insert(1)).status === 403, {
      timeoutMs: 1000,
      intervalMs: 20,
      message: 'the downgrade applied by both processes',
    });
  });

  it('a send to 50 recipients costs 50, and an exhausted month stays exhausted after Redis lost its counters', async () => {
    const project = await newProject('mail');
    const send = (i: number, to: string[]) =>
      json<{ data: { monthlyUsage: number } }>(`${pub(i).baseUrl}/api/mail/send`, {
        body: { to, subject: 'hello', text: 'hi' },
        headers: { 'x-api-key': project.sk },
      });
    const fifty = Array.from({ length: 50 }, (_, i) => `r${i}@example.com`);
    const first = await send(0, fifty);
    expect(first.status).toBe(200);
    expect(first.body.data.monthlyUsage).toBe(50);
    expect((await send(1, fifty.slice(0, 10))).body.data.monthlyUsage).toBe(MAIL_LIMIT);
    expect((await send(0, ['one@example.com'])).status).toBe(429);
    await flushRedis();
    expect((await send(1, ['one@example.com'])).status).toBe(429);
  });

  it('a list on one process counts a write answered by the other at once (totals are cached per collection version)', async () => {
    const project = await newProject('totals');
    const schema = [
      { key: 'title', type: 'String' },
      { key: 'done', type: 'Boolean' },
    ];
    expect((await d(`/projects/${project.id}/collections`, { body: { name: 'todos', schema } })).status).toBe(201);
    const headers = { 'x-api-key': project.sk };
    const total = async (i: number, query = '') =>
      (await json<{ data: { total: number } }>(`${pub(i).baseUrl}/api/data/todos?limit=1${query}`, { headers })).body.data.total;
    const open = '&done=false';
    expect([await total(0), await total(1), await total(1, open)]).toEqual([0, 0, 0]);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await json<{ _id: string }>(`${pub(i).baseUrl}/api/data/todos`, {
        body: { title: `t${i}`, done: false },
        headers,
      });
      expect(created.status).toBe(201);
      ids.push(created.body._id);
      expect(await total(i + 1)).toBe(i + 1);
      expect(await total(i + 1, open)).toBe(i + 1);
    }
    const bulk = await json(`${pub(0).baseUrl}/api/data/todos/bulk`, { body: [{ title: 'b1' }, { title: 'b2' }], headers });
    expect(bulk.status).toBe(201);
    expect(await total(1)).toBe(6);
    const patched = await json(`${pub(1).baseUrl}/api/data/todos/${ids[0]}`, { method: 'PATCH', body: { done: true }, headers });
    expect(patched.status).toBe(200);
    expect(await total(0, open)).toBe(3);
    expect((await json(`${pub(0).baseUrl}/api/data/todos/${ids[1]}`, { method: 'DELETE', headers })).status).toBe(200);
    expect([await total(1), await total(1, open)]).toEqual([5, 2]);
    // A row deleted in the dashboard is counted by both public processes too.
    const rows = `/projects/${project.id}/collections/todos/data`;
    expect((await d(`${rows}/${ids[2]}`, { method: 'DELETE' })).status).toBe(200);
    expect([await total(0), await total(1, open)]).toEqual([4, 1]);
  });

  it('aggregates with several accumulators through a real process (the in-product evaluator included)', async () => {
    const project = await newProject('aggregate');
    const schema = [
      { key: 'cat', type: 'String' },
      { key: 'price', type: 'Number' },
    ];
    expect((await d(`/projects/${project.id}/collections`, { body: { name: 'sales', schema } })).status).toBe(201);
    const rows = [
      { cat: 'a', price: 5 },
      { cat: 'a', price: 7 },
      { cat: 'b', price: 1 },
    ];
    const bulk = await json(`${pub(0).baseUrl}/api/data/sales/bulk`, { body: rows, headers: { 'x-api-key': project.sk } });
    expect(bulk.status).toBe(201);
    const pipeline = [
      { $group: { _id: '$cat', total: { $sum: '$price' }, n: { $sum: 1 }, top: { $max: '$price' }, avg: { $avg: '$price' } } },
      { $sort: { _id: 1 } },
    ];
    const res = await json<{ data: unknown[] }>(`${pub(1).baseUrl}/api/data/sales/aggregate`, {
      body: { pipeline },
      headers: { 'x-api-key': project.sk },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { _id: 'a', total: 12, n: 2, top: 7, avg: 6 },
      { _id: 'b', total: 1, n: 1, top: 1, avg: 1 },
    ]);
  });

  it('an OTP mailed through one process still verifies through the other after Redis lost every key', async () => {
    const project = await newProject('otp');
    const users = [
      { key: 'email', type: 'String', required: true },
      { key: 'password', type: 'String', required: true },
    ];
    expect((await d(`/projects/${project.id}/collections`, { body: { name: 'users', schema: users } })).status).toBe(201);
    expect((await d(`/projects/${project.id}/auth/toggle`, { method: 'PATCH', body: { enable: true } })).status).toBe(200);
    const email = `end-${randomBytes(3).toString('hex')}@example.com`;
    const since = sink.messages.length;
    const signup = await json(`${pub(0).baseUrl}/api/userAuth/signup`, {
      body: { email, password: 'end-user-pass-1' },
      headers: { 'x-api-key': project.pk },
    });
    expect(signup.status).toBe(201);
    const otp = await sink.otpFor(email, { since });
    await flushRedis();
    const verified = await json(`${pub(1).baseUrl}/api/userAuth/verify-email`, {
      body: { email, otp },
      headers: { 'x-api-key': project.pk },
    });
    expect(verified.status).toBe(200);
    const login = await json(`${pub(0).baseUrl}/api/userAuth/login`, {
      body: { email, password: 'end-user-pass-1' },
      headers: { 'x-api-key': project.pk },
    });
    expect(login.status).toBe(200);
  });

  it('a signed PUT URL works once, on any process; an unconfirmed upload is not served', async () => {
    const project = await newProject('presign');
    const asked = await json<{ signedUrl: string; filePath: string }>(`${pub(0).baseUrl}/api/storage/upload-request`, {
      body: { filename: 'a.txt', contentType: 'text/plain', size: 5 },
      headers: { 'x-api-key': project.sk },
    });
    expect(asked.status).toBe(200);
    // The URL names the configured public URL; a load balancer may send the PUT to either process.
    const onProcess = (i: number) => {
      const url = new URL(asked.body.signedUrl);
      return `${pub(i).baseUrl}${url.pathname}${url.search}`;
    };
    const put = (i: number, body: string) =>
      fetch(onProcess(i), { method: 'PUT', body, headers: { 'content-type': 'text/plain' } }).then((r) => r.status);
    expect(await put(1, 'first')).toBe(200);
    expect(await put(0, 'again')).toBe(403);
    expect((await fetch(`${pub(0).baseUrl}/api/storage/files/${asked.body.filePath}`)).status).toBe(404);
    const confirm = await json(`${pub(1).baseUrl}/api/storage/upload-confirm`, {
      body: { filePath: asked.body.filePath, size: 5 },
      headers: { 'x-api-key': project.sk },
    });
    expect(confirm.status).toBe(200);
    expect(await (await fetch(`${pub(0).baseUrl}/api/storage/files/${asked.body.filePath}`)).text()).toBe('first');
    expect(await put(1, 'later')).toBe(403);
  });
});
