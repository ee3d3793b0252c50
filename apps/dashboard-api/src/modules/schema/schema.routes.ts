import { parse } from '@urbackend/common/http';
import { type OpenApiCache, generateTypes, generateZodModule } from '@urbackend/common/openapi';
import type { RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import type { SchemaService } from './schema.service.js';

export interface SchemaRouterDeps {
  schema: SchemaService;
  openApi: OpenApiCache;
  /** The public API's base URL (the OpenAPI document's server). */
  publicApiUrl: string;
  access: (action: ProjectAction) => RequestHandler[];
}

const syncQuery = z.object({ dryRun: z.enum(['true', 'false', '1', '0']).optional() }).passthrough();
const typesQuery = z.object({ format: z.enum(['ts', 'zod']).default('ts') }).passthrough();
const openApiQuery = z.object({ keyType: z.enum(['publishable', 'secret']).default('secret') }).passthrough();

/** A generated file as a download (`Content-Disposition`), never cached by the browser. */
function sendFile(res: Response, filename: string, contentType: string, body: string) {
  res.set('Content-Type', `${contentType}; charset=utf-8`);
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
  res.set('Cache-Control', 'no-store');
  res.send(body);
}

/**
 * Schema as code, mounted at `/api/projects/:projectId`: `GET /schema` (pull),
 * `PUT /sync-schema` (push; `?dryRun=true` plans only), `GET /types.d.ts` (`?format=zod` for a
 * zod module) and `GET /openapi.json` (`?keyType=publishable|secret`).
 */
export function createSchemaRouter(deps: SchemaRouterDeps): Router {
  const { schema, access } = deps;
  const r = guardedRouter([], { mergeParams: true });

  r.get('/schema', ...access('read'), (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({ success: true, data: schema.pull(dashboardScope(req)), message: 'Schema fetched successfully.' });
  });

  r.put('/sync-schema', ...access('write'), async (req, res) => {
    const { dryRun } = parse(syncQuery, req.query);
    const isDry = dryRun === 'true' || dryRun === '1';
    const result = await schema.sync(dashboardScope(req), req.body, { dryRun: isDry });
    const message = isDry
      ? `Dry run: ${result.synced} collection schema(s) would change${result.plan.blocked ? ', but the sync would be refused (duplicate values)' : ''}. Nothing was changed.`
      : `Successfully synced ${result.synced} collection schema(s).`;
    res.json({ success: true, data: result, message });
  });

  r.get('/types.d.ts', ...access('read'), (req, res) => {
    const { format } = parse(typesQuery, req.query);
    const { project } = dashboardScope(req);
    if (format === 'zod') sendFile(res, 'urbackend.zod.ts', 'text/plain', generateZodModule(project.name, project.collections));
    else sendFile(res, 'urbackend.d.ts', 'text/plain', generateTypes(project.name, project.collections));
  });

  r.get('/openapi.json', ...access('read'), (req, res) => {
    const { keyType } = parse(openApiQuery, req.query);
    const cached = deps.openApi.get(dashboardScope(req).project, { role: keyType, serverUrl: deps.publicApiUrl });
    res.set('Cache-Control', 'no-store');
    res.type('application/json').send(cached.body);
  });

  return r.router;
}
