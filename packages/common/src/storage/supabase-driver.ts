import { createRequire } from 'node:module';
import type * as Supabase from '@supabase/supabase-js';
import type { ObjectPage, StorageDriver, StoredObject } from './types.js';

export interface SupabaseDriverOptions {
  /** Project URL, e.g. `https://xyz.supabase.co`. */
  url: string;
  /** Service-role key (server side only). */
  key: string;
  /** Bucket name (must exist and be public for download URLs to work). */
  bucket: string;
}

interface ListEntry {
  name: string;
  id: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  metadata?: { size?: number; mimetype?: string } | null;
}

interface SupabaseErrorLike {
  status?: number;
  statusCode?: string;
  code?: string;
  message?: string;
}

const PAGE = 1000;
/** Folders deeper than this are not walked (keys are at most `<pid>/users/<uid>/<name>`). */
const MAX_DEPTH = 4;

function isNotFound(error: SupabaseErrorLike): boolean {
  return error.status === 404 || error.statusCode === '404' || error.code === 'NoSuchKey' || error.code === 'not_found';
}

function fail(operation: string, error: SupabaseErrorLike): Error {
  return new Error(`supabase storage ${operation} failed: ${error.message ?? 'unknown error'}`);
}

/** Stands in for WebSocket in the unused realtime client; connecting is a programming error. */
class NoRealtime {
  constructor() {
    throw new Error('realtime is not used by the storage driver');
  }
}

/** Creates a driver over one Supabase Storage bucket, through `@supabase/supabase-js`. */
export function createSupabaseDriver(options: SupabaseDriverOptions): StorageDriver {
  // Loaded on first use, not at start-up (~13 MB of RSS a server without Supabase never needs).
  const { createClient } = createRequire(import.meta.url)('@supabase/supabase-js') as typeof Supabase;
  const client = createClient(options.url, options.key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Only storage is used: Node 20 has no global WebSocket and realtime is never connected,
    // so give the realtime client an inert transport instead of letting it throw.
    realtime: { transport: NoRealtime as never },
  });
  const bucket = () => client.storage.from(options.bucket);

  async function listFolder(folder: string): Promise<ListEntry[]> {
    const out: ListEntry[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const { data, error } = await bucket().list(folder, { limit: PAGE, offset, sortBy: { column: 'name', order: 'asc' } });
      if (error) throw fail('list', error);
      out.push(...((data ?? []) as ListEntry[]));
      if (!data || data.length < PAGE) return out;
    }
  }

  async function listAll(prefix: string, depth = 0): Promise<StoredObject[]> {
    const folder = prefix.replace(/\/+$/, '');
    const items: StoredObject[] = [];
    for (const entry of await listFolder(folder)) {
      const key = `${folder}/${entry.name}`;
      if (entry.id === null || !entry.metadata) {
        if (depth < MAX_DEPTH) items.push(...(await listAll(key, depth + 1)));
        continue;
      }
      const when = entry.updated_at ?? entry.created_at;
      items.push({
        key,
        size: Number(entry.metadata.size ?? 0),
        contentType: entry.metadata.mimetype ?? null,
        updatedAt: when ? new Date(when) : null,
      });
    }
    return items;
  }

  async function remove(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += PAGE) {
      const { error } = await bucket().remove(keys.slice(i, i + PAGE));
      if (error) throw fail('remove', error);
    }
  }

  return {
    kind: 'supabase',
    async put(key, body, contentType) {
      const { error } = await bucket().upload(key, body, { contentType, upsert: true });
      if (error) throw fail('upload', error);
    },
    async presignPut(key) {
      const { data, error } = await bucket().createSignedUploadUrl(key, { upsert: true });
      if (error || !data) throw fail('createSignedUploadUrl', error ?? {});
      return { signedUrl: data.signedUrl, token: data.token };
    },
    async stat(key) {
      const { data, error } = await bucket().info(key);
      if (error) {
        if (isNotFound(error)) return null;
        throw fail('info', error);
      }
      const info = data as unknown as {
        size?: number;
        contentType?: string;
        lastModified?: string;
        metadata?: { size?: number };
      };
      const size = Number(info.size ?? info.metadata?.size ?? 0);
      return {
        key,
        size,
        contentType: info.contentType ?? null,
        updatedAt: info.lastModified ? new Date(info.lastModified) : null,
      };
    },
    async get(key) {
      const { data, error } = await bucket().download(key);
      if (error) {
        if (isNotFound(error as SupabaseErrorLike)) return null;
        throw fail('download', error as SupabaseErrorLike);
      }
      return Buffer.from(await data.arrayBuffer());
    },
    async delete(key) {
      await remove([key]);
    },
    async deletePrefix(prefix) {
      const keys = (await listAll(prefix)).map((o) => o.key);
      await remove(keys);
      return keys.length;
    },
    async list(prefix, { limit, offset }): Promise<ObjectPage> {
      const items = await listAll(prefix);
      items.sort((a, b) => (b.updatedAt?.getTime() ?? 0) - (a.updatedAt?.getTime() ?? 0) || a.key.localeCompare(b.key));
      return { items: items.slice(offset, offset + limit), hasMore: items.length > offset + limit };
    },
    publicUrl: (key) => bucket().getPublicUrl(key).data.publicUrl,
    close: async () => undefined,
  };
}
