import type { AuthClaimModel } from '../models/user-session.model.js';
import { createClaims } from './claims.js';
import { rateLimited } from './rate-limited.js';

export interface AttemptCounterOptions {
  /** Where failures are counted: the `auth_claims` collection (`authClaimModel(connection)`). */
  model: AuthClaimModel;
  /** Short unique name; part of the claim key (`attempts:<name>:<key>#<n>`). */
  name: string;
  /** How long one failure counts (sliding: each failure expires on its own). */
  windowMs: number;
  /** Failures allowed per window per key; `0` disables the counter. */
  limit: number;
  /** Message of the 429. */
  message?: string;
}

/**
 * Counts failures per account (failed logins, wrong OTPs). The counts live in MongoDB, not Redis,
 * so losing Redis keys (a flush, a failover, eviction) cannot reset them: every failure takes one
 * of `limit` unique slots (see `createClaims`), which stays exact under concurrency on FerretDB
 * too. A failure counts for `windowMs` from when it happened; `assertAllowed` throws 429 with
 * `Retry-After` (until the oldest counted failure expires) while `limit` failures are live.
 */
export interface AttemptCounter {
  /** Throws a 429 `AppError` when the key has used up its attempts. */
  assertAllowed(key: string): Promise<void>;
  /** Records one failure; resolves to the failures counted in the current window (at most `limit`). */
  recordFailure(key: string): Promise<number>;
  /** Forgets the key's failures (after a success). */
  reset(key: string): Promise<void>;
}

/** Creates an `AttemptCounter` (see its contract). */
export function createAttemptCounter(options: AttemptCounterOptions): AttemptCounter {
  const { windowMs, limit } = options;
  const claims = createClaims(options.model);
  const message = options.message ?? 'Too many attempts. Please try again later.';
  const keyOf = (key: string) => `attempts:${options.name}:${key.toLowerCase()}`;

  return {
    async assertAllowed(key) {
      if (limit <= 0) return;
      const { count, freeInMs } = await claims.slots(keyOf(key), limit);
      if (count >= limit) throw rateLimited(message, freeInMs / 1000);
    },
    async recordFailure(key) {
      if (limit <= 0) return 0;
      await claims.takeSlot(keyOf(key), limit, windowMs);
      return (await claims.slots(keyOf(key), limit)).count;
    },
    async reset(key) {
      if (limit <= 0) return;
      await claims.release(keyOf(key), limit);
    },
  };
}
