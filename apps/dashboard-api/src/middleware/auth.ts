import { AppError, unauthenticated } from '@urbackend/common/errors';
import type { DeveloperModel } from '@urbackend/common/models';
import type { RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import { Types } from 'mongoose';

/** Claims of a developer access token (CONTRACT §8). */
export interface AccessClaims {
  _id: string;
  isVerified: boolean;
  isAdmin: boolean;
}

/** The developer of the current request, loaded fresh from the database. */
export interface CurrentDeveloper {
  _id: Types.ObjectId;
  id: string;
  email: string;
  isVerified: boolean;
  isAdmin: boolean;
  plan: string;
}

/** Signs and verifies developer access tokens (HS256 with `JWT_SECRET`). */
export interface AccessTokens {
  sign(claims: AccessClaims): string;
  /** Returns the claims, or null for a missing/invalid/expired token or another algorithm. */
  verify(token: string): AccessClaims | null;
}

/** Creates the access-token codec. */
export function createAccessTokens(secret: string, ttlMs: number): AccessTokens {
  return {
    sign: (claims) =>
      jwt.sign({ _id: claims._id, isVerified: claims.isVerified, isAdmin: claims.isAdmin }, secret, {
        algorithm: 'HS256',
        expiresIn: Math.floor(ttlMs / 1000),
      }),
    verify(token) {
      try {
        const payload = jwt.verify(token, secret, { algorithms: ['HS256'] });
        if (typeof payload !== 'object' || typeof payload._id !== 'string') return null;
        return { _id: payload._id, isVerified: payload.isVerified === true, isAdmin: payload.isAdmin === true };
      } catch {
        return null;
      }
    },
  };
}

/** The developer attached by `requireDeveloper`. */
export function currentDeveloper(res: Response): CurrentDeveloper {
  const dev = res.locals.developer as CurrentDeveloper | undefined;
  if (!dev) throw unauthenticated('Access Denied: No Token Provided');
  return dev;
}

/**
 * Requires `Authorization: Bearer <access JWT>` of an existing developer (401 otherwise) and
 * attaches the developer, read fresh (verification, admin flag and plan are never stale).
 */
export function requireDeveloper(tokens: AccessTokens, Developer: DeveloperModel): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    if (!token || scheme?.toLowerCase() !== 'bearer') throw unauthenticated('Access Denied: No Token Provided');
    const claims = tokens.verify(token);
    if (!claims || !Types.ObjectId.isValid(claims._id)) throw unauthenticated('Invalid Token');
    const dev = await Developer.findById(claims._id).select('email isVerified isAdmin plan').lean();
    if (!dev) throw unauthenticated('Invalid Token');
    res.locals.developer = {
      _id: dev._id,
      id: String(dev._id),
      email: dev.email,
      isVerified: dev.isVerified,
      isAdmin: dev.isAdmin,
      plan: dev.plan,
    } satisfies CurrentDeveloper;
    next();
  };
}

/** Requires a verified email (403 otherwise). Use after `requireDeveloper`. */
export const requireVerified: RequestHandler = (_req, res, next) => {
  if (!currentDeveloper(res).isVerified) throw new AppError('FORBIDDEN', 'Email not verified. Verify your email first.');
  next();
};

/** Requires the platform admin (403 otherwise). Use after `requireDeveloper`. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (!currentDeveloper(res).isAdmin) throw new AppError('FORBIDDEN', 'Admin access required.');
  next();
};
