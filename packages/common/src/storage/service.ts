import type { Cache } from '../cache/index.js';
import { AppError, badRequest, conflict, forbidden, unauthenticated } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import type { ProjectModel } from '../models/project.model.js';
import type { StoredFileModel } from '../models/stored-file.model.js';
import { type ProjectScope, endUserOf } from '../scope/index.js';
import { newObjectKey, normalizeContentType, resolveObjectKey } from './keys.js';
import type { StorageManager } from './manager.js';
import { createStorageQuota } from './quota.js';
import type { StoredObject } from './types.js';

/** Size difference tolerated between the declared and the stored size on confirm (reference §1.5). */
export const CONFIRM_SIZE_TOLERANCE = 64;

export interface StorageServiceOptions {
  manager: StorageManager;
  projects: ProjectModel;
  files: StoredFileModel;
  /** Redis for the cross-process quota gate (per-process serialisation without it). */
  cache: Cache;
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

const STORAGE_LIMIT = 'Storage limit exceeded. Please upgrade your plan or delete some files.';

/** The storage rules shared by the public and dashboard APIs. */
export type StorageService = ReturnType<typeof createStorageService>;

/** Creates the storage service (uploads, presigned flow, deletes, listing, quota). */
export function createStorageService(options: StorageServiceOptions) {
  const { manager, projects, files, logger } = options;
  const quota = createStorageQuota(projects, options.cache);

  const userPrefix = (pid: string, actor: StorageActor) => (actor.userId ? `${pid}/users/${actor.userId}/` : undefined);

  function checkSize(size: number): void {
    if (size > options.uploadLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE', 'File size exceeds limit.');
  }

  /** Charges `size` bytes atomically: succeeds only when the new total stays within the quota. */
  async function charge(projectId: string, size: number, actor: StorageActor): Promise<boolean> {
    return quota.charge(projectId, size, actor.quotaBytes);
  }

  const release = (projectId: string, size: number) => quota.release(projectId, size);

  /** Records a stored object once, charging internal storage. Returns false when over quota. */
  async function record(projectId: string, object: StoredObject, provider: 'internal' | 'external', actor: StorageActor) {
    const existing = await files.findOne({ projectId, key: object.key }).lean();
    if (existing) return true;
    const charged = provider === 'internal';
    if (charged && !(await charge(projectId, object.size, actor))) return false;
    try {
      await files.create({
        projectId,
        key: object.key,
        size: object.size,
        contentType: object.contentType ?? 'application/octet-stream',
        provider,
        charged,
        userId: actor.userId ?? null,
      });
    } catch (err) {
      // A concurrent confirmation of the same key won the insert: undo our charge.
      if (charged) await release(projectId, object.size);
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    return true;
  }

  return {
    /** Direct multipart upload (reference §1.5 `/upload`). */
    async upload(scope: ProjectScope, file: UploadedFile) {
      const { project } = scope;
      const actor = storageActorOf(scope);
      const pid = project._id;
      checkSize(file.buffer.length);
      const { driver, provider } = await manager.forProject(project);
      const key = newObjectKey(pid, file.originalName, actor.userId ?? undefined);
      const contentType = normalizeContentType(file.contentType);
      const object = { key, size: file.buffer.length, contentType, updatedAt: new Date() };
      if (provider === 'internal' && !(await charge(pid, object.size, actor))) throw new AppError('FORBIDDEN', STORAGE_LIMIT);
      try {
        await driver.put(key, file.buffer, contentType);
      } catch (err) {
        if (provider === 'internal') await release(pid, object.size);
        throw new AppError('INTERNAL', 'File upload failed', undefined, { cause: err });
      }
      await files.create({
        projectId: pid,
        key,
        size: object.size,
        contentType,
        provider,
        charged: provider === 'internal',
        userId: actor.userId ?? null,
      });
      return { message: 'File uploaded successfully', url: driver.publicUrl(key), path: key, provider };
    },

    /** Step 1 of the presigned flow: a URL to PUT the bytes to (nothing is charged yet). */
    async requestUpload(scope: ProjectScope, input: { filename: string; contentType: string; size: number }) {
      const { project } = scope;
      const actor = storageActorOf(scope);
      const pid = project._id;
      checkSize(input.size);
      const { driver, provider } = await manager.forProject(project);
      if (provider === 'internal') {
        const limit = actor.quotaBytes;
        const current = await projects.findById(pid).select({ storageUsed: 1 }).lean();
        if (limit >= 0 && (current?.storageUsed ?? 0) + input.size > limit)
          throw new AppError('FORBIDDEN', 'Internal storage limit exceeded.');
      }
      const key = newObjectKey(pid, input.filename, actor.userId ?? undefined);
      const contentType = normalizeContentType(input.contentType);
      const signed = await driver.presignPut(key, {
        contentType,
        size: input.size,
        expiresInSeconds: options.presignExpiresSeconds,
      });
      return { signedUrl: signed.signedUrl, ...(signed.token ? { token: signed.token } : {}), filePath: key };
    },

    /** Step 3: verifies the stored object, charges the quota once, answers with its URL. */
    async confirmUpload(scope: ProjectScope, input: { filePath: string; size: number }) {
      const { project } = scope;
      const actor = storageActorOf(scope);
      const pid = project._id;
      const key = resolveObjectKey(pid, input.filePath, userPrefix(pid, actor));
      const { driver, provider } = await manager.forProject(project);
      const object = await driver.stat(key);
      if (!object) throw conflict('Uploaded file is not visible yet. Please retry confirmation.');
      if (Math.abs(object.size - input.size) > CONFIRM_SIZE_TOLERANCE) {
        throw badRequest('Declared file size does not match uploaded file size.');
      }
      if (object.size > options.uploadLimitBytes || !(await record(pid, object, provider, actor))) {
        await driver
          .delete(key)
          .catch((err: Error) => logger.warn({ err: { message: err.message } }, 'compensating delete failed'));
        if (object.size > options.uploadLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE', 'File size exceeds limit.');
        throw new AppError('FORBIDDEN', 'Internal storage limit exceeded.');
      }
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

    /** Deletes every file of the project and resets its usage. */
    async deleteAll(scope: ProjectScope) {
      const { project } = scope;
      const pid = project._id;
      const { driver, provider } = await manager.forProject(project);
      const deleted = await driver.deletePrefix(`${pid}/`);
      await files.deleteMany({ projectId: pid });
      await quota.reset(pid);
      return { success: true, deleted, provider };
    },

    /** A page of the project's files (newest first) with their public URLs. */
    async list(scope: ProjectScope, page: number, limit: number) {
      const { project } = scope;
      const pid = project._id;
      const { driver, provider } = await manager.forProject(project);
      const result = await driver.list(`${pid}/`, { limit, offset: (page - 1) * limit });
      const items = result.items.map((o) => ({
        path: o.key,
        name: o.key.split('/').pop() ?? o.key,
        size: o.size,
        contentType: o.contentType,
        updatedAt: o.updatedAt,
        url: driver.publicUrl(o.key),
      }));
      const usage = await projects.findById(pid).select({ storageUsed: 1 }).lean();
      return { items, page, limit, hasMore: result.hasMore, provider, storageUsed: usage?.storageUsed ?? 0 };
    },
  };
}
