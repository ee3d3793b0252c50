import { type Connection, type Model, Schema, type Types } from 'mongoose';

/**
 * A presigned upload that was asked for and not yet confirmed: its object key, the declared size
 * (reserved on the project's storage quota), who asked, and until when the PUT may happen. The PUT
 * is accepted once (`uploadedAt`), confirm turns the row into a stored file, and the cleanup job
 * deletes expired rows with their bytes and releases the reservation.
 */
export interface PendingUpload {
  projectId: Types.ObjectId;
  key: string;
  size: number;
  contentType: string;
  provider: 'internal' | 'external';
  /** True when the size was reserved on the project's storage quota (internal storage). */
  charged: boolean;
  userId: string | null;
  expiresAt: Date;
  /** When the bytes were PUT (a second PUT is refused); null until then. */
  uploadedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const pendingUploadSchema = new Schema<PendingUpload>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    size: { type: Number, required: true },
    contentType: { type: String, default: 'application/octet-stream' },
    provider: { type: String, enum: ['internal', 'external'], required: true },
    charged: { type: Boolean, default: false },
    userId: { type: String, default: null },
    expiresAt: { type: Date, required: true },
    uploadedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'pendinguploads' },
);
pendingUploadSchema.index({ projectId: 1, key: 1 }, { unique: true });
pendingUploadSchema.index({ expiresAt: 1 });

export type PendingUploadModel = Model<PendingUpload>;

/** Registers (or returns) the PendingUpload model on a connection. */
export function pendingUploadModel(connection: Connection): PendingUploadModel {
  return (
    (connection.models.PendingUpload as PendingUploadModel | undefined) ??
    connection.model<PendingUpload>('PendingUpload', pendingUploadSchema)
  );
}
