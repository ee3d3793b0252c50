import { Router } from 'express';
import type { RedisConnection } from '../cache/index.js';
import type { PlatformDb } from '../db/index.js';

export interface HealthDeps {
  db: Pick<PlatformDb, 'ping'>;
  cache: Pick<RedisConnection, 'status'>;
  /** Extra counters for the health body's `details` (e.g. the public API's realtime metrics); omitted when absent. */
  healthDetails?: () => Record<string, unknown>;
}

/**
 * `GET /api/health` (also `/health`, CONTRACT §8): 200 `ok` / `degraded` (Redis down or disabled is degraded),
 * 503 `error` when MongoDB is down. `GET /api/ready`: 200 when MongoDB answers, else 503.
 * Neither body is an error envelope.
 */
export function healthRouter(deps: HealthDeps): Router {
  const router = Router();
  // `/health` too: the official CLI's `ub doctor` probes `${apiBase}/health` without `/api`.
  router.get(['/api/health', '/health'], async (_req, res) => {
    const [mongoUp, redis] = await Promise.all([deps.db.ping(1000), deps.cache.status(500)]);
    const status = !mongoUp ? 'error' : redis === 'connected' ? 'ok' : 'degraded';
    res
      .status(mongoUp ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({
        status,
        dependencies: { mongodb: mongoUp ? 'connected' : 'disconnected', redis },
        timestamp: new Date().toISOString(),
        ...(deps.healthDetails ? { details: deps.healthDetails() } : {}),
      });
  });
  router.get('/api/ready', async (_req, res) => {
    const ready = await deps.db.ping(1000);
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ ready });
  });
  return router;
}
