import type { CollectionService } from '@urbackend/common/collections';
import { parse } from '@urbackend/common/http';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import { collectionView } from '../projects/project-view.js';
import type { ProjectService } from '../projects/project.service.js';

export interface CollectionsRouterDeps {
  collections: CollectionService;
  projects: Pick<ProjectService, 'view'>;
  access: (action: ProjectAction) => RequestHandler[];
}

const collectionParams = z.object({ collectionName: z.string() });
const createBody = z
  .object({ collectionName: z.unknown().optional(), name: z.unknown().optional(), schema: z.unknown().optional() })
  .passthrough();
const patchBody = z.object({ schema: z.array(z.unknown(), { required_error: 'schema (the complete field list) is required' }) });

/** `/api/projects/:projectId/collections` (create, edit, delete, RLS). */
export function createCollectionsRouter(deps: CollectionsRouterDeps): Router {
  const { collections, access } = deps;
  const router = guardedRouter([], { mergeParams: true });

  router.post('/', ...access('write'), async (req, res) => {
    const scope = dashboardScope(req);
    const body = parse(createBody, req.body ?? {});
    const collection = await collections.create(scope, { name: body.collectionName ?? body.name, schema: body.schema ?? [] });
    res.status(201).json({ ...(await deps.projects.view(scope)), collection: collectionView(collection) });
  });

  router.patch('/:collectionName', ...access('write'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const { schema } = parse(patchBody, req.body);
    const collection = await collections.update(dashboardScope(req), collectionName, schema);
    res.json({ message: `Collection '${collectionName}' updated successfully.`, collection: collectionView(collection) });
  });

  router.delete('/:collectionName', ...access('write'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    await collections.remove(dashboardScope(req), collectionName);
    res.json({ message: `Collection '${collectionName}' deleted successfully.` });
  });

  router.patch('/:collectionName/rls', ...access('write'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const collection = await collections.updateRls(dashboardScope(req), collectionName, req.body);
    res.json({ message: 'Collection RLS updated', collection: { name: collection.name, rls: collection.rls } });
  });

  return router.router;
}
