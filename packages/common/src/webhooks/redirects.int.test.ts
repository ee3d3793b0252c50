import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../crypto/index.js';
import { type PlatformModels, createPlatformModels, ensurePlatformIndexes } from '../models/index.js';
import { type TestPlatform, createTestPlatform, testRedisConfig, waitFor } from '../testing/index.js';
import { createDeliveryStore } from './delivery-store.js';
import { createWebhookDispatcher } from './dispatcher.js';
import { createWebhookGuard } from './guard.js';
import { createWebhookService } from './service.js';

/** Redirects not followed (SECURITY "Outbound requests"): a 3xx receiver never leads to another host. */

let platform: TestPlatform;
let models: PlatformModels;
const servers: Server[] = [];
/** Paths the redirecting receiver and the target receiver were asked for. */
const redirectorHits: string[] = [];
const targetHits: string[] = [];
let redirector = '';
let target = '';
const secretBox = createSecretBox(randomBytes(32).toString('hex'));

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  platform = await createTestPlatform('webhook-redirects');
  models = createPlatformModels(platform.db.connection);
  await ensurePlatformIndexes(models);
  target = await listen((req, res) => {
    targetHits.push(req.url ?? '/');
    req.resume();
    res.writeHead(200).end('target reached');
  });
  // Answers `/<status>/<rest>` with that redirect status to the target receiver's `/<rest>`.
  redirector = await listen((req, res) => {
    const [, status, ...rest] = (req.url ?? '/').split('/');
    redirectorHits.push(req.url ?? '/');
    req.resume();
    res.writeHead(Number(status), { location: `${target}/${rest.join('/')}` }).end('moved');
  });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await platform.cleanup();
});

const service = () =>
  createWebhookService({
    webhooks: models.Webhook,
    deliveries: createDeliveryStore(models),
    secretBox,
    guard: createWebhookGuard(true),
    allowHttp: true,
    timeoutMs: 2000,
  });

function settled(projectId: string) {
  return waitFor(
    async () => {
      const row = await models.WebhookDelivery.findOne({ projectId }).lean();
      return row && row.finalStatus !== 'pending' ? row : undefined;
    },
    { timeoutMs: 10_000, message: `delivery of ${projectId} settled` },
  );
}

describe('webhook redirects', () => {
  it.each([301, 302, 307, 308])('records a %i answer as a final failure and never calls the redirect target', async (status) => {
    const projectId = new Types.ObjectId().toString();
    const path = `/${status}/hook-${projectId}`;
    await service().create(projectId, {
      name: 'moved',
      url: `${redirector}${path}`,
      events: { orders: { insert: true } },
      enabled: true,
    });
    const dispatcher = createWebhookDispatcher({
      webhooks: models.Webhook,
      deliveries: createDeliveryStore(models),
      secretBox,
      logger: platform.logger,
      guard: createWebhookGuard(true),
      redis: testRedisConfig(),
      queuePrefix: `${platform.redisPrefix}bull`,
      retryDelaysMs: [50, 50],
      timeoutMs: 2000,
    });
    dispatcher.startWorker();
    try {
      await dispatcher.dispatch({ projectId, collection: 'orders', action: 'insert', documentId: 'd1', data: {} });
      const row = await settled(projectId);
      expect(row.finalStatus).toBe('failed');
      expect(row.attempts).toHaveLength(1);
      expect(row.attempts[0]).toMatchObject({ status: 'failed', statusCode: status, error: 'Redirects are not followed.' });
    } finally {
      await dispatcher.close();
    }
    expect(redirectorHits).toContain(path);
    expect(targetHits.filter((p) => p.includes(projectId))).toEqual([]);
  });

  it('reports a redirecting receiver as a failed test ping without following it', async () => {
    const projectId = new Types.ObjectId().toString();
    const svc = service();
    const hook = await svc.create(projectId, {
      name: 'ping',
      url: `${redirector}/302/ping-${projectId}`,
      events: {},
      enabled: true,
    });
    const result = await svc.test(projectId, String(hook._id));
    expect(result).toMatchObject({ success: false, statusCode: 302, error: 'Redirects are not followed.' });
    expect(targetHits.filter((p) => p.includes(projectId))).toEqual([]);
  });
});
