import { parse } from '@urbackend/common/http';
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import { logsQuerySchema } from './observability.schemas.js';
import type { ObservabilityService } from './observability.service.js';

const analyticsQuery = z.object({
  range: z
    .enum(['last1h', 'last24h', 'last7d', 'last30d'], {
      errorMap: () => ({ message: 'range must be one of last1h, last24h, last7d, last30d' }),
    })
    .default('last24h'),
});

/**
 * `/api/projects/:projectId/logs` (filters, `range` or `from`/`to`, every recorded field per
 * request), `/analytics` and `/usage` (plan limits, the per-file upload limit and usage).
 */
export function createObservabilityRouter(deps: {
  observability: ObservabilityService;
  access: (action: ProjectAction) => RequestHandler[];
}): Router {
  const r = guardedRouter([], { mergeParams: true });
  r.get('/logs', ...deps.access('read'), async (req, res) => {
    const data = await deps.observability.logs(dashboardScope(req), parse(logsQuerySchema, req.query));
    res.json({ success: true, data, message: '' });
  });
  r.get('/usage', ...deps.access('read'), async (req, res) => {
    res.json({ success: true, data: await deps.observability.usage(dashboardScope(req)), message: '' });
  });
  r.get('/analytics', ...deps.access('read'), async (req, res) => {
    const { range } = parse(analyticsQuery, req.query);
    const data = await deps.observability.analytics(dashboardScope(req), range);
    res.json({ success: true, data, message: 'Analytics fetched successfully.' });
  });
  return r.router;
}

/** `/api/analytics`: account-wide `GET /stats` and `GET /activity` (reference §6.3). */
export function createAccountAnalyticsRouter(deps: {
  observability: ObservabilityService;
  requireDeveloper: RequestHandler;
}): Router {
  const router = Router();
  router.get('/stats', deps.requireDeveloper, async (_req, res) => {
    res.json({ success: true, data: await deps.observability.stats(currentDeveloper(res)), message: '' });
  });
  router.get('/activity', deps.requireDeveloper, async (_req, res) => {
    res.json(await deps.observability.activity(currentDeveloper(res)));
  });
  return router;
}
