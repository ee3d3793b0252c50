import type { FieldDef, FieldType, RlsConfig } from '../models/index.js';
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_REGEX_LENGTH } from '../query/list-query.js';
import { type JsonSchema, OBJECT_ID_PATTERN, type SchemaContext, collectionSchema } from './json-schema.js';
import type { CollectionTypeNames } from './names.js';
import {
  KEY_AND_USER,
  KEY_ONLY,
  KEY_OPTIONAL_USER,
  type OpenApiKeyRole,
  type OpenApiProject,
  type Operation,
  type PathItem,
  STANDARD_ERRORS,
  envelope,
  errorResponses,
  json,
  messageOnly,
  ref,
} from './shared.js';

/** How RLS applies to a key, in words (the description of each collection). */
export function rlsText(rls: RlsConfig, role: OpenApiKeyRole): string {
  const state = rls.enabled
    ? `RLS: enabled, mode \`${rls.mode}\`, owner field \`${rls.ownerField}\`${rls.requireAuthForWrite ? ', writes need a user token' : ', anonymous writes allowed'}.`
    : 'RLS: disabled.';
  if (role === 'secret') return `${state} The secret key bypasses RLS.`;
  if (!rls.enabled) return `${state} With a publishable key: read-only.`;
  const reads =
    rls.mode === 'private'
      ? `reads need a user token and return only that user's documents (\`${rls.ownerField}\` = the user's id)`
      : 'anyone may read';
  const writes = rls.requireAuthForWrite
    ? `writes need a user token; \`${rls.ownerField}\` is set to the user's id and only the owner may update or delete`
    : `anonymous writes create ownerless documents; with a user token \`${rls.ownerField}\` is set to the user's id`;
  return `${state} With a publishable key: ${reads}; ${writes}.`;
}

/** Query operators per field type, as the list query parser accepts them (`field_op=value`). */
export const OPERATORS: Record<FieldType | 'ObjectId', string[]> = {
  String: ['', '_ne', '_in', '_nin', '_exists', '_regex', '_gt', '_gte', '_lt', '_lte'],
  Number: ['', '_ne', '_gt', '_gte', '_lt', '_lte', '_in', '_nin', '_exists'],
  Date: ['', '_ne', '_gt', '_gte', '_lt', '_lte', '_in', '_nin', '_exists'],
  Boolean: ['', '_ne', '_exists'],
  Ref: ['', '_ne', '_in', '_nin', '_exists'],
  ObjectId: ['', '_ne', '_in', '_nin'],
  Object: ['_exists'],
  Array: ['_exists'],
};

export const OPERATOR_TEXT: Record<string, string> = {
  '': 'equals (repeat the parameter for "any of")',
  _ne: 'not equal',
  _gt: 'greater than',
  _gte: 'greater than or equal',
  _lt: 'less than',
  _lte: 'less than or equal',
  _in: 'any of (comma-separated)',
  _nin: 'none of (comma-separated)',
  _exists: 'present (`true`) or absent (`false`)',
  _regex: `case-insensitive regular expression (at most ${MAX_REGEX_LENGTH} characters)`,
};

export function valueSchema(type: FieldType | 'ObjectId', op: string, f?: FieldDef): JsonSchema {
  if (op === '_exists') return { type: 'boolean' };
  if (op === '_in' || op === '_nin') return { type: 'string', description: 'comma-separated values' };
  if (op === '_regex') return { type: 'string', maxLength: MAX_REGEX_LENGTH };
  switch (type) {
    case 'Number':
      return f?.enum ? { type: 'number', enum: f.enum } : { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'Date':
      return { type: 'string', format: 'date-time' };
    case 'Ref':
    case 'ObjectId':
      return { type: 'string', pattern: OBJECT_ID_PATTERN };
    default:
      return f?.enum ? { type: 'string', enum: f.enum } : { type: 'string' };
  }
}

/** Every queryable path of a field list: top-level, nested object fields, array items (`tags`, `items.sku`). */
export function queryPaths(fields: readonly FieldDef[], prefix = ''): { path: string; type: FieldType; field: FieldDef }[] {
  const out: { path: string; type: FieldType; field: FieldDef }[] = [];
  for (const f of fields) {
    const path = `${prefix}${f.key}`;
    if (f.key === 'password') continue;
    if (f.type === 'Object') {
      out.push({ path, type: 'Object', field: f });
      out.push(...queryPaths(f.fields ?? [], `${path}.`));
    } else if (f.type === 'Array' && f.items) {
      if (f.items.type === 'Object') {
        out.push({ path, type: 'Array', field: f });
        out.push(...queryPaths(f.items.fields ?? [], `${path}.`));
      } else {
        // An array of scalars is queried by element: `tags=a` matches documents whose tags contain "a".
        out.push({ path, type: f.items.type, field: { ...f, type: f.items.type, ref: f.items.ref } });
      }
    } else out.push({ path, type: f.type, field: f });
  }
  return out;
}

export function filterParameters(fields: readonly FieldDef[]): unknown[] {
  const params: unknown[] = [];
  const system: { path: string; type: FieldType | 'ObjectId' }[] = [
    { path: '_id', type: 'ObjectId' },
    { path: 'createdAt', type: 'Date' },
    { path: 'updatedAt', type: 'Date' },
  ];
  const all = [...system.map((s) => ({ ...s, field: undefined })), ...queryPaths(fields)];
  for (const { path, type, field } of all) {
    for (const op of OPERATORS[type]) {
      params.push({
        name: `${path}${op}`,
        in: 'query',
        required: false,
        description: `Filter: \`${path}\` ${OPERATOR_TEXT[op]}.`,
        schema: valueSchema(type, op, field),
      });
    }
  }
  return params;
}

export const PAGING_PARAMETERS = [
  {
    name: 'page',
    in: 'query',
    description: 'Offset paging: page number (from 1). At most 100,000 documents deep; use `cursor` beyond.',
    schema: { type: 'integer', minimum: 1, default: 1 },
  },
  {
    name: 'limit',
    in: 'query',
    description: `Page size (larger values are taken as ${MAX_LIMIT}).`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  },
  {
    name: 'cursor',
    in: 'query',
    description: "Cursor paging: empty for the first page, then the answer's `nextCursor`. The answer is a cursor page.",
    schema: { type: 'string' },
  },
  {
    name: 'sort',
    in: 'query',
    description: 'Sort keys: `a:desc,b:asc` or `-a,b` (default `-createdAt`, at most 5 keys).',
    schema: { type: 'string' },
  },
  {
    name: 'count',
    in: 'query',
    description: '`true`: answer only the number of matching documents.',
    schema: { type: 'boolean' },
  },
];

export function readParameters(fields: readonly FieldDef[]): unknown[] {
  const refs = queryPaths(fields)
    .filter((p) => p.type === 'Ref')
    .map((p) => p.path);
  const params: unknown[] = [
    {
      name: 'fields',
      in: 'query',
      description: 'Projection: `a,b` (only these) or `-a,-b` (all but these).',
      schema: { type: 'string' },
    },
    {
      name: 'meta',
      in: 'query',
      description: '`false` drops `createdAt`, `updatedAt` and `__v`.',
      schema: { type: 'boolean', default: true },
    },
  ];
  if (refs.length) {
    const about = `Reference fields to resolve, comma-separated: ${refs.map((r) => `\`${r}\``).join(', ')}.`;
    params.push(
      { name: 'populate', in: 'query', description: about, schema: { type: 'string' } },
      { name: 'expand', in: 'query', description: `Same as \`populate\`. ${about}`, schema: { type: 'string' } },
    );
  }
  return params;
}

export interface Access {
  /** Security requirements of reads and writes for this key, or null when the key may not write. */
  read: unknown[];
  write: unknown[] | null;
}

export function accessOf(rls: RlsConfig, role: OpenApiKeyRole): Access {
  if (role === 'secret') return { read: KEY_ONLY, write: KEY_ONLY };
  if (!rls.enabled) return { read: KEY_ONLY, write: null };
  const read = rls.mode === 'private' ? KEY_AND_USER : KEY_OPTIONAL_USER;
  return { read, write: rls.requireAuthForWrite ? KEY_AND_USER : KEY_OPTIONAL_USER };
}

export function collectionPaths(
  c: OpenApiProject['collections'][number],
  names: CollectionTypeNames,
  role: OpenApiKeyRole,
): Record<string, PathItem> {
  const tag = c.name;
  const access = accessOf(c.rls, role);
  const base = `/api/data/${c.name}`;
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: OBJECT_ID_PATTERN } };
  const docRef = ref(names.doc);
  const op = (operationId: string, summary: string, extra: Operation) => ({ tags: [tag], operationId, summary, ...extra });
  const V = names.doc;
  const paths: Record<string, PathItem> = {
    [base]: {
      get: op(`list${V}`, `List ${c.name}`, {
        description: `Offset page (default), cursor page (\`cursor\`) or count (\`count=true\`). ${rlsText(c.rls, role)}`,
        security: access.read,
        parameters: [...PAGING_PARAMETERS, ...readParameters(c.model), ...filterParameters(c.model)],
        responses: {
          '200': {
            description: 'A page of documents, a cursor page or a count.',
            content: json({ anyOf: [ref(`${V}Page`), ref(`${V}CursorPage`), ref('CountResult')] }),
          },
          ...errorResponses(...STANDARD_ERRORS, 'NotFound', 'Unavailable'),
        },
      }),
    },
    [`${base}/{id}`]: {
      get: op(`get${V}`, `Get a document of ${c.name}`, {
        description: rlsText(c.rls, role),
        security: access.read,
        parameters: [id, ...readParameters(c.model)],
        responses: {
          '200': { description: 'The document.', content: json(docRef) },
          ...errorResponses(...STANDARD_ERRORS, 'NotFound', 'Unavailable'),
        },
      }),
    },
  };
  const write = access.write;
  if (write) {
    const item = paths[`${base}/{id}`] as PathItem;
    const updateOp = (method: string) =>
      op(`${method}${V}`, `Update a document of ${c.name} (${method.toUpperCase()}: sets the given fields)`, {
        description: `Only the given fields change ($set); validated against the schema. ${rlsText(c.rls, role)}`,
        security: write,
        parameters: [id],
        requestBody: { required: true, content: json(ref(names.update)) },
        responses: {
          '200': {
            description: 'The updated document.',
            content: json(messageOnly({ data: docRef }, ['data'])),
          },
          ...errorResponses(...STANDARD_ERRORS, 'NotFound', 'Conflict'),
        },
      });
    item.put = updateOp('put');
    item.patch = updateOp('patch');
    const permanent = {
      name: 'permanent',
      in: 'query',
      description: '`true`: delete forever instead of moving the document to the trash (secret key only).',
      schema: { type: 'boolean', default: false },
    };
    item.delete = op(`delete${V}`, `Delete a document of ${c.name}`, {
      description: `Moves the document to the project's trash (recoverable for the retention period) unless the collection's trash is off. ${rlsText(c.rls, role)}`,
      security: write,
      parameters: role === 'secret' ? [id, permanent] : [id],
      responses: {
        '200': {
          description: 'Deleted (`message` says whether it went to the trash).',
          content: json(envelope({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] })),
        },
        ...errorResponses(...STANDARD_ERRORS, 'NotFound'),
      },
    });
    if (role === 'secret') {
      paths[`${base}/{id}/recover`] = {
        patch: op(`recover${V}`, `Recover a document of ${c.name} from the trash`, {
          security: write,
          parameters: [id],
          responses: {
            '200': { description: 'The recovered document.', content: json(envelope(docRef)) },
            ...errorResponses(...STANDARD_ERRORS, 'NotFound', 'Conflict'),
          },
        }),
      };
    }
    (paths[base] as PathItem).post = op(`create${V}`, `Insert a document into ${c.name}`, {
      description: `Validated against the schema; unknown fields are kept. ${rlsText(c.rls, role)}`,
      security: write,
      requestBody: { required: true, content: json(ref(names.insert)) },
      responses: {
        '201': { description: 'The stored document.', content: json(docRef) },
        ...errorResponses(...STANDARD_ERRORS, 'NotFound', 'Conflict'),
      },
    });
    paths[`${base}/bulk`] = {
      post: op(`bulkInsert${V}`, `Insert 1 to 100 documents into ${c.name} (all or nothing)`, {
        description: rlsText(c.rls, role),
        security: write,
        requestBody: {
          required: true,
          content: json({ type: 'array', items: ref(names.insert), minItems: 1, maxItems: 100 }),
        },
        responses: {
          '201': {
            description: 'Inserted.',
            content: json(
              envelope({ type: 'object', properties: { insertedCount: { type: 'integer' } }, required: ['insertedCount'] }),
            ),
          },
          ...errorResponses(...STANDARD_ERRORS, 'NotFound', 'Conflict'),
        },
      }),
    };
  }
  paths[`${base}/aggregate`] = {
    post: op(`aggregate${V}`, `Aggregate ${c.name}`, {
      description: `1 to 20 stages of \`$match $group $sort $limit $skip $project $count $unwind $addFields $set\`; the RLS filter runs first. ${rlsText(c.rls, role)}`,
      security: access.read,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          properties: { pipeline: { type: 'array', items: { type: 'object' }, minItems: 1, maxItems: 20 } },
          required: ['pipeline'],
        }),
      },
      responses: {
        '200': {
          description: 'The aggregation result.',
          content: json(envelope({ type: 'array', items: { type: 'object', additionalProperties: true } })),
        },
        ...errorResponses(...STANDARD_ERRORS, 'NotFound', 'Unavailable'),
      },
    }),
  };
  return paths;
}

export function collectionComponents(
  c: OpenApiProject['collections'][number],
  names: CollectionTypeNames,
  ctx: SchemaContext,
  withWrites: boolean,
): Record<string, JsonSchema> {
  const V = names.doc;
  const items = { type: 'array', items: ref(V) };
  const out: Record<string, JsonSchema> = {
    [V]: { ...collectionSchema(c.model, 'doc', ctx), description: `A document of \`${c.name}\`.` },
    [`${V}Page`]: envelope({
      type: 'object',
      properties: { items, total: { type: 'integer' }, page: { type: 'integer' }, limit: { type: 'integer' } },
      required: ['items', 'total', 'page', 'limit'],
    }),
    [`${V}CursorPage`]: envelope({
      type: 'object',
      properties: { items, nextCursor: { type: ['string', 'null'], description: 'null at the end' }, limit: { type: 'integer' } },
      required: ['items', 'nextCursor', 'limit'],
    }),
  };
  if (withWrites) {
    out[names.insert] = { ...collectionSchema(c.model, 'insert', ctx), description: `The body of an insert into \`${c.name}\`.` };
    out[names.update] = {
      ...collectionSchema(c.model, 'update', ctx),
      description: `The body of an update of \`${c.name}\`: only the given fields change.`,
    };
  }
  return out;
}
