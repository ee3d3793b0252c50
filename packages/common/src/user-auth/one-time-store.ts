import { createSecretBox, sha256Hex } from '../crypto/index.js';
import type { AuthClaimModel } from '../models/user-session.model.js';
import { createClaims } from '../rate-limit/claims.js';

/**
 * Short-lived single-use values (OAuth state, social exchange codes), kept in MongoDB
 * (`auth_claims`), so any process can finish a flow another one started and losing Redis keys
 * loses nothing. The key is a high-entropy secret that is never stored: the row is found by a
 * hash of it, and the value is encrypted (AES-256-GCM) under a key derived from it, so the
 * database alone reveals no value (an exchange code's entry holds a refresh token). Expiry is
 * checked on read; a value is taken once, even by concurrent callers (a unique "taken" claim).
 */
export interface OneTimeStore {
  put(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Returns and deletes the value; null when absent, expired or already taken. */
  take<T>(key: string): Promise<T | null>;
}

/** A taken marker outlives its value by this much (clock differences between servers). */
const TAKEN_MARGIN_MS = 60_000;

/** Creates a one-time store under `namespace` (e.g. `uauth:oauth-state`) over the `AuthClaim` model. */
export function createOneTimeStore(model: AuthClaimModel, namespace: string): OneTimeStore {
  const claims = createClaims(model);
  const idOf = (key: string) => `${namespace}:${sha256Hex(`id:${namespace}:${key}`)}`;
  const boxOf = (key: string) => createSecretBox(sha256Hex(`seal:${namespace}:${key}`));
  return {
    async put(key, value, ttlMs) {
      const sealed = boxOf(key).encrypt(JSON.stringify(value), namespace);
      // Keys are random (≥ 128 bits): a live collision means a caller reused a key.
      if ((await claims.take(idOf(key), ttlMs, sealed)) > 0) throw new Error(`one-time key reused in ${namespace}`);
    },
    async take<T>(key: string) {
      const id = idOf(key);
      const live = await claims.peek(id);
      if (!live?.value) return null;
      if ((await claims.take(`${id}:taken`, live.leftMs + TAKEN_MARGIN_MS)) > 0) return null;
      await claims.release(id);
      return JSON.parse(boxOf(key).decrypt(live.value, namespace)) as T;
    },
  };
}
