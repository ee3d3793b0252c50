import { type RequestHandler, Router } from 'express';
import { ctxOf } from '../../context.js';
import type { DataReadService } from './data-read.service.js';
import type { DataWriteService } from './data-write.service.js';

export interface DataRouterDeps {
  reads: DataReadService;
  writes: DataWriteService;
  /** API key, usage gate and user token, in that order (mounted per route so unknown paths stay 404). */
  guard: RequestHandler[];
}

type Params = { collectionName: string; id: string };

/** `/api/data/:collectionName` routes (reference §1.3). */
export function createDataRouter(deps: DataRouterDeps): Router {
  const { reads, writes, guard } = deps;
  const router = Router();
  router.post('/:collectionName/bulk', ...guard, async (req, res) => {
    res.status(201).json(await writes.bulkInsert(ctxOf(req), (req.params as Params).collectionName, req.body));
  });
  router.post('/:collectionName/aggregate', ...guard, async (req, res) => {
    res.json(await reads.aggregate(ctxOf(req), (req.params as Params).collectionName, req.body));
  });
  router.post('/:collectionName', ...guard, async (req, res) => {
    res.status(201).json(await writes.insert(ctxOf(req), (req.params as Params).collectionName, req.body));
  });
  router.get('/:collectionName', ...guard, async (req, res) => {
    res.json(await reads.list(ctxOf(req), (req.params as Params).collectionName, req.query as Record<string, unknown>));
  });
  router.get('/:collectionName/:id', ...guard, async (req, res) => {
    const { collectionName, id } = req.params as Params;
    res.json(await reads.getOne(ctxOf(req), collectionName, id, req.query as Record<string, unknown>));
  });
  const update: RequestHandler = async (req, res) => {
    const { collectionName, id } = req.params as Params;
    res.json(await writes.update(ctxOf(req), collectionName, id, req.body));
  };
  router.put('/:collectionName/:id', ...guard, update);
  router.patch('/:collectionName/:id', ...guard, update);
  router.delete('/:collectionName/:id', ...guard, async (req, res) => {
    const { collectionName, id } = req.params as Params;
    res.json(await writes.remove(ctxOf(req), collectionName, id));
  });
  return router;
}
