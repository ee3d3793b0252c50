import {
  USER_DISABLED_FIELD,
  type UserDoc,
  assertUserEnabled,
  byId,
  isUserDisabled,
  usersCollectionOf,
} from '@urbackend/common/end-users';
import { AppError, notFound, unauthenticated } from '@urbackend/common/errors';
import { assertNotTrashedUser } from '@urbackend/common/lifecycle';
import type { ProjectScope } from '@urbackend/common/scope';
import type { AccessClaims, SessionClient } from '@urbackend/common/user-auth';
import type { UserAuthKit } from './user-auth.kit.js';

/** Tokens handed to a client after login, signup, refresh or social login. */
export interface IssuedTokens {
  accessToken: string;
  expiresIn: string;
  refreshToken: string;
}

/** Session rules: issuing tokens, refresh with rotation, logout, the caller's own sessions. */
export function createSessionsService(kit: UserAuthKit) {
  /** The user's id and disabled flag; null when the id is malformed or the user is gone. */
  async function findUser(scope: ProjectScope, userId: string) {
    const filter = byId(userId);
    const projection = { _id: 1, [USER_DISABLED_FIELD]: 1 };
    return filter ? (await kit.users(scope)).findOne(filter, { projection }) : null;
  }

  async function issue(scope: ProjectScope, userId: string, client: SessionClient, method: string): Promise<IssuedTokens> {
    const { refreshToken, familyId } = await kit.sessions.create(scope.project._id, userId, client, method);
    const access = kit.tokens.issue({ userId, projectId: scope.project._id, sid: familyId }, kit.projectJwtKey(scope.project));
    return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken };
  }

  /**
   * The Bearer user: 401 `Access Denied: No Token Provided` / `Invalid or Expired Token`, 404 `User
   * not found`, 403 `This account is disabled.` (the flag is read with the user, so a disabled
   * user's access token stops working at once, within its lifetime).
   */
  async function requireUser(scope: ProjectScope, bearer: string | null): Promise<{ claims: AccessClaims; user: UserDoc }> {
    usersCollectionOf(scope.project);
    if (!bearer) throw unauthenticated('Access Denied: No Token Provided');
    const claims = kit.tokens.verify(bearer, kit.projectJwtKey(scope.project), scope.project._id);
    const filter = byId(claims.userId);
    const user = filter ? await (await kit.users(scope)).findOne(filter) : null;
    if (!user) {
      await assertNotTrashedUser(scope, { userId: claims.userId });
      throw notFound('User not found');
    }
    assertUserEnabled(user);
    return { claims, user };
  }

  return {
    issue,
    requireUser,

    /**
     * Rotates a refresh token (reference refresh steps); the user must still exist and be enabled
     * (403 `This account is disabled.`, also for the tokens revoked when it was disabled).
     */
    async refresh(scope: ProjectScope, token: string, client: SessionClient): Promise<IssuedTokens> {
      usersCollectionOf(scope.project);
      const next = await kit.sessions.rotate(scope.project._id, token, client).catch(async (err: unknown) => {
        // Disabling revoked every session: say why rather than "already used".
        const owner = err instanceof AppError && err.status === 403 ? await kit.sessions.ownerOf(scope.project._id, token) : null;
        if (owner) assertUserEnabled(await findUser(scope, owner));
        throw err;
      });
      const user = await findUser(scope, next.userId);
      if (!user) {
        await kit.sessions.revokeAllForUser(scope.project._id, next.userId);
        await assertNotTrashedUser(scope, { userId: next.userId });
        throw unauthenticated('User not found for refresh token');
      }
      if (isUserDisabled(user)) {
        await kit.sessions.revokeAllForUser(scope.project._id, next.userId);
        assertUserEnabled(user);
      }
      const access = kit.tokens.issue(
        { userId: next.userId, projectId: scope.project._id, sid: next.familyId },
        kit.projectJwtKey(scope.project),
      );
      return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: next.refreshToken };
    },

    /** Revokes the session of `token` when it is one (403 for another project's token). */
    async logout(scope: ProjectScope, token: string | null): Promise<void> {
      if (token) await kit.sessions.revokeByToken(scope.project._id, token);
    },

    async list(scope: ProjectScope, bearer: string | null) {
      const { claims } = await requireUser(scope, bearer);
      const sessions = await kit.sessions.listActive(scope.project._id, claims.userId);
      return sessions.map((s) => ({
        id: s.id,
        createdAt: s.createdAt,
        lastUsedAt: s.lastUsedAt,
        expiresAt: s.expiresAt,
        ip: s.ip,
        userAgent: s.userAgent,
        method: s.method,
        current: s.id === claims.sid,
      }));
    },

    async revoke(scope: ProjectScope, bearer: string | null, sessionId: string): Promise<void> {
      const { claims } = await requireUser(scope, bearer);
      const revoked = await kit.sessions.revokeFamily(scope.project._id, claims.userId, sessionId);
      if (!revoked) throw notFound('Session not found');
    },

    async logoutAll(scope: ProjectScope, bearer: string | null): Promise<number> {
      const { claims } = await requireUser(scope, bearer);
      return kit.sessions.revokeAllForUser(scope.project._id, claims.userId);
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
