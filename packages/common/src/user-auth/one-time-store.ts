import type { Cache } from '../cache/index.js';
import { unavailable } from '../errors/index.js';
import { createLruCache } from '../lru/index.js';

/**
 * Short-lived single-use values (OAuth state, social exchange codes). In Redis when there is
 * one, so any process can finish a flow another one started; in process memory (bounded) in
 * single-process mode. When Redis is configured but down, calls fail with 503 (never 500).
 */
export interface OneTimeStore {
  put(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Returns and deletes the value; null when absent or expired. */
  take<T>(key: string): Promise<T | null>;
}

/** Creates a one-time store under `namespace` (e.g. `uauth:oauth-state`). */
export function createOneTimeStore(cache: Cache, namespace: string): OneTimeStore {
  const memory = createLruCache<string>(10_000);
  const down = (err: unknown) => unavailable('Temporarily unavailable (cache). Please retry shortly.', err);
  return {
    async put(key, value, ttlMs) {
      const json = JSON.stringify(value);
      if (!cache.client) return memory.set(`${namespace}:${key}`, json, ttlMs);
      try {
        await cache.client.set(`${namespace}:${key}`, json, 'PX', ttlMs);
      } catch (err) {
        throw down(err);
      }
    },
    async take<T>(key: string) {
      const full = `${namespace}:${key}`;
      let json: string | null | undefined;
      if (!cache.client) {
        json = memory.get(full);
        memory.delete(full);
      } else {
        try {
          json = await cache.client.getdel(full);
        } catch (err) {
          throw down(err);
        }
      }
      return json ? (JSON.parse(json) as T) : null;
    },
  };
}
