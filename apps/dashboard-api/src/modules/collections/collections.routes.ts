import type { CollectionService } from '@urbackend/common/collections';
import { parse } from '@urbackend/common/http';
import type { PlatformModels } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { collectionView, projectView } from '../projects/project-view.js';
import { getOwnedProject } from '../projects/project.service.js';

export interface CollectionsRouterDeps {
  models: PlatformModels;
  collections: CollectionService;
  plans: Plans;
  /** `requireDeveloper`, run first on every route. */
  requireDeveloper: RequestHandler;
}

const projectParams = z.object({ projectId: z.string() });
const collectionParams = z.object({ projectId: z.string(), collectionName: z.string() });
const createBody = z
  .object({ collectionName: z.unknown().optional(), name: z.unknown().optional(), schema: z.unknown().optional() })
  .passthrough();
const patchBody = z.object({ schema: z.array(z.unknown(), { required_error: 'schema (the complete field list) is required' }) });

/** `/api/projects/:projectId/collections` (create, edit, delete, RLS). Mounted under the projects router chain. */
export function collectionsRouter(deps: CollectionsRouterDeps): Router {
  const { models, collections, plans } = deps;
  const router = guardedRouter([deps.requireDeveloper, requireVerified], { mergeParams: true });

  router.post('/', async (req, res) => {
    const dev = currentDeveloper(res);
    const { projectId } = parse(projectParams, req.params);
    const project = await getOwnedProject(models, dev, projectId);
    const body = parse(createBody, req.body ?? {});
    const limits = plans.limitsFor(dev, project.customLimits);
    const collection = await collections.create(
      projectId,
      { name: body.collectionName ?? body.name, schema: body.schema ?? [] },
      { maxCollections: limits.maxCollections },
    );
    const fresh = await getOwnedProject(models, dev, projectId);
    res.status(201).json({ ...projectView(fresh, limits), collection: collectionView(collection) });
  });

  router.patch('/:collectionName', async (req, res) => {
    const { projectId, collectionName } = parse(collectionParams, req.params);
    await getOwnedProject(models, currentDeveloper(res), projectId);
    const { schema } = parse(patchBody, req.body);
    const collection = await collections.update(projectId, collectionName, schema);
    res.json({ message: `Collection '${collectionName}' updated successfully.`, collection: collectionView(collection) });
  });

  router.delete('/:collectionName', async (req, res) => {
    const { projectId, collectionName } = parse(collectionParams, req.params);
    await getOwnedProject(models, currentDeveloper(res), projectId);
    await collections.remove(projectId, collectionName);
    res.json({ message: `Collection '${collectionName}' deleted successfully.` });
  });

  router.patch('/:collectionName/rls', async (req, res) => {
    const { projectId, collectionName } = parse(collectionParams, req.params);
    await getOwnedProject(models, currentDeveloper(res), projectId);
    const collection = await collections.updateRls(projectId, collectionName, req.body);
    res.json({ message: 'Collection RLS updated', collection: { name: collection.name, rls: collection.rls } });
  });

  return router.router;
}
