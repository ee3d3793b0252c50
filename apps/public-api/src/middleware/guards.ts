import type { RequestHandler } from 'express';
import type { AppDeps } from '../deps.js';
import { createApiKeyMiddleware, requireSecretKey } from './api-key.js';
import { createAuthUserMiddleware } from './auth-user.js';
import { createUsageGate } from './usage.js';

/** The public API's per-route middleware, built once in `createApp` and shared by every router. */
export interface PublicGuards {
  /** `verifyApiKey`: sets the request's project scope (401/403 per reference §2). */
  apiKey: RequestHandler;
  /** Plan quotas per project per minute/day (429 + Retry-After). Mount after `apiKey`. */
  usage: RequestHandler;
  /** Verifies a user Bearer token for publishable keys into `scope.actor.user` (401 when invalid). */
  authUser: RequestHandler;
  /** Same, also for secret keys (routes acting for a user). */
  authUserAlways: RequestHandler;
  /** 403 unless the secret key was used. */
  secretOnly: RequestHandler;
  /** `[apiKey, usage, authUser]`: the data routes' chain. */
  standard: RequestHandler[];
}

export function createPublicGuards(deps: AppDeps): PublicGuards {
  const apiKey = createApiKeyMiddleware(deps);
  const usage = createUsageGate(deps.usageCharge);
  const authUser = createAuthUserMiddleware(deps);
  return {
    apiKey,
    usage,
    authUser,
    authUserAlways: createAuthUserMiddleware(deps, { always: true }),
    secretOnly: requireSecretKey(),
    standard: [apiKey, usage, authUser],
  };
}
