import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { RedisConnection } from '../cache/index.js';
import type { Logger } from '../logger/index.js';
import { FallbackStore } from './fallback-store.js';
import { rateLimited } from './rate-limited.js';

export { FallbackStore } from './fallback-store.js';
export { rateLimited } from './rate-limited.js';
export { type Cooldown, type CooldownOptions, createCooldown } from './cooldown.js';
export { type AttemptCounter, type AttemptCounterOptions, createAttemptCounter } from './attempts.js';
export { type Claims, createClaims } from './claims.js';

export interface RateLimiterOptions {
  cache: RedisConnection;
  /** Short unique name; part of the Redis key (`rl:<name>:<key>`). */
  name: string;
  windowMs: number;
  /** Requests allowed per window per key; `0` disables the limiter. */
  limit: number;
  /** The client key; default: the request IP (IPv6 grouped by /56). May be async. */
  key?: (req: Request) => string | Promise<string>;
  /** Message of the 429. */
  message?: string;
  /** Requests that are not counted. */
  skip?: (req: Request) => boolean;
  logger?: Logger;
}

/** The default client key: the request IP (`X-Forwarded-For` counts only with `trust proxy`). */
export function ipKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/**
 * A rate-limit middleware counting in Redis (shared by every process) with a per-process
 * fallback while Redis is down or absent. Over the limit it passes a 429 `AppError` with a
 * `Retry-After` header to the error middleware; it never answers 500 because of Redis.
 */
export function createRateLimiter(options: RateLimiterOptions): RequestHandler {
  if (options.limit <= 0) return (_req, _res, next) => next();
  const message = options.message ?? 'Too many requests, please try again later.';
  const keyOf = options.key ?? ipKey;
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    store: new FallbackStore(options.cache, options.name, options.logger),
    keyGenerator: (req) => keyOf(req),
    skip: options.skip ?? (() => false),
    validate: false,
    passOnStoreError: true,
    handler: (req, _res, next) => {
      const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
      const reset = info?.resetTime ? (info.resetTime.getTime() - Date.now()) / 1000 : options.windowMs / 1000;
      next(rateLimited(message, reset));
    },
  });
}
