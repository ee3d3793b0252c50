import { ZodError } from 'zod';

/** Error codes of the product, each bound to one HTTP status. */
export const errorStatus = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** One field-level problem, sent to clients in the envelope's `details`. */
export interface ErrorDetail {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  /** Extra response headers, e.g. `Retry-After` for 429. */
  headers?: Record<string, string>;
}

/**
 * The one error type the product throws on purpose. The error middleware turns it into
 * `{success:false, error:message, code:status, details?}`. For 5xx codes the message is
 * replaced by a generic one on the wire; the cause is only logged.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[], options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorStatus[code];
    this.details = details;
    this.headers = options.headers;
  }

  get isServerError(): boolean {
    return this.status >= 500;
  }
}

/** Shorthand constructors for the common cases. */
export const badRequest = (message: string, details?: ErrorDetail[]) => new AppError('VALIDATION_FAILED', message, details);
export const notFound = (message = 'Not found.') => new AppError('NOT_FOUND', message);
export const unauthenticated = (message = 'Authentication required.') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Forbidden.') => new AppError('FORBIDDEN', message);
export const conflict = (message: string) => new AppError('CONFLICT', message);
export const unavailable = (message = 'Service temporarily unavailable. Please retry shortly.', cause?: unknown) =>
  new AppError('UNAVAILABLE', message, undefined, { cause });

/** Turns zod issues into the envelope's `details` array. */
export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

function describeZod(error: ZodError): string {
  const first = error.issues[0];
  if (!first) return 'Invalid input.';
  const path = first.path.map(String).join('.');
  return path ? `${path}: ${first.message}` : first.message;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  path?: unknown;
  keyValue?: unknown;
  codeName?: unknown;
  message?: unknown;
}

const MONGO_UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongooseServerSelectionError',
]);

/**
 * Maps anything thrown to an AppError: zod → 400 with details, Mongo duplicate key → 409,
 * CastError → 400, body-parser errors → 400/413, multer size limit → 413, database
 * unreachable → 503, a query over its `maxTimeMS` (MaxTimeMSExpired, code 50) → 503, anything else → 500 (original kept as `cause`).
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return new AppError('VALIDATION_FAILED', describeZod(err), zodDetails(err));
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  if (e.code === 11000 || e.code === 11001) {
    const fields = e.keyValue && typeof e.keyValue === 'object' ? Object.keys(e.keyValue) : [];
    const suffix = fields.length ? ` (${fields.join(', ')})` : '';
    return new AppError('CONFLICT', `Duplicate value violates unique constraint${suffix}.`, undefined, { cause: err });
  }
  // FerretDB 1.24 (SQLite) reports a unique violation on update as an InternalError (code 1):
  // "UNIQUE constraint failed: index '<table>_unique_<field>_1'". Same answer as MongoDB's 11000.
  const ferretUnique =
    typeof e.message === 'string' ? /UNIQUE constraint failed: index '[^']*?unique_(.+?)_1'/.exec(e.message) : null;
  if (ferretUnique || (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed'))) {
    const suffix = ferretUnique?.[1] ? ` (${ferretUnique[1]})` : '';
    return new AppError('CONFLICT', `Duplicate value violates unique constraint${suffix}.`, undefined, { cause: err });
  }
  if (e.name === 'CastError') {
    const path = typeof e.path === 'string' ? e.path : 'value';
    return new AppError('VALIDATION_FAILED', `Invalid value for '${path}'.`, undefined, { cause: err });
  }
  if (e.type === 'entity.too.large' || e.code === 'LIMIT_FILE_SIZE') {
    return new AppError('PAYLOAD_TOO_LARGE', 'Payload too large.', undefined, { cause: err });
  }
  if (e.type === 'entity.parse.failed') {
    return new AppError('VALIDATION_FAILED', 'Invalid JSON body: check the request body syntax.', undefined, {
      cause: err,
    });
  }
  if (typeof e.type === 'string' && e.type.startsWith('encoding.') && typeof e.status === 'number') {
    return new AppError('VALIDATION_FAILED', 'Unsupported request body encoding.', undefined, { cause: err });
  }
  if (e.code === 50 || e.codeName === 'MaxTimeMSExpired') {
    return unavailable('The query took too long and was stopped. Narrow the filter and retry.', err);
  }
  if (typeof e.name === 'string' && MONGO_UNAVAILABLE.has(e.name)) {
    return unavailable('Database temporarily unavailable. Please retry shortly.', err);
  }
  if (e.name === 'MongooseError' && err instanceof Error && /buffering timed out|before initial connection/i.test(err.message)) {
    return unavailable('Database temporarily unavailable. Please retry shortly.', err);
  }
  return new AppError('INTERNAL', 'Internal server error.', undefined, { cause: err });
}
