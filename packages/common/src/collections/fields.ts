import { z } from 'zod';
import { type ErrorDetail, badRequest } from '../errors/index.js';
import type { FieldDef, FieldType } from '../models/index.js';
import { semanticProblems } from './field-rules.js';

/** Deepest nesting of fields (reference §5: an Object cannot start at depth 3). */
export const MAX_FIELD_DEPTH = 3;
/** Most fields one level may declare. */
export const MAX_FIELDS_PER_LEVEL = 200;
/** Longest `pattern` accepted (same cap as query regexes). */
export const MAX_PATTERN_LENGTH = 128;

export const FIELD_TYPES = ['String', 'Number', 'Boolean', 'Date', 'Object', 'Array', 'Ref'] as const;
export const FIELD_FORMATS = ['email', 'url', 'slug', 'color'] as const;
const UNIQUE_TYPES = new Set<FieldType>(['String', 'Number', 'Boolean', 'Date']);
const RESERVED_TOP_LEVEL = new Set(['_id', '__v', 'createdAt', 'updatedAt']);

const typeByLower = new Map(FIELD_TYPES.map((t) => [t.toLowerCase(), t]));

/** Accepts `String`/`string`/`STRING`; the public schema API sends types in any case. */
const fieldTypeSchema = z.preprocess(
  (v) => (typeof v === 'string' ? (typeByLower.get(v.toLowerCase()) ?? v) : v),
  z.enum(FIELD_TYPES, { errorMap: () => ({ message: `type must be one of ${FIELD_TYPES.join(', ')}` }) }),
);

const keySchema = z
  .string({ required_error: 'key is required' })
  .trim()
  .min(1, 'key must not be empty')
  .max(64, 'key must be at most 64 characters')
  .refine((k) => !k.startsWith('$'), 'key must not start with $')
  .refine((k) => !/[.\s]/.test(k) && !k.includes('\0'), 'key must not contain dots, whitespace or NUL')
  .refine((k) => k !== '__proto__' && k !== 'constructor' && k !== 'prototype', 'key is reserved');

const scalar = z.union([z.string(), z.number().finite(), z.boolean()]);

/** A field as parsed, before the nesting rules run: `items.type` may still be anything. */
type RawField = Omit<FieldDef, 'items' | 'fields'> & {
  items?: { type: FieldType; fields?: RawField[]; ref?: string };
  fields?: RawField[];
};

/** `name` is accepted as an alias of `key` (public `POST /api/schemas`). */
function aliasName(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (o.key === undefined && typeof o.name === 'string') return { ...o, key: o.name };
  }
  return v;
}

const fieldShape: z.ZodType<RawField, z.ZodTypeDef, unknown> = z.lazy(() =>
  z.preprocess(
    aliasName,
    z.object({
      key: keySchema,
      type: fieldTypeSchema,
      required: z.boolean().optional(),
      unique: z.boolean().optional(),
      default: scalar.optional(),
      ref: z.string().trim().min(1).max(63).optional(),
      items: z
        .object({
          type: fieldTypeSchema,
          fields: z.array(fieldShape).max(MAX_FIELDS_PER_LEVEL).optional(),
          ref: z.string().trim().min(1).max(63).optional(),
        })
        .optional(),
      fields: z.array(fieldShape).max(MAX_FIELDS_PER_LEVEL).optional(),
      enum: z
        .array(z.union([z.string().max(256), z.number().finite()]))
        .min(1)
        .max(100)
        .optional(),
      min: z.number().finite().optional(),
      max: z.number().finite().optional(),
      minLength: z.number().int().min(0).optional(),
      maxLength: z.number().int().min(0).optional(),
      pattern: z.string().min(1).max(MAX_PATTERN_LENGTH).optional(),
      format: z.enum(FIELD_FORMATS).optional(),
    }),
  ),
);

/** Structural zod schema of a field list (shape only; `parseFieldList` adds the semantic rules). */
export const fieldListSchema = z.array(fieldShape).max(MAX_FIELDS_PER_LEVEL);

/**
 * Validates and normalises a collection's field list (reference §5 plus enum/min/max/
 * minLength/maxLength/pattern/format). Accepts `name` for `key` and types in any case.
 * Throws a 400 `AppError` whose `details` name every bad field (path like `schema.2.fields.0.key`).
 */
export function parseFieldList(input: unknown, path = 'schema'): FieldDef[] {
  const parsed = fieldListSchema.safeParse(input ?? []);
  if (!parsed.success) {
    const details: ErrorDetail[] = parsed.error.issues.map((i) => ({
      path: [path, ...i.path.map(String)].join('.'),
      message: i.message,
    }));
    throw badRequest(`Invalid schema: ${details[0]?.path}: ${details[0]?.message}`, details);
  }
  const fields = parsed.data as FieldDef[];
  const problems = semanticProblems(fields, path, 1);
  for (const [i, f] of fields.entries()) {
    if (RESERVED_TOP_LEVEL.has(f.key)) problems.push({ path: `${path}.${i}.key`, message: `'${f.key}' is a system field` });
  }
  if (problems.length) throw badRequest(`Invalid schema: ${problems[0]?.path}: ${problems[0]?.message}`, problems);
  return fields;
}

/** True when a field of this type may carry `unique` (top level only). */
export function canBeUnique(type: FieldType): boolean {
  return UNIQUE_TYPES.has(type);
}
