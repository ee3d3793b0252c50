import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** One public-API request of a project (logs and analytics), written in batches. */
export interface RequestLog {
  projectId: Types.ObjectId;
  method: string;
  /** Route pattern, e.g. `/api/data/:collectionName/:id`. */
  route: string;
  /** Path without the query string (which may carry a key). */
  path: string;
  status: number;
  latencyMs: number;
  ip: string;
  keyRole: string;
  /** `User-Agent` header (first 300 characters); absent on older records. */
  userAgent?: string;
  /** The end user of a valid user token, when the request carried one. */
  userId?: string;
  /** The error message the API answered (status ≥ 400; 5xx carry the generic message only). */
  error?: string;
  at: Date;
  /** Time buckets stored at write time (UTC): `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH`, `YYYY-MM-DD`. */
  minute: string;
  hour: string;
  day: string;
}

export const requestLogSchema = new Schema<RequestLog>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    method: String,
    route: String,
    path: String,
    status: Number,
    latencyMs: Number,
    ip: String,
    keyRole: String,
    userAgent: String,
    userId: String,
    error: String,
    at: { type: Date, required: true },
    minute: String,
    hour: String,
    day: String,
  },
  { collection: 'request_logs', versionKey: false },
);
requestLogSchema.index({ projectId: 1, at: -1 });
requestLogSchema.index({ projectId: 1, day: 1 });

export type RequestLogModel = Model<RequestLog>;

/** Registers (or returns) the RequestLog model on a connection. */
export function requestLogModel(connection: Connection): RequestLogModel {
  return (
    (connection.models.RequestLog as RequestLogModel | undefined) ?? connection.model<RequestLog>('RequestLog', requestLogSchema)
  );
}
