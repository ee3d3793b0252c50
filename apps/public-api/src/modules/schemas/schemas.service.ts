import { type ApiKeyResolver, findCollection } from '@urbackend/common/api-keys';
import type { CollectionService } from '@urbackend/common/collections';
import { AppError, badRequest, notFound } from '@urbackend/common/errors';
import type { Plans } from '@urbackend/common/plans';
import type { PublicContext } from '../../context.js';

/** `GET /api/schemas/:c` and `POST /api/schemas` (reference §1.6, `default` kept). */
export interface SchemasService {
  get(ctx: PublicContext, name: string): { message: string; collection: unknown };
  create(ctx: PublicContext, body: unknown): Promise<{ message: string; project: unknown }>;
}

export interface SchemasDeps {
  collections: CollectionService;
  plans: Plans;
  apiKeys: ApiKeyResolver;
}

export function createSchemasService(deps: SchemasDeps): SchemasService {
  return {
    get(ctx, name) {
      const collection = findCollection(ctx.project, name);
      if (!collection) throw notFound('Schema/Collection not found');
      return { message: 'Schema exists', collection };
    },
    async create(ctx, body) {
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object.');
      const input = body as { name?: unknown; fields?: unknown };
      const { maxCollections } = deps.plans.limitsFor(ctx.project.owner, ctx.project.customLimits);
      let created: Awaited<ReturnType<CollectionService['create']>>;
      try {
        created = await deps.collections.create(
          ctx.projectId,
          { name: input.name, schema: input.fields ?? [] },
          { maxCollections },
        );
      } catch (err) {
        if (err instanceof AppError && err.status === 409 && /already exists/i.test(err.message)) {
          throw badRequest('Collection/Schema already exists');
        }
        throw err;
      }
      // Pub/sub reaches this process too, but asynchronously: drop our own copy right away.
      await deps.apiKeys.invalidate({ projectId: ctx.projectId, reason: 'collection' });
      const collections = [...ctx.project.collections.filter((c) => c.name !== created.name), created];
      return {
        message: 'Schema created successfully',
        project: { _id: ctx.projectId, name: ctx.project.name, collections },
      };
    },
  };
}
