import { parse } from '@urbackend/common/http';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import type { ProjectSettingsService } from './project-settings.service.js';
import type { ProjectService } from './project.service.js';
import {
  allowedDomainsBody,
  authProvidersBody,
  authToggleBody,
  byodConfigBody,
  createProjectBody,
  projectIdParams,
  rotateKeyBody,
  updateProjectBody,
} from './projects.schemas.js';

export interface ProjectsRouterDeps {
  projects: ProjectService;
  settings: ProjectSettingsService;
  /** `requireDeveloper`, run first on every route. */
  requireDeveloper: RequestHandler;
  /** Base URL of the public API, returned with a project so clients can show ready-to-use snippets. */
  publicApiUrl: string;
}

const byodKindParams = z.object({ projectId: z.string(), kind: z.enum(['db', 'storage']) });

/** `/api/projects` (mounted behind the dashboard limiter and `requireDeveloper`). */
export function projectsRouter(deps: ProjectsRouterDeps): Router {
  const { projects, settings } = deps;
  const router = guardedRouter([deps.requireDeveloper]);
  const verified: RequestHandler = requireVerified;
  const pid = (params: unknown) => parse(projectIdParams, params).projectId;

  router.post('/', verified, async (req, res) => {
    res.status(201).json(await projects.create(currentDeveloper(res), parse(createProjectBody, req.body)));
  });
  router.get('/', async (_req, res) => {
    res.json(await projects.list(currentDeveloper(res)));
  });
  router.get('/:projectId', async (req, res) => {
    res.json({ ...(await projects.get(currentDeveloper(res), pid(req.params))), publicApiUrl: deps.publicApiUrl });
  });
  router.patch('/:projectId', async (req, res) => {
    res.json(await projects.update(currentDeveloper(res), pid(req.params), parse(updateProjectBody, req.body)));
  });
  router.delete('/:projectId', verified, async (req, res) => {
    await projects.remove(currentDeveloper(res), pid(req.params));
    res.json({ message: 'Project and all associated resources deleted successfully' });
  });
  router.post('/:projectId/api-key', verified, async (req, res) => {
    const { keyType } = parse(rotateKeyBody, req.body);
    res.json(await projects.rotateKey(currentDeveloper(res), pid(req.params), keyType));
  });
  router.patch('/:projectId/allowed-domains', verified, async (req, res) => {
    const { domains } = parse(allowedDomainsBody, req.body);
    res.json(await projects.setAllowedDomains(currentDeveloper(res), pid(req.params), domains));
  });
  router.patch('/:projectId/auth/toggle', verified, async (req, res) => {
    const { enable } = parse(authToggleBody, req.body);
    res.json(await settings.toggleAuth(currentDeveloper(res), pid(req.params), enable));
  });
  router.patch('/:projectId/auth/providers', verified, async (req, res) => {
    res.json(await settings.setAuthProviders(currentDeveloper(res), pid(req.params), parse(authProvidersBody, req.body)));
  });
  router.patch('/:projectId/byod-config', verified, async (req, res) => {
    res.json(await settings.setByod(currentDeveloper(res), pid(req.params), parse(byodConfigBody, req.body)));
  });
  router.post('/:projectId/byod-config/test', verified, async (req, res) => {
    res.json(await settings.testByod(currentDeveloper(res), pid(req.params), parse(byodConfigBody, req.body)));
  });
  router.delete('/:projectId/byod-config/:kind', verified, async (req, res) => {
    const { projectId, kind } = parse(byodKindParams, req.params);
    res.json(await settings.deleteByod(currentDeveloper(res), projectId, kind));
  });
  return router.router;
}
