import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers for JSON APIs (helmet): `nosniff`, no framing, a locked-down CSP, no
 * referrer, and HSTS only in production (HTTPS there). Remove `X-Powered-By` with
 * `app.disable('x-powered-by')` as well.
 */
export function securityHeaders(isProduction: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    hsts: isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}
