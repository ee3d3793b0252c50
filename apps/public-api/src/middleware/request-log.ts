import type { Logger } from '@urbackend/common/logger';
import type { RequestLog, RequestLogModel } from '@urbackend/common/models';
import { ObjectId } from '@urbackend/common/tenant';
import type { RequestHandler } from 'express';

/** Buffers request records and inserts them in batches, off the request path. */
export interface RequestLogWriter {
  record(entry: RequestLog): void;
  /** Writes what is buffered (also called by the timer). Never throws. */
  flush(): Promise<void>;
  /** Stops the timer and flushes. */
  close(): Promise<void>;
}

export interface RequestLogWriterOptions {
  model: RequestLogModel;
  logger: Logger;
  /** Oldest records are dropped beyond this (MongoDB slow or down). Default 5000. */
  maxBuffer?: number;
  flushMs?: number;
}

export function createRequestLogWriter(options: RequestLogWriterOptions): RequestLogWriter {
  const max = options.maxBuffer ?? 5000;
  let buffer: RequestLog[] = [];
  let dropped = 0;
  let flushing: Promise<void> | null = null;

  async function write(): Promise<void> {
    while (buffer.length) {
      const batch = buffer.splice(0, 500);
      try {
        await options.model.insertMany(batch, { ordered: false, lean: true });
      } catch (err) {
        options.logger.warn({ err: { message: (err as Error).message }, lost: batch.length }, 'request logs not written');
        return;
      }
    }
  }
  const flush = () => {
    flushing ??= write().finally(() => {
      flushing = null;
    });
    return flushing;
  };
  const timer = setInterval(() => {
    if (dropped) options.logger.warn({ dropped }, 'request log buffer full; oldest records dropped');
    dropped = 0;
    void flush();
  }, options.flushMs ?? 1000);
  timer.unref();

  return {
    record(entry) {
      buffer.push(entry);
      if (buffer.length > max) {
        buffer = buffer.slice(buffer.length - max);
        dropped++;
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

/**
 * Records every request that resolved a project through an API key (method, route, status,
 * latency, IP, user agent, end user, error message, time buckets).
 */
export function requestLogMiddleware(writer: RequestLogWriter): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // The route template is captured when the router matches it: by 'finish', an error handled
    // outside the sub-router has reset `req.baseUrl` (which gave `/:collectionName` for a 404).
    let route = '';
    let matched: unknown;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => matched,
      set(value: { path?: unknown } | undefined) {
        matched = value;
        if (typeof value?.path === 'string') route = `${req.baseUrl}${value.path}`;
      },
    });
    res.on('finish', () => {
      const scope = req.ctx?.scope;
      if (!scope || scope.actor.type !== 'key') return;
      const at = new Date();
      const iso = at.toISOString();
      writer.record({
        projectId: new ObjectId(scope.project._id),
        method: req.method,
        route,
        path: req.originalUrl.split('?')[0] ?? '',
        status: res.statusCode,
        latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
        ip: req.ip ?? '',
        keyRole: scope.actor.key,
        ...(req.get('user-agent') ? { userAgent: req.get('user-agent')?.slice(0, 300) } : {}),
        ...(scope.actor.user ? { userId: scope.actor.user.userId } : {}),
        // The message the one error path answered with (errorHandler), for the dashboard's log detail.
        ...(typeof res.locals.errorMessage === 'string' ? { error: res.locals.errorMessage.slice(0, 500) } : {}),
        at,
        minute: iso.slice(0, 16),
        hour: iso.slice(0, 13),
        day: iso.slice(0, 10),
      });
    });
    next();
  };
}
