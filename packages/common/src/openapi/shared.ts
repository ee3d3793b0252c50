import type { FieldDef, RlsConfig } from '../models/index.js';
import type { JsonSchema } from './json-schema.js';

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

export type Operation = Record<string, unknown>;
export type PathItem = Record<string, Operation | unknown[]>;

export const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** `{success:true, data, message}`: the envelope of list, count, bulk, aggregate answers. */
export function envelope(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: { success: { const: true }, data, message: { type: 'string' } },
    required: ['success', 'data', 'message'],
  };
}

export const messageOnly = (extra: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties: { message: { type: 'string' }, ...extra },
  required: ['message', ...required],
});

export const ERROR_SCHEMA: JsonSchema = {
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

export const ERROR_RESPONSES: Record<string, string> = {
  BadRequest: 'Invalid input (body, query parameter or id); `details` names each problem.',
  Unauthorized: 'Missing, unknown or rotated API key, or a missing/invalid user token where one is needed.',
  Forbidden: 'The key (or the user) may not do this: secret key required, RLS, origin not allowed, plan limit.',
  NotFound: 'No such collection or document.',
  Conflict: 'A unique field already has this value.',
  PayloadTooLarge: 'The file is larger than the upload limit.',
  TooManyRequests: 'A plan quota or rate limit was reached; see `Retry-After`.',
  Unavailable: 'The query took too long and was stopped, or a dependency is down.',
};

export function errorResponses(...names: (keyof typeof ERROR_RESPONSES)[]): Record<string, unknown> {
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

export const STANDARD_ERRORS = ['BadRequest', 'Unauthorized', 'Forbidden', 'TooManyRequests'] as const;

/** `{success:true, message, ...extra}` (answers of a few auth routes). */
export function envelopeLike(extra: Record<string, JsonSchema>): JsonSchema {
  return {
    type: 'object',
    properties: { success: { const: true }, message: { type: 'string' }, ...extra },
    required: ['success', 'message'],
  };
}

export const KEY_ONLY = [{ apiKey: [] }];
export const KEY_AND_USER = [{ apiKey: [], userToken: [] }];
export const KEY_OPTIONAL_USER = [{ apiKey: [], userToken: [] }, { apiKey: [] }];
