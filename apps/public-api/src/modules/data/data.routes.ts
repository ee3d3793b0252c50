import type { DataReadService, DataWriteService } from '@urbackend/common/data';
import { scopeOf } from '@urbackend/common/http';
import type { TrashService } from '@urbackend/common/lifecycle';
import { type RequestHandler, Router } from 'express';

export interface DataRouterDeps {
  reads: DataReadService;
  writes: DataWriteService;
  /** Recover from the trash (secret key). */
  trash: TrashService;
  /** API key, usage gate and user token, in that order (mounted per route so unknown paths stay 404). */
  guard: RequestHandler[];
}

type Params = { collectionName: string; id: string };

/** `/api/data/:collectionName` routes (reference §1.3). */
export function createDataRouter(deps: DataRouterDeps): Router {
  const { reads, writes, trash, guard } = deps;
  const router = Router();
  router.post('/:collectionName/bulk', ...guard, async (req, res) => {
    res.status(201).json(await writes.bulkInsert(scopeOf(req), (req.params as Params).collectionName, req.body));
  });
  router.post('/:collectionName/aggregate', ...guard, async (req, res) => {
    res.json(await reads.aggregate(scopeOf(req), (req.params as Params).collectionName, req.body));
  });
  router.post('/:collectionName', ...guard, async (req, res) => {
    res.status(201).json(await writes.insert(scopeOf(req), (req.params as Params).collectionName, req.body));
  });
  router.get('/:collectionName', ...guard, async (req, res) => {
    res.json(await reads.list(scopeOf(req), (req.params as Params).collectionName, req.query as Record<string, unknown>));
  });
  router.get('/:collectionName/:id', ...guard, async (req, res) => {
    const { collectionName, id } = req.params as Params;
    res.json(await reads.getOne(scopeOf(req), collectionName, id, req.query as Record<string, unknown>));
  });
  router.patch('/:collectionName/:id/recover', ...guard, async (req, res) => {
    const { collectionName, id } = req.params as Params;
    const data = await trash.recover(scopeOf(req), collectionName, id);
    res.json({ success: true, data, message: 'Document recovered from trash' });
  });
  const update: RequestHandler = async (req, res) => {
    const { collectionName, id } = req.params as Params;
    res.json(await writes.update(scopeOf(req), collectionName, id, req.body));
  };
  router.put('/:collectionName/:id', ...guard, update);
  router.patch('/:collectionName/:id', ...guard, update);
  router.delete('/:collectionName/:id', ...guard, async (req, res) => {
    const { collectionName, id } = req.params as Params;
    const permanent = req.query.permanent === 'true';
    const { message } = await writes.remove(scopeOf(req), collectionName, id, { permanent });
    res.json({ success: true, data: { id }, message });
  });
  return router;
}
