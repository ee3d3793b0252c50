import type { RequestHandler, Router } from 'express';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import type { ConfigLogService } from './config-log.service.js';

export interface ConfigLogRouterDeps {
  configLog: Pick<ConfigLogService, 'list'>;
  access: (action: ProjectAction) => RequestHandler[];
}

/** `/api/projects/:projectId/config-logs` (addendum §G): any member may read it. */
export function createConfigLogRouter(deps: ConfigLogRouterDeps): Router {
  const r = guardedRouter([], { mergeParams: true });
  r.get('/', ...deps.access('read'), async (req, res) => {
    const data = await deps.configLog.list(dashboardScope(req), req.query);
    res.json({ success: true, data, message: 'Configuration change logs retrieved successfully.' });
  });
  return r.router;
}
