import type { Request } from 'express';
import { AppError } from '../errors/index.js';
import type { ProjectScope } from '../scope/index.js';

declare global {
  namespace Express {
    interface Request {
      /** Per-request context: the project scope, set by each app's scope middleware. */
      ctx?: { scope: ProjectScope };
    }
  }
}

/** Puts the request's project scope in place (the scope middleware of each app calls this once). */
export function setScope(req: Request, scope: ProjectScope): void {
  req.ctx = { scope };
}

/** The request's project scope; throws (500) when the scope middleware was not mounted before the route. */
export function scopeOf<S extends ProjectScope = ProjectScope>(req: Request): S {
  if (!req.ctx) throw new AppError('INTERNAL', 'Project scope missing: mount the scope middleware first.');
  return req.ctx.scope as S;
}
