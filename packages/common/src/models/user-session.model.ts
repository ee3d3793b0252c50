import { type Connection, type Model, Schema } from 'mongoose';

/**
 * An end user's refresh session (platform database; users themselves live in the project's
 * tenant database). One document per issued refresh token: the token is stored only as a
 * SHA-256 hash, `familyId` groups the tokens of one login (rotation chain), `rotatedAt` marks
 * a token as spent. Expiry is checked on read (no TTL index as a correctness mechanism).
 */
export interface UserSession {
  projectId: string;
  userId: string;
  familyId: string;
  tokenHash: string;
  /**
   * Unique link to the predecessor (`<its tokenHash>`, or `root:<familyId>` for a login): the unique
   * index makes rotation single-use even on servers whose find-and-modify is not atomic (FerretDB).
   */
  parentKey: string;
  /** When the family (the login) started: stable across rotations. */
  familyCreatedAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
  lastUsedAt: Date;
  ip: string;
  userAgent: string;
  /** How the login happened: `password`, `signup`, `github`, `google`. */
  method: string;
  createdAt: Date;
  updatedAt: Date;
}

export const userSessionSchema = new Schema<UserSession>(
  {
    projectId: { type: String, required: true },
    userId: { type: String, required: true },
    familyId: { type: String, required: true, index: true },
    tokenHash: { type: String, required: true, unique: true },
    parentKey: { type: String, required: true, unique: true },
    familyCreatedAt: { type: Date, required: true },
    rotatedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: () => new Date() },
    ip: { type: String, default: '' },
    userAgent: { type: String, default: '' },
    method: { type: String, default: 'password' },
  },
  { timestamps: true, collection: 'user_sessions' },
);
userSessionSchema.index({ projectId: 1, userId: 1 });

/**
 * An end user's one-time code (email verification or password reset). MongoDB is the only copy
 * (Redis losing its keys cannot lose a mailed code): the code is stored as a hash, expiry is
 * checked on read. Wrong guesses are counted in `auth_claims` slots tied to `nonce` (see
 * `createOtpService`); `attempts` mirrors that count for reading only.
 */
export interface UserOtp {
  /** `uauth:otp:<projectId>:<purpose>:<sha256(email)>`: one live code per email and purpose. */
  key: string;
  /** The project (so project deletion removes its codes); absent on rows written before it existed. */
  projectId?: string;
  codeHash: string;
  /** Random per issued code: attempt slots and the single-use marker of a code are keyed by it. */
  nonce: string;
  attempts: number;
  expiresAt: Date;
  /** When the code was last sent. */
  sentAt: Date;
}

export const userOtpSchema = new Schema<UserOtp>(
  {
    key: { type: String, required: true, unique: true },
    projectId: { type: String },
    codeHash: { type: String, required: true },
    nonce: { type: String, default: '' },
    attempts: { type: Number, default: 0 },
    expiresAt: { type: Date, required: true },
    sentAt: { type: Date, required: true },
  },
  { timestamps: false, collection: 'user_otps' },
);

/**
 * A claim on a short-lived key: one unit of a durable attempt counter (a slot `<key>#<n>`), a
 * resend cooldown, a single-use marker, or a one-time store's value. Taking a claim is an insert, so the unique `key`
 * index decides between concurrent takers on every MongoDB-compatible server, FerretDB included
 * (whose conditional updates and find-and-modify are not atomic). Expiry is checked on read;
 * an expired claim is deleted by `_id` before the key is taken again. See `rate-limit/claims.ts`.
 */
export interface AuthClaim {
  key: string;
  expiresAt: Date;
  /** A payload some claims carry (the one-time store's sealed values). */
  value?: string;
}

export const authClaimSchema = new Schema<AuthClaim>(
  {
    key: { type: String, required: true, unique: true },
    expiresAt: { type: Date, required: true },
    value: { type: String },
  },
  { timestamps: false, versionKey: false, collection: 'auth_claims' },
);
// For the housekeeping sweep of long-expired claims (FerretDB has no TTL indexes; expiry is checked on read).
authClaimSchema.index({ expiresAt: 1 });

export type UserSessionModel = Model<UserSession>;
export type UserOtpModel = Model<UserOtp>;
export type AuthClaimModel = Model<AuthClaim>;

/** Registers (or returns) the UserSession model on a connection. */
export function userSessionModel(connection: Connection): UserSessionModel {
  return (
    (connection.models.UserSession as UserSessionModel | undefined) ??
    connection.model<UserSession>('UserSession', userSessionSchema)
  );
}

/** Registers (or returns) the UserOtp model on a connection. */
export function userOtpModel(connection: Connection): UserOtpModel {
  return (connection.models.UserOtp as UserOtpModel | undefined) ?? connection.model<UserOtp>('UserOtp', userOtpSchema);
}

/**
 * Registers (or returns) the AuthClaim model on a connection. Its unique index is created on
 * first use by `createClaims` (the model is not part of `PlatformModels`).
 */
export function authClaimModel(connection: Connection): AuthClaimModel {
  return (connection.models.AuthClaim as AuthClaimModel | undefined) ?? connection.model<AuthClaim>('AuthClaim', authClaimSchema);
}
