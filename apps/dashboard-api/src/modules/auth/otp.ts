import { randomInt } from 'node:crypto';
import { AppError, badRequest } from '@urbackend/common/errors';
import type { DeveloperOtpModel, DeveloperOtpPurpose } from '@urbackend/common/models';
import type { PasswordHasher } from '@urbackend/common/user-auth';
import type { Types } from 'mongoose';

export const OTP_TTL_MS = 5 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;

/** Developer OTPs: 6 digits, 5 minutes, 5 wrong attempts then burnt (CONTRACT §3.5). */
export interface DeveloperOtps {
  /** Creates (or replaces) the code of `purpose` and returns it in clear text for the mail. */
  issue(developerId: Types.ObjectId | string, purpose: DeveloperOtpPurpose): Promise<string>;
  /**
   * Checks a code: 400 when missing/expired or wrong (with attempts left), 429 when the last
   * attempt was used (the code is then deleted). A correct code is consumed.
   */
  consume(developerId: Types.ObjectId | string | null, purpose: DeveloperOtpPurpose, code: string): Promise<void>;
}

/** Creates the OTP service over the DeveloperOtp model. */
export function createDeveloperOtps(DeveloperOtp: DeveloperOtpModel, hasher: PasswordHasher): DeveloperOtps {
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
      if (!otp || otp.expiresAt <= new Date()) {
        if (otp) await DeveloperOtp.deleteOne({ _id: otp._id });
        throw invalid();
      }
      if (await hasher.verify(code, otp.codeHash)) {
        await DeveloperOtp.deleteOne({ _id: otp._id });
        return;
      }
      const updated = await DeveloperOtp.findOneAndUpdate({ _id: otp._id }, { $inc: { attempts: 1 } }, { new: true }).lean();
      const attempts = updated?.attempts ?? OTP_MAX_ATTEMPTS;
      if (attempts >= OTP_MAX_ATTEMPTS) {
        await DeveloperOtp.deleteOne({ _id: otp._id });
        throw new AppError('RATE_LIMITED', 'Too many incorrect attempts. Please request a new OTP.', undefined, {
          headers: { 'Retry-After': '60' },
        });
      }
      const left = OTP_MAX_ATTEMPTS - attempts;
      throw badRequest(`Incorrect OTP. ${left} attempt(s) remaining.`);
    },
  };
}
