import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import { type RealtimeServerConfig, isStreamId } from '@urbackend/common/realtime';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { UsageCharge } from '../../middleware/usage.js';
import type { Connection, RealtimeHub, Transport } from './realtime.hub.js';
import { credentialsOf } from './realtime.routes.js';

export const REALTIME_WS_PATH = '/api/realtime';

/** Close codes: 4401 credentials revoked, 4403 forbidden, 4008 slow consumer, 4000 heartbeat timeout, 1001 shutdown. */
const CLOSE_CODES: Record<string, number> = {
  'key-revoked': 4401,
  'user-revoked': 4401,
  'user-deleted': 4401,
  'token-expired': 4401,
  unauthorized: 4401,
  forbidden: 4403,
  'slow-consumer': 4008,
  'heartbeat-timeout': 4000,
  shutdown: 1001,
};

const MAX_MESSAGE_BYTES = 64 * 1024;
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

function refuse(socket: Duplex, err: unknown): void {
  const e = err instanceof AppError ? err : new AppError('INTERNAL', 'Internal error');
  const body = JSON.stringify({
    success: false,
    error: e.isServerError ? 'Service temporarily unavailable.' : e.message,
    code: e.status,
  });
  const reason =
    e.status === 401 ? 'Unauthorized' : e.status === 403 ? 'Forbidden' : e.status === 429 ? 'Too Many Requests' : 'Error';
  socket.end(
    `HTTP/1.1 ${e.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Query parameters of a WebSocket subscription's `filter` object (values as in a list URL). */
function toQuery(message: Record<string, unknown>): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  const filter = message.filter;
  if (filter !== undefined) {
    if (!filter || typeof filter !== 'object' || Array.isArray(filter))
      throw new AppError('VALIDATION_FAILED', '"filter" must be an object.');
    for (const [k, v] of Object.entries(filter)) {
      query[k] = Array.isArray(v) ? v.map(String) : String(v);
    }
  }
  if (message.fields !== undefined)
    query.fields = Array.isArray(message.fields) ? message.fields.join(',') : String(message.fields);
  if (message.meta !== undefined) query.meta = String(message.meta);
  return query;
}

/**
 * WebSocket realtime on `/api/realtime` (the `ws` package, on the API's HTTP server): the same
 * credentials as HTTP (headers, or `?ticket=`), checked and charged to the plan's request quota
 * before the upgrade (401/403/429 as HTTP answers); then one connection, many subscriptions.
 */
export function attachRealtimeWebSocket(
  server: Server,
  deps: {
    hub: RealtimeHub;
    settings: RealtimeServerConfig;
    logger: Logger;
    /** The plan's request quotas: an upgrade is one request, like opening a stream. */
    charge: UsageCharge;
  },
): { close(): void } {
  const { hub, settings } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== REALTIME_WS_PATH && url.pathname !== `${REALTIME_WS_PATH}/`) {
      socket.destroy();
      return;
    }
    let ws: WebSocket | null = null;
    let conn: Connection;
    try {
      if (url.searchParams.has('key')) throw new AppError('VALIDATION_FAILED', 'API keys are not accepted in realtime URLs.');
      const ticket = url.searchParams.get('ticket') ?? undefined;
      const { credentials, projectId } = await credentialsOf(hub, req.headers, ticket);
      const scope = await hub.authenticate(credentials);
      if (projectId && scope.project._id !== projectId)
        throw new AppError('UNAUTHENTICATED', 'Invalid, used or expired realtime ticket.');
      await deps.charge(scope);
      const send = (message: Record<string, unknown>): boolean => {
        if (!ws || ws.readyState !== WebSocket.OPEN) return false;
        ws.send(JSON.stringify(message));
        return ws.bufferedAmount <= settings.maxBufferedBytes;
      };
      const transport: Transport = {
        kind: 'ws',
        send: (subscription, event) => send({ ...event, subscription }),
        subscriptionRevoked: (subscription, error) => {
          send({ type: 'error', subscription, code: error.status, error: error.message });
        },
        close: (reason) => {
          if (!ws) return;
          if (reason === 'slow-consumer') ws.terminate();
          else if (ws.readyState === WebSocket.OPEN) ws.close(CLOSE_CODES[reason] ?? 4000, reason);
        },
      };
      conn = await hub.open(scope, credentials, transport);
    } catch (err) {
      refuse(socket, err);
      return;
    }
    wss.handleUpgrade(req, socket, head, (socketWs) => {
      ws = socketWs;
      const send = (message: Record<string, unknown>) => {
        if (socketWs.readyState !== WebSocket.OPEN) return;
        socketWs.send(JSON.stringify(message));
        if (socketWs.bufferedAmount > settings.maxBufferedBytes) hub.close(conn, 'slow-consumer');
      };
      if (conn.closed) {
        socketWs.close(4401, 'closed');
        return;
      }
      let alive = true;
      socketWs.on('pong', () => {
        alive = true;
      });
      const beat = setInterval(() => {
        if (!alive) return hub.close(conn, 'heartbeat-timeout');
        alive = false;
        socketWs.ping();
        const positions = Object.fromEntries([...conn.subscriptions.values()].map((s) => [s.id, s.buffer ? null : s.after]));
        send({ type: 'heartbeat', positions });
      }, settings.heartbeatMs);
      socketWs.on('close', () => {
        clearInterval(beat);
        hub.close(conn, 'client-closed');
      });
      socketWs.on('error', () => undefined);
      socketWs.on('message', (data: RawData) => {
        alive = true;
        let message: Record<string, unknown>;
        try {
          const parsed: unknown = JSON.parse(data.toString());
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
          message = parsed as Record<string, unknown>;
        } catch {
          send({ type: 'error', code: 400, error: 'Messages must be JSON objects.' });
          return;
        }
        const id = message.id;
        if (message.type === 'ping') return send({ type: 'pong' });
        if (message.type !== 'subscribe' && message.type !== 'unsubscribe') {
          return send({ type: 'error', code: 400, error: 'Unknown message type (subscribe, unsubscribe, ping).' });
        }
        if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
          return send({ type: 'error', code: 400, error: '"id" must be 1 to 64 characters: letters, digits, _ . : -' });
        }
        if (message.type === 'unsubscribe') {
          hub.unsubscribe(conn, id);
          return send({ type: 'unsubscribed', id });
        }
        if (typeof message.collection !== 'string')
          return send({ type: 'error', id, code: 400, error: '"collection" is required.' });
        let query: Record<string, unknown>;
        try {
          query = toQuery(message);
        } catch (err) {
          return send({ type: 'error', id, code: 400, error: (err as Error).message });
        }
        if (conn.subscriptions.has(id))
          return send({ type: 'error', id, code: 400, error: `Subscription "${id}" already exists.` });
        const since = typeof message.since === 'string' ? (isStreamId(message.since) ? message.since : '0-0') : null;
        const done = hub.subscribe(conn, { id, collection: message.collection, query, since });
        // Acknowledged before any replayed event (the subscription is registered synchronously).
        if (conn.subscriptions.has(id)) send({ type: 'subscribed', id, position: since ? null : conn.position });
        done.catch((err: unknown) => {
          const e = err instanceof AppError ? err : new AppError('INTERNAL', 'Subscription failed.');
          send({ type: 'error', id, code: e.status, error: e.isServerError ? 'Subscription failed.' : e.message });
        });
      });
      send({
        type: 'welcome',
        connectionId: conn.id,
        heartbeatMs: settings.heartbeatMs,
        maxSubscriptions: hub.maxSubscriptions(conn),
      });
    });
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch((err: unknown) => {
      deps.logger.warn({ err }, 'realtime upgrade failed');
      socket.destroy();
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      wss.close();
    },
  };
}
