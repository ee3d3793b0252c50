import { parse } from '@urbackend/common/http';
import type { Logger } from '@urbackend/common/logger';
import { createMailDeliveryLog, mailDeliveriesQuerySchema } from '@urbackend/common/mail-api';
import type { PlatformModels } from '@urbackend/common/models';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { getOwnedProject } from '../projects/project.service.js';

export interface MailDeliveriesRouterDeps {
  models: PlatformModels;
  logger: Logger;
  requireDeveloper: RequestHandler;
}

const params = z.object({ projectId: z.string() });

/**
 * `GET /api/projects/:projectId/mail/deliveries?page=&limit=&status=`: the project's mail
 * delivery log, newest first, paged like the webhook delivery log (owner only, 404 otherwise).
 */
export function mailDeliveriesRouter(deps: MailDeliveriesRouterDeps): Router {
  const deliveries = createMailDeliveryLog(deps.models.MailDelivery, deps.logger);
  const r = guardedRouter([deps.requireDeveloper], { mergeParams: true });
  r.get('/', async (req, res) => {
    const { projectId } = parse(params, req.params);
    const project = await getOwnedProject(deps.models, currentDeveloper(res), projectId);
    const query = parse(mailDeliveriesQuerySchema, req.query);
    const { data, pagination } = await deliveries.list(String(project._id), query);
    res.json({ success: true, data, pagination, message: '' });
  });
  return r.router;
}
