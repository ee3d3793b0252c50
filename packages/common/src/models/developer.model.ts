import { type Connection, type HydratedDocument, type Model, Schema, type Types } from 'mongoose';

export type PlanName = string;

export interface Developer {
  /** Trimmed, lower-cased. */
  email: string;
  /** bcrypt hash (`$2b$`), never selected by default. */
  passwordHash: string;
  isVerified: boolean;
  isAdmin: boolean;
  /** Quota profile: `free`, `pro` or an operator-defined plan. */
  plan: PlanName;
  /** Set by the platform admin: the account cannot sign in and its projects' API keys are refused. */
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type DeveloperDocument = HydratedDocument<Developer>;

export const developerSchema = new Schema<Developer>(
  {
    email: { type: String, required: true, unique: true, trim: true, lowercase: true },
    passwordHash: { type: String, required: true, select: false },
    isVerified: { type: Boolean, default: false },
    isAdmin: { type: Boolean, default: false },
    plan: { type: String, default: 'free' },
    disabledAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'developers' },
);

/**
 * A developer's refresh session: the token is stored only as a SHA-256 hash; rotation links
 * sessions of one login into a family; replaying a used token revokes the family.
 * Expiry is checked on read (no TTL index as a correctness mechanism).
 */
export interface DeveloperSession {
  developerId: Types.ObjectId;
  familyId: string;
  tokenHash: string;
  /** Set when this token was exchanged for a new one (single use). */
  rotatedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
  lastUsedAt: Date;
  ip: string;
  userAgent: string;
  createdAt: Date;
  updatedAt: Date;
}

export const developerSessionSchema = new Schema<DeveloperSession>(
  {
    developerId: { type: Schema.Types.ObjectId, required: true, index: true },
    familyId: { type: String, required: true, index: true },
    tokenHash: { type: String, required: true, unique: true },
    rotatedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: () => new Date() },
    ip: { type: String, default: '' },
    userAgent: { type: String, default: '' },
  },
  { timestamps: true, collection: 'developer_sessions' },
);

export type DeveloperModel = Model<Developer>;
export type DeveloperSessionModel = Model<DeveloperSession>;

/** Registers (or returns) the Developer model on a connection. */
export function developerModel(connection: Connection): DeveloperModel {
  return (connection.models.Developer as DeveloperModel | undefined) ?? connection.model<Developer>('Developer', developerSchema);
}

/** Registers (or returns) the DeveloperSession model on a connection. */
export function developerSessionModel(connection: Connection): DeveloperSessionModel {
  return (
    (connection.models.DeveloperSession as DeveloperSessionModel | undefined) ??
    connection.model<DeveloperSession>('DeveloperSession', developerSessionSchema)
  );
}
