import { type Connection, type Model, Schema, type Types } from 'mongoose';

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'revoked';

/**
 * An invitation of an existing developer into a project. `slot` is unique: it is
 * `<projectId>:<inviteeId>` while the invitation is pending (so one developer has at most one
 * pending invitation per project, on MongoDB and FerretDB alike, without a partial index) and
 * `<projectId>:<inviteeId>:<invitationId>` once it is closed. Expiry is checked on read.
 */
export interface ProjectInvitation {
  projectId: Types.ObjectId;
  invitee: Types.ObjectId;
  email: string;
  role: 'admin' | 'viewer';
  invitedBy: Types.ObjectId;
  status: InvitationStatus;
  slot: string;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const projectInvitationSchema = new Schema<ProjectInvitation>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true, index: true },
    invitee: { type: Schema.Types.ObjectId, required: true, index: true },
    email: { type: String, required: true },
    role: { type: String, enum: ['admin', 'viewer'], required: true },
    invitedBy: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: ['pending', 'accepted', 'declined', 'revoked'], default: 'pending' },
    slot: { type: String, required: true, unique: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'project_invitations' },
);

export type PatScope = 'api:all' | 'api:read';

/**
 * A developer's personal access token (`ubpat_<live|test>_…`), stored as the SHA-256 hex of the
 * whole token. Expiry is checked on every use (no TTL index as a correctness mechanism).
 */
export interface PersonalAccessToken {
  developer: Types.ObjectId;
  tokenHash: string;
  suffix: string;
  label: string;
  type: 'human' | 'agent';
  scopes: PatScope[];
  expiresAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const personalAccessTokenSchema = new Schema<PersonalAccessToken>(
  {
    developer: { type: Schema.Types.ObjectId, required: true, index: true },
    tokenHash: { type: String, required: true, unique: true, select: false },
    suffix: { type: String, required: true },
    label: { type: String, required: true },
    type: { type: String, enum: ['human', 'agent'], default: 'human' },
    scopes: { type: [String], required: true },
    expiresAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
    lastUsedIp: { type: String, default: null },
  },
  { timestamps: true, collection: 'personal_access_tokens' },
);

export type ProjectInvitationModel = Model<ProjectInvitation>;
export type PersonalAccessTokenModel = Model<PersonalAccessToken>;

/** Registers (or returns) the ProjectInvitation model on a connection. */
export function projectInvitationModel(connection: Connection): ProjectInvitationModel {
  return (
    (connection.models.ProjectInvitation as ProjectInvitationModel | undefined) ??
    connection.model<ProjectInvitation>('ProjectInvitation', projectInvitationSchema)
  );
}

/** Registers (or returns) the PersonalAccessToken model on a connection. */
export function personalAccessTokenModel(connection: Connection): PersonalAccessTokenModel {
  return (
    (connection.models.PersonalAccessToken as PersonalAccessTokenModel | undefined) ??
    connection.model<PersonalAccessToken>('PersonalAccessToken', personalAccessTokenSchema)
  );
}
