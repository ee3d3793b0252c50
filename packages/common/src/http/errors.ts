import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, toAppError } from '../errors/index.js';
import type { Logger } from '../logger/index.js';

/** The contract's error body (CONTRACT §2). */
export interface ErrorEnvelope {
  success: false;
  error: string;
  code: number;
  details?: { path: string; message: string }[];
}

const GENERIC_5XX: Record<number, string> = {
  500: 'Internal server error.',
  503: 'Service temporarily unavailable. Please retry shortly.',
};

/** Builds the envelope for an AppError; a 5xx never carries its internal message unless it is an intended one. */
export function envelopeOf(error: AppError): ErrorEnvelope {
  const message = error.status === 500 ? (GENERIC_5XX[500] as string) : error.message;
  const body: ErrorEnvelope = { success: false, error: message, code: error.status };
  if (error.details?.length) body.details = error.details;
  return body;
}

/** JSON 404 for unknown routes, registered after every router and before any auth. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => {
    next(new AppError('NOT_FOUND', `Route not found: ${req.method} ${req.path}`));
  };
}

/** The one error middleware: maps anything to the envelope, logs 5xx with their cause. Register it last. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const error = toAppError(err);
    if (error.status >= 500) {
      logger.error({ err: error.cause ?? error, reqId: (req as { id?: string }).id, path: req.path }, error.message);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error.headers) for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
    const body = envelopeOf(error);
    res.locals.errorMessage = body.error; // what the client was told, for the request log
    res.status(error.status).json(body);
  };
}
