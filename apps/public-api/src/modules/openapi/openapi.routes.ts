import { scopeOf } from '@urbackend/common/http';
import type { OpenApiCache } from '@urbackend/common/openapi';
import { keyRoleOf } from '@urbackend/common/scope';
import { type RequestHandler, Router } from 'express';

export interface OpenApiRouterDeps {
  cache: OpenApiCache;
  /** This API's public base URL (the document's server). */
  serverUrl: string;
  /** `[apiKey, usage]`. */
  guard: RequestHandler[];
}

/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 document of the key's project, listing only what that
 * key may call. Generated once per schema version (and key role), then served from memory with
 * an `ETag` (a matching `If-None-Match` answers 304).
 */
export function createOpenApiRouter(deps: OpenApiRouterDeps): Router {
  const router = Router();
  router.get('/openapi.json', ...deps.guard, (req, res) => {
    const scope = scopeOf(req);
    const role = keyRoleOf(scope) === 'secret' ? 'secret' : 'publishable';
    const cached = deps.cache.get(scope.project, { role, serverUrl: deps.serverUrl });
    res.set('ETag', cached.etag);
    res.set('Cache-Control', 'private, no-cache');
    res.set('Vary', 'x-api-key');
    if (req.headers['if-none-match'] === cached.etag) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(cached.body);
  });
  return router;
}
