import { createHash } from 'node:crypto';
import { createLruCache } from '../lru/index.js';
import { type OpenApiOptions, type OpenApiProject, buildOpenApiDocument } from './openapi.js';

/** A generated document and its ETag (the cache key's hash). */
export interface CachedOpenApi {
  document: Record<string, unknown>;
  /** Serialized once: the same bytes are sent to every caller of this version. */
  body: string;
  etag: string;
}

export interface OpenApiCache {
  /** The document for this project version and key role: generated once, then served from memory. */
  get(project: OpenApiProject, options: OpenApiOptions): CachedOpenApi;
  readonly size: number;
}

/**
 * The schema version a document is generated from: the project's `configVersion` (bumps on every
 * schema, RLS, auth or key change) plus each collection's id and `version`, so a document is
 * never served for a schema it was not generated from.
 */
export function openApiVersionKey(project: OpenApiProject, options: OpenApiOptions): string {
  const collections = project.collections.map((c) => `${(c as { _id?: unknown })._id ?? c.name}@${c.version ?? 1}`).join(',');
  return [project._id, options.role, options.serverUrl, project.configVersion, collections].join('|');
}

/** An in-process cache of generated documents, keyed by project version and key role (LRU, 10 min). */
export function createOpenApiCache(max = 200, ttlMs = 10 * 60_000): OpenApiCache {
  const lru = createLruCache<CachedOpenApi>(max);
  return {
    get(project, options) {
      const key = openApiVersionKey(project, options);
      const hit = lru.get(key);
      if (hit) return hit;
      const document = buildOpenApiDocument(project, options);
      const entry = {
        document,
        body: JSON.stringify(document),
        etag: `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`,
      };
      lru.set(key, entry, ttlMs);
      return entry;
    },
    get size() {
      return lru.size;
    },
  };
}
