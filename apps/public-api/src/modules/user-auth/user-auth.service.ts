import { type DataEvent, emitter, noDataEvents, present } from '@urbackend/common/data';
import {
  USER_DISABLED_FIELD,
  type UserDoc,
  assertUserEnabled,
  customValues,
  fillGeneratedNames,
  publicView,
  selfView,
  usersCollectionOf,
} from '@urbackend/common/end-users';
import { badRequest, forbidden, notFound } from '@urbackend/common/errors';
import { assertNotTrashedUser, findTrashedUser, scheduledDeletionMessage } from '@urbackend/common/lifecycle';
import type { ProjectScope } from '@urbackend/common/scope';
import type { OtpPurpose, SessionClient } from '@urbackend/common/user-auth';
import type { z } from 'zod';
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

type Signup = z.output<typeof signupSchema>;

export type SignupResult = { kind: 'created'; userId: string; tokens: IssuedTokens } | { kind: 'resent'; userId: string };

const INVALID_LOGIN = 'Invalid email or password';
const INVALID_OTP = 'Invalid or expired OTP';

/** Password-based end-user auth: signup, login, profile, password change/reset, email verification. */
export function createUserAuthService(kit: UserAuthKit, sessions: SessionsService) {
  const accountKey = (scope: ProjectScope, email: string) => `${scope.project._id}:${email}`;
  /** A `users` data event (realtime, webhooks) after the write; awaited, never fails the answer. */
  const hook = emitter(kit.onDataEvent ?? noDataEvents, kit.logger);
  const emit = (scope: ProjectScope, event: Omit<DataEvent, 'collection'>) => hook(scope, { collection: 'users', ...event });

  /** Refuses (403) when the project's plan has no room for one more user; `inserted` re-checks after an insert. */
  async function assertUserRoom(scope: ProjectScope, inserted?: UserDoc['_id']): Promise<void> {
    const limit = scope.limits.authUsersLimit;
    if (limit < 0) return;
    const users = await kit.users(scope);
    const count = await users.countDocuments({}, { maxTimeMS: 5000 });
    if (inserted ? count <= limit : count < limit) return;
    // Two racing signups may both be refused at the edge, but never both admitted.
    if (inserted) await users.deleteOne({ _id: inserted });
    throw forbidden(`User limit reached (${limit}). Please upgrade your plan to allow more users.`);
  }

  const sendOtp = (scope: ProjectScope, purpose: OtpPurpose, email: string) => sendOtpMail(kit, scope, purpose, email);

  /** Checks an OTP with the per-account attempt limit; 400 `Invalid or expired OTP`. */
  async function checkOtp(scope: ProjectScope, purpose: OtpPurpose, email: string, otp: string): Promise<void> {
    const key = `${accountKey(scope, email)}:${purpose}`;
    await kit.otpFailures.assertAllowed(key);
    if (!(await kit.otp.verify(scope.project._id, purpose, email, otp))) {
      await kit.otpFailures.recordFailure(key);
      throw badRequest(INVALID_OTP);
    }
    await kit.otpFailures.reset(key);
  }

  return {
    assertUserRoom,

    async signup(scope: ProjectScope, body: Signup, client: SessionClient): Promise<SignupResult> {
      const usersSchema = usersCollectionOf(scope.project);
      const users = await kit.users(scope);
      const { email, password, ...rest } = body;
      const existing = await users.findOne({ email }, { projection: { _id: 1, emailVerified: 1 } });
      if (existing?.emailVerified) throw badRequest('User already exists with this email.');
      // A trashed account keeps its email (so a recover can never be blocked): 403 until it is purged.
      if (!existing) await assertNotTrashedUser(scope, { email });
      if (existing) {
        await kit.otp.claimCooldown(scope.project._id, 'verification', email);
        await sendOtp(scope, 'verification', email);
        return { kind: 'resent', userId: String(existing._id) };
      }
      fillGeneratedNames(usersSchema, rest, email);
      const custom = customValues(usersSchema, rest, 'insert');
      await assertUserRoom(scope);
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
      await assertUserRoom(scope, insertedId);
      const userId = String(insertedId);
      await emit(scope, { action: 'insert', documentId: userId, data: present({ _id: userId, ...doc }) });
      await kit.otp.claimCooldown(scope.project._id, 'verification', email).catch(() => undefined);
      await sendOtp(scope, 'verification', email);
      return { kind: 'created', userId, tokens: await sessions.issue(scope, userId, client, 'signup') };
    },

    /**
     * Same 400 for unknown email and wrong password; the unknown path still spends a hash. The
     * right password of a disabled account: 403 `This account is disabled.`
     */
    async login(scope: ProjectScope, body: z.output<typeof loginSchema>, client: SessionClient): Promise<IssuedTokens> {
      usersCollectionOf(scope.project);
      const key = accountKey(scope, body.email);
      await kit.loginFailures.assertAllowed(key);
      const projection = { _id: 1, password: 1, [USER_DISABLED_FIELD]: 1 };
      const user = await (await kit.users(scope)).findOne({ email: body.email }, { projection });
      const ok = await kit.hasher.verify(body.password, user?.password);
      if (!user) {
        // An account in the trash answers 403 to its own password (others get the usual 400).
        const trashed = await findTrashedUser(scope, { email: body.email });
        if (trashed && (await kit.hasher.verify(body.password, trashed.doc.password as string | undefined))) {
          throw forbidden(scheduledDeletionMessage(trashed.expiresAt));
        }
      }
      if (!user || !ok) {
        await kit.loginFailures.recordFailure(key);
        throw badRequest(INVALID_LOGIN);
      }
      await kit.loginFailures.reset(key);
      assertUserEnabled(user);
      return sessions.issue(scope, String(user._id), client, 'password');
    },

    async me(scope: ProjectScope, bearer: string | null) {
      return selfView((await sessions.requireUser(scope, bearer)).user);
    },

    async updateProfile(scope: ProjectScope, bearer: string | null, body: unknown): Promise<void> {
      const { user } = await sessions.requireUser(scope, bearer);
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw badRequest('Request body must be a JSON object.');
      const changes = customValues(usersCollectionOf(scope.project), body as Record<string, unknown>, 'patch');
      const updatedAt = new Date();
      await (await kit.users(scope)).updateOne({ _id: user._id }, { $set: { ...changes, updatedAt } });
      const before = present({ ...user, _id: String(user._id) } as Record<string, unknown>);
      await emit(scope, {
        action: 'update',
        documentId: String(user._id),
        data: { ...before, ...changes, updatedAt },
        before,
        changedFields: Object.keys(changes),
      });
    },

    async changePassword(scope: ProjectScope, bearer: string | null, body: z.output<typeof changePasswordSchema>): Promise<void> {
      const { user } = await sessions.requireUser(scope, bearer);
      const key = accountKey(scope, user.email);
      await kit.loginFailures.assertAllowed(key);
      if (!(await kit.hasher.verify(body.currentPassword, user.password))) {
        await kit.loginFailures.recordFailure(key);
        throw badRequest('Invalid current password');
      }
      const password = await kit.hasher.hash(body.newPassword);
      await (await kit.users(scope)).updateOne({ _id: user._id }, { $set: { password, updatedAt: new Date() } });
      await kit.sessions.revokeAllForUser(scope.project._id, String(user._id));
    },

    async verifyEmail(scope: ProjectScope, body: z.output<typeof verifyEmailSchema>): Promise<void> {
      usersCollectionOf(scope.project);
      await checkOtp(scope, 'verification', body.email, body.otp);
      const res = await (await kit.users(scope)).updateOne(
        { email: body.email },
        { $set: { emailVerified: true, updatedAt: new Date() } },
      );
      if (res.matchedCount === 0) throw notFound('User not found');
    },

    /** Same answer for unknown, unverified and verified emails (no enumeration); cooldown per email string. */
    async resendVerification(scope: ProjectScope, body: z.output<typeof emailOnlySchema>): Promise<void> {
      usersCollectionOf(scope.project);
      await kit.otp.claimCooldown(scope.project._id, 'verification', body.email);
      const user = await (await kit.users(scope)).findOne({ email: body.email }, { projection: { emailVerified: 1 } });
      if (user && !user.emailVerified) await sendOtp(scope, 'verification', body.email);
    },

    async requestPasswordReset(scope: ProjectScope, body: z.output<typeof emailOnlySchema>): Promise<void> {
      usersCollectionOf(scope.project);
      await kit.otp.claimCooldown(scope.project._id, 'reset', body.email);
      const user = await (await kit.users(scope)).findOne({ email: body.email }, { projection: { _id: 1 } });
      if (user) await sendOtp(scope, 'reset', body.email);
    },

    async resetPassword(scope: ProjectScope, body: z.output<typeof resetPasswordSchema>): Promise<void> {
      usersCollectionOf(scope.project);
      await checkOtp(scope, 'reset', body.email, body.otp);
      const users = await kit.users(scope);
      const user = await users.findOne({ email: body.email }, { projection: { _id: 1 } });
      if (!user) throw notFound('User not found');
      const password = await kit.hasher.hash(body.newPassword);
      await users.updateOne({ _id: user._id }, { $set: { password, updatedAt: new Date() } });
      await kit.sessions.revokeAllForUser(scope.project._id, String(user._id));
      await kit.loginFailures.reset(accountKey(scope, body.email));
    },

    async publicProfile(scope: ProjectScope, username: string) {
      const usersSchema = usersCollectionOf(scope.project);
      if (!username.trim()) throw badRequest('Username is required');
      if (!usersSchema.model.some((f) => f.key === 'username')) {
        throw badRequest("Public profile requires a 'username' field in users schema");
      }
      const user = await (await kit.users(scope)).findOne({ username: username.trim() });
      if (!user) throw notFound('User not found');
      return publicView(usersSchema, user);
    },
  };
}

export type UserAuthService = ReturnType<typeof createUserAuthService>;
