import { parse } from '@urbackend/common/http';
import type { PlatformModels } from '@urbackend/common/models';
import type { StorageService } from '@urbackend/common/storage';
import type { RequestHandler, Response, Router } from 'express';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { getOwnedProject } from '../projects/project.service.js';
import {
  deleteFileSchema,
  filesQuerySchema,
  projectParams,
  uploadConfirmSchema,
  uploadRequestSchema,
} from './storage.schemas.js';

export interface StorageRouterDeps {
  storage: StorageService;
  models: PlatformModels;
  requireDeveloper: RequestHandler;
}

/** `/api/projects/:projectId/storage`: list (paged), presigned upload, delete one, delete all. */
export function storageRouter(deps: StorageRouterDeps): Router {
  const { storage, models } = deps;
  const r = guardedRouter([deps.requireDeveloper], { mergeParams: true });
  const owned = async (params: unknown, res: Response) =>
    getOwnedProject(models, currentDeveloper(res), parse(projectParams, params).projectId);

  r.get('/files', async (req, res) => {
    const project = await owned(req.params, res);
    const { page, limit } = parse(filesQuerySchema, req.query);
    res.json({ success: true, data: await storage.list(project, page, limit), message: 'Files fetched successfully.' });
  });
  r.post('/upload-request', requireVerified, async (req, res) => {
    const project = await owned(req.params, res);
    const data = await storage.requestUpload(project, parse(uploadRequestSchema, req.body ?? {}));
    res.json({ success: true, data, message: 'Upload URL generated successfully.' });
  });
  r.post('/upload-confirm', requireVerified, async (req, res) => {
    const project = await owned(req.params, res);
    const data = await storage.confirmUpload(project, parse(uploadConfirmSchema, req.body ?? {}));
    res.json({ success: true, data, message: 'Upload confirmed.' });
  });
  r.post('/delete', requireVerified, async (req, res) => {
    const project = await owned(req.params, res);
    await storage.deleteFile(project, parse(deleteFileSchema, req.body ?? {}).path);
    res.json({ success: true });
  });
  r.delete('/files', requireVerified, async (req, res) => {
    const project = await owned(req.params, res);
    const { deleted } = await storage.deleteAll(project);
    res.json({ success: true, deleted });
  });
  return r.router;
}
