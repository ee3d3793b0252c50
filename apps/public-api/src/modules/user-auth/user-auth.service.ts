import { badRequest, forbidden, notFound } from '@urbackend/common/errors';
import type { OtpPurpose, SessionClient } from '@urbackend/common/user-auth';
import type { z } from 'zod';
import type { PublicContext } from '../../context.js';
import type { IssuedTokens, SessionsService } from './sessions.service.js';
import type { UserAuthKit } from './user-auth.kit.js';
import type {
  changePasswordSchema,
  emailOnlySchema,
  loginSchema,
  resetPasswordSchema,
  signupSchema,
  verifyEmailSchema,
} from './user-auth.schemas.js';
import { sendOtpMail } from './user-mail.js';
import { type UserDoc, customValues, fillGeneratedNames, publicView, selfView, usersCollectionOf } from './users.store.js';

type Signup = z.output<typeof signupSchema>;

export type SignupResult = { kind: 'created'; userId: string; tokens: IssuedTokens } | { kind: 'resent'; userId: string };

const INVALID_LOGIN = 'Invalid email or password';
const INVALID_OTP = 'Invalid or expired OTP';

/** Password-based end-user auth: signup, login, profile, password change/reset, email verification. */
export function createUserAuthService(kit: UserAuthKit, sessions: SessionsService) {
  const accountKey = (ctx: PublicContext, email: string) => `${ctx.projectId}:${email}`;

  /** Refuses (403) when the project's plan has no room for one more user; `inserted` re-checks after an insert. */
  async function assertUserRoom(ctx: PublicContext, inserted?: UserDoc['_id']): Promise<void> {
    const { owner } = ctx.project;
    const limit = kit.plans.limitsFor({ plan: owner.plan, isAdmin: owner.isAdmin }).authUsersLimit;
    if (limit < 0) return;
    const users = await kit.users(ctx);
    const count = await users.countDocuments({}, { maxTimeMS: 5000 });
    if (inserted ? count <= limit : count < limit) return;
    // Two racing signups may both be refused at the edge, but never both admitted.
    if (inserted) await users.deleteOne({ _id: inserted });
    throw forbidden(`User limit reached (${limit}). Please upgrade your plan to allow more users.`);
  }

  async function sendOtp(ctx: PublicContext, purpose: OtpPurpose, email: string): Promise<void> {
    const code = await kit.otp.issue(ctx.projectId, purpose, email);
    sendOtpMail(kit, ctx, purpose, email, code);
  }

  /** Checks an OTP with the per-account attempt limit; 400 `Invalid or expired OTP`. */
  async function checkOtp(ctx: PublicContext, purpose: OtpPurpose, email: string, otp: string): Promise<void> {
    const key = `${accountKey(ctx, email)}:${purpose}`;
    await kit.otpFailures.assertAllowed(key);
    if (!(await kit.otp.verify(ctx.projectId, purpose, email, otp))) {
      await kit.otpFailures.recordFailure(key);
      throw badRequest(INVALID_OTP);
    }
    await kit.otpFailures.reset(key);
  }

  return {
    assertUserRoom,

    async signup(ctx: PublicContext, body: Signup, client: SessionClient): Promise<SignupResult> {
      const usersSchema = usersCollectionOf(ctx.project);
      const users = await kit.users(ctx);
      const { email, password, ...rest } = body;
      const existing = await users.findOne({ email }, { projection: { _id: 1, emailVerified: 1 } });
      if (existing?.emailVerified) throw badRequest('User already exists with this email.');
      if (existing) {
        await kit.otp.claimCooldown(ctx.projectId, 'verification', email);
        await sendOtp(ctx, 'verification', email);
        return { kind: 'resent', userId: String(existing._id) };
      }
      fillGeneratedNames(usersSchema, rest, email);
      const custom = customValues(usersSchema, rest, 'insert');
      await assertUserRoom(ctx);
      const now = new Date();
      const doc = {
        ...custom,
        email,
        password: await kit.hasher.hash(password),
        emailVerified: false,
        createdAt: now,
        updatedAt: now,
      };
      const { insertedId } = await users.insertOne(doc as unknown as UserDoc).catch((err: unknown) => {
        // A concurrent signup with the same email won the unique index.
        throw (err as { code?: number }).code === 11000 ? badRequest('User already exists with this email.') : err;
      });
      await assertUserRoom(ctx, insertedId);
      const userId = String(insertedId);
      await kit.otp.claimCooldown(ctx.projectId, 'verification', email).catch(() => undefined);
      await sendOtp(ctx, 'verification', email);
      return { kind: 'created', userId, tokens: await sessions.issue(ctx, userId, client, 'signup') };
    },

    /** Same 400 for unknown email and wrong password; the unknown path still spends a hash. */
    async login(ctx: PublicContext, body: z.output<typeof loginSchema>, client: SessionClient): Promise<IssuedTokens> {
      usersCollectionOf(ctx.project);
      const key = accountKey(ctx, body.email);
      await kit.loginFailures.assertAllowed(key);
      const user = await (await kit.users(ctx)).findOne({ email: body.email }, { projection: { _id: 1, password: 1 } });
      const ok = await kit.hasher.verify(body.password, user?.password);
      if (!user || !ok) {
        await kit.loginFailures.recordFailure(key);
        throw badRequest(INVALID_LOGIN);
      }
      await kit.loginFailures.reset(key);
      return sessions.issue(ctx, String(user._id), client, 'password');
    },

    async me(ctx: PublicContext, bearer: string | null) {
      return selfView((await sessions.requireUser(ctx, bearer)).user);
    },

    async updateProfile(ctx: PublicContext, bearer: string | null, body: unknown): Promise<void> {
      const { user } = await sessions.requireUser(ctx, bearer);
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw badRequest('Request body must be a JSON object.');
      const changes = customValues(usersCollectionOf(ctx.project), body as Record<string, unknown>, 'patch');
      await (await kit.users(ctx)).updateOne({ _id: user._id }, { $set: { ...changes, updatedAt: new Date() } });
    },

    async changePassword(ctx: PublicContext, bearer: string | null, body: z.output<typeof changePasswordSchema>): Promise<void> {
      const { user } = await sessions.requireUser(ctx, bearer);
      const key = accountKey(ctx, user.email);
      await kit.loginFailures.assertAllowed(key);
      if (!(await kit.hasher.verify(body.currentPassword, user.password))) {
        await kit.loginFailures.recordFailure(key);
        throw badRequest('Invalid current password');
      }
      const password = await kit.hasher.hash(body.newPassword);
      await (await kit.users(ctx)).updateOne({ _id: user._id }, { $set: { password, updatedAt: new Date() } });
      await kit.sessions.revokeAllForUser(ctx.projectId, String(user._id));
    },

    async verifyEmail(ctx: PublicContext, body: z.output<typeof verifyEmailSchema>): Promise<void> {
      usersCollectionOf(ctx.project);
      await checkOtp(ctx, 'verification', body.email, body.otp);
      const res = await (await kit.users(ctx)).updateOne(
        { email: body.email },
        { $set: { emailVerified: true, updatedAt: new Date() } },
      );
      if (res.matchedCount === 0) throw notFound('User not found');
    },

    /** Same answer for unknown, unverified and verified emails (no enumeration); cooldown per email string. */
    async resendVerification(ctx: PublicContext, body: z.output<typeof emailOnlySchema>): Promise<void> {
      usersCollectionOf(ctx.project);
      await kit.otp.claimCooldown(ctx.projectId, 'verification', body.email);
      const user = await (await kit.users(ctx)).findOne({ email: body.email }, { projection: { emailVerified: 1 } });
      if (user && !user.emailVerified) await sendOtp(ctx, 'verification', body.email);
    },

    async requestPasswordReset(ctx: PublicContext, body: z.output<typeof emailOnlySchema>): Promise<void> {
      usersCollectionOf(ctx.project);
      await kit.otp.claimCooldown(ctx.projectId, 'reset', body.email);
      const user = await (await kit.users(ctx)).findOne({ email: body.email }, { projection: { _id: 1 } });
      if (user) await sendOtp(ctx, 'reset', body.email);
    },

    async resetPassword(ctx: PublicContext, body: z.output<typeof resetPasswordSchema>): Promise<void> {
      usersCollectionOf(ctx.project);
      await checkOtp(ctx, 'reset', body.email, body.otp);
      const users = await kit.users(ctx);
      const user = await users.findOne({ email: body.email }, { projection: { _id: 1 } });
      if (!user) throw notFound('User not found');
      const password = await kit.hasher.hash(body.newPassword);
      await users.updateOne({ _id: user._id }, { $set: { password, updatedAt: new Date() } });
      await kit.sessions.revokeAllForUser(ctx.projectId, String(user._id));
      await kit.loginFailures.reset(accountKey(ctx, body.email));
    },

    async publicProfile(ctx: PublicContext, username: string) {
      const usersSchema = usersCollectionOf(ctx.project);
      if (!username.trim()) throw badRequest('Username is required');
      if (!usersSchema.model.some((f) => f.key === 'username')) {
        throw badRequest("Public profile requires a 'username' field in users schema");
      }
      const user = await (await kit.users(ctx)).findOne({ username: username.trim() });
      if (!user) throw notFound('User not found');
      return publicView(usersSchema, user);
    },
  };
}

export type UserAuthService = ReturnType<typeof createUserAuthService>;
