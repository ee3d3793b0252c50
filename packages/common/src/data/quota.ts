import { AppError } from '../errors/index.js';
import type { ProjectScope } from '../scope/index.js';
import type { UsageMeter } from '../usage/index.js';
import { documentBytes } from '../validation/index.js';

/** Quota size of a document (JSON bytes without server-added fields): see `documentBytes`. */
export const docBytes = documentBytes;

/** Database-size accounting for internal projects (BYOD data is the developer's own). */
export interface DbQuota {
  /**
   * Adds `bytes` to the project's database usage only when it stays within the scope's
   * `limits.mongoBytes`; 403 `Database limit exceeded.` otherwise. Zero or negative always succeed.
   */
  reserve(scope: ProjectScope, bytes: number): Promise<void>;
  /** Gives `bytes` back (after a delete, or when a reserved write failed). Never throws. */
  release(scope: ProjectScope, bytes: number): Promise<void>;
}

const exceeded = () => new AppError('FORBIDDEN', 'Database limit exceeded.');

/**
 * The database quota over the usage meter: one atomic Redis script per write decides and counts
 * (no platform-database round trip); the meter rebuilds the counter from the documents when it
 * is missing. Projects on their own database (BYOD) are not charged.
 */
export function createDbQuota(meter: UsageMeter): DbQuota {
  return {
    async reserve(scope, bytes) {
      if (scope.tenant.isExternal || bytes === 0) return;
      if (bytes < 0) return this.release(scope, -bytes);
      if (!(await meter.reserve(scope.project._id, 'db', bytes, scope.limits.mongoBytes))) throw exceeded();
    },
    async release(scope, bytes) {
      if (scope.tenant.isExternal || bytes <= 0) return;
      await meter.release(scope.project._id, 'db', bytes);
    },
  };
}
