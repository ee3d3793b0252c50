/** A small bounded LRU map with per-entry expiry (insertion-ordered `Map`, oldest evicted first). */
export interface LruCache<V> {
  /** The value, or undefined when absent or expired (an expired entry is removed). Refreshes recency. */
  get(key: string): V | undefined;
  /** Stores `value` for `ttlMs` milliseconds, evicting the least recently used entry beyond `max`. */
  set(key: string, value: V, ttlMs: number): void;
  delete(key: string): boolean;
  clear(): void;
  readonly size: number;
  /** Live entries, oldest first (for idle scans). */
  entries(): [string, V][];
}

/** Creates an LRU cache holding at most `max` entries. `now` is injectable for tests. */
export function createLruCache<V>(max: number, now: () => number = Date.now): LruCache<V> {
  const map = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = map.get(key);
      if (!entry) return undefined;
      map.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      map.set(key, entry);
      return entry.value;
    },
    set(key, value, ttlMs) {
      map.delete(key);
      map.set(key, { value, expiresAt: now() + ttlMs });
      while (map.size > max) {
        const oldest = map.keys().next().value as string;
        map.delete(oldest);
      }
    },
    delete: (key) => map.delete(key),
    clear: () => map.clear(),
    get size() {
      return map.size;
    },
    entries() {
      const t = now();
      return [...map.entries()].filter(([, e]) => e.expiresAt > t).map(([k, e]) => [k, e.value]);
    },
  };
}
