import { Types } from 'mongoose';
import { badRequest } from '../errors/index.js';

/** One sort key: path and direction. */
export type SortKey = [path: string, direction: 1 | -1];

type Encoded = string | number | boolean | null | { d: string } | { o: string };

function encodeValue(value: unknown): Encoded {
  if (value instanceof Date) return { d: value.toISOString() };
  if (value instanceof Types.ObjectId) return { o: value.toHexString() };
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function decodeValue(value: unknown): unknown {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
  if (typeof value === 'object' && value && 'd' in value && typeof value.d === 'string') {
    const t = Date.parse(value.d);
    if (!Number.isNaN(t)) return new Date(t);
  }
  if (typeof value === 'object' && value && 'o' in value && typeof value.o === 'string' && Types.ObjectId.isValid(value.o)) {
    return new Types.ObjectId(value.o);
  }
  throw badRequest('Invalid cursor.');
}

function signature(sort: readonly SortKey[]): string {
  return sort.map(([p, d]) => `${p}:${d}`).join(',');
}

function getPath(doc: Record<string, unknown>, path: string): unknown {
  let value: unknown = doc;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** The opaque cursor pointing after `doc` for `sort` (base64url JSON of the sort values). */
export function encodeCursor(doc: Record<string, unknown>, sort: readonly SortKey[]): string {
  const payload = { s: signature(sort), v: sort.map(([path]) => encodeValue(getPath(doc, path))) };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** Decodes a cursor made for the same sort; throws 400 `Invalid cursor.` otherwise. */
export function decodeCursor(cursor: string, sort: readonly SortKey[]): unknown[] {
  let payload: { s?: unknown; v?: unknown };
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('shape');
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof payload;
  } catch {
    throw badRequest('Invalid cursor.');
  }
  if (payload.s !== signature(sort) || !Array.isArray(payload.v) || payload.v.length !== sort.length) {
    throw badRequest('Invalid cursor: it was made for a different sort.');
  }
  return payload.v.map(decodeValue);
}

/** "Comes after `value` in direction `dir`" for one path, with nulls sorting first (MongoDB order). */
function after(path: string, dir: 1 | -1, value: unknown): Record<string, unknown> | null {
  if (value === null) return dir === 1 ? { [path]: { $ne: null } } : null;
  if (dir === 1) return { [path]: { $gt: value } };
  return { $or: [{ [path]: { $lt: value } }, { [path]: null }] };
}

/**
 * The filter selecting documents strictly after the cursor position for any sort (keys of any
 * directions; the last key is `_id`, so positions are unique): OR over i of (keys before i equal
 * AND key i after).
 */
export function cursorFilter(sort: readonly SortKey[], values: readonly unknown[]): Record<string, unknown> {
  const branches: Record<string, unknown>[] = [];
  for (let i = 0; i < sort.length; i++) {
    const [path, dir] = sort[i] as SortKey;
    const next = after(path, dir, values[i] ?? null);
    if (!next) continue;
    const equal = sort.slice(0, i).map(([p], j) => ({ [p]: values[j] ?? null }));
    branches.push(equal.length ? { $and: [...equal, next] } : next);
  }
  return branches.length ? { $or: branches } : { _id: { $exists: false } };
}
