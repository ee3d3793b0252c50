import { type Connection, type Model, Schema, type Types } from 'mongoose';

/**
 * A registration invite code issued by the platform admin (registration mode `invite-only`).
 * The code itself is shown once; only its SHA-256 hash is stored. Its uses are `InviteCodeUse`
 * documents, one per registration, each taking a slot `1..maxUses` on a unique index.
 */
export interface InviteCode {
  codeHash: string;
  /** Last characters of the code, to recognise it in lists. */
  suffix: string;
  maxUses: number;
  expiresAt: Date;
  note: string;
  createdBy: Types.ObjectId;
  createdByEmail: string;
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const inviteCodeSchema = new Schema<InviteCode>(
  {
    codeHash: { type: String, required: true, unique: true },
    suffix: { type: String, required: true },
    maxUses: { type: Number, required: true, min: 1 },
    expiresAt: { type: Date, required: true },
    note: { type: String, default: '' },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    createdByEmail: { type: String, default: '' },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'invite_codes' },
);
inviteCodeSchema.index({ createdAt: -1 });

/**
 * One registration made with an invite code. Using a code is an **insert** of the lowest free
 * `slot` (1..`maxUses`) on the unique `{codeId, slot}` index: of concurrent registrations exactly
 * `maxUses` get a slot, even on FerretDB, whose conditional find-and-modify is not atomic.
 * A registration that creates no account deletes its use by `_id` (the slot is free again).
 */
export interface InviteCodeUse {
  codeId: Types.ObjectId;
  slot: number;
  email: string;
  at: Date;
}

export const inviteCodeUseSchema = new Schema<InviteCodeUse>(
  {
    codeId: { type: Schema.Types.ObjectId, required: true },
    slot: { type: Number, required: true, min: 1 },
    email: { type: String, required: true },
    at: { type: Date, default: () => new Date() },
  },
  { collection: 'invite_code_uses', versionKey: false },
);
inviteCodeUseSchema.index({ codeId: 1, slot: 1 }, { unique: true });

export type InviteCodeModel = Model<InviteCode>;
export type InviteCodeUseModel = Model<InviteCodeUse>;

/** Registers (or returns) the InviteCode model on a connection. */
export function inviteCodeModel(connection: Connection): InviteCodeModel {
  return (
    (connection.models.InviteCode as InviteCodeModel | undefined) ?? connection.model<InviteCode>('InviteCode', inviteCodeSchema)
  );
}

/** Registers (or returns) the InviteCodeUse model on a connection. */
export function inviteCodeUseModel(connection: Connection): InviteCodeUseModel {
  return (
    (connection.models.InviteCodeUse as InviteCodeUseModel | undefined) ??
    connection.model<InviteCodeUse>('InviteCodeUse', inviteCodeUseSchema)
  );
}
