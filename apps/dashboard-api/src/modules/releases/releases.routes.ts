import { AppError } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import type { ReleaseModel } from '@urbackend/common/models';
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper } from '../../middleware/auth.js';

const releaseBody = z.object({
  version: z.string().trim().min(1).max(50),
  title: z.string().trim().min(1).max(200),
  content: z.string().min(1).max(50_000),
});

/**
 * `/api/releases`: `GET /` (public, newest first) and `POST /` (platform admin only, 403
 * otherwise). Release e-mails are not sent (no mass mailing from the dashboard process).
 */
export function createReleasesRouter(deps: {
  Release: ReleaseModel;
  requireDeveloper: RequestHandler;
  postLimiter: RequestHandler;
}): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json(await deps.Release.find().sort({ createdAt: -1 }).limit(200).lean());
  });
  router.post('/', deps.postLimiter, deps.requireDeveloper, async (req, res) => {
    const dev = currentDeveloper(res);
    if (!dev.isAdmin) throw new AppError('FORBIDDEN', 'Only the platform admin can publish releases.');
    const body = parse(releaseBody, req.body);
    const release = await deps.Release.create({ ...body, publishedBy: dev.email });
    res.status(201).json({ message: 'Release published!', count: 0, release });
  });
  return router;
}
