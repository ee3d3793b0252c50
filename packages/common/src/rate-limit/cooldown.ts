import type { AuthClaimModel } from '../models/user-session.model.js';
import { createClaims } from './claims.js';
import { rateLimited } from './rate-limited.js';

export interface CooldownOptions {
  /** Where cooldowns live: the `auth_claims` collection (`authClaimModel(connection)`). */
  model: AuthClaimModel;
  /** Short unique name; part of the claim key (`cooldown:<name>:<key>`). */
  name: string;
  /** Cooldown length, e.g. 60 000 for the 60 s OTP resend cooldown. */
  ms: number;
  message?: string;
}

/**
 * A per-key cooldown (OTP resend): the first `enter(key)` passes and starts the cooldown; later
 * calls inside it throw 429 with `Retry-After`. Kept in MongoDB (one unique claim per key, see
 * `createClaims`), so it survives Redis losing its keys and admits exactly one of several
 * concurrent callers, on FerretDB too.
 */
export interface Cooldown {
  /** Starts the cooldown for `key` or throws 429 when it is running. Keys are compared trimmed and lower-cased. */
  enter(key: string): Promise<void>;
  /** Ends the cooldown early (e.g. when sending failed). */
  clear(key: string): Promise<void>;
}

/** Creates a `Cooldown` (see its contract). */
export function createCooldown(options: CooldownOptions): Cooldown {
  const { ms } = options;
  const claims = createClaims(options.model);
  const message = options.message ?? 'Please wait before requesting another code.';
  const keyOf = (key: string) => `cooldown:${options.name}:${key.trim().toLowerCase()}`;

  return {
    async enter(key) {
      const left = await claims.take(keyOf(key), ms);
      if (left > 0) throw rateLimited(message, left / 1000);
    },
    async clear(key) {
      await claims.release(keyOf(key));
    },
  };
}
