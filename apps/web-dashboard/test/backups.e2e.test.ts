/**
 * Project backup → clone on a second, fresh platform (another database, another ENCRYPTION_KEY,
 * another storage directory) → the official SDK reads the same documents, end users log in with
 * their old passwords, files download with the same bytes, RLS and webhooks behave the same, the
 * clone's keys are new. And restore in place: delete data → restore → data and usage back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type SmtpSink,
  type TestPlatform,
  createTestPlatform,
  startSmtpSink,
  testRedisEnv,
  waitFor,
} from '@urbackend/common/testing';
import { SIGNATURE_HEADER, verifySignature } from '@urbackend/common/webhooks';
import urBackend from '@urbackend/sdk';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp as createDashboardApp } from '../../dashboard-api/src/app.js';
import { loadDashboardConfig } from '../../dashboard-api/src/config.js';
import { createDeps as createDashboardDeps } from '../../dashboard-api/src/deps.js';
import { createApp as createPublicApp } from '../../public-api/src/app.js';
import { loadPublicConfig } from '../../public-api/src/config.js';
import { createDeps as createPublicDeps } from '../../public-api/src/deps.js';

type Doc = Record<string, unknown>;

interface Instance {
  platform: TestPlatform;
  dash: ReturnType<typeof createDashboardApp>;
  dashDeps: ReturnType<typeof createDashboardDeps>;
  publicUrl: string;
  close(): Promise<void>;
}

async function listenOn(app: { listen(port: number, host: string, cb: () => void): Server }): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** One platform: its own database, Redis prefix, secrets and storage directory; both APIs in-process. */
async function startInstance(label: string, smtpUrl: string): Promise<Instance> {
  const platform = await createTestPlatform(label);
  const storageDir = await mkdtemp(path.join(tmpdir(), `ub-${label}-`));
  // The public API's URL is part of its config (local file URLs): reserve a port first.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const publicUrl = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: platform.mongoUri,
    ...testRedisEnv(),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    DASHBOARD_URL: 'http://127.0.0.1:5173',
    PUBLIC_API_URL: publicUrl,
    SMTP_URL: smtpUrl,
    ALLOW_PRIVATE_TARGETS: 'true',
    STORAGE_DIR: storageDir,
    PLAN_LIMITS: JSON.stringify({ free: { reqPerMinute: -1, reqPerDay: -1 }, pro: { reqPerMinute: -1 } }),
    WEBHOOK_RETRY_DELAYS_MS: '100,100',
  };
  const overrides = { db: platform.db, cache: platform.cache };
  const dashDeps = createDashboardDeps(loadDashboardConfig(env), platform.logger, overrides);
  const publicDeps = createPublicDeps(loadPublicConfig(env), platform.logger, overrides);
  await dashDeps.startup();
  publicDeps.start();
  const publicServer = createPublicApp(publicDeps).listen(port, '127.0.0.1');
  await new Promise((r) => publicServer.once('listening', r));
  return {
    platform,
    dash: createDashboardApp(dashDeps),
    dashDeps,
    publicUrl,
    async close() {
      publicServer.closeAllConnections();
      await new Promise((r) => publicServer.close(r));
      await Promise.allSettled([dashDeps.close(), publicDeps.close()]);
      await platform.cleanup();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

/** A verified developer on the pro plan (webhooks need it); returns the bearer token. */
async function developer(inst: Instance, sink: SmtpSink): Promise<string> {
  const email = `dev-${randomBytes(4).toString('hex')}@example.com`;
  const since = sink.messages.length;
  await request(inst.dash).post('/api/auth/register').send({ email, password: 'correct-horse-1' }).expect(201);
  const otp = await sink.otpFor(email, { since });
  const res = await request(inst.dash).post('/api/auth/verify-otp').send({ email, otp }).expect(200);
  await inst.dashDeps.models.Developer.updateOne({ email }, { $set: { plan: 'pro' } });
  return res.body.accessToken as string;
}

/** A webhook receiver: every request body with its signature. */
const received: { body: string; signature: string | undefined }[] = [];
let hookServer: Server;
let hookUrl: string;

let sink: SmtpSink;
let a: Instance;
let b: Instance;
let tokenA: string;
let tokenB: string;
let pid: string;
let projectName: string;
let keys: { publishableKey: string; secretKey: string };
const users = [
  { email: 'alice@example.com', password: 'alice-pass-1' },
  { email: 'bob@example.com', password: 'bob-pass-2' },
];
const fileBytes = randomBytes(50_000);
let filePath: string;

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const byId = (docs: unknown[]) => [...(docs as Doc[])].sort((x, y) => String(x._id).localeCompare(String(y._id)));

async function readAll(baseUrl: string, apiKey: string, collection: string) {
  return byId(await urBackend({ apiKey, baseUrl }).db.getAll(collection, { limit: 100 } as never));
}

async function download(baseUrl: string, key: string): Promise<Buffer> {
  const res = await fetch(`${baseUrl}/api/storage/files/${key}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function signUpVerified(baseUrl: string, pk: string, u: { email: string; password: string }) {
  const client = urBackend({ apiKey: pk, baseUrl });
  const since = sink.messages.length;
  await client.auth.signUp({ email: u.email, password: u.password });
  const otp = await sink.otpFor(u.email, { since, subject: /Verify your account/ });
  await client.auth.verifyEmail({ email: u.email, otp });
  await client.auth.login(u);
  return client;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  hookServer = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ body, signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
  a = await startInstance('backup-a', sink.url);
  b = await startInstance('backup-b', sink.url);
  tokenA = await developer(a, sink);
  tokenB = await developer(b, sink);

  // The source project: auth on, users, three collections (unique, refs, nested, RLS), a file, a webhook.
  projectName = `Shop ${randomBytes(2).toString('hex')}`;
  const created = await request(a.dash).post('/api/projects').set(auth(tokenA)).send({ name: projectName }).expect(201);
  pid = created.body._id;
  keys = { publishableKey: created.body.publishableKey, secretKey: created.body.secretKey };
  const collection = (name: string, schema: unknown[]) =>
    request(a.dash).post(`/api/projects/${pid}/collections`).set(auth(tokenA)).send({ name, schema }).expect(201);
  await collection('users', [
    { key: 'email', type: 'String', required: true },
    { key: 'password', type: 'String', required: true },
  ]);
  await collection('authors', [
    { key: 'name', type: 'String', required: true },
    { key: 'email', type: 'String', required: true, unique: true },
  ]);
  await collection('posts', [
    { key: 'title', type: 'String', required: true },
    { key: 'author', type: 'Ref', ref: 'authors' },
    {
      key: 'meta',
      type: 'Object',
      fields: [
        { key: 'tags', type: 'Array', items: { type: 'String' } },
        { key: 'views', type: 'Number' },
      ],
    },
    { key: 'publishedAt', type: 'Date' },
  ]);
  await collection('notes', [
    { key: 'text', type: 'String', required: true },
    { key: 'userId', type: 'String' },
  ]);
  await request(a.dash)
    .patch(`/api/projects/${pid}/collections/notes/rls`)
    .set(auth(tokenA))
    .send({ enabled: true, mode: 'private', ownerField: 'userId' })
    .expect(200);
  await request(a.dash).patch(`/api/projects/${pid}/auth/toggle`).set(auth(tokenA)).send({ enable: true }).expect(200);

  const sk = urBackend({ apiKey: keys.secretKey, baseUrl: a.publicUrl });
  const ursula = (await sk.db.insert('authors', { name: 'Ursula', email: 'ursula@example.com' })) as unknown as Doc;
  await sk.db.insert('authors', { name: 'Terry', email: 'terry@example.com' });
  for (const [i, title] of ['Earthsea', 'Lathe', 'Dispossessed'].entries()) {
    await sk.db.insert('posts', {
      title,
      author: ursula._id,
      meta: { tags: ['sf', `t${i}`], views: i * 10 },
      publishedAt: new Date(Date.UTC(1970 + i, 0, 1)).toISOString(),
    });
  }
  for (const u of users) {
    const client = await signUpVerified(a.publicUrl, keys.publishableKey, u);
    await client.db.insert('notes', { text: `note of ${u.email}` });
  }
  const uploaded = await sk.storage.upload(fileBytes, 'photo.bin');
  filePath = uploaded.path;
  await request(a.dash)
    .post(`/api/projects/${pid}/webhooks`)
    .set(auth(tokenA))
    .send({ name: 'posts hook', url: hookUrl, events: { posts: { insert: true } } })
    .expect(201);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await Promise.allSettled([sink?.close(), new Promise((r) => hookServer?.close(r))]);
});

describe('project backup → clone on another platform', () => {
  it('clones with identical documents, old passwords, same file bytes, same RLS and webhooks, new keys', async () => {
    const made = await request(a.dash).post(`/api/projects/${pid}/backups`).set(auth(tokenA)).expect(201);
    expect(made.body.data.counts).toMatchObject({ collections: 4, users: 2, files: 1, webhooks: 1 });
    const list = await request(a.dash).get(`/api/projects/${pid}/backups`).set(auth(tokenA)).expect(200);
    expect(list.body.data.items).toHaveLength(1);
    expect(list.body.data.items[0].size).toBeGreaterThan(fileBytes.length / 2);
    const archive = await request(a.dash)
      .get(`/api/projects/${pid}/backups/${made.body.data._id}/download`)
      .set(auth(tokenA))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const bytes = archive.body as Buffer;
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    // Never API keys or plain-text secrets in the archive.
    const { gunzipSync } = await import('node:zlib');
    const text = gunzipSync(bytes).toString('utf8');
    expect(text).not.toContain(keys.secretKey);
    expect(text).not.toContain(keys.publishableKey);
    expect(text).not.toContain('whsec_');
    expect(text).toContain('"type":"manifest"');

    // Clone on platform B (fresh database, another ENCRYPTION_KEY): upload the file.
    const cloned = await request(b.dash)
      .post('/api/projects/clone?name=Shop%20copy')
      .set(auth(tokenB))
      .set('Content-Type', 'application/gzip')
      .send(bytes)
      .expect(201);
    const clone = cloned.body.data;
    expect(clone.project.name).toBe('Shop copy');
    expect(clone.publishableKey).toMatch(/^pk_live_/);
    expect(clone.secretKey).not.toBe(keys.secretKey);
    expect(clone.publishableKey).not.toBe(keys.publishableKey);
    expect(clone.report).toMatchObject({
      mode: 'clone',
      collections: 4,
      users: 2,
      files: 1,
      webhooks: 1,
      secrets: 'unavailable',
    });
    expect(clone.report.newWebhookSecrets).toHaveLength(1);
    const cpid = clone.project._id as string;

    // SDK reads: identical documents.
    for (const [c, n] of [
      ['authors', 2],
      ['posts', 3],
    ] as const) {
      const source = await readAll(a.publicUrl, keys.secretKey, c);
      expect(source).toHaveLength(n);
      expect(await readAll(b.publicUrl, clone.secretKey, c)).toEqual(source);
    }
    const populated = await urBackend({ apiKey: clone.secretKey, baseUrl: b.publicUrl }).db.getAll('posts', {
      populate: 'author',
    } as never);
    expect((populated[0] as unknown as { author: Doc }).author.name).toBe('Ursula');

    // End users log in with their old passwords; RLS: each sees only their own note.
    for (const u of users) {
      const onA = urBackend({ apiKey: keys.publishableKey, baseUrl: a.publicUrl });
      const onB = urBackend({ apiKey: clone.publishableKey, baseUrl: b.publicUrl });
      await onA.auth.login(u);
      await onB.auth.login(u);
      const notesB = byId(await onB.db.getAll('notes'));
      expect(notesB).toEqual(byId(await onA.db.getAll('notes')));
      expect(notesB.map((n) => n.text)).toEqual([`note of ${u.email}`]);
    }
    await expect(
      urBackend({ apiKey: clone.publishableKey, baseUrl: b.publicUrl }).auth.login({
        email: users[0]?.email as string,
        password: 'wrong-pass-9',
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(urBackend({ apiKey: clone.publishableKey, baseUrl: b.publicUrl }).db.getAll('notes')).rejects.toMatchObject({
      statusCode: 401,
    });
    // Unique values still unique on the clone.
    await expect(
      urBackend({ apiKey: clone.secretKey, baseUrl: b.publicUrl }).db.insert('authors', {
        name: 'X',
        email: 'ursula@example.com',
      }),
    ).rejects.toMatchObject({ statusCode: 409 });

    // Files: same bytes under the clone's prefix.
    const relative = filePath.slice(pid.length + 1);
    expect(await download(b.publicUrl, `${cpid}/${relative}`)).toEqual(fileBytes);
    const filesB = await request(b.dash).get(`/api/projects/${cpid}/storage/files`).set(auth(tokenB)).expect(200);
    expect(filesB.body.data?.items ?? filesB.body.items).toHaveLength(1);

    // Webhooks: an insert on the clone is delivered, signed with the clone's new secret.
    const before = received.length;
    await urBackend({ apiKey: clone.secretKey, baseUrl: b.publicUrl }).db.insert('posts', { title: 'On the clone' });
    await waitFor(() => received.slice(before).some((r) => r.body.includes('On the clone')), { timeoutMs: 15_000 });
    const hit = received.slice(before).find((r) => r.body.includes('On the clone'));
    expect(JSON.parse(hit?.body ?? '{}')).toMatchObject({ event: 'posts.insert', projectId: cpid });
    expect(verifySignature(clone.report.newWebhookSecrets[0].secret, hit?.body ?? '', hit?.signature)).toBe(true);

    // The clone's keys are new: the source project's keys are refused by the clone.
    await expect(urBackend({ apiKey: keys.secretKey, baseUrl: b.publicUrl }).db.getAll('authors')).rejects.toMatchObject({
      statusCode: 401,
    });

    // Usage on the clone matches the source.
    const projA = await request(a.dash).get(`/api/projects/${pid}`).set(auth(tokenA)).expect(200);
    expect(clone.report.usage.storageUsed).toBe(fileBytes.length);
    expect(projA.body.storageUsed ?? projA.body.data?.storageUsed).toBe(fileBytes.length);
  });

  it('restores in place: deleted data, files and users come back and usage counters are right', async () => {
    const sk = urBackend({ apiKey: keys.secretKey, baseUrl: a.publicUrl });
    const meter = a.dashDeps.meter;
    const authorsBefore = await readAll(a.publicUrl, keys.secretKey, 'authors');
    const postsBefore = await readAll(a.publicUrl, keys.secretKey, 'posts');
    const dbBefore = await meter.reconcile(pid, 'db');
    const made = await request(a.dash).post(`/api/projects/${pid}/backups`).set(auth(tokenA)).expect(201);

    // Damage: delete documents (to the trash and permanently), a file, add a stray document.
    await sk.db.delete('authors', String(authorsBefore[0]?._id));
    await request(a.dash)
      .delete(`/api/projects/${pid}/collections/posts/data/${String(postsBefore[0]?._id)}?permanent=true`)
      .set(auth(tokenA))
      .expect(200);
    await sk.db.insert('posts', { title: 'Stray' });
    await request(a.dash).post(`/api/projects/${pid}/storage/delete`).set(auth(tokenA)).send({ path: filePath }).expect(200);
    expect(await meter.current(pid, 'storage')).toBe(0);

    // Typed-name confirmation; viewers and admins cannot restore (owner only: the route table test).
    await request(a.dash)
      .post(`/api/projects/${pid}/backups/${made.body.data._id}/restore`)
      .set(auth(tokenA))
      .send({ confirm: 'nope' })
      .expect(400);
    const restored = await request(a.dash)
      .post(`/api/projects/${pid}/backups/${made.body.data._id}/restore`)
      .set(auth(tokenA))
      .send({ confirm: projectName })
      .expect(200);
    expect(restored.body.data).toMatchObject({ mode: 'replace', secrets: 'restored', newWebhookSecrets: [] });

    expect(await readAll(a.publicUrl, keys.secretKey, 'authors')).toEqual(authorsBefore);
    expect(await readAll(a.publicUrl, keys.secretKey, 'posts')).toEqual(postsBefore);
    expect(await download(a.publicUrl, filePath)).toEqual(fileBytes);
    // Keys unchanged; users log in with their passwords.
    await urBackend({ apiKey: keys.publishableKey, baseUrl: a.publicUrl }).auth.login(users[1] as never);
    // The trash was replaced with the backup's state (empty), so usage equals the backup's data.
    const trash = await request(a.dash).get(`/api/projects/${pid}/collections/authors/trash`).set(auth(tokenA)).expect(200);
    expect(trash.body.data.total).toBe(0);
    expect(await meter.current(pid, 'storage')).toBe(fileBytes.length);
    expect(await meter.current(pid, 'db')).toBe(dbBefore);
    expect(restored.body.data.usage).toEqual({ databaseUsed: dbBefore, storageUsed: fileBytes.length });

    // Recorded in the config log.
    const log = await request(a.dash).get(`/api/projects/${pid}/config-logs`).set(auth(tokenA)).expect(200);
    const labels = JSON.stringify(log.body);
    expect(labels).toContain('Backup restored');
    expect(labels).toContain('Backup created');

    // Clone from an existing backup on the same instance: the sealed secrets are readable here.
    const sameInstance = await request(a.dash)
      .post('/api/projects/clone')
      .set(auth(tokenA))
      .send({ backupId: made.body.data._id })
      .expect(201);
    expect(sameInstance.body.data.report).toMatchObject({ mode: 'clone', secrets: 'restored', newWebhookSecrets: [] });
    expect(sameInstance.body.data.project.name).toBe(`${projectName} (clone)`);
    expect(await readAll(a.publicUrl, sameInstance.body.data.secretKey, 'authors')).toEqual(authorsBefore);
    // Another developer cannot clone someone else's backup.
    const stranger = await developer(a, sink);
    await request(a.dash).post('/api/projects/clone').set(auth(stranger)).send({ backupId: made.body.data._id }).expect(404);

    // Delete a backup (owner).
    await request(a.dash).delete(`/api/projects/${pid}/backups/${made.body.data._id}`).set(auth(tokenA)).expect(200);
    const list = await request(a.dash).get(`/api/projects/${pid}/backups`).set(auth(tokenA)).expect(200);
    expect(list.body.data.items.map((i: { _id: string }) => i._id)).not.toContain(made.body.data._id);
  });

  it('refuses an archive that is not a backup, or a damaged one, without creating a project', async () => {
    const count = await b.dashDeps.models.Project.countDocuments({});
    await request(b.dash)
      .post('/api/projects/clone')
      .set(auth(tokenB))
      .set('Content-Type', 'application/gzip')
      .send(Buffer.from('hello'))
      .expect(400);
    expect(await b.dashDeps.models.Project.countDocuments({})).toBe(count);
  });
});
