/** Test client of the realtime WebSocket, awaitable (the SSE reader is `openSse` of `@urbackend/common/testing`). */
import { Inbox } from '@urbackend/common/testing';
import WebSocket from 'ws';

export { type SseClient, type SseEvent, openSse } from '@urbackend/common/testing';

export interface WsClient {
  ws: WebSocket;
  inbox: Inbox<Record<string, unknown>>;
  next(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  send(message: Record<string, unknown>): void;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Connects a WebSocket; resolves after `welcome`, or rejects with the refused upgrade's status. */
export function openWs(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const inbox = new Inbox<Record<string, unknown>>();
    const closed = new Promise<{ code: number; reason: string }>((done) => {
      ws.on('close', (code, reason) => {
        inbox.end();
        done({ code, reason: reason.toString() });
      });
    });
    ws.on('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.on('error', (err) => reject(err));
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      inbox.push(message);
      if (message.type === 'welcome') {
        resolve({
          ws,
          inbox,
          next: (match, timeoutMs) => inbox.next(match, timeoutMs),
          send: (m) => ws.send(JSON.stringify(m)),
          closed,
          close: () => ws.close(),
        });
      }
    });
  });
}
