import { USER_DISABLED_FIELD, assertUserEnabled } from '@urbackend/common/end-users';
import { unauthenticated } from '@urbackend/common/errors';
import { scopeOf } from '@urbackend/common/http';
import { assertNotTrashedUser } from '@urbackend/common/lifecycle';
import type { Platform } from '@urbackend/common/platform';
import type { EndUser, ProjectScope } from '@urbackend/common/scope';
import { toObjectId } from '@urbackend/common/tenant';
import type { Request, RequestHandler } from 'express';
import jwt from 'jsonwebtoken';

export interface AuthUserDeps {
  projectJwtKey: Platform['projectJwtKey'];
}

/** The Bearer token of a request (scheme case-insensitive), or null. */
export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Verifies an end-user access token of the scope's project: HS256 only, signed with the project's
 * decrypted `jwtSecret`, claim `projectId` equal to the project and claim `userId` naming a user
 * that still exists in the project's `users` collection. Returns null for any failure; a user in
 * the trash or disabled by the developer is told why (403).
 */
export async function verifyUserToken(
  scope: ProjectScope,
  token: string,
  projectJwtKey: Platform['projectJwtKey'],
): Promise<EndUser | null> {
  const projectId = scope.project._id;
  let claims: jwt.JwtPayload;
  try {
    const decoded = jwt.verify(token, projectJwtKey(scope.project), { algorithms: ['HS256'] });
    if (typeof decoded === 'string') return null;
    claims = decoded;
  } catch {
    return null;
  }
  const userId = typeof claims.userId === 'string' ? claims.userId : null;
  const _id = toObjectId(userId);
  if (!userId || !_id || claims.projectId !== projectId) return null;
  const connection = await scope.tenant.connection();
  const projection = { _id: 1, [USER_DISABLED_FIELD]: 1 };
  const exists = await connection.collection('users').findOne({ _id }, { projection, maxTimeMS: 5000 });
  // A user in the trash (docs/data-lifecycle.md) is told why: 403 "scheduled for deletion".
  if (!exists) await assertNotTrashedUser(scope, { userId });
  assertUserEnabled(exists);
  return exists ? { userId, claims } : null;
}

/**
 * Sets the key actor's end user (`scope.actor.user`) from `Authorization: Bearer <user token>`.
 * With a publishable key a token that is present but invalid, expired, of another project or of
 * a deleted user is a 401 (`Invalid or expired token.`); no token leaves the user null. Secret
 * keys bypass RLS, so their token is only read when `always` is set (routes that act for a user,
 * e.g. `/api/userAuth/me`).
 */
export function createAuthUserMiddleware(deps: AuthUserDeps, options: { always?: boolean } = {}): RequestHandler {
  return async (req, _res, next) => {
    const scope = scopeOf(req);
    const { actor } = scope;
    const token = bearerToken(req);
    if (!token || actor.type !== 'key' || (actor.key === 'secret' && !options.always)) return next();
    const user = await verifyUserToken(scope, token, deps.projectJwtKey);
    if (!user) throw unauthenticated('Invalid or expired token.');
    actor.user = user;
    next();
  };
}
