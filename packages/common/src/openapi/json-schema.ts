import type { FieldDef, FieldType } from '../models/index.js';

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it). */
export type JsonSchema = Record<string, unknown>;

/**
 * Which shape of a collection's documents:
 * - `doc`: a document as the API answers it (dates as ISO strings, refs as ObjectId strings or,
 *   populated, the referenced document);
 * - `insert`: a create body (required fields required, defaults shown, dates as strings or epoch ms);
 * - `update`: a PUT/PATCH body (`$set` of the given fields: nothing required).
 */
export type SchemaMode = 'doc' | 'insert' | 'update';

export const OBJECT_ID_PATTERN = '^[0-9a-fA-F]{24}$';

/** Patterns of the `format`s JSON Schema has no name for (the same rules as the document validator). */
const FORMAT_PATTERN: Record<string, string> = {
  slug: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  color: '^#[0-9A-Fa-f]{6}$',
};

export interface SchemaContext {
  /** The `$ref` of a collection's document schema, or null when it is not in the document. */
  refOf(collection: string): string | null;
}

const objectIdSchema = (description?: string): JsonSchema => ({
  type: 'string',
  pattern: OBJECT_ID_PATTERN,
  ...(description ? { description } : {}),
});

function stringSchema(f: FieldDef): JsonSchema {
  const s: JsonSchema = { type: 'string' };
  if (f.enum) s.enum = f.enum;
  if (f.minLength !== undefined) s.minLength = f.minLength;
  if (f.maxLength !== undefined) s.maxLength = f.maxLength;
  const formatPattern = f.format ? FORMAT_PATTERN[f.format] : undefined;
  if (f.format === 'email') s.format = 'email';
  else if (f.format === 'url') s.format = 'uri';
  if (f.pattern && formatPattern) s.allOf = [{ pattern: f.pattern }, { pattern: formatPattern }];
  else if (f.pattern ?? formatPattern) s.pattern = f.pattern ?? formatPattern;
  const notes: string[] = ['Leading and trailing whitespace is trimmed.'];
  if (f.format === 'url') notes.push('http or https URL.');
  if (f.format === 'slug' || f.format === 'color') notes.push(`Format: ${f.format}.`);
  s.description = notes.join(' ');
  return s;
}

function refSchema(f: FieldDef, target: string | undefined, mode: SchemaMode, ctx: SchemaContext): JsonSchema {
  const about = target ? `ObjectId of a document of \`${target}\`` : 'ObjectId';
  if (mode !== 'doc') return objectIdSchema(`${about}.`);
  const ref = target ? ctx.refOf(target) : null;
  return {
    anyOf: [objectIdSchema(), ref ? { $ref: ref } : { type: 'object', additionalProperties: true }],
    description: `${about}; the referenced document itself when the request asks for \`populate=${f.key}\`.`,
  };
}

function typedSchema(f: FieldDef, type: FieldType, mode: SchemaMode, ctx: SchemaContext): JsonSchema {
  switch (type) {
    case 'String':
      return stringSchema(f);
    case 'Number': {
      const s: JsonSchema = { type: 'number' };
      if (f.enum) s.enum = f.enum;
      if (f.min !== undefined) s.minimum = f.min;
      if (f.max !== undefined) s.maximum = f.max;
      return s;
    }
    case 'Boolean':
      return { type: 'boolean' };
    case 'Date':
      return mode === 'doc'
        ? { type: 'string', format: 'date-time' }
        : {
            anyOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }],
            description: 'A date: an ISO 8601 string or epoch milliseconds.',
          };
    case 'Ref':
      return refSchema(f, f.ref, mode, ctx);
    case 'Object':
      // Sub-fields of an object are written whole: `update` replaces the object, so its own rules apply.
      return objectSchema(f.fields ?? [], mode === 'update' ? 'insert' : mode, ctx);
    case 'Array': {
      const s: JsonSchema = { type: 'array' };
      const items = f.items;
      if (items) {
        const item: FieldDef = { key: f.key, type: items.type, fields: items.fields, ref: items.ref };
        s.items = typedSchema(item, items.type, mode === 'update' ? 'insert' : mode, ctx);
      }
      if (f.minLength !== undefined) s.minItems = f.minLength;
      if (f.maxLength !== undefined) s.maxItems = f.maxLength;
      return s;
    }
  }
}

/** The schema of one field's value (null allowed when the field is optional: a null is stored as null). */
export function fieldSchema(f: FieldDef, mode: SchemaMode, ctx: SchemaContext): JsonSchema {
  const s = typedSchema(f, f.type, mode, ctx);
  if (mode === 'insert' && f.default !== undefined) s.default = f.default;
  if (f.required) return s;
  if (typeof s.type === 'string' && !s.anyOf && !s.allOf) return { ...s, type: [s.type, 'null'] };
  const { description, ...rest } = s;
  return { anyOf: [rest, { type: 'null' }], ...(description ? { description } : {}) };
}

/** The object schema of a field level: declared properties, `required`, unknown fields allowed (they are kept). */
export function objectSchema(fields: readonly FieldDef[], mode: SchemaMode, ctx: SchemaContext): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) properties[f.key] = fieldSchema(f, mode, ctx);
  const required = mode === 'update' ? [] : fields.filter((f) => f.required && !(mode === 'insert' && f.default !== undefined));
  return {
    type: 'object',
    properties,
    ...(required.length ? { required: required.map((f) => f.key) } : {}),
    additionalProperties: true,
  };
}

/** Fields every stored document has (server-controlled: never taken from a request body). */
const SYSTEM_PROPERTIES: Record<string, JsonSchema> = {
  _id: objectIdSchema('The document id.'),
  createdAt: { type: 'string', format: 'date-time', description: 'Set by the server (absent with `meta=false`).' },
  updatedAt: { type: 'string', format: 'date-time', description: 'Set by the server (absent with `meta=false`).' },
  __v: { type: 'integer', description: 'Internal version counter (list and insert answers).' },
};

/**
 * The JSON Schema of a collection's documents in `mode`, generated from the same field list the
 * document validator enforces. `password` is never part of an answer.
 */
export function collectionSchema(fields: readonly FieldDef[], mode: SchemaMode, ctx: SchemaContext): JsonSchema {
  if (mode !== 'doc') return objectSchema(fields, mode, ctx);
  const visible = fields.filter((f) => f.key !== 'password' && f.key !== 'passwordHash');
  const base = objectSchema(visible, 'doc', ctx);
  return {
    ...base,
    properties: { ...SYSTEM_PROPERTIES, ...(base.properties as Record<string, JsonSchema>) },
    required: ['_id', ...((base.required as string[] | undefined) ?? [])],
  };
}
