import type { Readable } from 'node:stream';
import { AppError, badRequest, conflict, forbidden, notFound, unauthenticated } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import type { PendingUploadModel } from '../models/pending-upload.model.js';
import type { StoredFileModel } from '../models/stored-file.model.js';
import { type ProjectScope, endUserOf } from '../scope/index.js';
import type { UsageMeter } from '../usage/index.js';
import { newObjectKey, normalizeContentType, resolveObjectKey } from './keys.js';
import type { StorageManager } from './manager.js';

/** Size difference tolerated between the declared and the stored size on confirm (reference §1.5). */
export const CONFIRM_SIZE_TOLERANCE = 64;

export interface StorageServiceOptions {
  manager: StorageManager;
  files: StoredFileModel;
  pending: PendingUploadModel;
  /** The usage meter storage bytes are charged to. */
  meter: UsageMeter;
  logger: Logger;
  /** Largest accepted file (`UPLOAD_LIMIT_BYTES`, default 10 MB). */
  uploadLimitBytes: number;
  /** Lifetime of presigned PUT URLs, seconds. */
  presignExpiresSeconds: number;
}

/**
 * Who is acting on files: a secret key or a developer (whole project, `userId` null) or an end
 * user with a publishable key (files then live under `<pid>/users/<userId>/`). `quotaBytes` is the
 * project's storage quota (-1 unlimited).
 */
export interface StorageActor {
  userId: string | null;
  quotaBytes: number;
}

const SECRET_REQUIRED = 'Forbidden. This action requires a Secret Key (sk_live_...).';

/**
 * Who may touch files (CONTRACT §3.11): a developer or the secret key always; a publishable key
 * only when the project allows client uploads and with a valid end-user token (403 / 401
 * otherwise), confined to that user's folder.
 */
export function storageActorOf(scope: ProjectScope): StorageActor {
  const quotaBytes = scope.limits.storageBytes;
  if (scope.actor.type === 'developer' || scope.actor.key === 'secret') return { userId: null, quotaBytes };
  if (!scope.project.allowPublishableUploads) throw forbidden(SECRET_REQUIRED);
  const user = endUserOf(scope);
  if (!user) throw unauthenticated('A user token (Authorization: Bearer) is required to upload with a publishable key.');
  return { userId: user.userId, quotaBytes };
}

export interface UploadedFile {
  buffer: Buffer;
  originalName: string;
  contentType: string;
}

/** A size in binary units, one decimal under 100: `10 MB`, `12.4 MB`, `900 KB`, `512 B`. */
export function describeBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  const i = bytes > 0 ? Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1024))) : 0;
  const x = bytes / 1024 ** i;
  return `${x >= 100 || i === 0 ? Math.round(x) : x.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}

/**
 * The 413 of a file over the per-file upload limit (`UPLOAD_LIMIT_BYTES`). The message keeps the
 * reference's first sentence and adds both sizes when known:
 * `File size exceeds limit. photo.jpg is 12.4 MB; the limit is 10 MB per file.`
 */
export function uploadTooLarge(limitBytes: number, file: { name?: string; size?: number } = {}): AppError {
  const { size } = file;
  if (size === undefined) {
    return new AppError('PAYLOAD_TOO_LARGE', `File size exceeds limit. The limit is ${describeBytes(limitBytes)} per file.`);
  }
  // Sizes that round alike ("4 KB" over "4 KB") are given in bytes.
  const close = describeBytes(size) === describeBytes(limitBytes);
  const [is, max] = close ? [`${size} bytes`, `${limitBytes} bytes`] : [describeBytes(size), describeBytes(limitBytes)];
  const name = file.name ? file.name.slice(0, 120) : 'The file';
  return new AppError('PAYLOAD_TOO_LARGE', `File size exceeds limit. ${name} is ${is}; the limit is ${max} per file.`);
}

const STORAGE_LIMIT = 'Storage limit exceeded. Please upgrade your plan or delete some files.';

/** The storage rules shared by the public and dashboard APIs. */
export type StorageService = ReturnType<typeof createStorageService>;

/** A presigned upload whose PUT URL may still be used (its reservation is held until then). */
const ALREADY_USED = 'This upload URL was already used or is no longer valid. Request a new one.';

/**
 * Creates the storage service. Storage is charged on the usage meter when bytes are promised:
 * at a direct upload, and at upload-request for presigned uploads (a pending-upload record holds
 * the reservation until confirm turns it into a stored file, or the cleanup job deletes it with its
 * bytes when it expires). Only objects with a stored-file record are listed (and, for the local
 * driver, served); a presigned PUT is accepted once, for a pending record only.
 */
export function createStorageService(options: StorageServiceOptions) {
  const { manager, files, pending, meter, logger } = options;

  const userPrefix = (pid: string, actor: StorageActor) => (actor.userId ? `${pid}/users/${actor.userId}/` : undefined);

  function checkSize(size: number, name?: string): void {
    if (size > options.uploadLimitBytes) throw uploadTooLarge(options.uploadLimitBytes, { name, size });
  }

  const reserve = (pid: string, size: number, actor: StorageActor) => meter.reserve(pid, 'storage', size, actor.quotaBytes);
  const release = (pid: string, size: number) => meter.release(pid, 'storage', size);

  async function quietDelete(driver: { delete(key: string): Promise<void> }, key: string) {
    await driver.delete(key).catch((err: Error) => logger.warn({ err: { message: err.message } }, 'compensating delete failed'));
  }

  return {
    /** Direct multipart upload (reference §1.5 `/upload`). */
    async upload(scope: ProjectScope, file: UploadedFile) {
      const { project } = scope;
      const actor = storageActorOf(scope);
      const pid = project._id;
      checkSize(file.buffer.length, file.originalName);
      const { driver, provider } = await manager.forProject(project);
      const key = newObjectKey(pid, file.originalName, actor.userId ?? undefined);
      const contentType = normalizeContentType(file.contentType);
      const size = file.buffer.length;
      const charged = provider === 'internal';
      if (charged && !(await reserve(pid, size, actor))) throw new AppError('FORBIDDEN', STORAGE_LIMIT);
      try {
        await driver.put(key, file.buffer, contentType);
        await files.create({ projectId: pid, key, size, contentType, provider, charged, userId: actor.userId });
      } catch (err) {
        if (charged) await release(pid, size);
        await quietDelete(driver, key);
        throw new AppError('INTERNAL', 'File upload failed', undefined, { cause: err });
      }
      return { message: 'File uploaded successfully', url: driver.publicUrl(key), path: key, provider };
    },

    /** Step 1 of the presigned flow: reserves the declared size and answers a single-use URL to PUT the bytes to. */
    async requestUpload(scope: ProjectScope, input: { filename: string; contentType: string; size: number }) {
      const { project } = scope;
      const actor = storageActorOf(scope);
      const pid = project._id;
      checkSize(input.size, input.filename);
      const { driver, provider } = await manager.forProject(project);
      const charged = provider === 'internal';
      if (charged && !(await reserve(pid, input.size, actor)))
        throw new AppError('FORBIDDEN', 'Internal storage limit exceeded.');
      const key = newObjectKey(pid, input.filename, actor.userId ?? undefined);
      const contentType = normalizeContentType(input.contentType);
      const expiresAt = new Date(Date.now() + options.presignExpiresSeconds * 1000);
      try {
        await pending.create({
          projectId: pid,
          key,
          size: input.size,
          contentType,
          provider,
          charged,
          userId: actor.userId,
          expiresAt,
        });
        const signed = await driver.presignPut(key, {
          contentType,
          size: input.size,
          expiresInSeconds: options.presignExpiresSeconds,
        });
        return { signedUrl: signed.signedUrl, ...(signed.token ? { token: signed.token } : {}), filePath: key };
      } catch (err) {
        await pending.deleteOne({ projectId: pid, key });
        if (charged) await release(pid, input.size);
        throw err;
      }
    },

    /**
     * The local driver's presigned PUT (`PUT /api/storage/local-upload`): accepted only while its
     * pending upload exists, is unexpired and was not PUT yet; the bytes land once (a second PUT, a
     * PUT after confirm or after delete is 403).
     */
    async acceptLocalUpload(query: Record<string, unknown>, body: Readable) {
      const local = manager.local;
      if (!local) throw notFound('Not found.');
      const stored = await local.acceptPresignedPut(query, body, async (key) => {
        const row = await pending.findOne({ key, uploadedAt: null, expiresAt: { $gt: new Date() } }).lean();
        if (!row) throw forbidden(ALREADY_USED);
      });
      await pending.updateOne({ key: stored.key }, { $set: { uploadedAt: new Date() } });
      return stored;
    },

    /** Step 3: verifies the stored object against its pending upload and turns it into a stored file. */
    async confirmUpload(scope: ProjectScope, input: { filePath: string; size: number }) {
      const { project } = scope;
      const actor = storageActorOf(scope);
      const pid = project._id;
      const key = resolveObjectKey(pid, input.filePath, userPrefix(pid, actor));
      const { driver, provider } = await manager.forProject(project);
      if (await files.exists({ projectId: pid, key })) {
        return { message: 'Upload confirmed', path: key, provider, url: driver.publicUrl(key) };
      }
      const row = await pending.findOne({ projectId: pid, key }).lean();
      const object = row ? await driver.stat(key) : null;
      if (!row || !object) throw conflict('Uploaded file is not visible yet. Please retry confirmation.');
      if (Math.abs(object.size - input.size) > CONFIRM_SIZE_TOLERANCE || object.size > row.size + CONFIRM_SIZE_TOLERANCE) {
        await quietDelete(driver, key);
        await pending.deleteOne({ _id: row._id });
        if (row.charged) await release(pid, row.size);
        throw badRequest('Declared file size does not match uploaded file size.');
      }
      try {
        await files.create({
          projectId: pid,
          key,
          size: row.size,
          contentType: object.contentType ?? row.contentType,
          provider: row.provider,
          charged: row.charged,
          userId: row.userId,
        });
      } catch (err) {
        // A concurrent confirmation of the same key won: the reservation moved with its record.
        if ((err as { code?: number }).code !== 11000) throw err;
      }
      await pending.deleteOne({ _id: row._id });
      const url = driver.publicUrl(key);
      return {
        message: 'Upload confirmed',
        path: key,
        provider,
        url,
        ...(url ? {} : { warning: 'No public URL is configured for this storage.' }),
      };
    },

    /** Deletes one file and releases what it was charged. */
    async deleteFile(scope: ProjectScope, rawPath: string) {
      const { project } = scope;
      const actor = storageActorOf(scope);
      const pid = project._id;
      const key = resolveObjectKey(pid, rawPath, userPrefix(pid, actor));
      const { driver } = await manager.forProject(project);
      await driver.delete(key);
      const row = await files.findOneAndDelete({ projectId: pid, key }).lean();
      if (row?.charged) await release(pid, row.size);
      return { message: 'File deleted successfully', deleted: true };
    },

    /** Deletes every file of the project (and its pending uploads) and resets its usage. */
    async deleteAll(scope: ProjectScope) {
      const { project } = scope;
      const pid = project._id;
      const { driver, provider } = await manager.forProject(project);
      const deleted = await driver.deletePrefix(`${pid}/`);
      await Promise.all([files.deleteMany({ projectId: pid }), pending.deleteMany({ projectId: pid })]);
      await meter.forget(pid, 'storage');
      return { success: true, deleted, provider };
    },

    /** A page of the project's stored files (newest first) with their public URLs; unconfirmed uploads are not listed. */
    async list(scope: ProjectScope, page: number, limit: number) {
      const { project } = scope;
      const pid = project._id;
      const { driver, provider } = await manager.forProject(project);
      const rows = await files
        .find({ projectId: pid })
        .sort({ createdAt: -1, _id: -1 })
        .skip((page - 1) * limit)
        .limit(limit + 1)
        .lean();
      const items = rows.slice(0, limit).map((o) => ({
        path: o.key,
        name: o.key.split('/').pop() ?? o.key,
        size: o.size,
        contentType: o.contentType,
        updatedAt: o.updatedAt,
        url: driver.publicUrl(o.key),
      }));
      const storageUsed = await meter.current(pid, 'storage').catch(() => null);
      return { items, page, limit, hasMore: rows.length > limit, provider, storageUsed: storageUsed ?? 0 };
    },

    /** True when `key` is a stored (confirmed) file: only those are served. */
    async isStored(key: string): Promise<boolean> {
      return Boolean(await files.exists({ key }));
    },

    /**
     * Deletes expired pending uploads with their bytes and releases their reservations. Returns how
     * many were removed. Run by one process at a time (see `createUploadSweeper`).
     */
    async sweepExpired(now = new Date()): Promise<number> {
      let removed = 0;
      for await (const row of pending
        .find({ expiresAt: { $lte: now } })
        .lean()
        .cursor()) {
        const gone = await pending.deleteOne({ _id: row._id });
        if (gone.deletedCount === 0) continue;
        try {
          const { driver } = await manager.forProject({ _id: row.projectId });
          await quietDelete(driver, row.key);
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message }, key: row.key }, 'expired upload bytes not deleted');
        }
        if (row.charged) await release(String(row.projectId), row.size);
        removed += 1;
      }
      return removed;
    },
  };
}
