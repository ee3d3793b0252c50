import { type ApiKeyResolver, isOriginAllowed, requestOrigin } from '@urbackend/common/api-keys';
import type { ApiKeyIssuer } from '@urbackend/common/crypto';
import { type AppError, badRequest, forbidden, unauthenticated } from '@urbackend/common/errors';
import { scopeOf, setScope } from '@urbackend/common/http';
import type { Logger } from '@urbackend/common/logger';
import type { Platform } from '@urbackend/common/platform';
import { assertProjectServable, keyRoleOf } from '@urbackend/common/scope';
import type { Request, RequestHandler, Response } from 'express';

export interface ApiKeyMiddlewareDeps {
  apiKeys: ApiKeyResolver;
  scopeFor: Platform['scopeFor'];
}

function rawKeyOf(req: Request): string | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  // Publishable keys may come as `?key=` (social start links); secret keys only in the header.
  const query = (req.query as Record<string, unknown>).key;
  if (typeof query === 'string' && query.startsWith('pk_live_')) return query;
  return null;
}

function refuseOrigin(res: Response, error: AppError): never {
  res.removeHeader('Access-Control-Allow-Origin');
  res.removeHeader('Access-Control-Allow-Credentials');
  throw error;
}

function checkOrigin(req: Request, res: Response, allowedDomains: readonly string[]): void {
  if (allowedDomains.some((d) => d.trim() === '*')) return;
  const origin = requestOrigin(req.headers);
  if (!origin) {
    refuseOrigin(res, forbidden('Forbidden: Origin header missing and this key is restricted to specific domains.'));
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    refuseOrigin(res, badRequest('Invalid Origin header format.'));
  }
  if (!isOriginAllowed(allowedDomains, url)) {
    refuseOrigin(res, forbidden(`Forbidden: Origin ${url.origin} is not allowed by this project's CORS policy.`));
  }
}

/**
 * `verifyApiKey`: resolves `x-api-key` (or a publishable `?key=`) to its project, refuses unknown
 * or rotated keys (401), projects whose owner was disabled by the platform admin (403) or is not
 * verified (401) and, for publishable keys, origins the project does not allow (403, with
 * `Access-Control-Allow-Origin` removed). Sets
 * the request's project scope: the project, its tenant and limits, and a key actor (no end user yet).
 */
export function createApiKeyMiddleware(deps: ApiKeyMiddlewareDeps): RequestHandler {
  return async (req, res, next) => {
    const raw = rawKeyOf(req);
    if (!raw) throw unauthenticated('API key not found');
    const resolved = await deps.apiKeys.resolve(raw);
    if (!resolved) throw unauthenticated('API key is expired or invalid.');
    const { project, role, keyHash } = resolved;
    assertProjectServable(project);
    if (role === 'publishable') checkOrigin(req, res, project.allowedDomains);
    setScope(req, deps.scopeFor(project, { type: 'key', key: role, keyHash, user: null }));
    next();
  };
}

/** 403 unless the request used the project's secret key (mount after the API-key middleware). */
export function requireSecretKey(): RequestHandler {
  return (req, _res, next) => {
    if (keyRoleOf(scopeOf(req)) !== 'secret') throw forbidden('Forbidden. This action requires a Secret Key (sk_live_...).');
    next();
  };
}

/** How often refused forged keys are summed up in one log line. */
const FORGED_LOG_EVERY_MS = 10_000;

/**
 * Runs before the rate limiter and the request log: a request whose API key is forged (no valid
 * check value, see `createApiKeyIssuer`) is refused with the same 401 as an unknown key, without a
 * single MongoDB or Redis command, and without a log line of its own: refusals are summed up in
 * one line at most every 10 s, so a flood of random keys costs neither the databases nor the logs.
 */
export function createForgedKeyFilter(issuer: Pick<ApiKeyIssuer, 'classify'>, logger: Logger): RequestHandler {
  let refused = 0;
  let since = Date.now();
  return (req, res, next) => {
    const raw = rawKeyOf(req);
    if (!raw || issuer.classify(raw) !== 'forged') return next();
    refused += 1;
    const now = Date.now();
    if (now - since >= FORGED_LOG_EVERY_MS) {
      logger.warn({ refused, seconds: Math.round((now - since) / 1000) }, 'requests refused: forged or malformed API keys');
      refused = 0;
      since = now;
    }
    res.locals.quietReject = true;
    throw unauthenticated('API key is expired or invalid.');
  };
}
