import type { ApiKeyResolver } from '@urbackend/common/api-keys';
import type { CollectionService } from '@urbackend/common/collections';
import { AppError, badRequest, notFound } from '@urbackend/common/errors';
import { type ProjectScope, findCollection } from '@urbackend/common/scope';

/** `GET /api/schemas/:c` and `POST /api/schemas` (reference §1.6, `default` kept). */
export interface SchemasService {
  get(scope: ProjectScope, name: string): { message: string; collection: unknown };
  create(scope: ProjectScope, body: unknown): Promise<{ message: string; project: unknown }>;
}

export interface SchemasDeps {
  collections: CollectionService;
  apiKeys: ApiKeyResolver;
}

export function createSchemasService(deps: SchemasDeps): SchemasService {
  return {
    get(scope, name) {
      const collection = findCollection(scope.project, name);
      if (!collection) throw notFound('Schema/Collection not found');
      return { message: 'Schema exists', collection };
    },
    async create(scope, body) {
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object.');
      const input = body as { name?: unknown; fields?: unknown };
      const { project } = scope;
      let created: Awaited<ReturnType<CollectionService['create']>>;
      try {
        // The collection limit is the scope's `maxCollections` (403 over it).
        created = await deps.collections.create(scope, { name: input.name, schema: input.fields ?? [] });
      } catch (err) {
        if (err instanceof AppError && err.status === 409 && /already exists/i.test(err.message)) {
          throw badRequest('Collection/Schema already exists');
        }
        throw err;
      }
      // Pub/sub reaches this process too, but asynchronously: drop our own copy right away.
      await deps.apiKeys.invalidate({ projectId: project._id, reason: 'collection' });
      const collections = [...project.collections.filter((c) => c.name !== created.name), created];
      return {
        message: 'Schema created successfully',
        project: { _id: project._id, name: project.name, collections },
      };
    },
  };
}
