import { Types } from 'mongoose';
import type { ErrorDetail } from '../errors/index.js';
import { badRequest } from '../errors/index.js';
import type { FieldDef, FieldType } from '../models/index.js';
import { SYSTEM_FIELDS, collectValueProblems, isPlainObject, throwProblems } from './values.js';

/** `insert`: full document (required, defaults); `patch`: only the given keys (`$set` semantics). */
export type ValidationMode = 'insert' | 'patch';

const FORMATS: Record<string, (v: string) => boolean> = {
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
  url: (v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  },
  slug: (v) => /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(v),
  color: (v) => /^#[0-9A-Fa-f]{6}$/.test(v),
};

const MAX_PATTERN_INPUT = 10_000;
const patternCache = new Map<string, RegExp | null>();

function compiled(pattern: string): RegExp | null {
  if (!patternCache.has(pattern)) {
    if (patternCache.size > 500) patternCache.clear();
    let re: RegExp | null = null;
    try {
      re = new RegExp(pattern);
    } catch {
      re = null;
    }
    patternCache.set(pattern, re);
  }
  return patternCache.get(pattern) ?? null;
}

function checkString(field: FieldDef, value: string): string | null {
  if (field.minLength !== undefined && value.length < field.minLength) return `must be at least ${field.minLength} characters`;
  if (field.maxLength !== undefined && value.length > field.maxLength) return `must be at most ${field.maxLength} characters`;
  if (field.pattern) {
    const re = compiled(field.pattern);
    if (value.length > MAX_PATTERN_INPUT || !re?.test(value)) return 'does not match the required pattern';
  }
  if (field.format && FORMATS[field.format] && !FORMATS[field.format]?.(value)) return `must be a valid ${field.format}`;
  return null;
}

function checkEnumRange(field: FieldDef, value: string | number): string | null {
  if (field.enum?.length && !field.enum.includes(value)) return `must be one of: ${field.enum.join(', ')}`;
  if (typeof value === 'number') {
    if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
    if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
  }
  return null;
}

type Result = { value: unknown } | { error: string };

function convert(field: FieldDef, type: FieldType, raw: unknown, path: string, out: ErrorDetail[]): Result {
  switch (type) {
    case 'String': {
      if (typeof raw !== 'string') return { error: 'must be a String' };
      const value = raw.trim();
      const problem = checkEnumRange(field, value) ?? checkString(field, value);
      return problem ? { error: problem } : { value };
    }
    case 'Number': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return { error: 'must be a Number' };
      const problem = checkEnumRange(field, raw);
      return problem ? { error: problem } : { value: raw };
    }
    case 'Boolean':
      return typeof raw === 'boolean' ? { value: raw } : { error: 'must be a Boolean' };
    case 'Date': {
      const t =
        typeof raw === 'string' || typeof raw === 'number'
          ? new Date(raw).getTime()
          : raw instanceof Date
            ? raw.getTime()
            : Number.NaN;
      return Number.isNaN(t) ? { error: 'must be a valid Date' } : { value: new Date(t) };
    }
    case 'Ref': {
      const text = raw instanceof Types.ObjectId ? raw.toHexString() : raw;
      if (typeof text !== 'string' || !/^[0-9a-fA-F]{24}$/.test(text))
        return { error: 'must be a valid reference ID (ObjectId)' };
      return { value: new Types.ObjectId(text) };
    }
    case 'Object':
      if (!isPlainObject(raw)) return { error: 'must be an Object' };
      return { value: validateLevel(field.fields ?? [], raw, 'insert', path, out) };
    case 'Array': {
      if (!Array.isArray(raw)) return { error: 'must be an Array' };
      if (!field.items) return { value: raw };
      const items = field.items;
      const itemField: FieldDef = { key: field.key, type: items.type, fields: items.fields, ref: items.ref };
      return { value: raw.map((item, i) => convertOrRecord(itemField, items.type, item, `${path}.${i}`, out)) };
    }
  }
}

function convertOrRecord(field: FieldDef, type: FieldType, raw: unknown, path: string, out: ErrorDetail[]): unknown {
  const result = convert(field, type, raw, path, out);
  if ('error' in result) {
    out.push({ path, message: result.error });
    return raw;
  }
  return result.value;
}

function validateLevel(
  fields: readonly FieldDef[],
  body: Record<string, unknown>,
  mode: ValidationMode,
  prefix: string,
  out: ErrorDetail[],
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...body };
  for (const field of fields) {
    const path = prefix ? `${prefix}.${field.key}` : field.key;
    const given = Object.hasOwn(body, field.key);
    if (mode === 'patch' && !given) continue;
    let raw = body[field.key];
    if ((raw === undefined || raw === null) && mode === 'insert' && field.default !== undefined && field.default !== null) {
      raw = field.default;
    }
    if (raw === undefined || raw === null) {
      if (field.required) out.push({ path, message: 'is required' });
      else if (given) result[field.key] = null;
      continue;
    }
    result[field.key] = convertOrRecord(field, field.type, raw, path, out);
  }
  return result;
}

/**
 * Validates a request body against a collection's field list and returns the document to store:
 * strings trimmed, dates as `Date`, refs as `ObjectId`, defaults applied (insert only), unknown
 * fields kept, system fields (`_id`, `createdAt`, `updatedAt`, `__v`) dropped. Throws 400 with
 * `details` (one per problem, message naming the first field) for type/required/enum/min/max/
 * length/pattern/format failures and for anything MongoDB/FerretDB would refuse: `$`/dotted/
 * prototype keys, NUL characters, NaN/Infinity, nested arrays.
 */
export function validateDocument(fields: readonly FieldDef[], body: unknown, mode: ValidationMode): Record<string, unknown> {
  if (!isPlainObject(body)) throw badRequest('Request body must be a JSON object.');
  const problems: ErrorDetail[] = [];
  collectValueProblems(body, '', problems);
  if (problems.length) throwProblems(problems);
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!SYSTEM_FIELDS.has(k)) input[k] = v;
  const doc = validateLevel(fields, input, mode, '', problems);
  if (problems.length) throwProblems(problems);
  return doc;
}
