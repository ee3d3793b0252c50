import { AppError } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import { type MailTemplatesService, mailTemplateCreateSchema, mailTemplateUpdateSchema } from '@urbackend/common/mail-api';
import type { PlatformModels } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import type { RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { getOwnedProject } from '../projects/project.service.js';

export interface MailTemplatesRouterDeps {
  templates: MailTemplatesService;
  models: PlatformModels;
  plans: Plans;
  requireDeveloper: RequestHandler;
}

const params = z.object({ projectId: z.string(), templateId: z.string() });

/** `/api/projects/:projectId/mail/templates` (reference §6.2); system templates are read-only. */
export function mailTemplatesRouter(deps: MailTemplatesRouterDeps): Router {
  const { templates, models } = deps;
  const r = guardedRouter([deps.requireDeveloper], { mergeParams: true });
  const owned = async (projectId: string, res: Response) =>
    String((await getOwnedProject(models, currentDeveloper(res), projectId))._id);
  const gate = (res: Response) => {
    if (!deps.plans.limitsFor(currentDeveloper(res)).mailTemplatesEnabled) {
      throw new AppError('FORBIDDEN', 'Custom Email Templates are a Pro feature. Upgrade your plan to use them.');
    }
  };
  const ok = (data: unknown, message = '') => ({ success: true, data, message });

  r.get('/', async (req, res) => {
    res.json(ok(await templates.list(await owned(String(req.params.projectId), res))));
  });
  r.get('/global', async (req, res) => {
    await owned(String(req.params.projectId), res);
    res.json(ok(await templates.listGlobal()));
  });
  r.get('/:templateId', async (req, res) => {
    const p = parse(params, req.params);
    res.json(ok(await templates.get(await owned(p.projectId, res), p.templateId)));
  });
  r.post('/', requireVerified, async (req, res) => {
    const pid = await owned(String(req.params.projectId), res);
    gate(res);
    res
      .status(201)
      .json(ok(await templates.create(pid, parse(mailTemplateCreateSchema, req.body ?? {})), 'Mail template created.'));
  });
  r.patch('/:templateId', requireVerified, async (req, res) => {
    const p = parse(params, req.params);
    const pid = await owned(p.projectId, res);
    gate(res);
    res.json(
      ok(await templates.update(pid, p.templateId, parse(mailTemplateUpdateSchema, req.body ?? {})), 'Mail template updated.'),
    );
  });
  r.delete('/:templateId', requireVerified, async (req, res) => {
    const p = parse(params, req.params);
    await templates.remove(await owned(p.projectId, res), p.templateId);
    res.json(ok({}, 'Mail template deleted.'));
  });
  return r.router;
}
