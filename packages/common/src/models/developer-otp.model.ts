import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** Purpose of a developer OTP. */
export type DeveloperOtpPurpose = 'verify' | 'reset';

/**
 * A developer's one-time code (email verification or password reset): one per developer and
 * purpose, stored as a bcrypt hash, with a wrong-attempt counter. Expiry is checked on read.
 */
export interface DeveloperOtp {
  developerId: Types.ObjectId;
  purpose: DeveloperOtpPurpose;
  codeHash: string;
  attempts: number;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const developerOtpSchema = new Schema<DeveloperOtp>(
  {
    developerId: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, enum: ['verify', 'reset'], required: true },
    codeHash: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'developer_otps' },
);
developerOtpSchema.index({ developerId: 1, purpose: 1 }, { unique: true });

export type DeveloperOtpModel = Model<DeveloperOtp>;

/** Registers (or returns) the DeveloperOtp model on a connection. */
export function developerOtpModel(connection: Connection): DeveloperOtpModel {
  return (
    (connection.models.DeveloperOtp as DeveloperOtpModel | undefined) ??
    connection.model<DeveloperOtp>('DeveloperOtp', developerOtpSchema)
  );
}
