import { createBaseApp, dashboardCors, finishApp } from '@urbackend/common/http';
import type { Express } from 'express';
import type { AppDeps } from './deps.js';

/** The Dashboard API's Express app. No env, no listen: main.ts and tests call this. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = createBaseApp({
    logger,
    isProduction: config.isProduction,
    trustProxy: config.http.trustProxy,
    bodyLimit: config.http.bodyLimit,
    cors: dashboardCors(config.http.dashboardOrigins),
    db: deps.db,
    cache: deps.cache,
  });
  return finishApp(app, logger);
}
