/**
 * The typed client `@urbackend/realtime` against a real public API (HTTP server on FerretDB and
 * Redis), in Node with `ws` injected: SSE and WebSocket subscriptions, refusals, and the issue's
 * "5 s disconnect": the connection is cut and refused for 5 s while writes go on; the client
 * resumes with its last event id and receives every missed event exactly once, in order.
 */
import type { Server } from 'node:http';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { DEFAULT_REALTIME_SERVER } from '@urbackend/common/realtime';
import type { TestProject } from '@urbackend/common/testing';
import {
  type ChangeEvent,
  type RealtimeClient,
  type SubscriptionStatus,
  type WebSocketConstructor,
  createRealtimeClient,
} from '@urbackend/realtime';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, createHarness } from '../../testing/harness.js';
import { attachRealtimeWebSocket } from './realtime.ws.js';

interface Post {
  _id: string;
  title: string;
  status?: string;
}

let h: Harness;
let server: Server;
let port = 0;
let p: TestProject;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  h = await createHarness('realtime-client');
  server = h.app.listen(0);
  attachRealtimeWebSocket(server, {
    hub: h.deps.realtimeHub,
    settings: { ...DEFAULT_REALTIME_SERVER, heartbeatMs: 1000 },
    logger: h.platform.logger,
    charge: h.deps.usageCharge,
  });
  port = (server.address() as AddressInfo).port;
  p = await h.project({
    collections: [
      {
        name: 'posts',
        model: [
          { key: 'title', type: 'String' },
          { key: 'status', type: 'String' },
          { key: 'body', type: 'String' },
        ],
      },
    ],
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await h.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(url = `http://127.0.0.1:${port}`, apiKey = p.secretKey): RealtimeClient {
  const c = createRealtimeClient({
    url,
    apiKey,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    minDelayMs: 100,
    maxDelayMs: 500,
  });
  clients.push(c);
  return c;
}

async function insert(body: Record<string, unknown>): Promise<string> {
  const res = await request(h.app).post('/api/data/posts').set('x-api-key', p.secretKey).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body._id as string;
}

/** Collects a subscription's events; `until` waits for one matching. */
function collector() {
  const events: ChangeEvent<Post>[] = [];
  const statuses: SubscriptionStatus[] = [];
  let resets = 0;
  const waiters: (() => void)[] = [];
  return {
    events,
    statuses,
    resets: () => resets,
    handlers: {
      onChange: (e: ChangeEvent<Post>) => {
        events.push(e);
        for (const w of waiters.splice(0)) w();
      },
      onReset: () => {
        resets += 1;
      },
      onStatus: (s: SubscriptionStatus) => statuses.push(s),
    },
    async until(match: (e: ChangeEvent<Post>) => boolean, timeoutMs = 5000): Promise<ChangeEvent<Post>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}

/** A TCP proxy in front of the API that can cut every connection and refuse new ones for a while. */
async function tcpProxy(target: number) {
  let blockedUntil = 0;
  const sockets = new Set<Socket>();
  const proxy = createServer((inbound) => {
    if (Date.now() < blockedUntil) return inbound.destroy();
    const upstream = connect(target, '127.0.0.1');
    for (const s of [inbound, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        inbound.destroy();
        upstream.destroy();
      });
    }
    inbound.pipe(upstream).pipe(inbound);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    /** Destroys every open connection and refuses new ones for `ms`. */
    cut(ms: number) {
      blockedUntil = Date.now() + ms;
      for (const s of sockets) s.destroy();
    },
    close() {
      blockedUntil = Number.POSITIVE_INFINITY;
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

describe('@urbackend/realtime against the public API', () => {
  it('SSE: typed inserts, updates and deletes of a filtered, projected subscription', async () => {
    const got = collector();
    const sub = client().subscribe<Post>('posts', { filter: { status: 'published' }, fields: ['title', 'status'] }, got.handlers);
    await sub.ready;
    expect(sub.status).toBe('open');
    const id = await insert({ title: 'hello', status: 'published', body: 'hidden' });
    await insert({ title: 'draft', status: 'draft' });
    const inserted = await got.until((e) => e.type === 'insert');
    expect(inserted).toMatchObject({
      type: 'insert',
      documentId: id,
      document: { _id: id, title: 'hello', status: 'published' },
    });
    expect(inserted.type === 'insert' && 'body' in inserted.document).toBe(false);
    await request(h.app).patch(`/api/data/posts/${id}`).set('x-api-key', p.secretKey).send({ title: 'hi' }).expect(200);
    expect(await got.until((e) => e.type === 'update')).toMatchObject({ changedFields: ['title'], document: { title: 'hi' } });
    await request(h.app).delete(`/api/data/posts/${id}`).set('x-api-key', p.secretKey).expect(200);
    expect(await got.until((e) => e.type === 'delete')).toEqual({
      id: expect.any(String),
      type: 'delete',
      collection: 'posts',
      documentId: id,
    });
    expect(got.events.map((e) => e.type)).toEqual(['insert', 'update', 'delete']);
    expect(sub.lastEventId).toBe(got.events.at(-1)?.id);
    sub.close();
    expect(sub.status).toBe('closed');
  });

  it('WebSocket (ws injected): several subscriptions on one socket; a refused one fails alone', async () => {
    const c = client();
    const all = collector();
    const published = collector();
    const a = c.subscribe<Post>('posts', { transport: 'ws' }, all.handlers);
    const b = c.subscribe<Post>('posts', { transport: 'ws', filter: { status: 'published' } }, published.handlers);
    const errors: number[] = [];
    const bad = c.subscribe('nope', { transport: 'ws' }, { onError: (e) => errors.push(e.status) });
    await Promise.all([a.ready, b.ready]);
    await expect(bad.ready).rejects.toMatchObject({ name: 'RealtimeError', status: 404 });
    expect(errors).toEqual([404]);
    const draft = await insert({ title: 'd', status: 'draft' });
    const pub = await insert({ title: 'p', status: 'published' });
    await all.until((e) => e.documentId === pub);
    await published.until((e) => e.documentId === pub);
    expect(all.events.map((e) => e.documentId)).toEqual([draft, pub]);
    expect(published.events.map((e) => e.documentId)).toEqual([pub]);
    a.close();
    b.close();
  });

  it('a wrong key is refused once, without reconnecting', async () => {
    const statuses: SubscriptionStatus[] = [];
    const sub = client(undefined, 'sk_live_wrong').subscribe('posts', {}, { onStatus: (s) => statuses.push(s) });
    await expect(sub.ready).rejects.toMatchObject({ status: 401 });
    expect(statuses).toEqual(['closed']);
  });

  it('after a 5 s disconnect it resumes with Last-Event-ID and receives every missed event exactly once', async () => {
    const proxy = await tcpProxy(port);
    const c = client(proxy.url);
    try {
      const viaSse = collector();
      const viaWs = collector();
      const sse = c.subscribe<Post>('posts', {}, viaSse.handlers);
      const ws = c.subscribe<Post>('posts', { transport: 'ws' }, viaWs.handlers);
      await Promise.all([sse.ready, ws.ready]);
      const before = await insert({ title: 'before' });
      await viaSse.until((e) => e.documentId === before);
      await viaWs.until((e) => e.documentId === before);

      const cutAt = performance.now();
      proxy.cut(5000);
      const missed: string[] = [];
      for (let i = 0; i < 20; i++) missed.push(await insert({ title: `missed ${i}` }));
      const after = await insert({ title: 'after' });
      await viaSse.until((e) => e.documentId === after, 15_000);
      await viaWs.until((e) => e.documentId === after, 15_000);
      const downFor = performance.now() - cutAt;
      process.stdout.write(`realtime client: reconnected and caught up ${downFor.toFixed(0)} ms after the cut\n`);
      expect(downFor).toBeGreaterThanOrEqual(5000);

      const expected = [before, ...missed, after];
      expect(viaSse.events.map((e) => e.documentId)).toEqual(expected);
      expect(viaWs.events.map((e) => e.documentId)).toEqual(expected);
      expect(new Set(viaSse.events.map((e) => e.id)).size).toBe(expected.length);
      expect(viaSse.resets() + viaWs.resets()).toBe(0);
      expect(viaSse.statuses).toContain('reconnecting');
      expect(viaWs.statuses).toContain('reconnecting');
      expect(sse.status).toBe('open');
      expect(ws.status).toBe('open');
    } finally {
      c.close();
      await proxy.close();
    }
  }, 30_000);
});
