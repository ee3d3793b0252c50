import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSecretBox } from '../crypto/index.js';
import { type PlatformModels, createPlatformModels, ensurePlatformIndexes } from '../models/index.js';
import {
  type TestPlatform,
  type TestRedisConfig,
  createTestPlatform,
  testRedisConfig,
  testServices,
  waitFor,
} from '../testing/index.js';
import { deliveryEnvShape, mapDeliveryEnv } from './config.js';
import { createDeliveryStore } from './delivery-store.js';
import { type WebhookDispatcher, createWebhookDispatcher } from './dispatcher.js';
import { createSafeLookup, createWebhookGuard } from './guard.js';
import { createWebhookService } from './service.js';
import { verifySignature } from './signing.js';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

let platform: TestPlatform;
let models: PlatformModels;
let server: Server;
let baseUrl: string;
const received = new Map<string, Received[]>();
/** Status codes the receiver answers per path, in order (last one repeats). */
const script = new Map<string, number[]>();
const secretBox = createSecretBox(randomBytes(32).toString('hex'));
const deliveryEnvShapeParse = (env: Record<string, string>) => z.object(deliveryEnvShape).parse(env);

beforeAll(async () => {
  platform = await createTestPlatform('webhooks');
  models = createPlatformModels(platform.db.connection);
  await ensurePlatformIndexes(models);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const list = received.get(path) ?? [];
      list.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      received.set(path, list);
      const codes = script.get(path) ?? [200];
      const status = codes.length > 1 ? (codes.shift() as number) : (codes[0] as number);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`answer ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await platform.cleanup();
});

function makeDispatcher(redis: TestRedisConfig | null, allowPrivate = true): WebhookDispatcher {
  const dispatcher = createWebhookDispatcher({
    webhooks: models.Webhook,
    deliveries: createDeliveryStore(models),
    secretBox,
    logger: platform.logger,
    guard: createWebhookGuard(allowPrivate),
    redis,
    queuePrefix: `${platform.redisPrefix}bull`,
    retryDelaysMs: [50, 50, 50],
    timeoutMs: 2000,
  });
  dispatcher.startWorker();
  return dispatcher;
}

function makeService(allowPrivate = true) {
  return createWebhookService({
    webhooks: models.Webhook,
    deliveries: createDeliveryStore(models),
    secretBox,
    guard: createWebhookGuard(allowPrivate),
    allowHttp: true,
    timeoutMs: 2000,
  });
}

function settled(projectId: string, count: number) {
  return waitFor(
    async () => {
      const rows = await models.WebhookDelivery.find({ projectId }).sort({ createdAt: 1 }).lean();
      return rows.length >= count && rows.every((r) => r.finalStatus !== 'pending') ? rows : undefined;
    },
    { timeoutMs: 10_000, message: `${count} deliveries of ${projectId} settled` },
  );
}

/** Both queue modes on purpose: the no-Redis row tests the in-process fallback. */
const modes: [label: string, mode: 'redis' | 'in-process', redis: () => TestRedisConfig | null][] = [
  ['BullMQ on Redis', 'redis', () => (testServices().redisMode ? testRedisConfig() : null)],
  ['in-process (no Redis)', 'in-process', () => null],
];

describe.each(modes)('webhook delivery (%s)', (_label, mode, redis) => {
  let dispatcher: WebhookDispatcher;
  beforeAll(() => {
    // Without this, a run without Redis would silently test the in-process mode twice.
    if (mode === 'redis') expect(redis(), 'this mode needs Redis').toBeTruthy();
    dispatcher = makeDispatcher(redis());
  });
  afterAll(() => dispatcher?.close());

  it('delivers a signed payload for a subscribed data event and records it', async () => {
    const projectId = new Types.ObjectId().toString();
    const path = `/ok-${projectId}`;
    const hook = await makeService().create(projectId, {
      name: 'orders',
      url: `${baseUrl}${path}`,
      events: { orders: { insert: true } },
      enabled: true,
    });
    expect(hook.secret).toMatch(/^whsec_/);
    expect(dispatcher.mode).toBe(mode);
    expect(
      await dispatcher.dispatch({ projectId, collection: 'orders', action: 'insert', documentId: 'd1', data: { total: 5 } }),
    ).toBe(1);
    expect(await dispatcher.dispatch({ projectId, collection: 'orders', action: 'delete', documentId: 'd1', data: {} })).toBe(0);
    const [row] = await settled(projectId, 1);
    expect(row?.finalStatus).toBe('delivered');
    // Finished, it has left the outbox the workers update for the log.
    await waitFor(async () => (await models.WebhookOutbox.countDocuments({ projectId })) === 0 || undefined, {
      timeoutMs: 5_000,
      message: 'the delivered delivery leaves the outbox',
    });
    const [got] = received.get(path) ?? [];
    expect(got).toBeDefined();
    expect(verifySignature(hook.secret, got?.body ?? '', got?.headers['x-urbackend-signature'] as string)).toBe(true);
    expect(got?.headers['x-urbackend-event']).toBe('orders.insert');
    expect(got?.headers['x-urbackend-delivery-id']).toBe(String(row?._id));
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({
      event: 'orders.insert',
      projectId,
      collection: 'orders',
      action: 'insert',
      documentId: 'd1',
      data: { total: 5 },
    });
  });

  it('retries a 5xx receiver with backoff and records every attempt; a 4xx is final', async () => {
    const projectId = new Types.ObjectId().toString();
    script.set(`/flaky-${projectId}`, [500, 503, 200]);
    script.set(`/gone-${projectId}`, [410]);
    script.set(`/down-${projectId}`, [500]);
    const svc = makeService();
    for (const name of ['flaky', 'gone', 'down']) {
      await svc.create(projectId, {
        name,
        url: `${baseUrl}/${name}-${projectId}`,
        events: { '*': { update: true } },
        enabled: true,
      });
    }
    await dispatcher.dispatch({ projectId, collection: 'posts', action: 'update', documentId: 'x', data: {} });
    const rows = await settled(projectId, 3);
    const byPath = new Map(
      await Promise.all(rows.map(async (r) => [(await models.Webhook.findById(r.webhookId).lean())?.name, r] as const)),
    );
    expect(byPath.get('flaky')?.finalStatus).toBe('delivered');
    expect(byPath.get('flaky')?.attempts.map((a) => a.statusCode)).toEqual([500, 503, 200]);
    expect(byPath.get('gone')?.finalStatus).toBe('failed');
    expect(byPath.get('gone')?.attempts).toHaveLength(1);
    expect(byPath.get('down')?.finalStatus).toBe('failed');
    expect(byPath.get('down')?.attempts.map((a) => a.attemptNumber)).toEqual([1, 2, 3, 4]);
    expect(byPath.get('down')?.attempts[0]?.responseBody).toBe('answer 500');
  });

  it('replays a delivery with the exact same body', async () => {
    const projectId = new Types.ObjectId().toString();
    const path = `/replay-${projectId}`;
    await makeService().create(projectId, {
      name: 'r',
      url: `${baseUrl}${path}`,
      events: { t: { insert: true } },
      enabled: true,
    });
    await dispatcher.dispatch({ projectId, collection: 't', action: 'insert', documentId: '1', data: { a: 1 } });
    const [first] = await settled(projectId, 1);
    const replayId = await dispatcher.replay(projectId, String(first?._id));
    const rows = await settled(projectId, 2);
    expect(rows.find((r) => String(r._id) === replayId)?.replayOf?.toString()).toBe(String(first?._id));
    const bodies = (received.get(path) ?? []).map((r) => r.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    await expect(dispatcher.replay(new Types.ObjectId().toString(), String(first?._id))).rejects.toMatchObject({ status: 404 });
  });
});

describe('SSRF protection', () => {
  it('refuses a 127.0.0.1 receiver at save time and at delivery time unless private targets are allowed', async () => {
    const projectId = new Types.ObjectId().toString();
    const path = `/private-${projectId}`;
    await expect(
      makeService(false).create(projectId, { name: 'p', url: `${baseUrl}${path}`, events: {}, enabled: true }),
    ).rejects.toMatchObject({ status: 400 });
    // Saved while allowed (e.g. the DNS answer changed later): still refused when delivering.
    await makeService(true).create(projectId, {
      name: 'p',
      url: `${baseUrl}${path}`,
      events: { c: { insert: true } },
      enabled: true,
    });
    const strict = makeDispatcher(null, false);
    await strict.dispatch({ projectId, collection: 'c', action: 'insert', documentId: '1', data: {} });
    const [row] = await settled(projectId, 1);
    await strict.close();
    expect(row?.finalStatus).toBe('failed');
    expect(row?.attempts[0]?.error).toMatch(/private or internal/);
    expect(received.get(path)).toBeUndefined();
  });

  it('checks the address actually connected to (a name that resolves to loopback is refused)', async () => {
    const projectId = new Types.ObjectId().toString();
    const url = `${baseUrl.replace('127.0.0.1', 'localhost')}/rebind-${projectId}`;
    await makeService(true).create(projectId, { name: 'r', url, events: { c: { insert: true } }, enabled: true });
    // A guard that (like a stale DNS answer) lets the name through; the socket lookup still refuses.
    const dispatcher = createWebhookDispatcher({
      webhooks: models.Webhook,
      deliveries: createDeliveryStore(models),
      secretBox,
      logger: platform.logger,
      guard: async () => undefined,
      lookup: createSafeLookup(false),
      redisUrl: null,
    });
    await dispatcher.dispatch({ projectId, collection: 'c', action: 'insert', documentId: '1', data: {} });
    const [row] = await settled(projectId, 1);
    await dispatcher.close();
    expect(row?.finalStatus).toBe('failed');
    expect(row?.attempts).toHaveLength(1);
    expect(row?.attempts[0]?.error).toMatch(/private or internal/);
    expect(received.get(`/rebind-${projectId}`)).toBeUndefined();
  });

  it('answers a test ping synchronously with the receiver status', async () => {
    const projectId = new Types.ObjectId().toString();
    const svc = makeService();
    const hook = await svc.create(projectId, { name: 'ping', url: `${baseUrl}/ping-${projectId}`, events: {}, enabled: true });
    const result = await svc.test(projectId, String(hook._id));
    expect(result).toMatchObject({ success: true, statusCode: 200, responseBody: 'answer 200', error: null });
    expect(JSON.parse(received.get(`/ping-${projectId}`)?.[0]?.body ?? '{}')).toMatchObject({
      event: 'test.ping',
      action: 'ping',
    });
    await expect(svc.test(new Types.ObjectId().toString(), String(hook._id))).rejects.toMatchObject({ status: 404 });
  });
});

describe('delivery retention (WEBHOOK_DELIVERY_RETENTION_DAYS)', () => {
  it('deletes finished deliveries older than the cut-off, in batches, and keeps pending and newer ones', async () => {
    const service = makeService(true);
    const projectId = new Types.ObjectId();
    const webhookId = new Types.ObjectId();
    const day = 86_400_000;
    const now = Date.now();
    const row = (finalStatus: string, ageDays: number, label: string) => ({
      webhookId,
      projectId,
      event: 'items.insert',
      body: JSON.stringify({ label }),
      attempts: [],
      nextRetryAt: null,
      finalStatus,
      replayOf: null,
      createdAt: new Date(now - ageDays * day),
      updatedAt: new Date(now - ageDays * day),
    });
    // More old finished rows than one batch (1,000), so the sweep has to loop.
    const oldFinished = Array.from({ length: 1_203 }, (_, i) => row(i % 2 ? 'delivered' : 'failed', 31 + (i % 5), `old ${i}`));
    await models.WebhookDelivery.collection.insertMany([...oldFinished, row('delivered', 29, 'recent'), row('failed', 1, 'new')]);
    // In the outbox: one still retrying, and one a stopped process finished but did not move.
    await models.WebhookOutbox.collection.insertMany([
      row('pending', 40, 'old but still retrying'),
      row('delivered', 2, 'left over'),
    ]);

    expect(await service.pruneDeliveries(new Date(now - 30 * day))).toBe(1_203);
    const labels = async (model: typeof models.WebhookDelivery) =>
      (await model.find({ projectId }).lean()).map((d) => JSON.parse(d.body).label).sort();
    expect(await labels(models.WebhookDelivery)).toEqual(['left over', 'new', 'recent']);
    expect(await labels(models.WebhookOutbox)).toEqual(['old but still retrying']);
    expect(await service.pruneDeliveries(new Date(now - 30 * day))).toBe(0);
  });

  it('reads the retention in days, 0 keeping every delivery', () => {
    expect(mapDeliveryEnv(deliveryEnvShapeParse({})).webhookDeliveryRetentionMs).toBe(30 * 86_400_000);
    expect(mapDeliveryEnv(deliveryEnvShapeParse({ WEBHOOK_DELIVERY_RETENTION_DAYS: '7' })).webhookDeliveryRetentionMs).toBe(
      7 * 86_400_000,
    );
    expect(mapDeliveryEnv(deliveryEnvShapeParse({ WEBHOOK_DELIVERY_RETENTION_DAYS: '0' })).webhookDeliveryRetentionMs).toBe(0);
    expect(() => deliveryEnvShapeParse({ WEBHOOK_DELIVERY_RETENTION_DAYS: '-1' })).toThrow();
  });
});
