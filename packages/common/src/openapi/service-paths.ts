import { type JsonSchema, OBJECT_ID_PATTERN } from './json-schema.js';
import {
  KEY_AND_USER,
  KEY_ONLY,
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
  responseRef,
} from './shared.js';

export function schemaPaths(role: OpenApiKeyRole, names: string[]): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {
    '/api/schemas/{collectionName}': {
      get: {
        tags: ['schemas'],
        operationId: 'getSchema',
        summary: "A collection's schema (fields and RLS)",
        parameters: [
          {
            name: 'collectionName',
            in: 'path',
            required: true,
            schema: { type: 'string', ...(names.length ? { enum: names } : {}) },
          },
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
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' },
              fields: { type: 'array', items: ref('FieldDefinition') },
            },
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

export const FIELD_DEFINITION: JsonSchema = {
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
      properties: {
        type: { type: 'string' },
        fields: { type: 'array', items: { $ref: '#/components/schemas/FieldDefinition' } },
        ref: { type: 'string' },
      },
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

export const COLLECTION_DEFINITION: JsonSchema = {
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

export const FILE_URL = { type: ['string', 'null'], description: 'Public URL, or null when the storage has none.' };

export function storagePaths(project: OpenApiProject, role: OpenApiKeyRole): Record<string, PathItem> {
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
              schema: {
                type: 'object',
                properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } },
                required: ['file'],
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'Stored.',
            content: json(
              messageOnly({ url: FILE_URL, path: { type: 'string' }, provider: { type: 'string' } }, ['path', 'provider']),
            ),
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
            properties: {
              filename: { type: 'string', maxLength: 255 },
              contentType: { type: 'string', maxLength: 255 },
              size: { type: 'integer', minimum: 1 },
            },
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
          content: json({
            type: 'object',
            properties: { filePath: { type: 'string' }, size: { type: 'integer', minimum: 0 } },
            required: ['filePath', 'size'],
          }),
        },
        responses: {
          '200': {
            description: 'The file is stored.',
            content: json(
              messageOnly(
                { path: { type: 'string' }, provider: { type: 'string' }, url: FILE_URL, warning: { type: 'string' } },
                ['path'],
              ),
            ),
          },
        },
      }),
    },
    '/api/storage/file': {
      delete: op('deleteFile', 'Delete one file', {
        requestBody: {
          required: true,
          content: json({ type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }),
        },
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
            content: json({
              type: 'object',
              properties: { success: { const: true }, deleted: { type: 'integer' }, provider: { type: 'string' } },
            }),
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

export function mailPaths(role: OpenApiKeyRole): Record<string, PathItem> {
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
