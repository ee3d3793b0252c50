/**
 * TEST STAND-IN, not Supabase: a tiny in-memory HTTP server implementing the Supabase Storage
 * REST endpoints that `@supabase/supabase-js` calls for our driver (upload, signed upload URL +
 * PUT, object info, list, remove, public download). Used only by tests; nothing imports it at
 * run time.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredBlob {
  body: Buffer;
  contentType: string;
  createdAt: string;
}

export interface SupabaseStandIn {
  url: string;
  key: string;
  bucket: string;
  /** Number of objects currently stored. */
  count(): number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** Starts the stand-in on 127.0.0.1 with one bucket; requests must carry the service key. */
export async function startSupabaseStandIn(bucket = 'files'): Promise<SupabaseStandIn> {
  const key = `service-${randomUUID()}`;
  const objects = new Map<string, StoredBlob>();
  const uploadTokens = new Map<string, string>();
  const prefix = '/storage/v1/object';

  function entriesOf(folder: string) {
    const base = folder ? `${folder}/` : '';
    const seen = new Map<string, unknown>();
    for (const [path, blob] of objects) {
      if (!path.startsWith(base)) continue;
      const rest = path.slice(base.length);
      const [head, ...tail] = rest.split('/');
      if (!head) continue;
      if (tail.length) seen.set(head, { name: head, id: null, metadata: null, created_at: null, updated_at: null });
      else
        seen.set(head, {
          name: head,
          id: randomUUID(),
          created_at: blob.createdAt,
          updated_at: blob.createdAt,
          metadata: { size: blob.body.length, mimetype: blob.contentType },
        });
    }
    return [...seen.values()].sort((a, b) => String((a as { name: string }).name).localeCompare((b as { name: string }).name));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    if (method === 'GET' && path.startsWith(`${prefix}/public/${bucket}/`)) {
      const blob = objects.get(path.slice(`${prefix}/public/${bucket}/`.length));
      if (!blob) return json(res, 400, { statusCode: '404', error: 'not_found', message: 'Object not found' });
      res.writeHead(200, { 'content-type': blob.contentType, 'content-length': blob.body.length });
      return void res.end(blob.body);
    }
    if (method === 'PUT' && path.startsWith(`${prefix}/upload/sign/${bucket}/`)) {
      const name = path.slice(`${prefix}/upload/sign/${bucket}/`.length);
      if (uploadTokens.get(name) !== url.searchParams.get('token'))
        return json(res, 400, { statusCode: '403', error: 'InvalidJWT', message: 'invalid token' });
      objects.set(name, {
        body: await readBody(req),
        contentType: req.headers['content-type'] ?? 'application/octet-stream',
        createdAt: new Date().toISOString(),
      });
      return json(res, 200, { Key: `${bucket}/${name}` });
    }
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${key}` && req.headers.apikey !== key)
      return json(res, 400, { statusCode: '403', error: 'Unauthorized', message: 'Invalid key' });
    if (method === 'POST' && path.startsWith(`${prefix}/upload/sign/${bucket}/`)) {
      const name = path.slice(`${prefix}/upload/sign/${bucket}/`.length);
      const token = randomUUID();
      uploadTokens.set(name, token);
      return json(res, 200, { url: `/object/upload/sign/${bucket}/${encodeURI(name)}?token=${token}` });
    }
    if (method === 'GET' && path.startsWith(`${prefix}/info/${bucket}/`)) {
      const name = path.slice(`${prefix}/info/${bucket}/`.length);
      const blob = objects.get(name);
      if (!blob) return json(res, 404, { statusCode: '404', error: 'not_found', message: 'Object not found' });
      return json(res, 200, { name, size: blob.body.length, content_type: blob.contentType, last_modified: blob.createdAt });
    }
    if (method === 'POST' && path === `${prefix}/list/${bucket}`) {
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as {
        prefix?: string;
        limit?: number;
        offset?: number;
      };
      const all = entriesOf((body.prefix ?? '').replace(/\/+$/, ''));
      const offset = body.offset ?? 0;
      return json(res, 200, all.slice(offset, offset + (body.limit ?? 100)));
    }
    if (method === 'DELETE' && path === `${prefix}/${bucket}`) {
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { prefixes?: string[] };
      const removed = (body.prefixes ?? []).filter((p) => objects.delete(p)).map((name) => ({ name }));
      return json(res, 200, removed);
    }
    if (method === 'GET' && path.startsWith(`${prefix}/${bucket}/`)) {
      // Authenticated download (service key): the driver's `get`.
      const blob = objects.get(path.slice(`${prefix}/${bucket}/`.length));
      if (!blob) return json(res, 400, { statusCode: '404', error: 'not_found', message: 'Object not found' });
      res.writeHead(200, { 'content-type': blob.contentType, 'content-length': blob.body.length });
      return void res.end(blob.body);
    }
    if ((method === 'POST' || method === 'PUT') && path.startsWith(`${prefix}/${bucket}/`)) {
      const name = path.slice(`${prefix}/${bucket}/`.length);
      if (method === 'POST' && objects.has(name) && req.headers['x-upsert'] !== 'true')
        return json(res, 400, { statusCode: '409', error: 'Duplicate', message: 'The resource already exists' });
      objects.set(name, {
        body: await readBody(req),
        contentType: req.headers['content-type'] ?? 'application/octet-stream',
        createdAt: new Date().toISOString(),
      });
      return json(res, 200, { Id: randomUUID(), Key: `${bucket}/${name}` });
    }
    json(res, 404, { statusCode: '404', error: 'not_found', message: `stand-in does not implement ${method} ${path}` });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { statusCode: '500', error: 'internal', message: 'stand-in failure' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key,
    bucket,
    count: () => objects.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
