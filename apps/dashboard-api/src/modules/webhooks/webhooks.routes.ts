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
import { type ConfigLogRecorder, MASKED, diffOf, recordChange } from '../config-log/config-log.service.js';

export interface WebhooksRouterDeps {
  webhooks: WebhookService;
  dispatcher: WebhookDispatcher;
  /** Counts a project's webhooks for the plan's `webhooksLimit`. */
  countWebhooks(projectId: string): Promise<number>;
  access: (action: ProjectAction) => RequestHandler[];
  /** Webhook changes are recorded here (config audit log; the signing secret masked). */
  configLog: ConfigLogRecorder;
}

/** The logged fields of a webhook (its secret is logged as masked only). */
const logged = (h: { name?: unknown; url?: unknown; events?: unknown; enabled?: unknown } | null) =>
  h ? { name: h.name, url: h.url, events: h.events, enabled: h.enabled } : null;

const hookParams = z.object({ webhookId: objectIdSchema });
const replayParams = hookParams.extend({ deliveryId: objectIdSchema });

/** `/api/projects/:projectId/webhooks` (reference §6.2) plus delivery replay. */
export function createWebhooksRouter(deps: WebhooksRouterDeps): Router {
  const { webhooks, access, configLog } = deps;
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
    await configLog.record(scope, {
      category: 'webhook',
      label: `Webhook '${data.name}' created`,
      diff: [...diffOf(null, logged(data)), { field: 'secret', from: null, to: MASKED }],
    });
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
    const input = parse(webhookUpdateSchema, req.body ?? {});
    const before = await webhooks.get(scope.project._id, webhookId);
    const data = await webhooks.update(scope.project._id, webhookId, input);
    const diff = diffOf(logged(before), logged(data));
    if (input.secret !== undefined) diff.push({ field: 'secret', from: MASKED, to: MASKED });
    await recordChange(configLog, scope, { category: 'webhook', label: `Webhook '${data.name}' updated`, diff });
    res.json({ message: 'Webhook updated', data });
  });
  r.delete('/:webhookId', ...access('write'), async (req, res) => {
    const { webhookId } = parse(hookParams, req.params);
    const before = await webhooks.get(pid(req), webhookId);
    await webhooks.remove(pid(req), webhookId);
    await configLog.record(dashboardScope(req), {
      category: 'webhook',
      label: `Webhook '${before.name}' deleted`,
      diff: [...diffOf(logged(before), null), { field: 'secret', from: MASKED, to: null }],
    });
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
