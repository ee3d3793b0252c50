import express, { type RequestHandler } from 'express';
import { AppError } from '../errors/index.js';

/** Maximum nesting of JSON bodies (CONTRACT §8). */
export const MAX_JSON_DEPTH = 32;

/** Depth of a parsed JSON value (a scalar is 0, `{}` is 1). Stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH + 1): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const child of Object.values(value as Record<string, unknown>)) {
    if (deepest >= limit) break;
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
  }
  return deepest + 1;
}

/**
 * JSON body parser with a size limit (413 above it), a 400 for malformed JSON (via the error
 * middleware) and a 400 for bodies nested deeper than 32 levels.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const parse = express.json({ limit, strict: false });
  const depth: RequestHandler = (req, _res, next) => {
    if (req.body !== undefined && jsonDepth(req.body) > MAX_JSON_DEPTH) {
      next(new AppError('VALIDATION_FAILED', `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`));
      return;
    }
    next();
  };
  return [parse, depth];
}
