import { parse } from '@urbackend/common/http';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import type { ProjectSettingsService } from './project-settings.service.js';
import type { ProjectService } from './project.service.js';
import {
  allowedDomainsBody,
  authProvidersBody,
  authToggleBody,
  byodConfigBody,
  createProjectBody,
  rotateKeyBody,
  updateProjectBody,
} from './projects.schemas.js';

export interface ProjectsRouterDeps {
  projects: ProjectService;
  settings: ProjectSettingsService;
  /** `requireDeveloper`, run first on the account-level routes (create, list). */
  requireDeveloper: RequestHandler;
  /** The project-access guard chain of the `/:projectId` routes. */
  access: (action: ProjectAction) => RequestHandler[];
  /** Base URL of the public API, returned with a project so clients can show ready-to-use snippets. */
  publicApiUrl: string;
}

const byodKindParams = z.object({ kind: z.enum(['db', 'storage']) });

/** `/api/projects` (mounted behind the dashboard limiter). */
export function createProjectsRouter(deps: ProjectsRouterDeps): Router {
  const { projects, settings, access } = deps;
  const router = guardedRouter([]);
  const scope = dashboardScope;

  router.post('/', deps.requireDeveloper, requireVerified, async (req, res) => {
    res.status(201).json(await projects.create(currentDeveloper(res), parse(createProjectBody, req.body)));
  });
  router.get('/', deps.requireDeveloper, async (_req, res) => {
    res.json(await projects.list(currentDeveloper(res)));
  });
  router.get('/:projectId', ...access('read'), async (req, res) => {
    res.json({ ...(await projects.get(scope(req))), publicApiUrl: deps.publicApiUrl });
  });
  router.patch('/:projectId', ...access('write'), async (req, res) => {
    res.json(await projects.update(scope(req), parse(updateProjectBody, req.body)));
  });
  router.delete('/:projectId', ...access('owner'), async (req, res) => {
    await projects.remove(scope(req));
    res.json({ message: 'Project and all associated resources deleted successfully' });
  });
  router.post('/:projectId/api-key', ...access('owner'), async (req, res) => {
    const { keyType } = parse(rotateKeyBody, req.body);
    res.json(await projects.rotateKey(scope(req), keyType));
  });
  router.patch('/:projectId/allowed-domains', ...access('write'), async (req, res) => {
    const { domains } = parse(allowedDomainsBody, req.body);
    res.json(await projects.setAllowedDomains(scope(req), domains));
  });
  router.patch('/:projectId/auth/toggle', ...access('write'), async (req, res) => {
    const { enable } = parse(authToggleBody, req.body);
    res.json(await settings.toggleAuth(scope(req), enable));
  });
  router.patch('/:projectId/auth/providers', ...access('write'), async (req, res) => {
    res.json(await settings.setAuthProviders(scope(req), parse(authProvidersBody, req.body)));
  });
  router.patch('/:projectId/byod-config', ...access('write'), async (req, res) => {
    res.json(await settings.setByod(scope(req), parse(byodConfigBody, req.body)));
  });
  router.post('/:projectId/byod-config/test', ...access('write'), async (req, res) => {
    res.json(await settings.testByod(parse(byodConfigBody, req.body)));
  });
  router.delete('/:projectId/byod-config/:kind', ...access('write'), async (req, res) => {
    const { kind } = parse(byodKindParams, req.params);
    res.json(await settings.deleteByod(scope(req), kind));
  });
  return router.router;
}
