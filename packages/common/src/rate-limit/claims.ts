import type { AuthClaimModel } from '../models/user-session.model.js';

/**
 * Durable, race-free short-lived claims in MongoDB (`auth_claims`), the building block of the
 * attempt counters, cooldowns and OTP attempt limits. They survive Redis losing its keys, and
 * they stay exact on FerretDB, whose conditional `$inc` / find-and-modify are not atomic:
 *
 * - taking a claim is an **insert** on the unique `key` index, so of several concurrent takers
 *   exactly one wins (the others get E11000); nothing is ever read, modified and written back;
 * - a counter of up to `limit` is `limit` slots `<key>#1` … `<key>#<limit>`: counting a failure
 *   takes the lowest free slot, so N concurrent failures take N distinct slots (none is lost),
 *   and when every slot is live the count is at its limit;
 * - each claim carries its own `expiresAt`, checked on read (a sliding window for counters); an
 *   expired one is deleted **by its `_id`** before its key is taken again, so a slow deleter can
 *   never remove a claim someone else has taken since.
 */
export interface Claims {
  /**
   * Takes `key` for `ttlMs` (with an optional `value`); resolves 0 when this call took it, else the
   * ms left on the live claim.
   */
  take(key: string, ttlMs: number, value?: string): Promise<number>;
  /** The live claim `key`: its value and the ms it has left; null when absent or expired. */
  peek(key: string): Promise<{ value: string | null; leftMs: number } | null>;
  /** Takes the lowest free slot of `key` (1..`limit`) for `ttlMs`; resolves its number, or 0 when all are live. */
  takeSlot(key: string, limit: number, ttlMs: number): Promise<number>;
  /** Live slots of `key` (1..`limit`) and the ms until the earliest of them expires (0 when none). */
  slots(key: string, limit: number): Promise<{ count: number; freeInMs: number }>;
  /** Deletes the claim `key` and the slots `<key>#1..<limit>` (when `limit` is given). */
  release(key: string, limit?: number): Promise<void>;
}

const indexes = new WeakMap<AuthClaimModel, Promise<unknown>>();
const lastSweep = new WeakMap<AuthClaimModel, number>();

/** How often a process removes long-expired claims, and how long expired they must be (clock skew). */
const SWEEP_EVERY_MS = 10 * 60_000;
const SWEEP_AFTER_MS = 60 * 60_000;

/**
 * Housekeeping, not correctness (expiry is checked on read): at most every 10 minutes per process,
 * in the background, delete claims that expired over an hour ago (FerretDB has no TTL indexes).
 */
function sweep(model: AuthClaimModel): void {
  const now = Date.now();
  if (now - (lastSweep.get(model) ?? 0) < SWEEP_EVERY_MS) return;
  lastSweep.set(model, now);
  model.deleteMany({ expiresAt: { $lt: new Date(now - SWEEP_AFTER_MS) } }).catch(() => undefined);
}

/** The unique `key` index is correctness: created once per model before the first claim. */
function ensureIndex(model: AuthClaimModel): Promise<unknown> {
  let ready = indexes.get(model);
  if (!ready) {
    ready = model.createIndexes().catch((err: unknown) => {
      indexes.delete(model);
      throw err;
    });
    indexes.set(model, ready);
  }
  return ready;
}

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** Creates the claims store over the `AuthClaim` model (see `authClaimModel`). */
export function createClaims(model: AuthClaimModel): Claims {
  const slotKeys = (key: string, limit: number) => Array.from({ length: limit }, (_, i) => `${key}#${i + 1}`);

  /** Inserts a claim; false when the key is held (live or expired). */
  async function insert(key: string, ttlMs: number, value?: string): Promise<boolean> {
    sweep(model);
    try {
      await model.create({ key, expiresAt: new Date(Date.now() + ttlMs), ...(value === undefined ? {} : { value }) });
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  return {
    async take(key, ttlMs, value) {
      await ensureIndex(model);
      // A few rounds at most: each one either takes the key, finds it live, or removes a stale claim.
      for (let round = 0; round < 3; round++) {
        if (await insert(key, ttlMs, value)) return 0;
        const held = await model.findOne({ key }).lean();
        if (!held) continue; // released meanwhile
        const left = held.expiresAt.getTime() - Date.now();
        if (left > 0) return left;
        await model.deleteOne({ _id: held._id });
      }
      return ttlMs; // still contended: report it as held
    },

    async peek(key) {
      const row = await model.findOne({ key }).lean();
      const leftMs = row ? row.expiresAt.getTime() - Date.now() : 0;
      return row && leftMs > 0 ? { value: row.value ?? null, leftMs } : null;
    },

    async takeSlot(key, limit, ttlMs) {
      if (limit <= 0) return 0;
      await ensureIndex(model);
      const keys = slotKeys(key, limit);
      const rows = await model.find({ key: { $in: keys } }).lean();
      const byKey = new Map(rows.map((r) => [r.key, r]));
      const now = Date.now();
      for (let i = 0; i < limit; i++) {
        const row = byKey.get(keys[i] as string);
        if (row && row.expiresAt.getTime() > now) continue;
        if (row) await model.deleteOne({ _id: row._id });
        // Taken by a concurrent caller since the read: try the next slot.
        if (await insert(keys[i] as string, ttlMs)) return i + 1;
      }
      return 0;
    },

    async slots(key, limit) {
      if (limit <= 0) return { count: 0, freeInMs: 0 };
      const now = Date.now();
      const rows = await model.find({ key: { $in: slotKeys(key, limit) }, expiresAt: { $gt: new Date(now) } }).lean();
      const earliest = rows.reduce((min, r) => Math.min(min, r.expiresAt.getTime()), Number.POSITIVE_INFINITY);
      return { count: rows.length, freeInMs: rows.length ? Math.max(0, earliest - now) : 0 };
    },

    async release(key, limit = 0) {
      await model.deleteMany({ key: { $in: [key, ...slotKeys(key, limit)] } });
    },
  };
}
