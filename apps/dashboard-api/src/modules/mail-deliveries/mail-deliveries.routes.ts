import { parse } from '@urbackend/common/http';
import { type MailDeliveryLog, mailDeliveriesQuerySchema } from '@urbackend/common/mail-api';
import type { RequestHandler, Router } from 'express';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';

export interface MailDeliveriesRouterDeps {
  deliveries: MailDeliveryLog;
  access: (action: ProjectAction) => RequestHandler[];
}

/**
 * `GET /api/projects/:projectId/mail/deliveries?page=&limit=&status=`: the project's mail
 * delivery log, newest first, paged like the webhook delivery log.
 */
export function createMailDeliveriesRouter(deps: MailDeliveriesRouterDeps): Router {
  const r = guardedRouter([], { mergeParams: true });
  r.get('/', ...deps.access('read'), async (req, res) => {
    const query = parse(mailDeliveriesQuerySchema, req.query);
    const { data, pagination } = await deps.deliveries.list(dashboardScope(req).project._id, query);
    res.json({ success: true, data, pagination, message: '' });
  });
  return r.router;
}
