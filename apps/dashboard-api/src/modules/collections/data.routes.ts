import { parse } from '@urbackend/common/http';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import type { DataService } from './data.service.js';

const listParams = z.object({ projectId: z.string(), collectionName: z.string() });
const docParams = listParams.extend({ id: z.string() });

/**
 * `/api/projects/:projectId/collections/:collectionName/data`: browse and edit rows. The list
 * answers a raw array (reference §6.2) with the total in `X-Total-Count`.
 */
export function dataRouter(deps: { data: DataService; requireDeveloper: RequestHandler }): Router {
  const { data } = deps;
  const r = guardedRouter([deps.requireDeveloper, requireVerified], { mergeParams: true });

  r.get('/', async (req, res) => {
    const { projectId, collectionName } = parse(listParams, req.params);
    const result = await data.list(currentDeveloper(res), projectId, collectionName, req.query as Record<string, unknown>);
    res.setHeader('X-Total-Count', String(result.total));
    res.json(result.items);
  });
  r.post('/', async (req, res) => {
    const { projectId, collectionName } = parse(listParams, req.params);
    res.status(201).json(await data.insert(currentDeveloper(res), projectId, collectionName, req.body));
  });
  r.patch('/:id', async (req, res) => {
    const { projectId, collectionName, id } = parse(docParams, req.params);
    const doc = await data.patch(currentDeveloper(res), projectId, collectionName, id, req.body);
    res.json({ success: true, message: 'Document edited successfully', data: doc });
  });
  r.delete('/:id', async (req, res) => {
    const { projectId, collectionName, id } = parse(docParams, req.params);
    await data.remove(currentDeveloper(res), projectId, collectionName, id);
    res.json({ success: true, message: 'Document deleted successfully' });
  });
  return r.router;
}
