import { AppError, badRequest, conflict, unauthenticated } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import { type Mailer, developerOtpMail } from '@urbackend/common/mail';
import type { DeveloperModel } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import type { AttemptCounter, Cooldown } from '@urbackend/common/rate-limit';
import type { PasswordHasher } from '@urbackend/common/user-auth';
import type { Types } from 'mongoose';
import type { AccessTokens } from '../../middleware/auth.js';
import type { Registration } from '../admin/registration.js';
import type { OwnerChanged } from '../projects/owner-changes.js';
import { type DeveloperOtps, OTP_TTL_MS } from './otp.js';
import type { DeveloperSessions, IssuedRefresh, SessionContext } from './sessions.js';

export const GENERIC_SEND_OTP = 'OTP sent successfully';
export const GENERIC_FORGOT = 'If this email is registered, an OTP has been sent.';

export interface SessionUser {
  _id: string;
  email: string;
  isVerified: boolean;
  isAdmin: boolean;
  plan: string;
}

/** What login, verify-otp and refresh produce; the route sets the cookie from `refresh`. */
export interface SessionResult {
  body: { success: true; user: SessionUser; accessToken: string };
  refresh: IssuedRefresh;
}

export interface AuthServiceDeps {
  Developer: DeveloperModel;
  sessions: DeveloperSessions;
  otps: DeveloperOtps;
  tokens: AccessTokens;
  mailer: Mailer;
  /** The platform password hasher (`BCRYPT_COST`), the same one end-user passwords use. */
  hasher: PasswordHasher;
  plans: Plans;
  loginFailures: AttemptCounter;
  otpCooldown: Cooldown;
  logger: Logger;
  /** Deletes everything a developer owns (projects and their data). */
  deleteOwnedProjects(developerId: Types.ObjectId): Promise<void>;
  /** Deletes the developer's pending OTPs. */
  deleteOtps(developerId: Types.ObjectId): Promise<void>;
  /** Publishes a change of every project the developer owns (their verification changed). */
  ownerChanged: OwnerChanged;
  /** Registration mode and invite codes (`admin/registration.ts`). */
  registration: Registration;
}

const ACCOUNT_DISABLED = 'Account disabled. Contact the administrator of this server.';

export interface DevLike {
  _id: Types.ObjectId;
  email: string;
  isVerified: boolean;
  isAdmin: boolean;
  plan: string;
}

/** Developer account rules (CONTRACT §5, reference §6.1 minus its enumeration bugs). */
export function createAuthService(deps: AuthServiceDeps) {
  const { Developer, sessions, otps, tokens, mailer, hasher } = deps;

  function userOf(dev: DevLike): SessionUser {
    return { _id: String(dev._id), email: dev.email, isVerified: dev.isVerified, isAdmin: dev.isAdmin, plan: dev.plan };
  }

  async function session(dev: DevLike, refresh: IssuedRefresh): Promise<SessionResult> {
    const user = userOf(dev);
    const accessToken = tokens.sign({ _id: user._id, isVerified: user.isVerified, isAdmin: user.isAdmin });
    return { body: { success: true, user, accessToken }, refresh };
  }

  async function sendOtp(dev: DevLike, purpose: 'verify' | 'reset'): Promise<void> {
    const code = await otps.issue(dev._id, purpose);
    const mail = developerOtpMail(purpose, code, OTP_TTL_MS / 60_000);
    await mailer.send({ to: dev.email, ...mail });
  }

  /** An unknown developer (no hash) costs one full hash too: no timing difference. */
  function checkPassword(hash: string | undefined, password: string): Promise<boolean> {
    return hasher.verify(password, hash);
  }

  /** Deletes an account with everything it owns (its own deletion, or the platform admin's). */
  async function deleteDeveloper(developerId: Types.ObjectId): Promise<void> {
    await deps.deleteOwnedProjects(developerId);
    await sessions.revokeAll(developerId);
    await deps.deleteOtps(developerId);
    await Developer.deleteOne({ _id: developerId });
  }

  return {
    userOf,

    /** The registration mode (`GET /api/auth/registration`). */
    registrationMode: () => deps.registration.mode(),

    /**
     * Registration mode first (closed: 403, nothing changes; invite-only: a code is required), then
     * one use of the invite code is taken atomically, given back if no account was created.
     */
    async register(email: string, password: string, inviteCode?: string): Promise<void> {
      const gate = await deps.registration.gate(inviteCode);
      const existing = await Developer.findOne({ email }).select('+passwordHash');
      const passwordHash = await hasher.hash(password);
      if (existing?.isVerified) throw badRequest('Email already exists');
      const admission = await gate.admit(email);
      let dev: DevLike;
      try {
        if (existing) {
          existing.passwordHash = passwordHash; // unverified: nobody proved ownership yet
          await existing.save();
          dev = existing;
        } else {
          try {
            dev = await Developer.create({ email, passwordHash, plan: deps.plans.defaultPlan });
          } catch (err) {
            if ((err as { code?: number }).code === 11000) throw conflict('Email already exists');
            throw err;
          }
        }
      } catch (err) {
        await admission.refund();
        throw err;
      }
      await deps.otpCooldown.enter(email).catch(() => undefined);
      await sendOtp(dev, 'verify');
    },

    /** Same answer for unknown, verified and unverified emails; 429 inside the cooldown. */
    async sendVerificationOtp(email: string): Promise<void> {
      await deps.otpCooldown.enter(email);
      const dev = await Developer.findOne({ email }).lean();
      if (dev && !dev.isVerified) await sendOtp(dev, 'verify');
    },

    async verifyOtp(email: string, code: string, ctx: SessionContext): Promise<SessionResult> {
      await deps.loginFailures.assertAllowed(`otp:${email}`);
      const dev = await Developer.findOne({ email }).lean();
      try {
        await otps.consume(dev?._id ?? null, 'verify', code);
      } catch (err) {
        await deps.loginFailures.recordFailure(`otp:${email}`);
        throw err;
      }
      // updateOne + read: FerretDB has no projections on findAndModify (passwordHash is select:false).
      await Developer.updateOne({ _id: dev?._id }, { $set: { isVerified: true } });
      await deps.ownerChanged([dev?._id], 'owner-verified');
      const verified = dev ? await Developer.findById(dev._id).lean() : null;
      if (!verified) throw badRequest('Invalid or expired OTP. Please request a new one.');
      await deps.loginFailures.reset(`otp:${email}`);
      return session(verified, await sessions.start(verified._id, ctx));
    },

    async login(email: string, password: string, ctx: SessionContext): Promise<SessionResult> {
      await deps.loginFailures.assertAllowed(`login:${email}`);
      const dev = await Developer.findOne({ email }).select('+passwordHash').lean();
      const ok = await checkPassword(dev?.passwordHash, password);
      if (!dev || !ok) {
        await deps.loginFailures.recordFailure(`login:${email}`);
        throw unauthenticated('Invalid email or password.');
      }
      await deps.loginFailures.reset(`login:${email}`);
      if (dev.disabledAt) throw new AppError('FORBIDDEN', ACCOUNT_DISABLED);
      return session(dev, await sessions.start(dev._id, ctx));
    },

    /** Logs the developer out everywhere: every refresh session is revoked. */
    async revokeAllSessions(developerId: Types.ObjectId | string): Promise<void> {
      await sessions.revokeAll(developerId);
    },

    async revokeSession(token: string): Promise<void> {
      await sessions.revokeByToken(token);
    },

    /** The developer's profile with effective plan limits. */
    async me(developerId: Types.ObjectId) {
      const dev = await Developer.findById(developerId).lean();
      if (!dev) throw unauthenticated('Invalid Token');
      return { ...userOf(dev), createdAt: dev.createdAt, updatedAt: dev.updatedAt, limits: deps.plans.limitsFor(dev) };
    },

    async refresh(token: string, ctx: SessionContext): Promise<SessionResult> {
      const { developerId, refresh } = await sessions.rotate(token, ctx);
      const dev = await Developer.findById(developerId).lean();
      if (!dev) throw unauthenticated('Invalid or expired refresh token. Please log in again.');
      if (dev.disabledAt) {
        await sessions.revokeAll(dev._id);
        throw new AppError('FORBIDDEN', ACCOUNT_DISABLED);
      }
      return session(dev, refresh);
    },

    async changePassword(developerId: Types.ObjectId, current: string, next: string, keepToken?: string): Promise<void> {
      const dev = await Developer.findById(developerId).select('+passwordHash');
      if (!dev) throw unauthenticated('Invalid Token');
      await deps.loginFailures.assertAllowed(`login:${dev.email}`);
      if (!(await hasher.verify(current, dev.passwordHash))) {
        await deps.loginFailures.recordFailure(`login:${dev.email}`);
        throw badRequest('Incorrect current password');
      }
      dev.passwordHash = await hasher.hash(next);
      await dev.save();
      await sessions.revokeAll(dev._id, keepToken);
    },

    /** Always the same answer (no enumeration); 429 inside the per-email cooldown. */
    async forgotPassword(email: string): Promise<void> {
      await deps.otpCooldown.enter(`reset:${email}`);
      const dev = await Developer.findOne({ email }).lean();
      if (dev) await sendOtp(dev, 'reset');
    },

    async resetPassword(email: string, code: string, newPassword: string): Promise<void> {
      await deps.loginFailures.assertAllowed(`reset:${email}`);
      const dev = await Developer.findOne({ email }).lean();
      try {
        await otps.consume(dev?._id ?? null, 'reset', code);
      } catch (err) {
        await deps.loginFailures.recordFailure(`reset:${email}`);
        throw err;
      }
      const passwordHash = await hasher.hash(newPassword);
      // Receiving the code proves the address, so the account counts as verified from now on.
      await Developer.updateOne({ _id: dev?._id }, { $set: { passwordHash, isVerified: true } });
      await deps.ownerChanged([dev?._id], 'owner-verified');
      await sessions.revokeAll(dev?._id as Types.ObjectId);
      await deps.loginFailures.reset(`reset:${email}`);
      await deps.loginFailures.reset(`login:${email}`);
    },

    async deleteAccount(developerId: Types.ObjectId, password: string): Promise<void> {
      const dev = await Developer.findById(developerId).select('+passwordHash');
      if (!dev) throw unauthenticated('Invalid Token');
      await deps.loginFailures.assertAllowed(`login:${dev.email}`);
      if (!(await hasher.verify(password, dev.passwordHash))) {
        await deps.loginFailures.recordFailure(`login:${dev.email}`);
        throw badRequest('Incorrect password');
      }
      await deleteDeveloper(dev._id);
    },

    deleteDeveloper,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
