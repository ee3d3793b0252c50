import { randomInt } from 'node:crypto';
import { sha256Hex } from '@urbackend/common/crypto';
import { AppError, badRequest } from '@urbackend/common/errors';
import type { AuthClaimModel, DeveloperOtpModel, DeveloperOtpPurpose } from '@urbackend/common/models';
import { createClaims } from '@urbackend/common/rate-limit';
import type { PasswordHasher } from '@urbackend/common/user-auth';
import type { Types } from 'mongoose';

export const OTP_TTL_MS = 5 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;

/** Attempt slots outlive their code by this much (clock differences between servers). */
const SLOT_MARGIN_MS = 60_000;

/**
 * Developer OTPs: 6 digits, 5 minutes, 5 wrong attempts then burnt (CONTRACT §3.5). Codes live in
 * MongoDB (`developer_otps`, bcrypt hash). Attempts are counted race-free on FerretDB too, whose
 * `$inc`/find-and-modify are not atomic: every guess first takes one of 5 unique attempt slots in
 * `auth_claims` (see `createClaims`), keyed by the code's (salted, so per-code) hash, and a right
 * code is consumed by taking a unique single-use claim. So at most 5 guesses are ever compared
 * with one code, however many arrive at once, and a code is accepted at most once.
 */
export interface DeveloperOtps {
  /** Creates (or replaces) the code of `purpose` and returns it in clear text for the mail. */
  issue(developerId: Types.ObjectId | string, purpose: DeveloperOtpPurpose): Promise<string>;
  /**
   * Checks a code: 400 when missing/expired or wrong (with attempts left), 429 when the last
   * attempt was used (the code is then deleted). A correct code is consumed.
   */
  consume(developerId: Types.ObjectId | string | null, purpose: DeveloperOtpPurpose, code: string): Promise<void>;
}

/** Creates the OTP service over the DeveloperOtp model; attempt slots live in `claims` (`authClaimModel`). */
export function createDeveloperOtps(
  DeveloperOtp: DeveloperOtpModel,
  hasher: PasswordHasher,
  claims: AuthClaimModel,
): DeveloperOtps {
  const slots = createClaims(claims);
  return {
    async issue(developerId, purpose) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const codeHash = await hasher.hash(code);
      await DeveloperOtp.findOneAndUpdate(
        { developerId, purpose },
        { $set: { codeHash, attempts: 0, expiresAt: new Date(Date.now() + OTP_TTL_MS) } },
        { upsert: true },
      );
      return code;
    },

    async consume(developerId, purpose, code) {
      const invalid = () => badRequest('Invalid or expired OTP. Please request a new one.');
      if (!developerId) {
        await hasher.verify(code, null); // same cost as a real check
        throw invalid();
      }
      const otp = await DeveloperOtp.findOne({ developerId, purpose }).lean();
      const leftMs = otp ? otp.expiresAt.getTime() - Date.now() : 0;
      if (!otp || leftMs <= 0) {
        if (otp) await DeveloperOtp.deleteOne({ _id: otp._id, codeHash: otp.codeHash });
        throw invalid();
      }
      // This code (not a newer one issued since) and its claims: the bcrypt hash is salted per code.
      const thisCode = { _id: otp._id, codeHash: otp.codeHash };
      const id = `dev-otp:${sha256Hex(otp.codeHash)}`;
      const slot = await slots.takeSlot(`${id}:try`, OTP_MAX_ATTEMPTS, leftMs + SLOT_MARGIN_MS);
      if (slot === 0) {
        // Every attempt was used (by concurrent guesses): the code is burnt.
        await DeveloperOtp.deleteOne(thisCode);
        throw invalid();
      }
      if (await hasher.verify(code, otp.codeHash)) {
        // Single use: of concurrent right guesses, only the one that takes this claim succeeds.
        if ((await slots.take(`${id}:used`, leftMs + SLOT_MARGIN_MS)) > 0) throw invalid();
        await DeveloperOtp.deleteOne(thisCode);
        await slots.release(`${id}:try`, OTP_MAX_ATTEMPTS);
        return;
      }
      if (slot >= OTP_MAX_ATTEMPTS) {
        await DeveloperOtp.deleteOne(thisCode);
        throw new AppError('RATE_LIMITED', 'Too many incorrect attempts. Please request a new OTP.', undefined, {
          headers: { 'Retry-After': '60' },
        });
      }
      await DeveloperOtp.updateOne(thisCode, { $set: { attempts: slot } });
      throw badRequest(`Incorrect OTP. ${OTP_MAX_ATTEMPTS - slot} attempt(s) remaining.`);
    },
  };
}
