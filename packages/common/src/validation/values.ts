import { badRequest } from '../errors/index.js';
import type { ErrorDetail } from '../errors/index.js';
import { FORBIDDEN_SEGMENTS } from '../query/index.js';

/** Fields the server controls: never taken from a request body. */
export const SYSTEM_FIELDS = new Set(['_id', 'createdAt', 'updatedAt', '__v']);

const MAX_DEPTH = 32;

/** Problem with a key of a stored document, or null when it is fine. */
export function keyProblem(key: string): string | null {
  if (!key) return 'empty keys are not allowed';
  if (key.startsWith('$')) return 'keys may not start with "$"';
  if (key.includes('.')) return 'keys may not contain "."';
  if (key.includes('\u0000')) return 'keys may not contain NUL characters';
  if (FORBIDDEN_SEGMENTS.has(key)) return `"${key}" is not an allowed key`;
  return null;
}

/**
 * Collects problems of any JSON value that MongoDB or FerretDB would refuse or misread: keys
 * starting with `$`, containing `.` or NUL, prototype keys, NUL in strings, NaN/Infinity, arrays
 * directly inside arrays, nesting deeper than 32.
 */
export function collectValueProblems(value: unknown, path: string, out: ErrorDetail[], depth = 0, inArray = false): void {
  if (out.length >= 20) return;
  if (depth > MAX_DEPTH) {
    out.push({ path, message: 'is nested too deeply' });
    return;
  }
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ path, message: 'may not contain NUL characters' });
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push({ path, message: 'must be a finite number' });
  } else if (Array.isArray(value)) {
    if (inArray) out.push({ path, message: 'nested arrays are not supported' });
    value.forEach((item, i) => collectValueProblems(item, `${path}.${i}`, out, depth + 1, true));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    if (isObjectIdLike(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const problem = keyProblem(key);
      if (problem) out.push({ path: path ? `${path}.${key}` : key, message: problem });
      else collectValueProblems(inner, path ? `${path}.${key}` : key, out, depth + 1, false);
    }
  }
}

function isObjectIdLike(value: object): boolean {
  return (value as { _bsontype?: unknown })._bsontype === 'ObjectId';
}

/** True for `{...}` objects (not arrays, dates, ObjectIds or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !isObjectIdLike(value)
  );
}

/** Throws 400 with every problem as `details` (message = the first one, naming its field). */
export function throwProblems(problems: ErrorDetail[]): never {
  const first = problems[0] as ErrorDetail;
  throw badRequest(`Field '${first.path}' ${first.message}.`.replace(/\.\.$/, '.'), problems);
}
