import { randomInt, randomUUID } from 'node:crypto';
import { sha256Hex } from '../crypto/index.js';
import { AppError } from '../errors/index.js';
import type { AuthClaimModel, UserOtpModel } from '../models/user-session.model.js';
import { createClaims } from '../rate-limit/claims.js';

/** What a code is for. */
export type OtpPurpose = 'verification' | 'reset';

/** OTP rules (CONTRACT §3.5). */
export interface OtpRules {
  /** Lifetime of a code (default 5 min). */
  ttlMs: number;
  /** Wrong guesses after which the code is burnt (default 5). */
  maxAttempts: number;
  /** Minimum time between two sends to one email string (default 60 s). */
  cooldownMs: number;
}

export const DEFAULT_OTP_RULES: OtpRules = { ttlMs: 5 * 60_000, maxAttempts: 5, cooldownMs: 60_000 };

/**
 * One-time codes for email verification and password reset, kept in MongoDB only, so a code
 * that was mailed stays valid whatever happens to Redis (restart, flush, failover):
 *
 * - the code: one `user_otps` row per project, purpose and email, holding a hash of the code, its
 *   expiry (checked on read) and a random `nonce` renewed with every issued code;
 * - its guesses: each guess first takes one of `maxAttempts` unique slots in `auth_claims`
 *   (`uauth:otp-try:<nonce>#<n>`, see `createClaims`), so concurrent guesses are counted exactly
 *   (on FerretDB too) and at most `maxAttempts` guesses are ever compared with one code;
 * - its use: a right code is consumed by taking the unique claim `uauth:otp-used:<nonce>`, so of
 *   two concurrent right guesses only one succeeds;
 * - the resend cooldown: one unique claim per project, purpose and email string.
 */
export interface OtpService {
  /**
   * Starts the resend cooldown for this email string (known or unknown alike, so both answer
   * the same). Throws 429 `Please wait <n> seconds before requesting another code.` with
   * `Retry-After` when a send happened less than `cooldownMs` ago.
   */
  claimCooldown(projectId: string, purpose: OtpPurpose, email: string): Promise<void>;
  /** Creates a new 6-digit code (replacing any previous one and its attempts) and returns it for mailing. */
  issue(projectId: string, purpose: OtpPurpose, email: string): Promise<string>;
  /**
   * True when `code` is the live code (which is then consumed). Every guess uses one attempt;
   * once `maxAttempts` guesses were wrong the code is burnt.
   */
  verify(projectId: string, purpose: OtpPurpose, email: string, code: string): Promise<boolean>;
}

function cooldownError(remainingMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(remainingMs / 1000));
  return new AppError('RATE_LIMITED', `Please wait ${seconds} seconds before requesting another code.`, undefined, {
    headers: { 'Retry-After': String(seconds) },
  });
}

/** Attempt slots outlive their code by this much (clock differences between servers). */
const SLOT_MARGIN_MS = 60_000;

/**
 * Creates the OTP service: `model` holds the codes (`user_otps`), `claims` the attempt slots,
 * single-use markers and cooldowns (`auth_claims`, see `authClaimModel`).
 */
export function createOtpService(options: {
  model: UserOtpModel;
  claims: AuthClaimModel;
  rules?: Partial<OtpRules>;
}): OtpService {
  const { model: Otp } = options;
  const claims = createClaims(options.claims);
  const rules = { ...DEFAULT_OTP_RULES, ...options.rules };
  const emailId = (projectId: string, purpose: string, email: string) =>
    `${projectId}:${purpose}:${sha256Hex(email.trim().toLowerCase())}`;
  const hashCode = (key: string, code: string) => sha256Hex(`${key}:${code}`);
  const triesKey = (nonce: string) => `uauth:otp-try:${nonce}`;
  const usedKey = (nonce: string) => `uauth:otp-used:${nonce}`;

  /**
   * Deletes this code (not a newer one issued since) and its attempt slots. The used marker
   * stays until it expires: a concurrent guess that read the code before it was deleted must
   * still find it used.
   */
  async function discard(row: { _id: unknown; nonce?: string }, nonce: string): Promise<void> {
    await Otp.deleteOne({ _id: row._id, nonce: row.nonce ?? '' });
    await claims.release(triesKey(nonce), rules.maxAttempts);
  }

  return {
    async claimCooldown(projectId, purpose, email) {
      const left = await claims.take(`uauth:otp-cooldown:${emailId(projectId, purpose, email)}`, rules.cooldownMs);
      if (left > 0) throw cooldownError(left);
    },

    async issue(projectId, purpose, email) {
      const key = `uauth:otp:${emailId(projectId, purpose, email)}`;
      const code = String(randomInt(100_000, 1_000_000));
      const now = new Date();
      const fields = {
        projectId,
        codeHash: hashCode(key, code),
        nonce: randomUUID(),
        attempts: 0,
        sentAt: now,
        expiresAt: new Date(now.getTime() + rules.ttlMs),
      };
      const previous = await Otp.findOne({ key }).lean();
      try {
        await Otp.updateOne({ key }, { $set: fields }, { upsert: true });
      } catch (err) {
        // Two upserts raced to insert (FerretDB): the row exists now, so update it.
        if ((err as { code?: number }).code !== 11000) throw err;
        await Otp.updateOne({ key }, { $set: fields });
      }
      if (previous?.nonce) await claims.release(triesKey(previous.nonce), rules.maxAttempts);
      return code;
    },

    async verify(projectId, purpose, email, input) {
      // Malformed guesses still count against the live code (they can never match).
      const code = /^\d{6}$/.test(input) ? input : 'x';
      const key = `uauth:otp:${emailId(projectId, purpose, email)}`;
      const row = await Otp.findOne({ key }).lean();
      if (!row) return false;
      // Rows written before nonces existed still get their own attempt slots.
      const nonce = row.nonce || `legacy:${String(row._id)}:${row.codeHash}`;
      const leftMs = row.expiresAt.getTime() - Date.now();
      if (leftMs <= 0) {
        await discard(row, nonce);
        return false;
      }
      const slot = await claims.takeSlot(triesKey(nonce), rules.maxAttempts, leftMs + SLOT_MARGIN_MS);
      if (slot === 0) return false; // burnt: every attempt was used
      if (hashCode(key, code) === row.codeHash) {
        // Single use: of concurrent right guesses, only the one that takes the marker succeeds.
        if ((await claims.take(usedKey(nonce), leftMs + SLOT_MARGIN_MS)) > 0) return false;
        await discard(row, nonce);
        return true;
      }
      if (slot >= rules.maxAttempts) await Otp.deleteOne({ _id: row._id, nonce: row.nonce ?? '' });
      else await Otp.updateOne({ _id: row._id, nonce: row.nonce ?? '' }, { $set: { attempts: slot } });
      return false;
    },
  };
}
