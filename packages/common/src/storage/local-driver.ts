import { createHmac, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readFile, readdir, rename, rm, stat as statFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { safeEqual } from '../crypto/index.js';
import { AppError, badRequest } from '../errors/index.js';
import type { ObjectContent, ObjectPage, StorageDriver, StoredObject } from './types.js';

export interface LocalDriverOptions {
  /** Directory holding the files (created on first write). */
  dir: string;
  /** Public base URL of the public API (`http://localhost:1235`): signed and download URLs point there. */
  baseUrl: string;
  /** Secret for presigned URLs (any high-entropy string; derive it from JWT_SECRET). */
  signingSecret: string;
}

/** Query parameters of a local presigned PUT URL. */
export interface LocalPresignParams {
  key: string;
  size: number;
  type: string;
  expires: number;
  sig: string;
}

/** The local driver adds what only it needs: streaming reads and receiving presigned PUTs. */
export interface LocalStorageDriver extends StorageDriver {
  readonly kind: 'local';
  /** Content of an object for download, or null when missing. */
  read(key: string): Promise<ObjectContent | null>;
  /**
   * Receives a presigned PUT. Checks the HMAC (key, size, type, expiry) → 403, the expiry → 403,
   * then streams `body` to a temporary file and moves it into place only when exactly `size`
   * bytes arrived (more → 413, fewer → 400). Nothing is visible until the move.
   */
  acceptPresignedPut(
    query: Record<string, unknown>,
    body: Readable,
    claim?: (key: string) => Promise<void>,
  ): Promise<StoredObject>;
}

/** Route of presigned PUTs and downloads on the public API (the public API mounts both). */
export const LOCAL_UPLOAD_PATH = '/api/storage/local-upload';
export const LOCAL_FILES_PATH = '/api/storage/files';

interface Meta {
  contentType: string;
}

/** Creates the on-disk driver (default for development and single-node installs). */
export function createLocalDriver(options: LocalDriverOptions): LocalStorageDriver {
  const root = path.resolve(options.dir);
  const objectsDir = path.join(root, 'objects');
  const metaDir = path.join(root, 'meta');
  const tmpDir = path.join(root, 'tmp');
  const baseUrl = options.baseUrl.replace(/\/$/, '');

  const sign = (key: string, size: number, type: string, expires: number) =>
    createHmac('sha256', options.signingSecret).update(`${key}\n${size}\n${type}\n${expires}`).digest('base64url');

  /** Maps a key to a path under `objectsDir`, refusing anything that escapes it. */
  function filePath(base: string, key: string): string {
    const full = path.resolve(base, key);
    if (!full.startsWith(`${base}${path.sep}`)) throw new AppError('FORBIDDEN', 'Access denied.');
    return full;
  }

  async function readMeta(key: string): Promise<Meta> {
    try {
      return JSON.parse(await readFile(`${filePath(metaDir, key)}.json`, 'utf8')) as Meta;
    } catch {
      return { contentType: 'application/octet-stream' };
    }
  }

  async function stat(key: string): Promise<StoredObject | null> {
    try {
      const s = await statFile(filePath(objectsDir, key));
      if (!s.isFile()) return null;
      return { key, size: s.size, contentType: (await readMeta(key)).contentType, updatedAt: s.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async function commit(tmp: string, key: string, contentType: string): Promise<void> {
    const dest = filePath(objectsDir, key);
    const meta = `${filePath(metaDir, key)}.json`;
    await mkdir(path.dirname(dest), { recursive: true });
    await mkdir(path.dirname(meta), { recursive: true });
    await writeFile(meta, JSON.stringify({ contentType } satisfies Meta));
    await rename(tmp, dest);
  }

  /** Like `commit`, but refuses (403) when the object already exists: a presigned PUT lands once. */
  async function commitOnce(tmp: string, key: string, contentType: string): Promise<void> {
    const dest = filePath(objectsDir, key);
    await mkdir(path.dirname(dest), { recursive: true });
    try {
      await link(tmp, dest); // atomic: exactly one of concurrent PUTs of the same key creates it
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new AppError('FORBIDDEN', 'This upload URL was already used or is no longer valid. Request a new one.');
      }
      throw err;
    }
    await rm(tmp, { force: true });
    const meta = `${filePath(metaDir, key)}.json`;
    await mkdir(path.dirname(meta), { recursive: true });
    await writeFile(meta, JSON.stringify({ contentType } satisfies Meta));
  }

  async function walk(dir: string): Promise<string[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: string[] = [];
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) out.push(...(await walk(p)));
      else if (e.isFile()) out.push(p);
    }
    return out;
  }

  async function listAll(prefix: string): Promise<StoredObject[]> {
    const base = filePath(objectsDir, prefix.replace(/\/+$/, ''));
    const files = await walk(base);
    const keys = files.map((f) => path.relative(objectsDir, f).split(path.sep).join('/'));
    const items = await Promise.all(keys.map((k) => stat(k)));
    return items.filter((i): i is StoredObject => i !== null);
  }

  return {
    kind: 'local',
    async put(key, body, contentType) {
      await mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, randomUUID());
      await writeFile(tmp, body);
      await commit(tmp, key, contentType);
    },
    async presignPut(key, { contentType, size, expiresInSeconds }) {
      const expires = Math.floor(Date.now() / 1000) + expiresInSeconds;
      const sig = sign(key, size, contentType, expires);
      const qs = new URLSearchParams({ key, size: String(size), type: contentType, expires: String(expires), sig });
      return { signedUrl: `${baseUrl}${LOCAL_UPLOAD_PATH}?${qs}`, token: sig };
    },
    stat,
    async delete(key) {
      await rm(filePath(objectsDir, key), { force: true });
      await rm(`${filePath(metaDir, key)}.json`, { force: true });
    },
    async deletePrefix(prefix) {
      const items = await listAll(prefix);
      const clean = prefix.replace(/\/+$/, '');
      await rm(filePath(objectsDir, clean), { recursive: true, force: true });
      await rm(filePath(metaDir, clean), { recursive: true, force: true });
      return items.length;
    },
    async list(prefix, { limit, offset }): Promise<ObjectPage> {
      const items = await listAll(prefix);
      items.sort((a, b) => (b.updatedAt?.getTime() ?? 0) - (a.updatedAt?.getTime() ?? 0) || a.key.localeCompare(b.key));
      return { items: items.slice(offset, offset + limit), hasMore: items.length > offset + limit };
    },
    publicUrl: (key) => `${baseUrl}${LOCAL_FILES_PATH}/${key.split('/').map(encodeURIComponent).join('/')}`,
    async get(key) {
      try {
        return await readFile(filePath(objectsDir, key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async read(key) {
      const s = await stat(key);
      if (!s) return null;
      return {
        stream: createReadStream(filePath(objectsDir, key)),
        size: s.size,
        contentType: s.contentType ?? 'application/octet-stream',
      };
    },
    async acceptPresignedPut(query, body, claim) {
      const params = parsePresignQuery(query);
      const expected = sign(params.key, params.size, params.type, params.expires);
      if (!safeEqual(expected, params.sig)) throw new AppError('FORBIDDEN', 'Invalid upload signature.');
      if (params.expires * 1000 < Date.now()) throw new AppError('FORBIDDEN', 'Upload URL has expired.');
      filePath(objectsDir, params.key);
      await claim?.(params.key);
      await mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, randomUUID());
      try {
        await pipeline(body, limitBytes(params.size), createWriteStream(tmp));
        const written = (await statFile(tmp)).size;
        if (written !== params.size) throw badRequest('Uploaded size does not match the declared size.');
        await commitOnce(tmp, params.key, params.type);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return { key: params.key, size: params.size, contentType: params.type, updatedAt: new Date() };
    },
    close: async () => undefined,
  };
}

function parsePresignQuery(query: Record<string, unknown>): LocalPresignParams {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const size = Number(str(query.size));
  const expires = Number(str(query.expires));
  const params = { key: str(query.key), size, type: str(query.type), expires, sig: str(query.sig) };
  if (!params.key || !params.sig || !Number.isInteger(size) || size < 0 || !Number.isInteger(expires)) {
    throw new AppError('FORBIDDEN', 'Invalid upload signature.');
  }
  return params;
}

/** A pass-through that fails with 413 once more than `max` bytes went through. */
function limitBytes(max: number) {
  let seen = 0;
  return async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      seen += chunk.length;
      if (seen > max) throw new AppError('PAYLOAD_TOO_LARGE', 'Upload is larger than the declared size.');
      yield chunk;
    }
  };
}
