import { notFound, unauthenticated } from '@urbackend/common/errors';
import type { AccessClaims, SessionClient } from '@urbackend/common/user-auth';
import type { PublicContext } from '../../context.js';
import type { UserAuthKit } from './user-auth.kit.js';
import { type UserDoc, byId, usersCollectionOf } from './users.store.js';

/** Tokens handed to a client after login, signup, refresh or social login. */
export interface IssuedTokens {
  accessToken: string;
  expiresIn: string;
  refreshToken: string;
}

/** Session rules: issuing tokens, refresh with rotation, logout, the caller's own sessions. */
export function createSessionsService(kit: UserAuthKit) {
  async function issue(ctx: PublicContext, userId: string, client: SessionClient, method: string): Promise<IssuedTokens> {
    const { refreshToken, familyId } = await kit.sessions.create(ctx.projectId, userId, client, method);
    const access = kit.tokens.issue({ userId, projectId: ctx.projectId, sid: familyId }, kit.jwtSecretOf(ctx.project));
    return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken };
  }

  /** The Bearer user: 401 `Access Denied: No Token Provided` / `Invalid or Expired Token`, 404 `User not found`. */
  async function requireUser(ctx: PublicContext, bearer: string | null): Promise<{ claims: AccessClaims; user: UserDoc }> {
    usersCollectionOf(ctx.project);
    if (!bearer) throw unauthenticated('Access Denied: No Token Provided');
    const claims = kit.tokens.verify(bearer, kit.jwtSecretOf(ctx.project), ctx.projectId);
    const filter = byId(claims.userId);
    const user = filter ? await (await kit.users(ctx)).findOne(filter) : null;
    if (!user) throw notFound('User not found');
    return { claims, user };
  }

  return {
    issue,
    requireUser,

    /** Rotates a refresh token (reference refresh steps); the user must still exist. */
    async refresh(ctx: PublicContext, token: string, client: SessionClient): Promise<IssuedTokens> {
      usersCollectionOf(ctx.project);
      const next = await kit.sessions.rotate(ctx.projectId, token, client);
      const filter = byId(next.userId);
      const user = filter ? await (await kit.users(ctx)).findOne(filter, { projection: { _id: 1 } }) : null;
      if (!user) {
        await kit.sessions.revokeAllForUser(ctx.projectId, next.userId);
        throw unauthenticated('User not found for refresh token');
      }
      const access = kit.tokens.issue(
        { userId: next.userId, projectId: ctx.projectId, sid: next.familyId },
        kit.jwtSecretOf(ctx.project),
      );
      return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: next.refreshToken };
    },

    /** Revokes the session of `token` when it is one (403 for another project's token). */
    async logout(ctx: PublicContext, token: string | null): Promise<void> {
      if (token) await kit.sessions.revokeByToken(ctx.projectId, token);
    },

    async list(ctx: PublicContext, bearer: string | null) {
      const { claims } = await requireUser(ctx, bearer);
      const sessions = await kit.sessions.listActive(ctx.projectId, claims.userId);
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

    async revoke(ctx: PublicContext, bearer: string | null, sessionId: string): Promise<void> {
      const { claims } = await requireUser(ctx, bearer);
      const revoked = await kit.sessions.revokeFamily(ctx.projectId, claims.userId, sessionId);
      if (!revoked) throw notFound('Session not found');
    },

    async logoutAll(ctx: PublicContext, bearer: string | null): Promise<number> {
      const { claims } = await requireUser(ctx, bearer);
      return kit.sessions.revokeAllForUser(ctx.projectId, claims.userId);
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
