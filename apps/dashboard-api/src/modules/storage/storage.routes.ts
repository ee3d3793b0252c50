import { parse } from '@urbackend/common/http';
import type { StorageService } from '@urbackend/common/storage';
import type { RequestHandler, Router } from 'express';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import { deleteFileSchema, filesQuerySchema, uploadConfirmSchema, uploadRequestSchema } from './storage.schemas.js';

export interface StorageRouterDeps {
  storage: StorageService;
  access: (action: ProjectAction) => RequestHandler[];
}

/** `/api/projects/:projectId/storage`: list (paged), presigned upload, delete one, delete all. */
export function createStorageRouter(deps: StorageRouterDeps): Router {
  const { storage, access } = deps;
  const r = guardedRouter([], { mergeParams: true });

  r.get('/files', ...access('read'), async (req, res) => {
    const { page, limit } = parse(filesQuerySchema, req.query);
    const data = await storage.list(dashboardScope(req), page, limit);
    res.json({ success: true, data, message: 'Files fetched successfully.' });
  });
  r.post('/upload-request', ...access('write'), async (req, res) => {
    const data = await storage.requestUpload(dashboardScope(req), parse(uploadRequestSchema, req.body ?? {}));
    res.json({ success: true, data, message: 'Upload URL generated successfully.' });
  });
  r.post('/upload-confirm', ...access('write'), async (req, res) => {
    const data = await storage.confirmUpload(dashboardScope(req), parse(uploadConfirmSchema, req.body ?? {}));
    res.json({ success: true, data, message: 'Upload confirmed.' });
  });
  r.post('/delete', ...access('write'), async (req, res) => {
    await storage.deleteFile(dashboardScope(req), parse(deleteFileSchema, req.body ?? {}).path);
    res.json({ success: true });
  });
  r.delete('/files', ...access('write'), async (req, res) => {
    const { deleted } = await storage.deleteAll(dashboardScope(req));
    res.json({ success: true, deleted });
  });
  return r.router;
}
