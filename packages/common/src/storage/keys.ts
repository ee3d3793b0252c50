import { randomUUID } from 'node:crypto';
import { AppError, badRequest } from '../errors/index.js';

const MAX_NAME_LENGTH = 180;

/**
 * Turns a client file name into a safe object-name suffix: the last path segment only,
 * whitespace runs → `_`, anything outside `[A-Za-z0-9._-]` → `_`, no leading dots, at most
 * 180 characters; `file` when nothing is left.
 */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKC')
    .replace(/\s+/g, '_')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(-MAX_NAME_LENGTH);
  return cleaned || 'file';
}

/**
 * A new server-side object key: `<projectId>/<uuid>_<name>`, or
 * `<projectId>/users/<userId>/<uuid>_<name>` for end-user uploads with a publishable key.
 */
export function newObjectKey(projectId: string, fileName: string, userId?: string): string {
  const owner = userId ? `users/${sanitizeFileName(userId)}/` : '';
  return `${projectId}/${owner}${randomUUID()}_${sanitizeFileName(fileName)}`;
}

const denied = () => new AppError('FORBIDDEN', 'Access denied.');

/**
 * Validates a client-supplied object path and returns the key. It must decode cleanly, contain
 * no `.`/`..`/empty segments, backslashes or control characters, start with `<projectId>/`
 * and (when `requiredPrefix` is set, e.g. `<pid>/users/<uid>/`) lie under that prefix.
 * Throws 400 for an empty or undecodable path, 403 `Access denied.` for anything outside.
 */
export function resolveObjectKey(projectId: string, rawPath: string, requiredPrefix?: string): string {
  if (typeof rawPath !== 'string' || !rawPath.trim()) throw badRequest('File path is required.');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath.trim());
  } catch {
    throw badRequest('File path is not valid.');
  }
  // A second decoding layer (`%252F`) or any encoded separator left over is refused outright.
  if (/%[0-9a-f]{2}/i.test(decoded) || decoded.includes('\\') || hasControlChars(decoded)) throw denied();
  const key = decoded.replace(/^\/+/, '');
  const segments = key.split('/');
  if (segments.length < 2 || segments.some((s) => s === '' || s === '.' || s === '..')) throw denied();
  if (segments[0] !== projectId) throw denied();
  if (requiredPrefix && !key.startsWith(requiredPrefix)) throw denied();
  return key;
}

function hasControlChars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Content types a browser could execute or render as a document: served as attachments. */
const ACTIVE_TYPES =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript|application\/ecmascript|text\/ecmascript|application\/x-shockwave-flash|application\/pdf|multipart\/)/i;

/** True when a file of this type must be served with `Content-Disposition: attachment`. */
export function isActiveContent(contentType: string): boolean {
  return ACTIVE_TYPES.test(contentType.trim());
}

/** A syntactically valid, bounded MIME type or `application/octet-stream`. */
export function normalizeContentType(value: unknown): string {
  if (typeof value !== 'string') return 'application/octet-stream';
  const v = value.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(\s*;\s*[a-z0-9_-]+=[a-z0-9_.\-"]{1,64})?$/.test(v)
    ? v
    : 'application/octet-stream';
}
