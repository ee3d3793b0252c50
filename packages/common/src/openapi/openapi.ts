import { USERS_COLLECTION, isUsersCollection, usersSchemaProblem } from '../collections/index.js';
import { userAuthPaths } from './auth-paths.js';
import { accessOf, collectionComponents, collectionPaths, rlsText } from './collection-paths.js';
import { type JsonSchema, type SchemaContext, collectionSchema } from './json-schema.js';
import { type CollectionTypeNames, collectionTypeNames } from './names.js';
import { COLLECTION_DEFINITION, FIELD_DEFINITION, mailPaths, schemaPaths, storagePaths } from './service-paths.js';
import {
  ERROR_RESPONSES,
  ERROR_SCHEMA,
  KEY_ONLY,
  type OpenApiOptions,
  type OpenApiProject,
  type PathItem,
  envelope,
  json,
  ref,
} from './shared.js';

export type { OpenApiKeyRole, OpenApiOptions, OpenApiProject } from './shared.js';

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
  const names = collectionTypeNames(
    collections.map((c) => c.name),
    ['Error', 'CountResult', 'FieldDefinition', 'CollectionDefinition', 'UserProfile'],
  );
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
    tags.push({
      name: c.name,
      description: `Collection \`${c.name}\` (schema version ${c.version ?? 1}). ${rlsText(c.rls, role)}`,
    });
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
  Object.assign(
    paths,
    schemaPaths(
      role,
      project.collections.map((c) => c.name),
    ),
  );
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
      description: [
        `The public API of the project "${project.name}" as seen by ${who}.`,
        "Generated from the project's schema; it changes when the schema does (`info.version` is the project configuration version).",
        'Every error answers `{success:false, error, code, details?}`.',
      ].join(' '),
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
