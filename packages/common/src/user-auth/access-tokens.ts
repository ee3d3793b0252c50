import jwt from 'jsonwebtoken';
import { durationMs } from '../config/index.js';
import { unauthenticated } from '../errors/index.js';

/** Claims of an end-user access token. `sid` is the refresh-session family the token came from. */
export interface AccessClaims {
  userId: string;
  projectId: string;
  sid?: string;
}

/** What `issue` returns: the JWT and its lifetime as configured (e.g. `15m`), as the reference sends it. */
export interface IssuedAccessToken {
  token: string;
  expiresIn: string;
}

/** Signs and checks end-user access tokens: HS256 only, signed with the project's own secret. */
export interface AccessTokens {
  issue(claims: AccessClaims, secret: string): IssuedAccessToken;
  /**
   * Verifies `token` for `projectId`. Throws `UNAUTHENTICATED` ("Invalid or Expired Token") for
   * any other algorithm (including `none`), a wrong secret, an expired token, missing claims or
   * a token of another project.
   */
  verify(token: string, secret: string, projectId: string): AccessClaims;
}

export const INVALID_TOKEN_MESSAGE = 'Invalid or Expired Token';

/** Creates the access-token service; `ttl` is a duration string (`USER_ACCESS_TOKEN_TTL`, default `15m`). */
export function createAccessTokens(options: { ttl: string }): AccessTokens {
  const ttlSeconds = Math.max(1, Math.floor(durationMs(options.ttl) / 1000));
  return {
    issue(claims, secret) {
      const payload: Record<string, string> = { userId: claims.userId, projectId: claims.projectId };
      if (claims.sid) payload.sid = claims.sid;
      return { token: jwt.sign(payload, secret, { algorithm: 'HS256', expiresIn: ttlSeconds }), expiresIn: options.ttl };
    },
    verify(token, secret, projectId) {
      let decoded: unknown;
      try {
        decoded = jwt.verify(token, secret, { algorithms: ['HS256'] });
      } catch {
        throw unauthenticated(INVALID_TOKEN_MESSAGE);
      }
      const claims = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as Record<string, unknown>;
      if (typeof claims.userId !== 'string' || claims.projectId !== projectId) throw unauthenticated(INVALID_TOKEN_MESSAGE);
      return {
        userId: claims.userId,
        projectId,
        ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}),
      };
    },
  };
}
