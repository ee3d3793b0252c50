import { sha256Hex } from '@urbackend/common/crypto';
import { AppError, badRequest, unauthenticated } from '@urbackend/common/errors';
import type { DeveloperModel, PatScope, PersonalAccessTokenModel } from '@urbackend/common/models';
import { hmacKey } from '@urbackend/common/user-auth';
import type { Request, RequestHandler, Response } from 'express';
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
  /** A dashboard session (access JWT) or a personal access token. */
  via: 'session' | 'pat';
  /** The token's scopes (PAT only); null for a session. */
  scopes: PatScope[] | null;
  /** The token's type (PAT only). */
  patType?: 'human' | 'agent';
}

/** Signs and verifies developer access tokens (HS256 with `JWT_SECRET`). */
export interface AccessTokens {
  sign(claims: AccessClaims): string;
  /** Returns the claims, or null for a missing/invalid/expired token or another algorithm. */
  verify(token: string): AccessClaims | null;
}

/** Creates the access-token codec. */
export function createAccessTokens(secret: string, ttlMs: number): AccessTokens {
  const key = hmacKey(secret);
  return {
    sign: (claims) =>
      jwt.sign({ _id: claims._id, isVerified: claims.isVerified, isAdmin: claims.isAdmin }, key, {
        algorithm: 'HS256',
        expiresIn: Math.floor(ttlMs / 1000),
      }),
    verify(token) {
      try {
        const payload = jwt.verify(token, key, { algorithms: ['HS256'] });
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

/** A personal access token: `ubpat_live_…` / `ubpat_test_…` (base62 body). */
export const PAT_PATTERN = /^ubpat_(live|test)_[A-Za-z0-9]{20,}$/;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** `lastUsedAt` is written at most this often per token (not a write per request). */
const LAST_USED_EVERY_MS = 60_000;

export interface DeveloperAuthDeps {
  tokens: AccessTokens;
  Developer: DeveloperModel;
  PersonalAccessToken: PersonalAccessTokenModel;
}

export interface DeveloperAuth {
  /** Dashboard session only (account, token and admin routes): a PAT is refused with 403. */
  session: RequestHandler;
  /** A dashboard session or a personal access token (project, analytics and CLI routes). */
  sessionOrPat: RequestHandler;
}

function bearerOf(req: Request): string {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  if (!token || scheme?.toLowerCase() !== 'bearer') throw unauthenticated('Access Denied: No Token Provided');
  return token;
}

/** Tokens never travel in URLs (they end up in logs, history and Referer headers). */
function refuseTokensInQuery(req: Request): void {
  const values = Object.values(req.query).flat();
  if (values.some((v) => typeof v === 'string' && (v.startsWith('ubpat_') || v.startsWith('eyJ')))) {
    throw badRequest('Bad Request: Providing tokens in query parameters is strictly prohibited.');
  }
}

/**
 * The developer guards. Both read the developer fresh from the database (verification, admin
 * flag, plan and disabled state are never stale) and refuse a disabled account (403).
 * A PAT acts as its developer with the developer's project roles, limited by its scopes:
 * `api:read` allows only reads (GET/HEAD), `api:all` everything the roles allow.
 */
export function createDeveloperAuth(deps: DeveloperAuthDeps): DeveloperAuth {
  const { Developer, PersonalAccessToken } = deps;

  async function load(id: unknown, via: CurrentDeveloper['via'], scopes: PatScope[] | null): Promise<CurrentDeveloper> {
    const dev = await Developer.findById(id).select('email isVerified isAdmin plan disabledAt').lean();
    if (!dev) throw unauthenticated(via === 'pat' ? 'Unauthorized: Invalid or revoked token.' : 'Invalid Token');
    if ((dev as { disabledAt?: Date | null }).disabledAt) {
      throw new AppError('FORBIDDEN', 'Account disabled. Contact the administrator of this server.');
    }
    return {
      _id: dev._id,
      id: String(dev._id),
      email: dev.email,
      isVerified: dev.isVerified,
      isAdmin: dev.isAdmin,
      plan: dev.plan,
      via,
      scopes,
    };
  }

  async function fromPat(req: Request, raw: string): Promise<CurrentDeveloper> {
    if (!PAT_PATTERN.test(raw)) throw unauthenticated('Unauthorized: Invalid token format.');
    const pat = await PersonalAccessToken.findOne({ tokenHash: sha256Hex(raw) })
      .select('developer scopes type expiresAt lastUsedAt')
      .lean();
    if (!pat) throw unauthenticated('Unauthorized: Invalid or revoked token.');
    const now = Date.now();
    if (pat.expiresAt.getTime() <= now) throw unauthenticated('Unauthorized: Token has expired.');
    const dev = { ...(await load(pat.developer, 'pat', pat.scopes)), patType: pat.type };
    if (!pat.scopes.includes('api:all') && !READ_METHODS.has(req.method)) {
      throw new AppError(
        'FORBIDDEN',
        'This token is read-only (scope api:read). Create a token with full access to make changes.',
      );
    }
    if (!pat.lastUsedAt || now - pat.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
      // Best effort and not awaited: bookkeeping never slows or fails the request.
      PersonalAccessToken.updateOne({ _id: pat._id }, { $set: { lastUsedAt: new Date(now), lastUsedIp: req.ip ?? null } }).catch(
        () => undefined,
      );
    }
    return dev;
  }

  function fromSession(raw: string): Promise<CurrentDeveloper> {
    const claims = deps.tokens.verify(raw);
    if (!claims || !Types.ObjectId.isValid(claims._id)) throw unauthenticated('Invalid Token');
    return load(claims._id, 'session', null);
  }

  const guard =
    (allowPat: boolean): RequestHandler =>
    async (req, res, next) => {
      refuseTokensInQuery(req);
      const raw = bearerOf(req);
      if (raw.startsWith('ubpat_')) {
        if (!allowPat) {
          throw new AppError(
            'FORBIDDEN',
            'Personal access tokens cannot be used here: account, token and admin routes need a dashboard session.',
          );
        }
        res.locals.developer = await fromPat(req, raw);
      } else {
        res.locals.developer = await fromSession(raw);
      }
      next();
    };
  return { session: guard(false), sessionOrPat: guard(true) };
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
