import { randomInt } from 'node:crypto';
import type { Cache } from '../cache/index.js';
import { sha256Hex } from '../crypto/index.js';
import { AppError } from '../errors/index.js';
import type { UserOtpModel } from '../models/user-session.model.js';

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
 * One-time codes for email verification and password reset. Codes are stored hashed: in
 * Redis when there is one (falling back per call to MongoDB when Redis errors), else in
 * MongoDB with expiry checked on read.
 */
export interface OtpService {
  /**
   * Starts the resend cooldown for this email string (known or unknown alike, so both answer
   * the same). Throws 429 `Please wait <n> seconds before requesting another code.` with
   * `Retry-After` when a send happened less than `cooldownMs` ago.
   */
  claimCooldown(projectId: string, purpose: OtpPurpose, email: string): Promise<void>;
  /** Creates a new 6-digit code (replacing any previous one) and returns it for mailing. */
  issue(projectId: string, purpose: OtpPurpose, email: string): Promise<string>;
  /**
   * True when `code` is the live code (which is then consumed). A wrong guess counts an
   * attempt; the `maxAttempts`-th wrong guess burns the code.
   */
  verify(projectId: string, purpose: OtpPurpose, email: string, code: string): Promise<boolean>;
}

const VERIFY_LUA = `
local h = redis.call('HGET', KEYS[1], 'c')
if not h then return -1 end
if h == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
local a = redis.call('HINCRBY', KEYS[1], 'a', 1)
if a >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
return 0`;

function cooldownError(remainingMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(remainingMs / 1000));
  return new AppError('RATE_LIMITED', `Please wait ${seconds} seconds before requesting another code.`, undefined, {
    headers: { 'Retry-After': String(seconds) },
  });
}

/** Creates the OTP service. `model` is the MongoDB store (always needed as the fallback). */
export function createOtpService(options: { cache: Cache; model: UserOtpModel; rules?: Partial<OtpRules> }): OtpService {
  const { cache, model: Otp } = options;
  const rules = { ...DEFAULT_OTP_RULES, ...options.rules };
  const keyOf = (projectId: string, purpose: string, email: string) =>
    `uauth:otp:${projectId}:${purpose}:${sha256Hex(email.trim().toLowerCase())}`;
  const hashCode = (key: string, code: string) => sha256Hex(`${key}:${code}`);
  const redis = () => (cache.client && cache.isReady() ? cache.client : null);

  async function mongoCooldown(key: string): Promise<void> {
    const now = new Date();
    try {
      await Otp.updateOne(
        { key, expiresAt: { $lte: now } },
        { $set: { codeHash: '-', attempts: 0, sentAt: now, expiresAt: new Date(now.getTime() + rules.cooldownMs) } },
        { upsert: true },
      );
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      const live = await Otp.findOne({ key }).lean();
      throw cooldownError(live ? live.expiresAt.getTime() - now.getTime() : rules.cooldownMs);
    }
  }

  async function mongoVerify(key: string, code: string): Promise<boolean> {
    const now = new Date();
    const live = { key, expiresAt: { $gt: now }, attempts: { $lt: rules.maxAttempts } };
    if (await Otp.findOneAndDelete({ ...live, codeHash: hashCode(key, code) }).lean()) return true;
    const updated = await Otp.findOneAndUpdate(live, { $inc: { attempts: 1 } }, { new: true }).lean();
    if (updated && updated.attempts >= rules.maxAttempts) await Otp.deleteOne({ key });
    return false;
  }

  return {
    async claimCooldown(projectId, purpose, email) {
      const key = `${keyOf(projectId, purpose, email)}:cooldown`;
      const client = redis();
      if (client) {
        try {
          const set = await client.set(key, '1', 'PX', rules.cooldownMs, 'NX');
          if (set === 'OK') return;
          throw cooldownError(await client.pttl(key));
        } catch (err) {
          if (err instanceof AppError) throw err;
        }
      }
      await mongoCooldown(key);
    },

    async issue(projectId, purpose, email) {
      const key = keyOf(projectId, purpose, email);
      const code = String(randomInt(100_000, 1_000_000));
      const codeHash = hashCode(key, code);
      const client = redis();
      if (client) {
        try {
          await client.multi().del(key).hset(key, 'c', codeHash, 'a', '0').pexpire(key, rules.ttlMs).exec();
          await Otp.deleteOne({ key });
          return code;
        } catch {
          // Redis failed mid-way: store the code in MongoDB instead.
        }
      }
      const now = new Date();
      await Otp.updateOne(
        { key },
        { $set: { codeHash, attempts: 0, sentAt: now, expiresAt: new Date(now.getTime() + rules.ttlMs) } },
        { upsert: true },
      );
      return code;
    },

    async verify(projectId, purpose, email, input) {
      // Malformed guesses still count against the live code (they can never match).
      const code = /^\d{6}$/.test(input) ? input : 'x';
      const key = keyOf(projectId, purpose, email);
      const client = redis();
      if (client) {
        try {
          const result = Number(await client.eval(VERIFY_LUA, 1, key, hashCode(key, code), String(rules.maxAttempts)));
          if (result !== -1) return result === 1;
        } catch {
          // Fall through to MongoDB.
        }
      }
      return mongoVerify(key, code);
    },
  };
}
