import { AppError } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import type { PlatformModels } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import {
  type WebhookDispatcher,
  type WebhookService,
  deliveriesQuerySchema,
  webhookCreateSchema,
  webhookUpdateSchema,
} from '@urbackend/common/webhooks';
import type { RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { getOwnedProject } from '../projects/project.service.js';

export interface WebhooksRouterDeps {
  webhooks: WebhookService;
  dispatcher: WebhookDispatcher;
  models: PlatformModels;
  plans: Plans;
  requireDeveloper: RequestHandler;
}

const objectId = z.string().regex(/^[0-9a-fA-F]{24}$/, 'must be a 24-character hex id');
const hookParams = z.object({ projectId: z.string(), webhookId: objectId });
const replayParams = hookParams.extend({ deliveryId: objectId });

/** `/api/projects/:projectId/webhooks` (reference §6.2) plus delivery replay. */
export function webhooksRouter(deps: WebhooksRouterDeps): Router {
  const { webhooks, models } = deps;
  const r = guardedRouter([deps.requireDeveloper], { mergeParams: true });
  const owned = async (projectId: string, res: Response) =>
    String((await getOwnedProject(models, currentDeveloper(res), projectId))._id);

  /** The plan gate: `webhooksLimit` 0 forbids, a positive value caps the count on create. */
  const gate = async (res: Response, projectId: string, creating: boolean) => {
    const limit = deps.plans.limitsFor(currentDeveloper(res)).webhooksLimit;
    if (limit === 0) throw new AppError('FORBIDDEN', 'Webhooks are a Pro feature. Upgrade your plan to use them.');
    if (creating && limit > 0 && (await models.Webhook.countDocuments({ projectId })) >= limit) {
      throw new AppError('FORBIDDEN', `Webhook limit reached (${limit}). Upgrade your plan to add more.`);
    }
  };

  r.post('/', requireVerified, async (req, res) => {
    const projectId = await owned(String(req.params.projectId), res);
    await gate(res, projectId, true);
    const data = await webhooks.create(projectId, parse(webhookCreateSchema, req.body ?? {}));
    res.status(201).json({ message: 'Webhook created', data });
  });
  r.get('/', async (req, res) => {
    res.json({ data: await webhooks.list(await owned(String(req.params.projectId), res)) });
  });
  r.get('/:webhookId', async (req, res) => {
    const { projectId, webhookId } = parse(hookParams, req.params);
    res.json({ data: await webhooks.get(await owned(projectId, res), webhookId) });
  });
  r.patch('/:webhookId', requireVerified, async (req, res) => {
    const { projectId, webhookId } = parse(hookParams, req.params);
    const pid = await owned(projectId, res);
    await gate(res, pid, false);
    res.json({
      message: 'Webhook updated',
      data: await webhooks.update(pid, webhookId, parse(webhookUpdateSchema, req.body ?? {})),
    });
  });
  r.delete('/:webhookId', requireVerified, async (req, res) => {
    const { projectId, webhookId } = parse(hookParams, req.params);
    await webhooks.remove(await owned(projectId, res), webhookId);
    res.json({ message: 'Webhook deleted' });
  });
  r.get('/:webhookId/deliveries', async (req, res) => {
    const { projectId, webhookId } = parse(hookParams, req.params);
    const { page, limit } = parse(deliveriesQuerySchema, req.query);
    res.json(await webhooks.deliveries(await owned(projectId, res), webhookId, page, limit));
  });
  r.post('/:webhookId/test', requireVerified, async (req, res) => {
    const { projectId, webhookId } = parse(hookParams, req.params);
    const pid = await owned(projectId, res);
    await gate(res, pid, false);
    res.json(await webhooks.test(pid, webhookId));
  });
  r.post('/:webhookId/deliveries/:deliveryId/replay', requireVerified, async (req, res) => {
    const { projectId, webhookId, deliveryId } = parse(replayParams, req.params);
    const pid = await owned(projectId, res);
    await webhooks.get(pid, webhookId);
    const id = await deps.dispatcher.replay(pid, deliveryId);
    res.status(202).json({ message: 'Delivery replay queued', data: { deliveryId: id } });
  });
  return r.router;
}
