import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** One HTTP attempt of a delivery. */
export interface WebhookAttempt {
  attemptNumber: number;
  status: 'success' | 'failed';
  statusCode: number | null;
  /** First 1024 characters of the response body. */
  responseBody: string | null;
  /** Network / SSRF / timeout error (≤ 500 chars), or null. */
  error: string | null;
  attemptedAt: Date;
  durationMs: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * A webhook delivery and every attempt made for it (reference §7). A delivery lives in the
 * **outbox** (`webhookoutbox`) while it is being worked (pending, retries due) and moves to the
 * **log** (`webhookdeliveries`) once it is delivered or has failed for good: the collection the
 * workers update stays as small as the deliveries in flight, and the log, which grows with every
 * delivery, is only ever inserted into on the delivery path (an embedded engine that scans for
 * every update, like FerretDB, would otherwise get slower with every delivery ever made).
 */
export interface WebhookDelivery {
  webhookId: Types.ObjectId;
  projectId: Types.ObjectId;
  event: string;
  /** The exact JSON body sent (string, so the signature always matches on replay). */
  body: string;
  attempts: WebhookAttempt[];
  nextRetryAt: Date | null;
  finalStatus: DeliveryStatus;
  /** Set when this delivery replays another one. */
  replayOf: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const attemptSchema = new Schema<WebhookAttempt>(
  {
    attemptNumber: { type: Number, required: true },
    status: { type: String, enum: ['success', 'failed'], required: true },
    statusCode: { type: Number, default: null },
    responseBody: { type: String, default: null },
    error: { type: String, default: null },
    attemptedAt: { type: Date, required: true },
    durationMs: { type: Number, required: true },
  },
  { _id: false },
);

export const webhookDeliverySchema = new Schema<WebhookDelivery>(
  {
    webhookId: { type: Schema.Types.ObjectId, required: true },
    projectId: { type: Schema.Types.ObjectId, required: true },
    event: { type: String, required: true },
    body: { type: String, required: true },
    attempts: { type: [attemptSchema], default: [] },
    nextRetryAt: { type: Date, default: null },
    finalStatus: { type: String, enum: ['pending', 'delivered', 'failed'], default: 'pending' },
    replayOf: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, collection: 'webhookdeliveries' },
);
webhookDeliverySchema.index({ projectId: 1, webhookId: 1, createdAt: -1 });
// The retention sweep (`WEBHOOK_DELIVERY_RETENTION_DAYS`): finished deliveries by age.
webhookDeliverySchema.index({ finalStatus: 1, createdAt: 1 });
webhookDeliverySchema.index({ finalStatus: 1, nextRetryAt: 1 });

export type WebhookDeliveryModel = Model<WebhookDelivery>;

/** The same documents, in flight: the outbox the delivery workers claim and update. */
const webhookOutboxSchema = webhookDeliverySchema.clone();
webhookOutboxSchema.set('collection', 'webhookoutbox');

/** Registers (or returns) the WebhookDelivery model (the finished deliveries' log) on a connection. */
export function webhookDeliveryModel(connection: Connection): WebhookDeliveryModel {
  return (
    (connection.models.WebhookDelivery as WebhookDeliveryModel | undefined) ??
    connection.model<WebhookDelivery>('WebhookDelivery', webhookDeliverySchema)
  );
}

/** Registers (or returns) the WebhookOutbox model (the deliveries in flight) on a connection. */
export function webhookOutboxModel(connection: Connection): WebhookDeliveryModel {
  return (
    (connection.models.WebhookOutbox as WebhookDeliveryModel | undefined) ??
    connection.model<WebhookDelivery>('WebhookOutbox', webhookOutboxSchema)
  );
}
