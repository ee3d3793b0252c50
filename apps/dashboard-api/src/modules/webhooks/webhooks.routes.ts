import { AppError } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import type { ProjectScope } from '@urbackend/common/scope';
import { objectIdSchema } from '@urbackend/common/tenant';
import {
  type WebhookDispatcher,
  type WebhookService,
  deliveriesQuerySchema,
  webhookCreateSchema,
  webhookUpdateSchema,
} from '@urbackend/common/webhooks';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';

export interface WebhooksRouterDeps {
  webhooks: WebhookService;
  dispatcher: WebhookDispatcher;
  /** Counts a project's webhooks for the plan's `webhooksLimit`. */
  countWebhooks(projectId: string): Promise<number>;
  access: (action: ProjectAction) => RequestHandler[];
}

const hookParams = z.object({ webhookId: objectIdSchema });
const replayParams = hookParams.extend({ deliveryId: objectIdSchema });

/** `/api/projects/:projectId/webhooks` (reference §6.2) plus delivery replay. */
export function createWebhooksRouter(deps: WebhooksRouterDeps): Router {
  const { webhooks, access } = deps;
  const r = guardedRouter([], { mergeParams: true });
  const pid = (req: Parameters<typeof dashboardScope>[0]) => dashboardScope(req).project._id;

  /** The plan gate: `webhooksLimit` 0 forbids, a positive value caps the count on create. */
  const gate = async (scope: ProjectScope, creating: boolean) => {
    const limit = scope.limits.webhooksLimit;
    if (limit === 0) throw new AppError('FORBIDDEN', 'Webhooks are a Pro feature. Upgrade your plan to use them.');
    if (creating && limit > 0 && (await deps.countWebhooks(scope.project._id)) >= limit) {
      throw new AppError('FORBIDDEN', `Webhook limit reached (${limit}). Upgrade your plan to add more.`);
    }
  };

  r.post('/', ...access('write'), async (req, res) => {
    const scope = dashboardScope(req);
    await gate(scope, true);
    const data = await webhooks.create(scope.project._id, parse(webhookCreateSchema, req.body ?? {}));
    res.status(201).json({ message: 'Webhook created', data });
  });
  r.get('/', ...access('read'), async (req, res) => {
    res.json({ data: await webhooks.list(pid(req)) });
  });
  r.get('/:webhookId', ...access('read'), async (req, res) => {
    const { webhookId } = parse(hookParams, req.params);
    res.json({ data: await webhooks.get(pid(req), webhookId) });
  });
  r.patch('/:webhookId', ...access('write'), async (req, res) => {
    const { webhookId } = parse(hookParams, req.params);
    const scope = dashboardScope(req);
    await gate(scope, false);
    const data = await webhooks.update(scope.project._id, webhookId, parse(webhookUpdateSchema, req.body ?? {}));
    res.json({ message: 'Webhook updated', data });
  });
  r.delete('/:webhookId', ...access('write'), async (req, res) => {
    const { webhookId } = parse(hookParams, req.params);
    await webhooks.remove(pid(req), webhookId);
    res.json({ message: 'Webhook deleted' });
  });
  r.get('/:webhookId/deliveries', ...access('read'), async (req, res) => {
    const { webhookId } = parse(hookParams, req.params);
    const { page, limit } = parse(deliveriesQuerySchema, req.query);
    res.json(await webhooks.deliveries(pid(req), webhookId, page, limit));
  });
  r.post('/:webhookId/test', ...access('write'), async (req, res) => {
    const { webhookId } = parse(hookParams, req.params);
    const scope = dashboardScope(req);
    await gate(scope, false);
    res.json(await webhooks.test(scope.project._id, webhookId));
  });
  r.post('/:webhookId/deliveries/:deliveryId/replay', ...access('write'), async (req, res) => {
    const { webhookId, deliveryId } = parse(replayParams, req.params);
    await webhooks.get(pid(req), webhookId);
    const id = await deps.dispatcher.replay(pid(req), deliveryId);
    res.status(202).json({ message: 'Delivery replay queued', data: { deliveryId: id } });
  });
  return r.router;
}
