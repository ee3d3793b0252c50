import { AppError } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import { type MailTemplatesService, mailTemplateCreateSchema, mailTemplateUpdateSchema } from '@urbackend/common/mail-api';
import type { ProjectScope } from '@urbackend/common/scope';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';

export interface MailTemplatesRouterDeps {
  templates: MailTemplatesService;
  access: (action: ProjectAction) => RequestHandler[];
}

const params = z.object({ templateId: z.string() });

/** The plan gate of custom templates. */
function gate(scope: ProjectScope): void {
  if (!scope.limits.mailTemplatesEnabled) {
    throw new AppError('FORBIDDEN', 'Custom Email Templates are a Pro feature. Upgrade your plan to use them.');
  }
}

const ok = (data: unknown, message = '') => ({ success: true, data, message });

/** `/api/projects/:projectId/mail/templates` (reference §6.2); system templates are read-only. */
export function createMailTemplatesRouter(deps: MailTemplatesRouterDeps): Router {
  const { templates, access } = deps;
  const r = guardedRouter([], { mergeParams: true });
  const pid = (req: Parameters<typeof dashboardScope>[0]) => dashboardScope(req).project._id;

  r.get('/', ...access('read'), async (req, res) => {
    res.json(ok(await templates.list(pid(req))));
  });
  r.get('/global', ...access('read'), async (_req, res) => {
    res.json(ok(await templates.listGlobal()));
  });
  r.get('/:templateId', ...access('read'), async (req, res) => {
    const { templateId } = parse(params, req.params);
    res.json(ok(await templates.get(pid(req), templateId)));
  });
  r.post('/', ...access('write'), async (req, res) => {
    gate(dashboardScope(req));
    const created = await templates.create(pid(req), parse(mailTemplateCreateSchema, req.body ?? {}));
    res.status(201).json(ok(created, 'Mail template created.'));
  });
  r.patch('/:templateId', ...access('write'), async (req, res) => {
    const { templateId } = parse(params, req.params);
    gate(dashboardScope(req));
    const updated = await templates.update(pid(req), templateId, parse(mailTemplateUpdateSchema, req.body ?? {}));
    res.json(ok(updated, 'Mail template updated.'));
  });
  r.delete('/:templateId', ...access('write'), async (req, res) => {
    const { templateId } = parse(params, req.params);
    await templates.remove(pid(req), templateId);
    res.json(ok({}, 'Mail template deleted.'));
  });
  return r.router;
}
