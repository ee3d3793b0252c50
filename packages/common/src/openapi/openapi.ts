import { USERS_COLLECTION, isUsersCollection, usersSchemaProblem } from '../collections/index.js';
import { SELF_PROTECTED_USER_FIELDS } from '../end-users/rules.js';
import type { FieldDef, FieldType, RlsConfig } from '../models/index.js';
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_REGEX_LENGTH } from '../query/list-query.js';
import { type JsonSchema, OBJECT_ID_PATTERN, type SchemaContext, collectionSchema, objectSchema } from './json-schema.js';
import { type CollectionTypeNames, collectionTypeNames } from './names.js';

/** Which API key the document is for: it lists only what that key may call. */
export type OpenApiKeyRole = 'publishable' | 'secret';

/** What the generator reads of a project (a scoped project, a dashboard project or a lean document). */
export interface OpenApiProject {
  _id: string;
  name: string;
  isAuthEnabled: boolean;
  allowPublishableUploads: boolean;
  authProviders?: { github?: { enabled?: boolean }; google?: { enabled?: boolean } };
  configVersion: number;
  collections: readonly { name: string; model: FieldDef[]; rls: RlsConfig; version?: number }[];
}

export interface OpenApiOptions {
  role: OpenApiKeyRole;
  /** The public API's base URL (the document's server). */
  serverUrl: string;
}

type Operation = Record<string, unknown>;
type PathItem = Record<string, Operation | unknown[]>;

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** `{success:true, data, message}`: the envelope of list, count, bulk, aggregate answers. */
function envelope(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: { success: { const: true }, data, message: { type: 'string' } },
    required: ['success', 'data', 'message'],
  };
}

const messageOnly = (extra: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties: { message: { type: 'string' }, ...extra },
  required: ['message', ...required],
});

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Every error answer: `error` says what went wrong; `details` names each bad field.',
  properties: {
    success: { const: false },
    error: { type: 'string' },
    code: { type: 'integer', description: 'The HTTP status.' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
        required: ['path', 'message'],
      },
    },
  },
  required: ['success', 'error', 'code'],
};

const ERROR_RESPONSES: Record<string, string> = {
  BadRequest: 'Invalid input (body, query parameter or id); `details` names each problem.',
  Unauthorized: 'Missing, unknown or rotated API key, or a missing/invalid user token where one is needed.',
  Forbidden: 'The key (or the user) may not do this: secret key required, RLS, origin not allowed, plan limit.',
  NotFound: 'No such collection or document.',
  Conflict: 'A unique field already has this value.',
  PayloadTooLarge: 'The file is larger than the upload limit.',
  TooManyRequests: 'A plan quota or rate limit was reached; see `Retry-After`.',
  Unavailable: 'The query took too long and was stopped, or a dependency is down.',
};

function errorResponses(...names: (keyof typeof ERROR_RESPONSES)[]): Record<string, unknown> {
  const status: Record<string, string> = {
    BadRequest: '400',
    Unauthorized: '401',
    Forbidden: '403',
    NotFound: '404',
    Conflict: '409',
    PayloadTooLarge: '413',
    TooManyRequests: '429',
    Unavailable: '503',
  };
  return Object.fromEntries(names.map((n) => [status[n], responseRef(n)]));
}

const STANDARD_ERRORS = ['BadRequest', 'Unauthorized', 'Forbidden', 'TooManyRequests'] as const;

/** How RLS applies to a key, in words (the description of each collection). */
function rlsText(rls: RlsConfig, role: OpenApiKeyRole): string {
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
const OPERATORS: Record<FieldType | 'ObjectId', string[]> = {
  String: ['', '_ne', '_in', '_nin', '_exists', '_regex', '_gt', '_gte', '_lt', '_lte'],
  Number: ['', '_ne', '_gt', '_gte', '_lt', '_lte', '_in', '_nin', '_exists'],
  Date: ['', '_ne', '_gt', '_gte', '_lt', '_lte', '_in', '_nin', '_exists'],
  Boolean: ['', '_ne', '_exists'],
  Ref: ['', '_ne', '_in', '_nin', '_exists'],
  ObjectId: ['', '_ne', '_in', '_nin'],
  Object: ['_exists'],
  Array: ['_exists'],
};

const OPERATOR_TEXT: Record<string, string> = {
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

function valueSchema(type: FieldType | 'ObjectId', op: string, f?: FieldDef): JsonSchema {
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
function queryPaths(fields: readonly FieldDef[], prefix = ''): { path: string; type: FieldType; field: FieldDef }[] {
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

function filterParameters(fields: readonly FieldDef[]): unknown[] {
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

const PAGING_PARAMETERS = [
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
    description: 'Cursor paging: empty for the first page, then the answer\'s `nextCursor`. The answer is a cursor page.',
    schema: { type: 'string' },
  },
  {
    name: 'sort',
    in: 'query',
    description: 'Sort keys: `a:desc,b:asc` or `-a,b` (default `-createdAt`, at most 5 keys).',
    schema: { type: 'string' },
  },
  { name: 'count', in: 'query', description: '`true`: answer only the number of matching documents.', schema: { type: 'boolean' } },
];

function readParameters(fields: readonly FieldDef[]): unknown[] {
  const refs = queryPaths(fields)
    .filter((p) => p.type === 'Ref')
    .map((p) => p.path);
  const params: unknown[] = [
    { name: 'fields', in: 'query', description: 'Projection: `a,b` (only these) or `-a,-b` (all but these).', schema: { type: 'string' } },
    { name: 'meta', in: 'query', description: '`false` drops `createdAt`, `updatedAt` and `__v`.', schema: { type: 'boolean', default: true } },
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

interface Access {
  /** Security requirements of reads and writes for this key, or null when the key may not write. */
  read: unknown[];
  write: unknown[] | null;
}

const KEY_ONLY = [{ apiKey: [] }];
const KEY_AND_USER = [{ apiKey: [], userToken: [] }];
const KEY_OPTIONAL_USER = [{ apiKey: [], userToken: [] }, { apiKey: [] }];

function accessOf(rls: RlsConfig, role: OpenApiKeyRole): Access {
  if (role === 'secret') return { read: KEY_ONLY, write: KEY_ONLY };
  if (!rls.enabled) return { read: KEY_ONLY, write: null };
  const read = rls.mode === 'private' ? KEY_AND_USER : KEY_OPTIONAL_USER;
  return { read, write: rls.requireAuthForWrite ? KEY_AND_USER : KEY_OPTIONAL_USER };
}

function collectionPaths(
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
      get: op(`get${V}`, `Get one ${c.name} document`, {
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
      op(`${method}${V}`, `Update a ${c.name} document (${method.toUpperCase()}: sets the given fields)`, {
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
    item.delete = op(`delete${V}`, `Delete a ${c.name} document`, {
      description: rlsText(c.rls, role),
      security: write,
      parameters: [id],
      responses: {
        '200': { description: 'Deleted.', content: json(messageOnly({ id: { type: 'string' } }, ['id'])) },
        ...errorResponses(...STANDARD_ERRORS, 'NotFound'),
      },
    });
    (paths[base] as PathItem).post = op(`create${V}`, `Insert a ${c.name} document`, {
      description: `Validated against the schema; unknown fields are kept. ${rlsText(c.rls, role)}`,
      security: write,
      requestBody: { required: true, content: json(ref(names.insert)) },
      responses: {
        '201': { description: 'The stored document.', content: json(docRef) },
        ...errorResponses(...STANDARD_ERRORS, 'NotFound', 'Conflict'),
      },
    });
    paths[`${base}/bulk`] = {
      post: op(`bulkInsert${V}`, `Insert 1 to 100 ${c.name} documents (all or nothing)`, {
        description: rlsText(c.rls, role),
        security: write,
        requestBody: {
          required: true,
          content: json({ type: 'array', items: ref(names.insert), minItems: 1, maxItems: 100 }),
        },
        responses: {
          '201': {
            description: 'Inserted.',
            content: json(envelope({ type: 'object', properties: { insertedCount: { type: 'integer' } }, required: ['insertedCount'] })),
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

function collectionComponents(
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

const TOKENS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    token: { type: 'string', description: 'Same as accessToken (older clients).' },
    accessToken: { type: 'string', description: 'End-user JWT: send as `Authorization: Bearer`.' },
    expiresIn: { type: 'string' },
    refreshToken: { type: 'string', description: 'Only with `x-refresh-token-mode: header` (otherwise a cookie).' },
  },
  required: ['token', 'accessToken', 'expiresIn'],
};

function userAuthPaths(users: OpenApiProject['collections'][number], project: OpenApiProject): Record<string, PathItem> {
  const tag = 'userAuth';
  const email = { type: 'string', format: 'email', maxLength: 100 };
  const password = { type: 'string', minLength: 6, maxLength: 100 };
  const otp = { type: 'string', minLength: 6, maxLength: 6 };
  const custom = users.model.filter((f) => !SELF_PROTECTED_USER_FIELDS.has(f.key) && f.key !== 'password' && f.key !== 'username');
  const ctx: SchemaContext = { refOf: () => null };
  const customProps = (objectSchema(custom, 'update', ctx).properties ?? {}) as Record<string, JsonSchema>;
  const body = (properties: Record<string, JsonSchema>, required: string[]) => ({
    required: true,
    content: json({ type: 'object', properties, required }),
  });
  const ok = (description: string, schema: JsonSchema = messageOnly()) => ({ '200': { description, content: json(schema) } });
  const op = (operationId: string, summary: string, extra: Operation, errors: (keyof typeof ERROR_RESPONSES)[] = []) => ({
    tags: [tag],
    operationId,
    summary,
    security: KEY_ONLY,
    ...extra,
    responses: { ...(extra.responses as object), ...errorResponses('BadRequest', 'Unauthorized', 'Forbidden', 'TooManyRequests', ...errors) },
  });
  const userOnly = { security: KEY_AND_USER };
  const headerMode = {
    name: 'x-refresh-token-mode',
    in: 'header',
    description: '`header`: also answer the refresh token in the body (apps without cookies).',
    schema: { type: 'string', enum: ['header'] },
  };
  const paths: Record<string, PathItem> = {
    '/api/userAuth/signup': {
      post: op('signup', 'Sign up an end user', {
        parameters: [headerMode],
        requestBody: body({ email, password, username: { type: 'string', minLength: 3, maxLength: 50 }, ...customProps }, ['email', 'password']),
        responses: {
          '201': {
            description: 'Registered; a verification code was mailed.',
            content: json({
              ...TOKENS_SCHEMA,
              properties: { message: { type: 'string' }, userId: { type: 'string' }, ...(TOKENS_SCHEMA.properties as object) },
              required: ['message', 'userId', ...(TOKENS_SCHEMA.required as string[])],
            }),
          },
          ...ok(
            'The user exists unverified: a new code was mailed.',
            envelopeLike({ userId: { type: 'string' } }),
          ),
        },
      }, ['Conflict']),
    },
    '/api/userAuth/login': {
      post: op('login', 'Log in an end user', {
        parameters: [headerMode],
        requestBody: body({ email, password: { type: 'string', maxLength: 200 } }, ['email', 'password']),
        responses: ok('Logged in.', TOKENS_SCHEMA),
      }),
    },
    '/api/userAuth/me': {
      get: op('me', 'The current end user', {
        ...userOnly,
        responses: ok('The user (never the password hash).', ref('UserProfile')),
      }, ['NotFound']),
    },
    '/api/userAuth/update-profile': {
      put: op('updateProfile', "Update the current user's custom fields", {
        ...userOnly,
        requestBody: body({ username: { type: 'string', minLength: 3, maxLength: 50 }, ...customProps }, []),
        responses: ok('Updated.'),
      }),
    },
    '/api/userAuth/change-password': {
      put: op('changePassword', "Change the current user's password", {
        ...userOnly,
        requestBody: body({ currentPassword: { type: 'string', maxLength: 200 }, newPassword: password }, ['currentPassword', 'newPassword']),
        responses: ok('Changed.'),
      }),
    },
    '/api/userAuth/verify-email': {
      post: op('verifyEmail', 'Verify an email with the mailed code', {
        requestBody: body({ email, otp }, ['email', 'otp']),
        responses: ok('Verified.'),
      }),
    },
    '/api/userAuth/resend-verification-otp': {
      post: op('resendVerificationOtp', 'Mail a new verification code', {
        requestBody: body({ email }, ['email']),
        responses: ok('Sent.'),
      }),
    },
    '/api/userAuth/request-password-reset': {
      post: op('requestPasswordReset', 'Mail a password reset code', {
        requestBody: body({ email }, ['email']),
        responses: ok('Sent when the email exists (same answer otherwise).'),
      }),
    },
    '/api/userAuth/reset-password': {
      post: op('resetPassword', 'Set a new password with the mailed code', {
        requestBody: body({ email, otp, newPassword: password }, ['email', 'otp', 'newPassword']),
        responses: ok('Password updated.'),
      }),
    },
    '/api/userAuth/refresh-token': {
      post: op('refreshToken', 'New access token from the refresh token (cookie or `x-refresh-token`)', {
        parameters: [
          { name: 'x-refresh-token', in: 'header', description: 'The refresh token, when not sent as the cookie.', schema: { type: 'string' } },
          headerMode,
        ],
        responses: ok('New tokens (the refresh token rotates).', TOKENS_SCHEMA),
      }),
    },
    '/api/userAuth/logout': {
      post: op('logout', 'Revoke the refresh token of this session', {
        responses: ok('Logged out.', envelopeLike({})),
      }),
    },
    '/api/userAuth/logout-all': {
      post: op('logoutAll', "Revoke every session of the current user", {
        ...userOnly,
        responses: ok('Logged out everywhere.', envelope({ type: 'object', properties: { revoked: { type: 'integer' } } })),
      }),
    },
    '/api/userAuth/sessions': {
      get: op('listSessions', "The current user's sessions", {
        ...userOnly,
        responses: ok(
          'Active sessions.',
          envelope({
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                createdAt: { type: 'string', format: 'date-time' },
                lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
                expiresAt: { type: 'string', format: 'date-time' },
                ip: { type: ['string', 'null'] },
                userAgent: { type: ['string', 'null'] },
                method: { type: ['string', 'null'] },
                current: { type: 'boolean' },
              },
            },
          }),
        ),
      }),
    },
    '/api/userAuth/sessions/{id}': {
      delete: op('revokeSession', 'Revoke one session of the current user', {
        ...userOnly,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: ok('Revoked.', envelopeLike({})),
      }, ['NotFound']),
    },
    '/api/userAuth/public/{username}': {
      get: op('publicProfile', 'Public profile of a user by username', {
        parameters: [{ name: 'username', in: 'path', required: true, schema: { type: 'string' } }],
        responses: ok('Non-sensitive fields of the user.', { type: 'object', additionalProperties: true }),
      }, ['NotFound']),
    },
  };
  const providers = (['github', 'google'] as const).filter((p) => project.authProviders?.[p]?.enabled);
  if (providers.length) {
    paths['/api/userAuth/social/{provider}/start'] = {
      get: op('socialStart', 'Start a social login (redirects to the provider)', {
        parameters: [
          { name: 'provider', in: 'path', required: true, schema: { type: 'string', enum: providers } },
          { name: 'key', in: 'query', description: 'The publishable key (links cannot send headers).', schema: { type: 'string' } },
        ],
        security: [{ apiKey: [] }, { apiKeyQuery: [] }],
        responses: { '302': { description: 'Redirect to the provider.' } },
      }),
    };
    paths['/api/userAuth/social/exchange'] = {
      post: op('socialExchange', 'Exchange the code of the social-login redirect for a refresh token', {
        requestBody: body({ rtCode: { type: 'string' }, token: { type: 'string' } }, []),
        responses: ok(
          'The refresh token.',
          envelope({ type: 'object', properties: { refreshToken: { type: 'string' } }, required: ['refreshToken'] }),
        ),
      }),
    };
  }
  return paths;
}

/** `{success:true, message, ...extra}` (answers of a few auth routes). */
function envelopeLike(extra: Record<string, JsonSchema>): JsonSchema {
  return {
    type: 'object',
    properties: { success: { const: true }, message: { type: 'string' }, ...extra },
    required: ['success', 'message'],
  };
}

function schemaPaths(role: OpenApiKeyRole, names: string[]): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {
    '/api/schemas/{collectionName}': {
      get: {
        tags: ['schemas'],
        operationId: 'getSchema',
        summary: "A collection's schema (fields and RLS)",
        parameters: [
          { name: 'collectionName', in: 'path', required: true, schema: { type: 'string', ...(names.length ? { enum: names } : {}) } },
        ],
        responses: {
          '200': {
            description: 'The collection.',
            content: json(messageOnly({ collection: ref('CollectionDefinition') }, ['collection'])),
          },
          ...errorResponses('Unauthorized', 'Forbidden', 'NotFound', 'TooManyRequests'),
        },
      },
    },
  };
  if (role === 'secret') {
    paths['/api/schemas'] = {
      post: {
        tags: ['schemas'],
        operationId: 'createSchema',
        summary: 'Create a collection',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            properties: { name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' }, fields: { type: 'array', items: ref('FieldDefinition') } },
            required: ['name'],
          }),
        },
        responses: {
          '201': { description: 'Created.', content: json(messageOnly({ project: { type: 'object' } }, ['project'])) },
          ...errorResponses(...STANDARD_ERRORS),
        },
      },
    };
  }
  return paths;
}

const FIELD_DEFINITION: JsonSchema = {
  type: 'object',
  description: 'One field of a collection schema.',
  properties: {
    key: { type: 'string' },
    type: { enum: ['String', 'Number', 'Boolean', 'Date', 'Object', 'Array', 'Ref'] },
    required: { type: 'boolean' },
    unique: { type: 'boolean' },
    default: { type: ['string', 'number', 'boolean'] },
    ref: { type: 'string' },
    items: {
      type: 'object',
      properties: { type: { type: 'string' }, fields: { type: 'array', items: { $ref: '#/components/schemas/FieldDefinition' } }, ref: { type: 'string' } },
    },
    fields: { type: 'array', items: { $ref: '#/components/schemas/FieldDefinition' } },
    enum: { type: 'array', items: { type: ['string', 'number'] } },
    min: { type: 'number' },
    max: { type: 'number' },
    minLength: { type: 'integer' },
    maxLength: { type: 'integer' },
    pattern: { type: 'string' },
    format: { enum: ['email', 'url', 'slug', 'color'] },
  },
  required: ['key', 'type'],
};

const COLLECTION_DEFINITION: JsonSchema = {
  type: 'object',
  properties: {
    _id: { type: 'string' },
    name: { type: 'string' },
    model: { type: 'array', items: { $ref: '#/components/schemas/FieldDefinition' } },
    rls: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        mode: { enum: ['public-read', 'private', 'owner-write-only'] },
        ownerField: { type: 'string' },
        requireAuthForWrite: { type: 'boolean' },
      },
    },
    version: { type: 'integer' },
  },
  required: ['name', 'model'],
};

const FILE_URL = { type: ['string', 'null'], description: 'Public URL, or null when the storage has none.' };

function storagePaths(project: OpenApiProject, role: OpenApiKeyRole): Record<string, PathItem> {
  const secret = role === 'secret';
  if (!secret && !project.allowPublishableUploads) return {};
  const security = secret ? KEY_ONLY : KEY_AND_USER;
  const scopeText = secret
    ? 'The secret key acts on the whole project.'
    : "With a publishable key, files live under the user's own folder (`<projectId>/users/<userId>/`).";
  const op = (operationId: string, summary: string, extra: Operation) => ({
    tags: ['storage'],
    operationId,
    summary,
    description: scopeText,
    security,
    ...extra,
    responses: { ...(extra.responses as object), ...errorResponses(...STANDARD_ERRORS) },
  });
  const paths: Record<string, PathItem> = {
    '/api/storage/upload': {
      post: op('upload', 'Upload one file (multipart field `file`)', {
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: { type: 'object', properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } }, required: ['file'] },
            },
          },
        },
        responses: {
          '201': {
            description: 'Stored.',
            content: json(messageOnly({ url: FILE_URL, path: { type: 'string' }, provider: { type: 'string' } }, ['path', 'provider'])),
          },
          '413': responseRef('PayloadTooLarge'),
        },
      }),
    },
    '/api/storage/upload-request': {
      post: op('uploadRequest', 'Presigned upload: reserve and get a single-use PUT URL', {
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            properties: { filename: { type: 'string', maxLength: 255 }, contentType: { type: 'string', maxLength: 255 }, size: { type: 'integer', minimum: 1 } },
            required: ['filename', 'contentType', 'size'],
          }),
        },
        responses: {
          '200': {
            description: 'PUT the bytes to `signedUrl`, then confirm.',
            content: json({
              type: 'object',
              properties: { signedUrl: { type: 'string' }, token: { type: 'string' }, filePath: { type: 'string' } },
              required: ['signedUrl', 'filePath'],
            }),
          },
        },
      }),
    },
    '/api/storage/upload-confirm': {
      post: op('uploadConfirm', 'Confirm a presigned upload', {
        requestBody: {
          required: true,
          content: json({ type: 'object', properties: { filePath: { type: 'string' }, size: { type: 'integer', minimum: 0 } }, required: ['filePath', 'size'] }),
        },
        responses: {
          '200': {
            description: 'The file is stored.',
            content: json(messageOnly({ path: { type: 'string' }, provider: { type: 'string' }, url: FILE_URL, warning: { type: 'string' } }, ['path'])),
          },
        },
      }),
    },
    '/api/storage/file': {
      delete: op('deleteFile', 'Delete one file', {
        requestBody: { required: true, content: json({ type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }) },
        responses: { '200': { description: 'Deleted.', content: json(messageOnly({ deleted: { type: 'boolean' } })) } },
      }),
    },
  };
  if (secret) {
    paths['/api/storage/all'] = {
      delete: op('deleteAllFiles', 'Delete every file of the project', {
        responses: {
          '200': {
            description: 'Deleted.',
            content: json({ type: 'object', properties: { success: { const: true }, deleted: { type: 'integer' }, provider: { type: 'string' } } }),
          },
        },
      }),
    };
    paths['/api/storage/files'] = {
      get: op('listFiles', 'List stored files (newest first)', {
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
        ],
        responses: {
          '200': {
            description: 'A page of files.',
            content: json(
              envelope({
                type: 'object',
                properties: {
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        path: { type: 'string' },
                        name: { type: 'string' },
                        size: { type: 'integer' },
                        contentType: { type: 'string' },
                        updatedAt: { type: 'string', format: 'date-time' },
                        url: FILE_URL,
                      },
                    },
                  },
                  page: { type: 'integer' },
                  limit: { type: 'integer' },
                  hasMore: { type: 'boolean' },
                  provider: { type: 'string' },
                  storageUsed: { type: 'integer' },
                },
              }),
            ),
          },
        },
      }),
    };
  }
  return paths;
}

function mailPaths(role: OpenApiKeyRole): Record<string, PathItem> {
  if (role !== 'secret') return {};
  const address = { type: 'string', format: 'email' };
  return {
    '/api/mail/send': {
      post: {
        tags: ['mail'],
        operationId: 'sendMail',
        summary: 'Send a mail (queued; the monthly quota counts recipients)',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            properties: {
              to: { anyOf: [address, { type: 'array', items: address, minItems: 1, maxItems: 50 }] },
              subject: { type: 'string', maxLength: 200 },
              html: { type: 'string' },
              text: { type: 'string' },
              templateId: { type: 'string', pattern: OBJECT_ID_PATTERN },
              templateName: { type: 'string' },
              variables: { type: 'object', additionalProperties: true },
            },
            required: ['to'],
            additionalProperties: false,
          }),
        },
        responses: {
          '200': {
            description: 'Queued.',
            content: json(
              envelope({
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  provider: { enum: ['byok', 'default'] },
                  monthlyUsage: { type: 'integer' },
                  monthlyLimit: { type: 'integer' },
                  templateUsed: { type: 'object' },
                },
                required: ['id', 'provider', 'monthlyUsage', 'monthlyLimit'],
              }),
            ),
          },
          ...errorResponses(...STANDARD_ERRORS, 'Unavailable'),
        },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of one project for one kind of key: every route that key may call,
 * each collection's document/insert/update schemas (from the same field lists the validator
 * enforces), the query parameters and operators per field, the list/cursor/count envelopes, the
 * error envelope, the auth headers, and storage, mail and end-user auth when they apply. The
 * `users` collection is never a data route (apps reach it through `/api/userAuth`).
 */
export function buildOpenApiDocument(project: OpenApiProject, options: OpenApiOptions): Record<string, unknown> {
  const { role } = options;
  const collections = project.collections.filter((c) => !isUsersCollection(c.name));
  const names = collectionTypeNames(collections.map((c) => c.name), ['Error', 'CountResult', 'FieldDefinition', 'CollectionDefinition', 'UserProfile']);
  const ctx: SchemaContext = {
    refOf: (target) => {
      const n = names.get(target);
      return n ? `#/components/schemas/${n.doc}` : null;
    },
  };
  const paths: Record<string, PathItem> = {};
  const schemas: Record<string, JsonSchema> = {
    Error: ERROR_SCHEMA,
    CountResult: envelope({ type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] }),
    FieldDefinition: FIELD_DEFINITION,
    CollectionDefinition: COLLECTION_DEFINITION,
  };
  const tags: { name: string; description: string }[] = [];
  for (const c of collections) {
    const n = names.get(c.name) as CollectionTypeNames;
    const writes = accessOf(c.rls, role).write !== null;
    Object.assign(paths, collectionPaths(c, n, role));
    Object.assign(schemas, collectionComponents(c, n, ctx, writes));
    tags.push({ name: c.name, description: `Collection \`${c.name}\` (schema version ${c.version ?? 1}). ${rlsText(c.rls, role)}` });
  }
  const users = project.collections.find((c) => c.name === USERS_COLLECTION);
  if (project.isAuthEnabled && users && !usersSchemaProblem(users.model)) {
    Object.assign(paths, userAuthPaths(users, project));
    schemas.UserProfile = {
      ...collectionSchema(users.model, 'doc', { refOf: ctx.refOf }),
      description: 'The signed-in user as `/me` answers (never the password).',
    };
    (schemas.UserProfile.properties as Record<string, JsonSchema>).emailVerified = { type: 'boolean' };
    tags.push({ name: 'userAuth', description: 'End-user sign-up, login, sessions and profile.' });
  }
  Object.assign(paths, schemaPaths(role, project.collections.map((c) => c.name)));
  Object.assign(paths, storagePaths(project, role), mailPaths(role));
  paths['/api/openapi.json'] = {
    get: {
      tags: ['meta'],
      operationId: 'getOpenApi',
      summary: 'This document (for the key used)',
      responses: { '200': { description: 'OpenAPI 3.1 document.', content: json({ type: 'object' }) } },
    },
  };
  const who =
    role === 'secret'
      ? 'the **secret key** (server-side only: bypasses RLS; may create collections, send mail and manage files)'
      : 'a **publishable key** (safe in browsers: RLS applies; secret-only routes are not listed)';
  return {
    openapi: '3.1.0',
    info: {
      title: `${project.name} — urBackend API`,
      version: String(project.configVersion),
      description:
        `The public API of the project "${project.name}" as seen by ${who}. Generated from the project's schema; ` +
        'it changes when the schema does (`info.version` is the project configuration version). ' +
        'Every error answers `{success:false, error, code, details?}`.',
    },
    servers: [{ url: options.serverUrl, description: 'urBackend public API' }],
    security: KEY_ONLY,
    tags,
    paths,
    components: {
      schemas,
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([name, description]) => [name, { description, content: json(ref('Error')) }]),
      ),
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: `The project's ${role} key.` },
        ...(paths['/api/userAuth/social/{provider}/start']
          ? { apiKeyQuery: { type: 'apiKey', in: 'query', name: 'key', description: 'Publishable key as a query parameter.' } }
          : {}),
        userToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An end-user access token from `/api/userAuth/login` (RLS acts for this user).',
        },
      },
    },
    'x-urbackend': { projectId: project._id, keyRole: role, configVersion: project.configVersion },
  };
}
