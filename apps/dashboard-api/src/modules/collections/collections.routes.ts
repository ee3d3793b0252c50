import type { CollectionService } from '@urbackend/common/collections';
import { parse } from '@urbackend/common/http';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import { type ConfigLogRecorder, diffOf, recordChange, schemaDiff } from '../config-log/config-log.service.js';
import { collectionView } from '../projects/project-view.js';
import type { ProjectService } from '../projects/project.service.js';

export interface CollectionsRouterDeps {
  collections: CollectionService;
  projects: Pick<ProjectService, 'view'>;
  access: (action: ProjectAction) => RequestHandler[];
  /** Schema and RLS changes are recorded here (config audit log). */
  configLog: ConfigLogRecorder;
}

const collectionParams = z.object({ collectionName: z.string() });
const createBody = z
  .object({ collectionName: z.unknown().optional(), name: z.unknown().optional(), schema: z.unknown().optional() })
  .passthrough();
const patchBody = z.object({ schema: z.array(z.unknown(), { required_error: 'schema (the complete field list) is required' }) });

/** `/api/projects/:projectId/collections` (create, edit, delete, RLS). */
export function createCollectionsRouter(deps: CollectionsRouterDeps): Router {
  const { collections, access, configLog } = deps;
  const router = guardedRouter([], { mergeParams: true });

  router.post('/', ...access('write'), async (req, res) => {
    const scope = dashboardScope(req);
    const body = parse(createBody, req.body ?? {});
    const collection = await collections.create(scope, { name: body.collectionName ?? body.name, schema: body.schema ?? [] });
    await configLog.record(scope, {
      category: 'collection_schema',
      label: `Collection '${collection.name}' created`,
      diff: schemaDiff(null, collection.model),
    });
    res.status(201).json({ ...(await deps.projects.view(scope)), collection: collectionView(collection) });
  });

  router.patch('/:collectionName', ...access('write'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const { schema } = parse(patchBody, req.body);
    const scope = dashboardScope(req);
    const before = scope.project.collections.find((c) => c.name === collectionName);
    const collection = await collections.update(scope, collectionName, schema);
    await recordChange(configLog, scope, {
      category: 'collection_schema',
      label: `Schema of collection '${collection.name}' updated`,
      diff: schemaDiff(before?.model, collection.model),
    });
    res.json({ message: `Collection '${collectionName}' updated successfully.`, collection: collectionView(collection) });
  });

  router.delete('/:collectionName', ...access('write'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const scope = dashboardScope(req);
    const before = scope.project.collections.find((c) => c.name === collectionName);
    await collections.remove(scope, collectionName);
    await configLog.record(scope, {
      category: 'collection_schema',
      label: `Collection '${collectionName}' deleted`,
      diff: schemaDiff(before?.model, null),
    });
    res.json({ message: `Collection '${collectionName}' deleted successfully.` });
  });

  router.patch('/:collectionName/rls', ...access('write'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const scope = dashboardScope(req);
    const before = scope.project.collections.find((c) => c.name === collectionName);
    const collection = await collections.updateRls(scope, collectionName, req.body);
    await recordChange(configLog, scope, {
      category: 'collection_rls',
      label: `RLS settings updated for collection '${collection.name}'`,
      diff: diffOf({ rls: before?.rls ?? null }, { rls: collection.rls }),
    });
    res.json({ message: 'Collection RLS updated', collection: { name: collection.name, rls: collection.rls } });
  });

  return router.router;
}
