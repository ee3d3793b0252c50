import type { KeyRole, ProjectSnapshot } from '@urbackend/common/api-keys';
import { AppError } from '@urbackend/common/errors';
import type { TenantDb } from '@urbackend/common/tenant';
import type { Request } from 'express';

/** The end user of a project, from a verified `Authorization: Bearer` user token. */
export interface AuthUser {
  userId: string;
  claims: Record<string, unknown>;
}

/**
 * Per-request context of the public API, set by the API-key middleware (`req.ctx`).
 * `tenant` is the project's data access (connects lazily; BYOD failures are 503s).
 * `authUser` is set by the auth-user middleware: null when no valid user token was given.
 */
export interface PublicContext {
  project: ProjectSnapshot;
  projectId: string;
  keyRole: KeyRole;
  /** SHA-256 hex of the key used (as stored on the project). */
  keyHash: string;
  tenant: TenantDb;
  authUser: AuthUser | null;
}

declare global {
  namespace Express {
    interface Request {
      ctx?: PublicContext;
    }
  }
}

/** The request's context; throws (500) when the API-key middleware was not mounted before the route. */
export function ctxOf(req: Request): PublicContext {
  if (!req.ctx) throw new AppError('INTERNAL', 'Request context missing: mount the API-key middleware first.');
  return req.ctx;
}
