import { AppError } from '../errors/index.js';

/** The 429 error with `Retry-After` (seconds, at least 1) for the error middleware to send. */
export function rateLimited(message: string, retryAfterSeconds: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new AppError('RATE_LIMITED', message, undefined, { headers: { 'Retry-After': String(seconds) } });
}
