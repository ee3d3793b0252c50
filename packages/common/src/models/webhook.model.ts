import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** Which actions of a collection fire a webhook. */
export interface WebhookEventFlags {
  insert?: boolean;
  update?: boolean;
  delete?: boolean;
  /** A document recovered from the trash (docs/data-lifecycle.md). */
  recover?: boolean;
}

/** An outbound webhook of a project (reference §1.9, §6.2). */
export interface Webhook {
  projectId: Types.ObjectId;
  name: string;
  url: string;
  /** Encrypted signing secret (SecretBox, AAD `project:<id>:webhook`). */
  secret: string;
  /** `{<collection>: {insert, update, delete}}`; the key `*` matches every collection. */
  events: Record<string, WebhookEventFlags>;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const webhookSchema = new Schema<Webhook>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: 100 },
    url: { type: String, required: true, maxlength: 2048 },
    secret: { type: String, required: true, select: false },
    events: { type: Schema.Types.Mixed, default: () => ({}) },
    enabled: { type: Boolean, default: true },
  },
  { timestamps: true, collection: 'webhooks', minimize: false },
);
webhookSchema.index({ projectId: 1, enabled: 1 });

export type WebhookModel = Model<Webhook>;

/** Registers (or returns) the Webhook model on a connection. */
export function webhookModel(connection: Connection): WebhookModel {
  return (connection.models.Webhook as WebhookModel | undefined) ?? connection.model<Webhook>('Webhook', webhookSchema);
}
