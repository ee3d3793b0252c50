import type { RedisConnection } from '../cache/index.js';
import { subscribeProjectChanged } from '../cache/invalidation.js';
import type { SecretBox } from '../crypto/index.js';
import { AppError } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import type { ProjectModel } from '../models/project.model.js';
import { projectSecretContext } from '../scope/index.js';
import { byodDriverOptions, parseByodStorageConfig } from './byod-config.js';
import { type LocalStorageDriver, createLocalDriver } from './local-driver.js';
import { type S3DriverOptions, createS3Driver } from './s3-driver.js';
import { type SupabaseDriverOptions, createSupabaseDriver } from './supabase-driver.js';
import type { StorageDriver, StorageDriverKind } from './types.js';

/** Platform storage settings (from `STORAGE_*`, `SUPABASE_*`, `S3_*`). */
export interface StorageConfig {
  driver: StorageDriverKind;
  local: { dir: string; baseUrl: string; signingSecret: string };
  supabase: SupabaseDriverOptions | null;
  s3: S3DriverOptions | null;
}

/** The driver serving one project, and whether it is the project's own (BYOD) storage. */
export interface ProjectStorage {
  driver: StorageDriver;
  provider: 'internal' | 'external';
}

/** The part of a project the manager needs; `configVersion` lets it skip a database read. */
export interface ProjectStorageRef {
  _id: unknown;
  configVersion?: number;
}

export interface StorageManagerOptions {
  config: StorageConfig;
  projects: ProjectModel;
  secretBox: SecretBox;
  logger: Logger;
  /** Most BYOD clients kept at once (least recently used ones are closed). Default 100. */
  maxClients?: number;
}

/** Picks and caches storage drivers: the platform's, or a project's own (BYOD) one. */
export interface StorageManager {
  /** The platform driver (built once). */
  readonly platform: StorageDriver;
  /** The platform driver when it is `local` (the public API serves its files), else null. */
  readonly local: LocalStorageDriver | null;
  /**
   * The driver of a project: its BYOD driver when `resources.storage.isExternal`, else the
   * platform's. BYOD clients are cached per project and rebuilt when the stored config changes.
   * Throws 404 for an unknown project, 500 when the stored config cannot be decrypted or parsed.
   */
  forProject(project: ProjectStorageRef): Promise<ProjectStorage>;
  /** Drops a project's cached client (config changed or project deleted). */
  invalidate(projectId: string): void;
  /** Invalidates on every cross-process project change; returns the unsubscriber. */
  listen(cache: RedisConnection): () => Promise<void>;
  /** Closes every client. */
  close(): Promise<void>;
}

interface Entry {
  fingerprint: string;
  configVersion: number | undefined;
  storage: ProjectStorage;
}

/** Builds the platform driver from config (throws when the chosen driver is not configured). */
export function createPlatformDriver(config: StorageConfig): StorageDriver {
  if (config.driver === 'supabase') {
    if (!config.supabase) throw new Error('STORAGE_DRIVER=supabase needs SUPABASE_URL and SUPABASE_KEY');
    return createSupabaseDriver(config.supabase);
  }
  if (config.driver === 's3') {
    if (!config.s3) throw new Error('STORAGE_DRIVER=s3 needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
    return createS3Driver(config.s3);
  }
  return createLocalDriver(config.local);
}

/** Creates the storage manager (no network until a driver is used). */
export function createStorageManager(options: StorageManagerOptions): StorageManager {
  const { logger, secretBox, projects } = options;
  const maxClients = options.maxClients ?? 100;
  const platform = createPlatformDriver(options.config);
  const internal: ProjectStorage = { driver: platform, provider: 'internal' };
  const entries = new Map<string, Entry>();

  function drop(projectId: string): void {
    const entry = entries.get(projectId);
    entries.delete(projectId);
    if (entry && entry.storage.provider === 'external') {
      entry.storage.driver.close().catch(() => undefined);
    }
  }

  function remember(projectId: string, entry: Entry): ProjectStorage {
    drop(projectId);
    entries.set(projectId, entry);
    while (entries.size > maxClients) {
      const oldest = entries.keys().next().value as string;
      drop(oldest);
    }
    return entry.storage;
  }

  function build(projectId: string, config: string): ProjectStorage {
    try {
      const parsed = parseByodStorageConfig(
        JSON.parse(secretBox.decrypt(config, projectSecretContext(projectId, 'byod:storage'))),
      );
      const choice = byodDriverOptions(parsed);
      const driver = choice.kind === 's3' ? createS3Driver(choice.options) : createSupabaseDriver(choice.options);
      return { driver, provider: 'external' };
    } catch (err) {
      logger.error({ projectId, err: { message: (err as Error).message } }, 'BYOD storage config is unusable');
      throw new AppError('INTERNAL', 'External storage is misconfigured.', undefined, { cause: err });
    }
  }

  return {
    platform,
    local: platform.kind === 'local' ? (platform as LocalStorageDriver) : null,
    async forProject(ref) {
      const projectId = String(ref._id);
      const cached = entries.get(projectId);
      if (cached && ref.configVersion !== undefined && cached.configVersion === ref.configVersion) {
        entries.delete(projectId);
        entries.set(projectId, cached);
        return cached.storage;
      }
      const doc = await projects
        .findById(projectId)
        .select({ 'resources.storage': 1, configVersion: 1 })
        .lean<{ resources?: { storage?: { isExternal?: boolean; config?: string | null } }; configVersion?: number }>();
      if (!doc) throw new AppError('NOT_FOUND', 'Project not found.');
      const storage = doc.resources?.storage;
      const fingerprint = storage?.isExternal && storage.config ? storage.config : 'internal';
      const configVersion = doc.configVersion;
      if (cached && cached.fingerprint === fingerprint) return remember(projectId, { ...cached, configVersion });
      const built = fingerprint === 'internal' ? internal : build(projectId, fingerprint);
      return remember(projectId, { fingerprint, configVersion, storage: built });
    },
    invalidate: drop,
    listen(cache) {
      return subscribeProjectChanged(cache, (event) => drop(event.projectId), logger);
    },
    async close() {
      for (const id of [...entries.keys()]) drop(id);
      await platform.close();
    },
  };
}
