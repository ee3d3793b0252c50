import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { type Logger, createErrorSerializer } from '../logger/index.js';

/** Removes credentials that may ride in a query string (`?key=pk_live_…`). */
export function redactQuery(url: string): string {
  return url.replace(/([?&](?:key|token|code|apiKey)=)[^&]*/gi, '$1[redacted]');
}

/** One log line per request (method, redacted URL, status, time); health probes are not logged. */
export function httpLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
    autoLogging: { ignore: (req) => req.url === '/api/health' || req.url === '/health' || req.url === '/api/ready' },
    customLogLevel: (_req, res: ServerResponse, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: { id?: string; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactQuery(req.url ?? ''),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: createErrorSerializer(false),
    },
  }) as unknown as RequestHandler;
}
