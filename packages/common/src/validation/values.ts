import { badRequest } from '../errors/index.js';
import type { ErrorDetail } from '../errors/index.js';
import { FORBIDDEN_SEGMENTS } from '../query/index.js';

/** Fields the server controls: never taken from a request body. */
export const SYSTEM_FIELDS = new Set(['_id', 'createdAt', 'updatedAt', '__v']);

const MAX_DEPTH = 32;

/**
 * Keys the BSON serializer or mongoose read as type tags at any level: `_bsontype` makes bson
 * serialize the object as a BSON type (a JSON one is refused with a BSONVersionError), and
 * `isMongooseBuffer` makes mongoose call a `toObject()` the object does not have.
 */
const DRIVER_KEYS = new Set(['_bsontype', 'isMongooseBuffer']);

/**
 * Top-level keys mongoose reads from the document it builds, shadowing its own members: each
 * fails an insert or update (`_doc` recurses without end; `get`, `markModified`, `modifiedPaths`,
 * `toObject` are called as functions; on a bulk insert the failure escapes as an uncaught
 * exception). Found by inserting every member name of a mongoose 8 document.
 */
const DOCUMENT_ROOT_KEYS = new Set(['_doc', 'get', 'markModified', 'modifiedPaths', 'ownerDocument', 'toObject']);

/** Problem with a key of a stored document, or null when it is fine. */
export function keyProblem(key: string): string | null {
  if (!key) return 'empty keys are not allowed';
  if (key.startsWith('$')) return 'keys may not start with "$"';
  if (key.includes('.')) return 'keys may not contain "."';
  if (key.includes('\u0000')) return 'keys may not contain NUL characters';
  if (FORBIDDEN_SEGMENTS.has(key)) return `"${key}" is not an allowed key`;
  if (DRIVER_KEYS.has(key)) return 'is reserved by the database driver';
  return null;
}

/** Problem with a key at the top level of a document (see `keyProblem` for every level), or null. */
function rootKeyProblem(key: string): string | null {
  return DOCUMENT_ROOT_KEYS.has(key) ? 'is reserved by the database driver at the top level' : keyProblem(key);
}

/**
 * Collects problems of any JSON value that MongoDB or FerretDB would refuse or misread: keys
 * starting with `$`, containing `.` or NUL, prototype keys, keys the BSON serializer or mongoose
 * treat specially (`_bsontype`, `isMongooseBuffer`; at the top level also `_doc`, `get`,
 * `markModified`, `modifiedPaths`, `ownerDocument`, `toObject`), NUL in strings, NaN/Infinity,
 * arrays directly inside arrays, nesting deeper than 32.
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
      const problem = path === '' && depth === 0 ? rootKeyProblem(key) : keyProblem(key);
      if (problem) out.push({ path: path ? `${path}.${key}` : key, message: problem });
      else collectValueProblems(inner, path ? `${path}.${key}` : key, out, depth + 1, false);
    }
  }
}

/** A real ObjectId (its `_bsontype` comes from its class), never a JSON object that merely has such a key. */
function isObjectIdLike(value: object): boolean {
  return !Object.hasOwn(value, '_bsontype') && (value as { _bsontype?: unknown })._bsontype === 'ObjectId';
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
