import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from '../logger/index.js';
import { jsonBody } from './body.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { type HealthDeps, healthRouter } from './health.js';
import { httpLogger } from './http-logger.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security.js';

export interface BaseAppOptions extends HealthDeps {
  logger: Logger;
  isProduction: boolean;
  trustProxy: boolean | number | string;
  bodyLimit: string;
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
export function createBaseApp(options: BaseAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestId(), httpLogger(options.logger), securityHeaders(options.isProduction), options.cors);
  if (options.beforeBody?.length) app.use(...options.beforeBody);
  app.use(...jsonBody(options.bodyLimit));
  app.use(healthRouter(options));
  return app;
}

/** Adds the JSON 404 for unknown routes and the one error middleware. Call after every router. */
export function finishApp(app: Express, logger: Logger): Express {
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
