import { type KeyObject, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { durationMs } from '../config/index.js';
import type { SecretBox } from '../crypto/index.js';
import { unauthenticated } from '../errors/index.js';
import { projectSecretContext } from '../scope/index.js';

/**
 * An HS256 key as `jsonwebtoken` wants it. Given a string, `jsonwebtoken` 9 first tries to parse it
 * as a PEM public key (which throws) and only then makes a secret key of it, on every sign and
 * verify: a third of a token check's CPU and an error object per request. A `KeyObject` skips that.
 */
export function hmacKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** Projects whose signing key a process keeps (about 100 bytes each). */
const PROJECT_KEYS_KEPT = 10_000;

/**
 * The signing key of each project's end-user tokens (its encrypted `jwtSecret`), decrypted once and
 * kept per process as a `KeyObject`. Entries are keyed by the ciphertext, so a rotated secret is a
 * new entry and the old one ages out (first in, first out, at most `PROJECT_KEYS_KEPT`).
 */
export function createProjectJwtKeys(secretBox: SecretBox): (project: { _id: string; jwtSecret: string }) => KeyObject {
  const kept = new Map<string, KeyObject>();
  return (project) => {
    const id = `${project._id}:${project.jwtSecret}`;
    let key = kept.get(id);
    if (!key) {
      key = hmacKey(secretBox.decrypt(project.jwtSecret, projectSecretContext(project._id, 'jwtSecret')));
      if (kept.size >= PROJECT_KEYS_KEPT) kept.delete(kept.keys().next().value as string);
      kept.set(id, key);
    }
    return key;
  };
}

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
  issue(claims: AccessClaims, secret: KeyObject): IssuedAccessToken;
  /**
   * Verifies `token` for `projectId`. Throws `UNAUTHENTICATED` ("Invalid or Expired Token") for
   * any other algorithm (including `none`), a wrong secret, an expired token, missing claims or
   * a token of another project.
   */
  verify(token: string, secret: KeyObject, projectId: string): AccessClaims;
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
