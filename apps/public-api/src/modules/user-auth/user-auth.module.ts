import type { RequestHandler, Router } from 'express';
import { createSessionsService } from './sessions.service.js';
import { createSocialService } from './social.service.js';
import type { UserAuthKit } from './user-auth.kit.js';
import { createUserAuthRouter } from './user-auth.routes.js';
import { createUserAuthService } from './user-auth.service.js';

/** Builds the `/api/userAuth` router from the kit; `guard` is the API-key middleware chain. */
export function createUserAuthModule(kit: UserAuthKit, options: { guard: RequestHandler[]; ipLimit: RequestHandler }): Router {
  const sessions = createSessionsService(kit);
  const auth = createUserAuthService(kit, sessions);
  const social = createSocialService(kit, sessions, auth);
  return createUserAuthRouter({
    auth,
    sessions,
    social,
    guard: options.guard,
    ipLimit: options.ipLimit,
    refreshTtlMs: kit.refreshTtlMs,
    isProduction: kit.isProduction,
  });
}
