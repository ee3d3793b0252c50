import { type Connection, type Model, Schema, type Types } from 'mongoose';

/**
 * A confirmed upload: one row per object key, so a confirmation is charged once and a delete
 * releases exactly what was charged. `charged` is false for BYOD storage (not counted).
 */
export interface StoredFile {
  projectId: Types.ObjectId;
  key: string;
  size: number;
  contentType: string;
  provider: 'internal' | 'external';
  charged: boolean;
  /** End user who uploaded with a publishable key, or null (secret key / dashboard). */
  userId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const storedFileSchema = new Schema<StoredFile>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    size: { type: Number, required: true },
    contentType: { type: String, default: 'application/octet-stream' },
    provider: { type: String, enum: ['internal', 'external'], required: true },
    charged: { type: Boolean, default: false },
    userId: { type: String, default: null },
  },
  { timestamps: true, collection: 'storedfiles' },
);
storedFileSchema.index({ projectId: 1, key: 1 }, { unique: true });
storedFileSchema.index({ projectId: 1, createdAt: -1 });

export type StoredFileModel = Model<StoredFile>;

/** Registers (or returns) the StoredFile model on a connection. */
export function storedFileModel(connection: Connection): StoredFileModel {
  return (
    (connection.models.StoredFile as StoredFileModel | undefined) ?? connection.model<StoredFile>('StoredFile', storedFileSchema)
  );
}
