import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { defaultStorageAppConfig } from '@urbackend/common/storage';
import { type TestProject, createTestUser, signTestUserToken } from '@urbackend/common/testing';
import urBackend from '@urbackend/sdk';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';

const LIMIT = 4096;
const QUOTA = 6000;
let h: Harness;
let server: Server;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ub-public-storage-'));
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const urls = { publicApi: baseUrl, dashboard: 'http://localhost:5173' };
  const storage = {
    ...defaultStorageAppConfig(urls.publicApi, 'x'.repeat(40)),
    uploadLimitBytes: LIMIT,
  };
  storage.local = { ...storage.local, dir };
  h = await createHarness('pubstorage', {
    urls,
    storage,
    plans: { defaultPlan: 'free', overrides: { free: { reqPerMinute: -1, reqPerDay: -1, storageBytes: QUOTA } } },
  });
  server.on('request', h.app);
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

async function storageUsed(projectId: string): Promise<number> {
  return h.deps.meter.current(projectId, 'storage');
}

describe('storage with the official SDK (presigned flow)', () => {
  it('uploads, serves the same bytes at the returned url, deletes and frees the quota', async () => {
    const project = await h.project();
    const client = urBackend({ apiKey: project.secretKey, baseUrl });
    const bytes = Buffer.from('hello from the sdk \u00e9\u00e8');
    const uploaded = (await client.storage.upload(bytes, 'hello world.txt')) as { url: string; path: string; provider: string };
    expect(uploaded.provider).toBe('internal');
    expect(uploaded.path).toMatch(new RegExp(`^${project.projectId}/[0-9a-f-]{36}_hello_world\\.txt$`));
    const res = await fetch(uploaded.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(await storageUsed(project.projectId)).toBe(bytes.length);
    await client.storage.deleteFile(uploaded.path);
    expect(await storageUsed(project.projectId)).toBe(0);
    expect((await fetch(uploaded.url)).status).toBe(404);
  });

  it('charges a confirmation once, even when confirmed twice', async () => {
    const project = await h.project();
    const client = urBackend({ apiKey: project.secretKey, baseUrl });
    const uploaded = (await client.storage.upload(Buffer.alloc(100, 1), 'a.bin')) as { path: string };
    await client.storage.confirmUpload(uploaded.path, 100);
    expect(await storageUsed(project.projectId)).toBe(100);
  });
});

describe('storage routes', () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await h.project();
  });
  const sk = () => ({ 'x-api-key': project.secretKey });

  it('uploads multipart files and serves active content as an attachment', async () => {
    const res = await request(h.app)
      .post('/api/storage/upload')
      .set(sk())
      .attach('file', Buffer.from('<script>alert(1)</script>'), { filename: '../../evil page.html', contentType: 'text/html' })
      .expect(201);
    expect(res.body).toMatchObject({ message: 'File uploaded successfully', provider: 'internal' });
    expect(res.body.path).toMatch(/_evil_page\.html$/);
    const file = await request(h.app).get(new URL(res.body.url).pathname).expect(200);
    expect(file.headers['content-disposition']).toMatch(/^attachment/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toContain('sandbox');
    await request(h.app).post('/api/storage/upload').set(sk()).expect(400);
  });

  it('answers 413 for uploads over the limit (multipart and presigned)', async () => {
    const big = await request(h.app)
      .post('/api/storage/upload')
      .set(sk())
      .attach('file', Buffer.alloc(LIMIT + 1), 'big.bin');
    expect(big.status).toBe(413);
    // The message names the limit (multer stops reading, so the file's own size is unknown there).
    expect(big.body).toEqual({ success: false, error: 'File size exceeds limit. The limit is 4 KB per file.', code: 413 });
    const presign = await request(h.app)
      .post('/api/storage/upload-request')
      .set(sk())
      .send({ filename: 'big.bin', contentType: 'application/octet-stream', size: LIMIT + 1 });
    expect(presign.status).toBe(413);
    expect(presign.body).toEqual({
      success: false,
      error: 'File size exceeds limit. big.bin is 4097 bytes; the limit is 4096 bytes per file.',
      code: 413,
    });
    const huge = await request(h.app)
      .post('/api/storage/upload-request')
      .set(sk())
      .send({ filename: 'photo.jpg', contentType: 'image/jpeg', size: 13_002_342 });
    expect(huge.body.error).toBe('File size exceeds limit. photo.jpg is 12.4 MB; the limit is 4 KB per file.');
  });

  it('enforces the storage quota atomically (403) and releases it on delete', async () => {
    const fresh = await h.project();
    const upload = () =>
      request(h.app)
        .post('/api/storage/upload')
        .set({ 'x-api-key': fresh.secretKey })
        .attach('file', Buffer.alloc(2500, 7), 'q.bin');
    const results = await Promise.all([upload(), upload(), upload(), upload()]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 403, 403]);
    expect(results.find((r) => r.status === 403)?.body.error).toBe(
      'Storage limit exceeded. Please upgrade your plan or delete some files.',
    );
    expect(await storageUsed(fresh.projectId)).toBe(5000);
    const over = await request(h.app)
      .post('/api/storage/upload-request')
      .set({ 'x-api-key': fresh.secretKey })
      .send({ filename: 'x', contentType: 'text/plain', size: 1001 });
    expect(over.status).toBe(403);
    const first = results.find((r) => r.status === 201)?.body.path as string;
    await request(h.app).delete('/api/storage/file').set({ 'x-api-key': fresh.secretKey }).send({ path: first }).expect(200);
    expect(await storageUsed(fresh.projectId)).toBe(2500);
  });

  it.each([
    ['a parent-directory path', (pid: string) => `${pid}/../other/x`],
    ['an encoded traversal', (pid: string) => `${pid}%2F..%2F..%2Fx`],
    ['another project', () => '665f1c2a9b1e8a0012345678/file.txt'],
  ])('refuses %s on delete and confirm with 403', async (_name, make) => {
    const p = make(project.projectId);
    const del = await request(h.app).delete('/api/storage/file').set(sk()).send({ path: p });
    expect(del.status).toBe(403);
    const confirm = await request(h.app).post('/api/storage/upload-confirm').set(sk()).send({ filePath: p, size: 1 });
    expect(confirm.status).toBe(403);
  });

  it('answers 409 when confirming an upload that never arrived', async () => {
    const res = await request(h.app)
      .post('/api/storage/upload-confirm')
      .set(sk())
      .send({ filePath: `${project.projectId}/00000000-0000-0000-0000-000000000000_none.txt`, size: 3 });
    expect(res.status).toBe(409);
  });

  it('lists files and deletes them all with the secret key only', async () => {
    const listed = await request(h.app).get('/api/storage/files').set(sk()).expect(200);
    expect(listed.body.data.items.length).toBeGreaterThan(0);
    await request(h.app).delete('/api/storage/all').set({ 'x-api-key': project.publishableKey }).expect(403);
    const res = await request(h.app).delete('/api/storage/all').set(sk()).expect(200);
    expect(res.body).toMatchObject({ success: true, provider: 'internal' });
    expect(res.body.deleted).toBeGreaterThan(0);
    expect(await storageUsed(project.projectId)).toBe(0);
  });
});

describe('publishable-key uploads', () => {
  it('are refused (403) unless the project enables them, then confined to the user folder', async () => {
    const project = await h.project();
    const body = { filename: 'a.txt', contentType: 'text/plain', size: 3 };
    const denied = await request(h.app)
      .post('/api/storage/upload-request')
      .set({ 'x-api-key': project.publishableKey })
      .send(body);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('Forbidden. This action requires a Secret Key (sk_live_...).');

    await h.deps.models.Project.updateOne(
      { _id: project.projectId },
      { $set: { allowPublishableUploads: true }, $inc: { configVersion: 1 } },
    );
    const enabled = await h.project();
    await h.deps.models.Project.updateOne({ _id: enabled.projectId }, { $set: { allowPublishableUploads: true } });
    const pk = { 'x-api-key': enabled.publishableKey };
    await request(h.app).post('/api/storage/upload-request').set(pk).send(body).expect(401);

    const tenant = h.platform.db.tenantDb(enabled.projectId);
    const alice = await createTestUser(tenant);
    const bob = await createTestUser(tenant);
    const asAlice = { ...pk, authorization: `Bearer ${signTestUserToken(enabled, alice)}` };
    const asBob = { ...pk, authorization: `Bearer ${signTestUserToken(enabled, bob)}` };
    const up = await request(h.app)
      .post('/api/storage/upload')
      .set(asAlice)
      .attach('file', Buffer.from('abc'), 'a.txt')
      .expect(201);
    expect(up.body.path.startsWith(`${enabled.projectId}/users/${alice}/`)).toBe(true);
    await request(h.app).delete('/api/storage/file').set(asBob).send({ path: up.body.path }).expect(403);
    await request(h.app).delete('/api/storage/file').set(asAlice).send({ path: up.body.path }).expect(200);
  });
});

describe('presigned uploads are single-use and reserved until confirmed', () => {
  const put = (url: string, body: Buffer, type = 'text/plain') =>
    fetch(url, { method: 'PUT', body, headers: { 'content-type': type } });
  const ask = (key: string, size: number) =>
    request(h.app)
      .post('/api/storage/upload-request')
      .set('x-api-key', key)
      .send({ filename: 'once.txt', contentType: 'text/plain', size })
      .expect(200);

  it('reserves the declared size at request, accepts the PUT once, and never serves or lists an unconfirmed upload', async () => {
    const project = await h.project();
    const { signedUrl, filePath } = (await ask(project.secretKey, 5)).body;
    expect(await storageUsed(project.projectId)).toBe(5);
    expect((await put(signedUrl, Buffer.from('first'))).status).toBe(200);
    const url = `${baseUrl}/api/storage/files/${filePath}`;
    expect((await fetch(url)).status).toBe(404);
    const listed = await request(h.app).get('/api/storage/files').set('x-api-key', project.secretKey).expect(200);
    expect(listed.body.data.items).toEqual([]);
    const replay = await put(signedUrl, Buffer.from('again'));
    expect(replay.status).toBe(403);
    await request(h.app)
      .post('/api/storage/upload-confirm')
      .set('x-api-key', project.secretKey)
      .send({ filePath, size: 5 })
      .expect(200);
    expect(await (await fetch(url)).text()).toBe('first');
    expect((await put(signedUrl, Buffer.from('later'))).status).toBe(403);
    expect(await (await fetch(url)).text()).toBe('first');
    expect(await storageUsed(project.projectId)).toBe(5);
  });

  it('refuses a PUT after the file was deleted (the file does not come back)', async () => {
    const project = await h.project();
    const { signedUrl, filePath } = (await ask(project.secretKey, 5)).body;
    await put(signedUrl, Buffer.from('hello'));
    await request(h.app)
      .post('/api/storage/upload-confirm')
      .set('x-api-key', project.secretKey)
      .send({ filePath, size: 5 })
      .expect(200);
    await request(h.app).delete('/api/storage/file').set('x-api-key', project.secretKey).send({ path: filePath }).expect(200);
    expect((await put(signedUrl, Buffer.from('ghost'))).status).toBe(403);
    expect((await fetch(`${baseUrl}/api/storage/files/${filePath}`)).status).toBe(404);
    expect(await storageUsed(project.projectId)).toBe(0);
  });

  it('accepts exactly one of concurrent PUTs of one URL', async () => {
    const project = await h.project();
    const { signedUrl } = (await ask(project.secretKey, 5)).body;
    const statuses = await Promise.all(
      ['aaaaa', 'bbbbb', 'ccccc', 'ddddd'].map((b) => put(signedUrl, Buffer.from(b)).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(3);
  });

  it('refuses requests over the quota at request time, and frees an expired reservation with its bytes', async () => {
    const project = await h.project();
    const big = await request(h.app)
      .post('/api/storage/upload-request')
      .set('x-api-key', project.secretKey)
      .send({ filename: 'a.bin', contentType: 'application/octet-stream', size: LIMIT });
    expect(big.status).toBe(200);
    const over = await request(h.app)
      .post('/api/storage/upload-request')
      .set('x-api-key', project.secretKey)
      .send({ filename: 'b.bin', contentType: 'application/octet-stream', size: QUOTA - LIMIT + 1 });
    expect(over.status).toBe(403);
    await put(big.body.signedUrl, Buffer.alloc(LIMIT, 7), 'application/octet-stream');
    // Expire it, then run the sweep every process schedules.
    await h.deps.models.PendingUpload.updateOne({ key: big.body.filePath }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await h.deps.storage.service.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await storageUsed(project.projectId)).toBe(0);
    expect(await h.deps.models.PendingUpload.countDocuments({ projectId: project.projectId })).toBe(0);
    expect(await h.deps.storage.manager.platform.stat(big.body.filePath)).toBeNull();
  });
});
