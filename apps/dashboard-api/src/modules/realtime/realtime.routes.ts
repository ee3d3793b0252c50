import type { DataEvent } from '@urbackend/common/data';
import { AppError, unavailable } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import {
  type CompiledSubscription,
  DEFAULT_REALTIME_SERVER,
  type RealtimeEntry,
  type SubscriberEvent,
  compileSubscription,
  idTime,
  isStreamId,
} from '@urbackend/common/realtime';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type DashboardScope, type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import type { DashboardLive } from './realtime.service.js';

export interface DashboardRealtimeDeps {
  live: DashboardLive;
  access: (action: ProjectAction) => RequestHandler[];
  /** Heartbeat interval of the streams (default 25 s). */
  heartbeatMs?: number;
  /** Unsent bytes one stream may queue before it is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
}

type View = (event: DataEvent) => SubscriberEvent | null;

const collectionParams = z.object({ collectionName: z.string().min(1) });
/** Query parameters of the live routes that are not filters. */
const TRANSPORT_PARAMS = ['lastEventId'];

/** Runs an Express middleware in a handler (re-running the access guards on an open stream). */
function run(mw: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    Promise.resolve(mw(req, res, (err?: unknown) => (err ? reject(err) : resolve()))).catch(reject);
  });
}

/** The expiry (ms) of a dashboard session token (a JWT); null for a personal access token. */
function tokenExpiry(req: Request): number | null {
  const token = (req.headers.authorization ?? '').split(' ')[1] ?? '';
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Every collection of the project as the developer sees it (the Realtime view's tail). */
function allCollections(scope: DashboardScope): View {
  const compiled = new Map<string, CompiledSubscription | null>();
  return (event) => {
    let sub = compiled.get(event.collection);
    if (sub === undefined) {
      try {
        sub = compileSubscription(scope, event.collection, {});
      } catch {
        sub = null;
      }
      compiled.set(event.collection, sub);
    }
    return sub ? sub.view(event) : null;
  };
}

/**
 * Live routes of the dashboard (developers have no API key): Server-Sent Events read from the
 * project's realtime stream through the common bus, with the developer's rights (every document,
 * never `password`), resumable with `Last-Event-ID` / `?lastEventId=`; and the Realtime view's
 * counts. The browser reads the streams with fetch (it sends the usual `Authorization` header).
 *
 * - `GET /collections/:collectionName/live?<filters>`: one collection (the data browser), the
 *   list route's filter language and `fields`.
 * - `GET /realtime/live`: every collection (the Realtime view's event tail).
 * - `GET /realtime/stats`: open public-api connections (all processes), the plan's limits.
 */
export function createDashboardRealtimeRouter(deps: DashboardRealtimeDeps): Router {
  const { live, access } = deps;
  const heartbeatMs = deps.heartbeatMs ?? DEFAULT_REALTIME_SERVER.heartbeatMs;
  const maxBuffered = deps.maxBufferedBytes ?? DEFAULT_REALTIME_SERVER.maxBufferedBytes;
  const r = guardedRouter([], { mergeParams: true });
  const guards = access('read');

  async function stream(req: Request, res: Response, makeView: (scope: DashboardScope) => View, label: Record<string, unknown>) {
    const scope = dashboardScope(req);
    const projectId = scope.project._id;
    let view = makeView(scope); // the list route's 4xx (unknown collection, bad filter) before the stream starts
    const header = req.headers['last-event-id'];
    const param = (req.query as Record<string, unknown>).lastEventId;
    const raw = typeof header === 'string' && header ? header : typeof param === 'string' && param ? param : null;
    const since = raw === null ? null : isStreamId(raw) ? raw : '0-0';

    let open = true;
    let started = false;
    const pending: string[] = [];
    const timers: NodeJS.Timeout[] = [];
    let cleanup: () => void = () => undefined;
    const write = (text: string): boolean => {
      if (!open || res.destroyed) return false;
      if (!started) {
        pending.push(text);
        return true;
      }
      res.write(text);
      return res.writableLength <= maxBuffered;
    };
    const end = (event: string | null, body: Record<string, unknown>) => {
      if (!open) return;
      if (event) write(`event: ${event}\ndata: ${JSON.stringify(body)}\n\n`);
      open = false;
      cleanup();
      if (event) res.end();
      else res.destroy();
    };
    const frame = (entry: RealtimeEntry) => {
      if (entry.record.kind !== 'data') return;
      const event = view(entry.record);
      if (!event) return;
      const body = { id: entry.id, ...event, at: new Date(idTime(entry.id)).toISOString() };
      if (!write(`id: ${entry.id}\nevent: ${event.type}\ndata: ${JSON.stringify(body)}\n\n`)) end(null, {});
    };
    let follower: Awaited<ReturnType<DashboardLive['follow']>>;
    try {
      follower = await live.follow(projectId, since, frame, (position) =>
        write(`id: ${position}\nevent: reset\ndata: ${JSON.stringify({ id: position, reason: 'history-unavailable' })}\n\n`),
      );
    } catch {
      throw unavailable('Live updates are unavailable right now; try again shortly.');
    }
    const untrack = live.track({
      projectId,
      async recheck() {
        if (!open) return;
        try {
          for (const guard of guards) await run(guard, req, res);
          view = makeView(dashboardScope(req));
        } catch (err) {
          if (err instanceof AppError && err.status < 500) {
            end('close', {
              reason: err.status === 401 ? 'token-expired' : 'access-revoked',
              code: err.status,
              error: err.message,
            });
          }
          // Database/Redis trouble: keep the stream, the next check decides.
        }
      },
    });
    cleanup = () => {
      follower.stop();
      untrack();
      for (const t of timers) clearTimeout(t);
    };
    res.on('close', () => {
      if (open) {
        open = false;
        cleanup();
      }
    });
    const expiry = tokenExpiry(req);
    if (expiry !== null) {
      const ms = Math.max(0, Math.min(expiry - Date.now(), 2 ** 31 - 1));
      timers.push(setTimeout(() => end('close', { reason: 'token-expired' }), ms).unref());
    }
    timers.push(
      setInterval(() => {
        const position = follower.after();
        if (!write(`event: heartbeat\nid: ${position}\ndata: ${JSON.stringify({ position })}\n\n`)) end(null, {});
      }, heartbeatMs).unref(),
    );
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const ready = { ...label, heartbeatMs, resumed: since !== null, position: follower.position };
    res.write(`retry: 3000\nevent: ready\n${since ? '' : `id: ${follower.position}\n`}data: ${JSON.stringify(ready)}\n\n`);
    started = true;
    for (const text of pending.splice(0)) write(text);
  }

  r.get('/collections/:collectionName/live', ...access('read'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const query = { ...(req.query as Record<string, unknown>) };
    for (const p of TRANSPORT_PARAMS) delete query[p];
    await stream(
      req,
      res,
      (scope) => {
        const compiled = compileSubscription(scope, collectionName, query);
        return (event) => compiled.view(event);
      },
      { collection: collectionName },
    );
  });

  r.get('/realtime/live', ...access('read'), async (req, res) => {
    await stream(req, res, allCollections, { collection: null });
  });

  r.get('/realtime/stats', ...access('read'), async (req, res) => {
    const scope = dashboardScope(req);
    const projectId = scope.project._id;
    const connections = await live.connections(projectId).catch(() => null);
    res.json({
      success: true,
      data: {
        connections,
        dashboardStreams: live.dashboardStreams(projectId),
        // The plan's limits (a server may lower them with REALTIME_MAX_*; -1 = unlimited).
        limits: {
          connections: scope.limits.maxRealtimeConnections,
          subscriptionsPerConnection: scope.limits.maxRealtimeSubscriptions,
        },
        bus: live.bus(),
      },
      message: 'Realtime statistics.',
    });
  });

  return r.router;
}
