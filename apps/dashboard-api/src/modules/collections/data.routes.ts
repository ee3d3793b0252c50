import type { DataServices } from '@urbackend/common/data';
import { parse } from '@urbackend/common/http';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';

const listParams = z.object({ collectionName: z.string() });
const docParams = listParams.extend({ id: z.string() });

/**
 * `/api/projects/:projectId/collections/:collectionName/data`: browse and edit rows with the
 * project's full rights (RLS does not apply to developers) through the same data services as
 * the public API (validation, quota, webhooks). `users` rows get the end-user rules (hashed
 * passwords, never returned). The list answers a raw array (reference §6.2) with the total in
 * `X-Total-Count`.
 */
export function createDataRouter(deps: { data: DataServices; access: (action: ProjectAction) => RequestHandler[] }): Router {
  const { reads, writes } = deps.data;
  const { access } = deps;
  const r = guardedRouter([], { mergeParams: true });

  r.get('/', ...access('read'), async (req, res) => {
    const { collectionName } = parse(listParams, req.params);
    const page = await reads.page(dashboardScope(req), collectionName, req.query as Record<string, unknown>);
    res.setHeader('X-Total-Count', String(page.total));
    res.json(page.items);
  });
  r.post('/', ...access('write'), async (req, res) => {
    const { collectionName } = parse(listParams, req.params);
    res.status(201).json(await writes.insert(dashboardScope(req), collectionName, req.body));
  });
  r.patch('/:id', ...access('write'), async (req, res) => {
    const { collectionName, id } = parse(docParams, req.params);
    const { data } = await writes.update(dashboardScope(req), collectionName, id, req.body);
    res.json({ success: true, message: 'Document edited successfully', data });
  });
  r.delete('/:id', ...access('write'), async (req, res) => {
    const { collectionName, id } = parse(docParams, req.params);
    // Moves the row to the trash (docs/data-lifecycle.md); `?permanent=true` deletes it at once.
    const { message } = await writes.remove(dashboardScope(req), collectionName, id, {
      permanent: req.query.permanent === 'true',
    });
    res.json({ success: true, data: { id }, message });
  });
  return r.router;
}
