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
 * A one-time code (email verification or password reset) when Redis is absent: the code is
 * stored as a hash, expiry is checked on read, `attempts` counts wrong guesses.
 */
export interface UserOtp {
  /** `<projectId>:<purpose>:<sha256(email)>`: one live code per email and purpose. */
  key: string;
  codeHash: string;
  attempts: number;
  expiresAt: Date;
  /** When the code was last sent (resend cooldown). */
  sentAt: Date;
}

export const userOtpSchema = new Schema<UserOtp>(
  {
    key: { type: String, required: true, unique: true },
    codeHash: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    expiresAt: { type: Date, required: true },
    sentAt: { type: Date, required: true },
  },
  { timestamps: false, collection: 'user_otps' },
);

export type UserSessionModel = Model<UserSession>;
export type UserOtpModel = Model<UserOtp>;

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
