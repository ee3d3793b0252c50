import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SupabaseStandIn, startSupabaseStandIn } from '../../test/supabase-stand-in.js';
import { toAppError } from '../errors/index.js';
import { LOCAL_FILES_PATH, LOCAL_UPLOAD_PATH, type LocalStorageDriver, createLocalDriver } from './local-driver.js';
import { createS3Driver } from './s3-driver.js';
import { createSupabaseDriver } from './supabase-driver.js';
import type { StorageDriver } from './types.js';

let tmp: string;
let s3: { close(): Promise<void> };
let s3Port: number;
let supabase: SupabaseStandIn;
let localServer: Server;
let local: LocalStorageDriver;

/** The public API's local routes, reduced to plain node:http for this driver-level test. */
function serveLocal(driver: () => LocalStorageDriver): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const fail = (err: unknown) => {
      const e = toAppError(err);
      res.writeHead(e.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e.message }));
    };
    if (req.method === 'PUT' && url.pathname === LOCAL_UPLOAD_PATH) {
      driver()
        .acceptPresignedPut(Object.fromEntries(url.searchParams), req)
        .then(() => res.writeHead(200).end())
        .catch(fail);
      return;
    }
    const key = decodeURIComponent(url.pathname.slice(LOCAL_FILES_PATH.length + 1));
    driver()
      .read(key)
      .then((content) => {
        if (!content) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': content.contentType, 'content-length': content.size });
        content.stream.pipe(res);
      })
      .catch(fail);
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ub-storage-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: path.join(tmp, 's3'),
    configureBuckets: [{ name: 'files' }],
  });
  const address = (await server.run()) as AddressInfo;
  s3 = server;
  s3Port = address.port;
  supabase = await startSupabaseStandIn('files');
  localServer = serveLocal(() => local);
  await new Promise<void>((resolve) => localServer.listen(0, '127.0.0.1', resolve));
  const { port } = localServer.address() as AddressInfo;
  local = createLocalDriver({
    dir: path.join(tmp, 'local'),
    baseUrl: `http://127.0.0.1:${port}`,
    signingSecret: 'test-signing-secret',
  });
});

afterAll(async () => {
  await Promise.allSettled([s3.close(), supabase.close(), new Promise((r) => localServer.close(r))]);
  await rm(tmp, { recursive: true, force: true });
});

const drivers: [string, () => StorageDriver][] = [
  ['local', () => local],
  [
    's3 (s3rver)',
    () =>
      createS3Driver({
        bucket: 'files',
        region: 'us-east-1',
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        endpoint: `http://127.0.0.1:${s3Port}`,
        forcePathStyle: true,
      }),
  ],
  ['supabase (local stand-in)', () => createSupabaseDriver({ url: supabase.url, key: supabase.key, bucket: supabase.bucket })],
];

describe.each(drivers)('storage driver contract: %s', (_name, make) => {
  const project = `p${Math.random().toString(16).slice(2, 10)}`;

  it('stores an object, reports its size and serves the same bytes at its public URL', async () => {
    const driver = make();
    const body = Buffer.from('hello storage driver');
    await driver.put(`${project}/a/hello.txt`, body, 'text/plain');
    const stat = await driver.stat(`${project}/a/hello.txt`);
    expect(stat).toMatchObject({ key: `${project}/a/hello.txt`, size: body.length });
    const url = driver.publicUrl(`${project}/a/hello.txt`);
    expect(url).toBeTruthy();
    const res = await fetch(url as string);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    // `get` (project backups) reads the same bytes through the driver.
    expect((await driver.get(`${project}/a/hello.txt`))?.equals(body)).toBe(true);
  });

  it('returns null for a missing object and ignores deleting one', async () => {
    const driver = make();
    expect(await driver.stat(`${project}/missing.bin`)).toBeNull();
    expect(await driver.get(`${project}/missing.bin`)).toBeNull();
    await expect(driver.delete(`${project}/missing.bin`)).resolves.toBeUndefined();
  });

  it('accepts a PUT of the declared bytes to a presigned URL (the SDK flow)', async () => {
    const driver = make();
    const body = Buffer.from('{"presigned":true}');
    const key = `${project}/presigned.json`;
    const { signedUrl } = await driver.presignPut(key, {
      contentType: 'application/json',
      size: body.length,
      expiresInSeconds: 60,
    });
    const put = await fetch(signedUrl, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body });
    expect(put.status).toBe(200);
    expect((await driver.stat(key))?.size).toBe(body.length);
    const res = await fetch(driver.publicUrl(key) as string);
    expect(await res.text()).toBe(body.toString());
  });

  it('lists objects recursively under a prefix, with paging', async () => {
    const driver = make();
    await driver.put(`${project}/users/u1/one.txt`, Buffer.from('1'), 'text/plain');
    await driver.put(`${project}/two.txt`, Buffer.from('22'), 'text/plain');
    const all = await driver.list(`${project}/`, { limit: 100, offset: 0 });
    const keys = all.items.map((i) => i.key).sort();
    expect(keys).toEqual(
      [`${project}/a/hello.txt`, `${project}/presigned.json`, `${project}/two.txt`, `${project}/users/u1/one.txt`].sort(),
    );
    expect(all.hasMore).toBe(false);
    const first = await driver.list(`${project}/`, { limit: 3, offset: 0 });
    expect(first.items).toHaveLength(3);
    expect(first.hasMore).toBe(true);
    const second = await driver.list(`${project}/`, { limit: 3, offset: 3 });
    expect(second.items).toHaveLength(1);
    expect(new Set([...first.items, ...second.items].map((i) => i.key)).size).toBe(4);
  });

  it('deletes one object, then everything under the prefix without touching other prefixes', async () => {
    const driver = make();
    await driver.put(`other${project}/keep.txt`, Buffer.from('keep'), 'text/plain');
    await driver.delete(`${project}/two.txt`);
    expect(await driver.stat(`${project}/two.txt`)).toBeNull();
    expect(await driver.deletePrefix(`${project}/`)).toBe(3);
    expect((await driver.list(`${project}/`, { limit: 100, offset: 0 })).items).toEqual([]);
    expect(await driver.stat(`other${project}/keep.txt`)).not.toBeNull();
    await driver.close();
  });
});

describe('local presigned URLs', () => {
  async function presign(size: number, expiresInSeconds = 60) {
    return local.presignPut('p1/x.bin', { contentType: 'application/octet-stream', size, expiresInSeconds });
  }

  it('refuses a tampered size, an expired URL and a body larger than signed', async () => {
    const { signedUrl } = await presign(4);
    const tampered = signedUrl.replace('size=4', 'size=400');
    expect((await fetch(tampered, { method: 'PUT', body: Buffer.alloc(400) })).status).toBe(403);
    const expired = await presign(4, -1);
    expect((await fetch(expired.signedUrl, { method: 'PUT', body: Buffer.alloc(4) })).status).toBe(403);
    expect((await fetch(signedUrl, { method: 'PUT', body: Buffer.alloc(10) })).status).toBe(413);
    expect((await fetch(signedUrl, { method: 'PUT', body: Buffer.alloc(2) })).status).toBe(400);
    expect(await local.stat('p1/x.bin')).toBeNull();
  });

  it('never maps a key outside its directory', async () => {
    await expect(local.put('../escape.txt', Buffer.from('x'), 'text/plain')).rejects.toMatchObject({ status: 403 });
    await expect(local.read('../../etc/passwd')).rejects.toMatchObject({ status: 403 });
  });
});
