import { scopeOf } from '@urbackend/common/http';
import { type RequestHandler, Router } from 'express';
import type { SchemasService } from './schemas.service.js';

/** `/api/schemas` routes: read with pk or sk, create with sk only. */
export function createSchemasRouter(service: SchemasService, guard: RequestHandler[], secretOnly: RequestHandler): Router {
  const router = Router();
  router.get('/:collectionName', ...guard, (req, res) => {
    res.json(service.get(scopeOf(req), (req.params as { collectionName: string }).collectionName));
  });
  router.post('/', ...guard, secretOnly, async (req, res) => {
    res.status(201).json(await service.create(scopeOf(req), req.body));
  });
  return router;
}
