import express, { type Express, type RequestHandler } from 'express';
import type { BaseConfig } from '../config/index.js';
import type { Logger } from '../logger/index.js';
import { jsonBody } from './body.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { type HealthDeps, healthRouter } from './health.js';
import { httpLogger } from './http-logger.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security.js';

/** What the base app reads from an app's dependencies: its config, logger, db and cache (for health). */
export interface BaseAppDeps extends HealthDeps {
  config: Pick<BaseConfig, 'isProduction'> & { http: Pick<BaseConfig['http'], 'trustProxy' | 'bodyLimit'> };
  logger: Logger;
}

export interface BaseAppOptions {
  /** The app's CORS middleware (strict for the dashboard, per-project for the public API). */
  cors: RequestHandler;
  /** Routes that must see the raw request body (presigned file PUTs): mounted before the JSON parser. */
  beforeBody?: RequestHandler[];
}

/**
 * An Express 5 app with the middleware every API shares, in order: request id, request log,
 * security headers, CORS, JSON body (size + depth limits), then health routes. Add routers,
 * then call `finishApp`.
 */
export function createBaseApp(deps: BaseAppDeps, options: BaseAppOptions): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.http.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestId(), httpLogger(logger), securityHeaders(config.isProduction), options.cors);
  if (options.beforeBody?.length) app.use(...options.beforeBody);
  app.use(...jsonBody(config.http.bodyLimit));
  app.use(healthRouter(deps));
  return app;
}

/** Adds the JSON 404 for unknown routes and the one error middleware. Call after every router. */
export function finishApp(app: Express, logger: Logger): Express {
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
