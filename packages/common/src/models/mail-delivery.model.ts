import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** One SMTP attempt of a project mail. */
export interface MailAttempt {
  attemptNumber: number;
  status: 'sent' | 'failed';
  /** Why the attempt failed (≤ 500 chars, credentials redacted), or null. */
  error: string | null;
  attemptedAt: Date;
  durationMs: number;
}

export type MailDeliveryStatus = 'queued' | 'sent' | 'failed';

/** A mail sent through `POST /api/mail/send` and every attempt made to deliver it. */
export interface MailDelivery {
  projectId: Types.ObjectId;
  to: string[];
  subject: string;
  /** Key of the template used, or null. */
  template: string | null;
  provider: 'byok' | 'default';
  status: MailDeliveryStatus;
  attempts: MailAttempt[];
  /** The last attempt's error (for lists), or null. */
  lastError: string | null;
  nextRetryAt: Date | null;
  /** Message id the SMTP server returned on success. */
  providerMessageId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const attemptSchema = new Schema<MailAttempt>(
  {
    attemptNumber: { type: Number, required: true },
    status: { type: String, enum: ['sent', 'failed'], required: true },
    error: { type: String, default: null },
    attemptedAt: { type: Date, required: true },
    durationMs: { type: Number, required: true },
  },
  { _id: false },
);

export const mailDeliverySchema = new Schema<MailDelivery>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    to: { type: [String], default: [] },
    subject: { type: String, default: '' },
    template: { type: String, default: null },
    provider: { type: String, enum: ['byok', 'default'], default: 'default' },
    status: { type: String, enum: ['queued', 'sent', 'failed'], default: 'queued' },
    attempts: { type: [attemptSchema], default: [] },
    lastError: { type: String, default: null },
    nextRetryAt: { type: Date, default: null },
    providerMessageId: { type: String, default: null },
  },
  { timestamps: true, collection: 'maildeliveries' },
);
mailDeliverySchema.index({ projectId: 1, createdAt: -1 });
mailDeliverySchema.index({ projectId: 1, status: 1, createdAt: -1 });

export type MailDeliveryModel = Model<MailDelivery>;

/** Registers (or returns) the MailDelivery model on a connection. */
export function mailDeliveryModel(connection: Connection): MailDeliveryModel {
  return (
    (connection.models.MailDelivery as MailDeliveryModel | undefined) ??
    connection.model<MailDelivery>('MailDelivery', mailDeliverySchema)
  );
}
