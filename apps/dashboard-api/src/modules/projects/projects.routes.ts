import { parse } from '@urbackend/common/http';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import { type ConfigLogService, MASKED, diffOf, recordChange } from '../config-log/config-log.service.js';
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
  /** Every configuration change is recorded here (config audit log). */
  configLog: Pick<ConfigLogService, 'record' | 'snapshot'>;
}

const INFO_FIELDS = ['name', 'description', 'siteUrl'] as const;
const pick = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const byodKindParams = z.object({ kind: z.enum(['db', 'storage']) });

/** `/api/projects` (mounted behind the dashboard limiter). */
export function createProjectsRouter(deps: ProjectsRouterDeps): Router {
  const { projects, settings, access, configLog } = deps;
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
    const s = scope(req);
    const before = s.project as unknown as Record<string, unknown>;
    const updated = await projects.update(s, parse(updateProjectBody, req.body));
    const info = diffOf(pick(before, INFO_FIELDS), pick(updated, INFO_FIELDS));
    const label = `Project info updated: ${info.map((d) => d.field).join(', ')}`;
    await recordChange(configLog, s, { category: 'project_info', label, diff: info });
    const uploads = diffOf(pick(before, ['allowPublishableUploads']), pick(updated, ['allowPublishableUploads']));
    const allowed = updated.allowPublishableUploads ? 'allowed' : 'refused';
    await recordChange(configLog, s, {
      category: 'storage',
      label: `Storage settings updated: uploads with the publishable key ${allowed}`,
      diff: uploads,
    });
    res.json(updated);
  });
  router.delete('/:projectId', ...access('owner'), async (req, res) => {
    await projects.remove(scope(req));
    res.json({ message: 'Project and all associated resources deleted successfully' });
  });
  router.post('/:projectId/api-key', ...access('owner'), async (req, res) => {
    const { keyType } = parse(rotateKeyBody, req.body);
    const rotated = await projects.rotateKey(scope(req), keyType);
    // The key itself is never logged: only that it changed.
    await configLog.record(scope(req), {
      category: 'api_key',
      label: `${keyType === 'publishable' ? 'Publishable' : 'Secret'} API key rotated`,
      diff: [{ field: `${keyType}Key`, from: MASKED, to: MASKED }],
    });
    res.json(rotated);
  });
  router.patch('/:projectId/allowed-domains', ...access('write'), async (req, res) => {
    const { domains } = parse(allowedDomainsBody, req.body);
    const before = scope(req).project.allowedDomains;
    const result = await projects.setAllowedDomains(scope(req), domains);
    await recordChange(configLog, scope(req), {
      category: 'allowed_domains',
      label: `Allowed domains updated (${plural(result.allowedDomains.length, 'domain')})`,
      diff: diffOf({ allowedDomains: before }, { allowedDomains: result.allowedDomains }),
    });
    res.json(result);
  });
  router.patch('/:projectId/auth/toggle', ...access('write'), async (req, res) => {
    const { enable } = parse(authToggleBody, req.body);
    const before = scope(req).project.isAuthEnabled;
    const result = await settings.toggleAuth(scope(req), enable);
    await recordChange(configLog, scope(req), {
      category: 'auth',
      label: `Authentication ${result.isAuthEnabled ? 'enabled' : 'disabled'}`,
      diff: diffOf({ isAuthEnabled: before }, { isAuthEnabled: result.isAuthEnabled }),
    });
    res.json(result);
  });
  router.patch('/:projectId/auth/providers', ...access('write'), async (req, res) => {
    const s = scope(req);
    const body = parse(authProvidersBody, req.body);
    const result = await settings.setAuthProviders(s, body);
    const after = await configLog.snapshot(s.project._id);
    const names = (['github', 'google'] as const).filter((n) => body[n] !== undefined);
    await configLog.record(s, {
      category: 'auth_providers',
      label: `OAuth providers updated: ${names.join(', ')}`,
      diff: after ? diffOf(pick(s.project.authProviders, names), pick(after.authProviders, names)) : [],
    });
    res.json(result);
  });
  router.patch('/:projectId/byod-config', ...access('write'), async (req, res) => {
    const s = scope(req);
    const body = parse(byodConfigBody, req.body);
    const result = await settings.setByod(s, body);
    const after = await configLog.snapshot(s.project._id);
    const kinds = [
      ...(body.dbUri !== undefined ? (['db'] as const) : []),
      ...(body.storageProvider !== undefined || body.storageUrl !== undefined || body.s3Bucket !== undefined
        ? (['storage'] as const)
        : []),
    ];
    for (const kind of kinds) {
      // The stored config is encrypted anew on every save: its entry says "changed", masked.
      await configLog.record(s, {
        category: kind === 'db' ? 'byod_db' : 'byod_storage',
        label: `External ${kind === 'db' ? 'database' : 'storage'} (BYOD) configuration updated`,
        diff: after ? diffOf(s.project.resources[kind], after.resources[kind], { secret: ['config'] }) : [],
      });
    }
    res.json(result);
  });
  router.post('/:projectId/byod-config/test', ...access('write'), async (req, res) => {
    res.json(await settings.testByod(parse(byodConfigBody, req.body)));
  });
  router.delete('/:projectId/byod-config/:kind', ...access('write'), async (req, res) => {
    const { kind } = parse(byodKindParams, req.params);
    const s = scope(req);
    const result = await settings.deleteByod(s, kind);
    await recordChange(configLog, s, {
      category: kind === 'db' ? 'byod_db' : 'byod_storage',
      label: `External ${kind === 'db' ? 'database' : 'storage'} (BYOD) configuration removed`,
      diff: diffOf(s.project.resources[kind], { isExternal: false, config: null, provider: null }, { secret: ['config'] }),
    });
    res.json(result);
  });
  return router.router;
}
