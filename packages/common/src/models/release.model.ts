import { type Connection, type Model, Schema } from 'mongoose';

/** A product release note, published by the platform admin (`/api/releases`). */
export interface Release {
  version: string;
  title: string;
  /** Markdown. */
  content: string;
  /** Email of the admin who published it. */
  publishedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export const releaseSchema = new Schema<Release>(
  {
    version: { type: String, required: true, trim: true },
    title: { type: String, required: true, trim: true },
    content: { type: String, required: true },
    publishedBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'releases' },
);

export type ReleaseModel = Model<Release>;

/** Registers (or returns) the Release model on a connection. */
export function releaseModel(connection: Connection): ReleaseModel {
  return (connection.models.Release as ReleaseModel | undefined) ?? connection.model<Release>('Release', releaseSchema);
}
