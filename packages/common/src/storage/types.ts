import type { Readable } from 'node:stream';

/** Which implementation serves a project's files. */
export type StorageDriverKind = 'local' | 'supabase' | 's3';

/** Metadata of one stored object. */
export interface StoredObject {
  /** Full object key, e.g. `<projectId>/<uuid>_photo.png`. */
  key: string;
  size: number;
  contentType: string | null;
  updatedAt: Date | null;
}

/** A presigned upload: the client `PUT`s the raw bytes to `signedUrl` with the same `Content-Type`. */
export interface PresignedUpload {
  signedUrl: string;
  /** Supabase-style upload token (local and supabase drivers); absent for S3. */
  token?: string;
}

export interface PresignOptions {
  contentType: string;
  /** Exact number of bytes the client declared. */
  size: number;
  expiresInSeconds: number;
}

export interface ListOptions {
  limit: number;
  offset: number;
}

/** A page of objects, newest first where the backend can sort (local, supabase), else by key. */
export interface ObjectPage {
  items: StoredObject[];
  /** True when more items follow this page. */
  hasMore: boolean;
}

/**
 * One storage backend. Keys are opaque strings chosen by the caller (the storage service builds
 * them under `<projectId>/`); drivers never interpret them beyond using them as object names.
 * Every method throws on backend failure (the caller maps it to 5xx); "not found" is `null`/no-op.
 */
export interface StorageDriver {
  readonly kind: StorageDriverKind;
  /** Stores `body` under `key`, replacing any previous object. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** A URL the client can PUT exactly `size` bytes to, until the expiry. */
  presignPut(key: string, options: PresignOptions): Promise<PresignedUpload>;
  /** Size and type of an object, or null when it does not exist (yet). */
  stat(key: string): Promise<StoredObject | null>;
  /** The whole object, or null when it does not exist (project backups read files through this). */
  get(key: string): Promise<Buffer | null>;
  /** Deletes one object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (must end with `/`); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Lists objects under `prefix` (recursively). */
  list(prefix: string, options: ListOptions): Promise<ObjectPage>;
  /** The URL the object can be downloaded from, or null when the backend has no public URL. */
  publicUrl(key: string): string | null;
  /** Releases clients/sockets. */
  close(): Promise<void>;
}

/** Readable object content (local driver only: the public API streams it to the client). */
export interface ObjectContent {
  stream: Readable;
  size: number;
  contentType: string;
}
