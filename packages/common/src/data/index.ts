import { type TrashService, createTrashService } from '../lifecycle/trash.js';
import type { Logger } from '../logger/index.js';
import type { UsageMeter } from '../usage/index.js';
import type { PasswordHasher } from '../user-auth/index.js';
import type { CountCache } from './counts.js';
import type { DataEventHandler } from './events.js';
import { type DbQuota, createDbQuota } from './quota.js';
import { type DataReadService, createDataReadService } from './read.service.js';
import { type DataWriteService, createDataWriteService } from './write.service.js';

export { andFilters, dataCollection, emitter, present, type QueryLimits } from './collection.js';
export {
  DATA_VERSION_TTL_MS,
  advanceDataVersions,
  createCountCache,
  dataVersionKey,
  type CountCache,
} from './counts.js';
export { noDataEvents, type DataEvent, type DataEventHandler } from './events.js';
export { populate } from './populate.js';
export { createDbQuota, docBytes, type DbQuota } from './quota.js';
export { createDataReadService, type DataPage, type DataReadService } from './read.service.js';
export { applyInsertRls, assertWriteAllowed, checkModifyRls, ownerValues, readFilter } from './rls.js';
export { MAX_BULK, createDataWriteService, type BulkResult, type DataWriteService } from './write.service.js';

/** A project's data, read and written the same way by both APIs (RLS, validation, quota, events). */
export interface DataServices {
  reads: DataReadService;
  writes: DataWriteService;
  /** The database quota every write is charged through. */
  quota: DbQuota;
  /** Trashed documents: list, recover, delete forever (docs/data-lifecycle.md). */
  trash: TrashService;
}

export interface DataServicesOptions {
  /** The usage meter the database quota charges. */
  meter: UsageMeter;
  logger: Logger;
  hasher: PasswordHasher;
  /** Time limit of every query, count and aggregation (`QUERY_MAX_TIME_MS`); regex filters get min(2000, this). */
  maxTimeMs: number;
  /** Called after every successful write, awaited before the write answers (webhooks, realtime, data versions). */
  onDataEvent: DataEventHandler;
  /** List totals cached per collection version; every total is counted without it. */
  counts?: CountCache;
  /** Revokes every session of an end user whose `users` row went to the trash. */
  revokeUserSessions?: (projectId: string, userId: string) => Promise<unknown>;
}

/** Builds the data services (no I/O). */
export function createDataServices(options: DataServicesOptions): DataServices {
  const { maxTimeMs } = options;
  const quota = createDbQuota(options.meter);
  const trash = createTrashService({
    quota,
    onDataEvent: options.onDataEvent,
    logger: options.logger,
    revokeUserSessions: options.revokeUserSessions,
  });
  return {
    reads: createDataReadService({ maxTimeMs, regexMaxTimeMs: Math.min(2000, maxTimeMs) }, options.counts),
    writes: createDataWriteService({
      quota,
      hasher: options.hasher,
      onDataEvent: options.onDataEvent,
      logger: options.logger,
      maxTimeMs,
      trash,
    }),
    quota,
    trash,
  };
}
