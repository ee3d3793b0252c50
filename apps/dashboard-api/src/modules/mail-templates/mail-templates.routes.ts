import { AppError } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import { type MailTemplatesService, mailTemplateCreateSchema, mailTemplateUpdateSchema } from '@urbackend/common/mail-api';
import type { ProjectScope } from '@urbackend/common/scope';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import { type ConfigLogRecorder, diffOf, recordChange } from '../config-log/config-log.service.js';

export interface MailTemplatesRouterDeps {
  templates: MailTemplatesService;
  access: (action: ProjectAction) => RequestHandler[];
  /** Template changes are recorded here (config audit log). */
  configLog: ConfigLogRecorder;
}

/** The logged fields of a template (bodies are cut by the log). */
const logged = (t: { key: string; name: string; subject: string; html: string; text: string } | null) =>
  t ? { key: t.key, name: t.name, subject: t.subject, html: t.html, text: t.text } : null;

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
  const { templates, access, configLog } = deps;
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
    const input = parse(mailTemplateCreateSchema, req.body ?? {});
    const created = await templates.create(pid(req), input);
    await configLog.record(dashboardScope(req), {
      category: 'mail_template',
      label: `Mail template '${created.template.name}' created`,
      diff: diffOf(null, logged({ html: '', text: '', ...input })),
    });
    res.status(201).json(ok(created, 'Mail template created.'));
  });
  r.patch('/:templateId', ...access('write'), async (req, res) => {
    const { templateId } = parse(params, req.params);
    gate(dashboardScope(req));
    const input = parse(mailTemplateUpdateSchema, req.body ?? {});
    const before = (await templates.get(pid(req), templateId)).template;
    const updated = await templates.update(pid(req), templateId, input);
    // Read for the log only: a failed read leaves the entry without its diff, never fails the change.
    const after = await templates.get(pid(req), templateId).then(
      (r) => r.template,
      () => null,
    );
    const entry = { category: 'mail_template' as const, label: `Mail template '${after?.name ?? before.name}' updated` };
    if (after) await recordChange(configLog, dashboardScope(req), { ...entry, diff: diffOf(logged(before), logged(after)) });
    else await configLog.record(dashboardScope(req), entry);
    res.json(ok(updated, 'Mail template updated.'));
  });
  r.delete('/:templateId', ...access('write'), async (req, res) => {
    const { templateId } = parse(params, req.params);
    const before = (await templates.get(pid(req), templateId)).template;
    await templates.remove(pid(req), templateId);
    await configLog.record(dashboardScope(req), {
      category: 'mail_template',
      label: `Mail template '${before.name}' deleted`,
      diff: diffOf(logged(before), null),
    });
    res.json(ok({}, 'Mail template deleted.'));
  });
  return r.router;
}
