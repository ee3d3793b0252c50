import { Types } from 'mongoose';
import { badRequest } from '../errors/index.js';
import type { FieldDef, FieldType } from '../models/index.js';

/** Keys that can never be a field name in queries or documents (prototype pollution). */
export const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** System fields every document has, with their types. */
const SYSTEM_FIELDS: Record<string, FieldType | 'ObjectId'> = {
  _id: 'ObjectId',
  createdAt: 'Date',
  updatedAt: 'Date',
};

/** What a query path points at: a declared field's type, a system field, or unknown (undeclared). */
export type PathType = FieldType | 'ObjectId' | 'unknown';

/**
 * The type of a (possibly dotted) path in a field list: walks `Object` sub-fields and `Array`
 * items; `unknown` when the path is not declared (unknown fields are allowed and compared as strings).
 */
export function typeOfPath(fields: readonly FieldDef[], path: string): PathType {
  const system = SYSTEM_FIELDS[path];
  if (system) return system;
  let level: readonly FieldDef[] | undefined = fields;
  let type: PathType = 'unknown';
  for (const segment of path.split('.')) {
    const field: FieldDef | undefined = level?.find((f) => f.key === segment);
    if (!field) return 'unknown';
    type = field.type;
    level = field.fields;
    if (field.type === 'Array' && field.items) {
      type = field.items.type;
      level = field.items.fields;
    }
  }
  return type;
}

/** True when `path` names a declared field (top-level or nested). */
export function isDeclaredPath(fields: readonly FieldDef[], path: string): boolean {
  return typeOfPath(fields, path) !== 'unknown' || path in SYSTEM_FIELDS;
}

/** Checks a query path: dotted segments, no `$`, brackets, whitespace or prototype keys. Throws 400 naming `param`. */
export function assertSafePath(path: string, param: string): void {
  const bad =
    !path ||
    path.length > 200 ||
    /[$[\]\s]/.test(path) ||
    path.includes('\u0000') ||
    path.split('.').some((s) => !s || FORBIDDEN_SEGMENTS.has(s));
  if (bad) throw badRequest(`Query parameter "${param}" is not allowed.`);
}

/** Converts a query-string value to the path's type; throws 400 naming `param` when it does not fit. */
export function castQueryValue(type: PathType, value: string, param: string): unknown {
  switch (type) {
    case 'Number': {
      const n = value.trim() === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(n)) throw badRequest(`Invalid value for "${param}": expected a number.`);
      return n;
    }
    case 'Boolean':
      if (value !== 'true' && value !== 'false') throw badRequest(`Invalid value for "${param}": expected true or false.`);
      return value === 'true';
    case 'Date': {
      const t = Date.parse(value);
      if (Number.isNaN(t)) throw badRequest(`Invalid value for "${param}": expected a date.`);
      return new Date(t);
    }
    case 'Ref':
    case 'ObjectId':
      if (!/^[0-9a-fA-F]{24}$/.test(value)) throw badRequest(`Invalid value for "${param}": expected an ObjectId.`);
      return new Types.ObjectId(value);
    default:
      if (value.includes('\u0000')) throw badRequest(`Invalid value for "${param}".`);
      return value;
  }
}
