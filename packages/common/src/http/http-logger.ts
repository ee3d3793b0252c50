import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { type Logger, createErrorSerializer } from '../logger/index.js';

/** Removes credentials that may ride in a query string (`?key=pk_live_…`). */
export function redactQuery(url: string): string {
  return url.replace(/([?&](?:key|token|code|apiKey|ticket|access_token|refresh_token)=)[^&]*/gi, '$1[redacted]');
}

/**
 * One log line per request (method, path with query credentials cut, status, time); health probes
 * and requests flagged `res.locals.quietReject` (summed up elsewhere) are not logged.
 */
export function httpLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    // Its lines hold only what the serializers below pick (no headers, no body, credentials cut
    // from the query), so the process logger's 60-odd redaction paths (wildcards included, walked
    // on every line: ~5 % of a cheap request's CPU) are replaced by a guard on headers.
    logger: logger.child({}, { redact: { paths: ['req.headers', 'res.headers'], censor: '[redacted]' } }),
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
    autoLogging: { ignore: (req) => req.url === '/api/health' || req.url === '/health' || req.url === '/api/ready' },
    customLogLevel: (_req, res: ServerResponse & { locals?: { quietReject?: boolean } }, err) =>
      res.locals?.quietReject ? 'silent' : err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      // `path`, not `url`: the logger redacts every `url` field (webhook and BYOD URLs may carry
      // credentials), which hid the path of every request; credentials in the query are cut here.
      req: (req: { id?: string; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        path: redactQuery(req.url ?? ''),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: createErrorSerializer(false),
    },
  }) as unknown as RequestHandler;
}
