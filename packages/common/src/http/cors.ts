import cors from 'cors';
import type { RequestHandler } from 'express';

/** Headers the public API accepts from browsers (the SDK's set). */
export const PUBLIC_ALLOWED_HEADERS = [
  'x-api-key',
  'authorization',
  'content-type',
  'x-refresh-token',
  'x-refresh-token-mode',
  'x-request-id',
];

/**
 * Strict CORS for the dashboard API: only the listed origins, with credentials (the refresh
 * cookie). Requests without an Origin (curl, server-to-server) are not CORS and pass.
 */
export function dashboardCors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (origin, callback) => callback(null, origin === undefined || allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
}

/**
 * Public-API CORS (CONTRACT §3.10, §8): preflights carry no key, so they are answered for any
 * origin (origin echoed, credentials allowed). On actual requests the origin is echoed here too;
 * the API-key middleware removes `Access-Control-Allow-Origin` again for an origin the project
 * does not allow.
 */
export function publicCors(): RequestHandler {
  return cors({
    origin: true,
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: PUBLIC_ALLOWED_HEADERS,
    exposedHeaders: ['x-refresh-token', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
}
