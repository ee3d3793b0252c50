/**
 * Realtime limits from the plan (PLAN_LIMITS / the owner's plan): connections per project across
 * the hub and subscriptions per WebSocket, a plan with realtime off, and the metrics in
 * `GET /api/health` details (connections, subscriptions, events/s, drops).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REALTIME_SERVER } from '@urbackend/common/realtime';
import type { TestProject } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { usageKeys } from '../../middleware/usage.js';
import { type Harness, createHarness } from '../../testing/harness.js';
import { type SseClient, openSse, openWs } from './realtime.test-client.js';
import { attachRealtimeWebSocket } from './realtime.ws.js';

let h: Harness;
let server: Server;
let base = '';
let p: TestProject;
const open: SseClient[] = [];

beforeAll(async () => {
  h = await createHarness('realtime-limits', {
    plans: {
      defaultPlan: 'free',
      overrides: { free: { reqPerMinute: -1, reqPerDay: -1, maxRealtimeConnections: 2, maxRealtimeSubscriptions: 1 } },
    },
  });
  server = h.app.listen(0);
  attachRealtimeWebSocket(server, {
    hub: h.deps.realtimeHub,
    settings: DEFAULT_REALTIME_SERVER,
    logger: h.platform.logger,
    charge: h.deps.usageCharge,
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p = await h.project({ collections: [{ name: 'posts', model: [{ key: 'title', type: 'String' }] }] });
});

afterAll(async () => {
  for (const c of open) c.close();
  await h.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sk = { 'x-api-key': '' };

describe('realtime limits from the plan', () => {
  it('caps connections per project and subscriptions per WebSocket at the plan’s values', async () => {
    sk['x-api-key'] = p.secretKey;
    const ws = await openWs(`${base.replace('http', 'ws')}/api/realtime`, sk);
    expect(ws.inbox.items[0]).toMatchObject({ type: 'welcome', maxSubscriptions: 1 });
    ws.send({ type: 'subscribe', id: 'a', collection: 'posts' });
    await ws.next((m) => m.type === 'subscribed' && m.id === 'a');
    ws.send({ type: 'subscribe', id: 'b', collection: 'posts' });
    expect(await ws.next((m) => m.type === 'error' && m.id === 'b')).toMatchObject({ code: 429 });
    const second = await openSse(`${base}/api/realtime/posts`, sk);
    open.push(second);
    expect(second.status).toBe(200);
    const third = await openSse(`${base}/api/realtime/posts`, sk);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ success: false, code: 429, error: expect.stringContaining('plan') });

    const health = await request(h.app).get('/api/health').expect(200);
    expect(health.body).toMatchObject({ status: expect.any(String), dependencies: expect.any(Object) });
    expect(health.body.details.realtime).toMatchObject({
      connections: { sse: 1, ws: 1 },
      subscriptions: 2,
      eventsPerSecond: expect.any(Number),
      drops: 0,
    });
    await request(h.app).post('/api/data/posts').set(sk).send({ title: 'counted' }).expect(201);
    await second.next((e) => e.event === 'insert');
    const after = await request(h.app).get('/api/health').expect(200);
    expect(after.body.details.realtime.eventsPerSecond).toBeGreaterThan(0);
    ws.close();
  });

  it('charges a WebSocket upgrade to the request quota, as opening a stream is', async () => {
    const other = await h.project({ collections: [{ name: 'posts', model: [] }] });
    const client = h.platform.cache.client;
    if (!client) throw new Error('the tests need Redis');
    const dayKey = usageKeys.day(other.projectId, new Date());
    const before = Number((await client.get(dayKey)) ?? 0);
    const ws = await openWs(`${base.replace('http', 'ws')}/api/realtime`, { 'x-api-key': other.secretKey });
    expect(ws.inbox.items[0]).toMatchObject({ type: 'welcome' });
    // Without a request limit the charge is recorded and written to Redis within a second.
    await vi.waitFor(async () => expect(Number(await client.get(dayKey))).toBe(before + 1), { timeout: 3000, interval: 50 });
    ws.close();
  });
});
