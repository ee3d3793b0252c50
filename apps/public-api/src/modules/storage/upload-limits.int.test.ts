import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultStorageAppConfig } from '@urbackend/common/storage';
import type { TestProject } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';

/** Upload count limited (SECURITY "Resource limits"): one file per multipart upload. */

let h: Harness;
let dir: string;
let project: TestProject;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ub-upload-limits-'));
  const urls = { publicApi: 'http://127.0.0.1:1', dashboard: 'http://localhost:5173' };
  const storage = defaultStorageAppConfig(urls.publicApi, 'x'.repeat(40));
  storage.local = { ...storage.local, dir };
  h = await createHarness('pubuploadlimits', { urls, storage });
  project = await h.project();
});

afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

/** The project's files, as the list route shows them. */
async function storedFiles(): Promise<unknown[]> {
  const res = await request(h.app).get('/api/storage/files').set({ 'x-api-key': project.secretKey }).expect(200);
  return res.body.data.items;
}

const storageUsed = () => h.deps.meter.current(project.projectId, 'storage');
const upload = () => request(h.app).post('/api/storage/upload').set({ 'x-api-key': project.secretKey });

describe('upload count', () => {
  it.each([
    [
      'two parts named file',
      (r: ReturnType<typeof upload>) => r.attach('file', Buffer.from('one'), 'a.txt').attach('file', Buffer.from('two'), 'b.txt'),
    ],
    [
      'a file under another field name',
      (r: ReturnType<typeof upload>) =>
        r.attach('file', Buffer.from('one'), 'a.txt').attach('other', Buffer.from('two'), 'b.txt'),
    ],
    ['only a file under another field name', (r: ReturnType<typeof upload>) => r.attach('avatar', Buffer.from('two'), 'b.txt')],
  ])('refuses %s with a 400 in the envelope, storing and charging nothing', async (_name, build) => {
    const res = await build(upload());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, error: expect.stringMatching(/one file/i), code: 400 });
    expect(await storedFiles()).toEqual([]);
    expect(await storageUsed()).toBe(0);
  });

  it('refuses a truncated multipart body with a 400 in the envelope', async () => {
    const res = await upload()
      .set('content-type', 'multipart/form-data; boundary=XYZ')
      .send('--XYZ\r\ncontent-disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: 400 });
    expect(await storedFiles()).toEqual([]);
  });

  it('still accepts one file with ordinary text fields', async () => {
    const res = await upload().field('note', 'hello').attach('file', Buffer.from('one'), 'a.txt');
    expect(res.status).toBe(201);
    expect(await storedFiles()).toHaveLength(1);
    expect(await storageUsed()).toBe(3);
  });
});
