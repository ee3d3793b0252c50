import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../crypto/index.js';
import { createMailQuota } from '../mail-api/quota.js';
import { mailSendSchema } from '../mail-api/schemas.js';
import { type MailService, createMailService } from '../mail-api/service.js';
import { createMailer } from '../mail/index.js';
import { type MailDelivery, type PlatformModels, createPlatformModels, ensurePlatformIndexes } from '../models/index.js';
import {
  type SmtpSink,
  type TestPlatform,
  createTestPlatform,
  startSmtpSink,
  testRedisConfig,
  waitFor,
} from '../testing/index.js';
import { createUsageMeter, mailUsageSource } from '../usage/index.js';
import { createDeliveryStore } from './delivery-store.js';
import { INTERRUPTED_ATTEMPT, type WebhookDispatcher, createWebhookDispatcher } from './dispatcher.js';
import { createWebhookGuard } from './guard.js';
import { createWebhookService } from './service.js';

/**
 * Deliveries survive a process restart (SECURITY "Failure behaviour"): jobs live in Redis
 * (BullMQ), so a fresh dispatcher/mail service — new queue and worker objects on the same key
 * prefix, as a restarted process builds them — delivers what the previous one accepted.
 */

let platform: TestPlatform;
let models: PlatformModels;
let http: Server;
let receiverUrl = '';
let smtp: SmtpSink;
/**
 * Requests per receiver path (and when they arrived); status codes to answer per path (first ones
 * consumed, last repeats; 0 = hold the request open without answering).
 */
const hits = new Map<string, number>();
const hitTimes = new Map<string, number[]>();
const script = new Map<string, number[]>();
const secretKey = randomBytes(32).toString('hex');
const secretBox = createSecretBox(secretKey);
/** The run's Redis: one node, or the cluster of `pnpm test:cluster`. */
const redis = () => testRedisConfig();

beforeAll(async () => {
  platform = await createTestPlatform('restart');
  models = createPlatformModels(platform.db.connection);
  await ensurePlatformIndexes(models);
  http = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    hitTimes.set(path, [...(hitTimes.get(path) ?? []), performance.now()]);
    const codes = script.get(path) ?? [200];
    const status = codes.length > 1 ? (codes.shift() as number) : (codes[0] as number);
    req.resume();
    if (status !== 0) req.on('end', () => res.writeHead(status).end(`answer ${status}`));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  smtp = await startSmtpSink();
});

afterAll(async () => {
  for (const mailer of mailers) mailer.close();
  await new Promise((r) => http.close(r));
  await smtp.close();
  await platform.cleanup();
});

/** One "process" worth of webhook dispatcher, on the file's BullMQ prefix. */
function newDispatcher(retryDelaysMs: number[] = [50]): WebhookDispatcher {
  return createWebhookDispatcher({
    webhooks: models.Webhook,
    deliveries: createDeliveryStore(models),
    secretBox,
    logger: platform.logger,
    guard: createWebhookGuard(true),
    redis: redis(),
    queuePrefix: `${platform.redisPrefix}bull`,
    retryDelaysMs,
    timeoutMs: 2000,
  });
}

async function hook(projectId: string, path: string) {
  await createWebhookService({
    webhooks: models.Webhook,
    deliveries: createDeliveryStore(models),
    secretBox,
    guard: createWebhookGuard(true),
    allowHttp: true,
  }).create(projectId, { name: 'h', url: `${receiverUrl}${path}`, events: { orders: { insert: true } }, enabled: true });
}

/** Reads until `done` holds; resolves with that value (rejects naming `what` after 10 s). */
async function readUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const found = await waitFor(
    async () => {
      const value = await read();
      return done(value) ? { value } : undefined;
    },
    { timeoutMs: 10_000, message: what },
  );
  return found.value;
}

/** The project's delivery, in the log once finished, else in the outbox. */
const delivery = async (projectId: string) =>
  (await models.WebhookDelivery.findOne({ projectId }).lean()) ?? (await models.WebhookOutbox.findOne({ projectId }).lean());
const event = (projectId: string) => ({ projectId, collection: 'orders', action: 'insert' as const, documentId: 'o1', data: {} });

describe('webhook deliveries across a restart (BullMQ on Redis)', () => {
  it('a delivery accepted by a process that stopped before working it is delivered by the next process', async () => {
    const projectId = new Types.ObjectId().toString();
    const path = `/queued-${projectId}`;
    await hook(projectId, path);
    const first = newDispatcher();
    expect(first.mode, 'only Redis-queued deliveries survive a restart (CI always has Redis)').toBe('redis');
    expect(await first.dispatch(event(projectId))).toBe(1);
    await first.close();
    // Kept on purpose: this checks that nothing happens. No worker runs on the prefix, so give a
    // stray inline delivery a moment to show up before asserting there was none.
    await new Promise((r) => setTimeout(r, 300));
    expect(hits.get(path)).toBeUndefined();
    expect((await delivery(projectId))?.finalStatus).toBe('pending');

    const second = newDispatcher();
    second.startWorker();
    try {
      const row = await readUntil(
        () => delivery(projectId),
        (d) => d?.finalStatus !== 'pending',
        'delivery',
      );
      expect(row?.finalStatus).toBe('delivered');
      expect(row?.attempts.map((a) => [a.attemptNumber, a.statusCode])).toEqual([[1, 200]]);
      expect(hits.get(path)).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('a delivery a version before the outbox left pending in the log is delivered after the upgrade', async () => {
    const projectId = new Types.ObjectId().toString();
    const path = `/legacy-${projectId}`;
    await hook(projectId, path);
    const old = newDispatcher();
    expect(await old.dispatch(event(projectId))).toBe(1);
    await old.close();
    // Where that version kept it: pending, in the log (its queued job names it by id).
    const pending = await models.WebhookOutbox.findOne({ projectId }).lean();
    await models.WebhookDelivery.collection.insertOne(pending as NonNullable<typeof pending>);
    await models.WebhookOutbox.deleteOne({ projectId });

    const upgraded = newDispatcher();
    upgraded.startWorker();
    try {
      const row = await readUntil(
        () => models.WebhookDelivery.findOne({ projectId }).lean(),
        (d) => d?.finalStatus === 'delivered',
        'the legacy delivery delivered',
      );
      expect(row?.attempts.map((a) => [a.attemptNumber, a.statusCode])).toEqual([[1, 200]]);
      expect(hits.get(path)).toBe(1);
      expect(await models.WebhookDelivery.countDocuments({ projectId })).toBe(1);
      await readUntil(
        () => models.WebhookOutbox.countDocuments({ projectId }),
        (n) => n === 0,
        'the outbox emptied',
      );
    } finally {
      await upgraded.close();
    }
  });

  it('a retry scheduled by a process that then stopped is attempted by the next process', async () => {
    const projectId = new Types.ObjectId().toString();
    const path = `/retry-${projectId}`;
    script.set(path, [503, 200]);
    await hook(projectId, path);
    const first = newDispatcher([1500]);
    first.startWorker();
    await first.dispatch(event(projectId));
    const failedOnce = await readUntil(
      () => delivery(projectId),
      // Settled: an attempt is in the log (as interrupted) from before its request until its outcome.
      (d) => d?.attempts.length === 1 && d.attempts[0]?.statusCode === 503,
      'first attempt',
    );
    await first.close();
    expect(failedOnce?.finalStatus).toBe('pending');
    expect(failedOnce?.nextRetryAt).toBeInstanceOf(Date);

    const second = newDispatcher([1500]);
    second.startWorker();
    try {
      const row = await readUntil(
        () => delivery(projectId),
        (d) => d?.finalStatus !== 'pending',
        'retried delivery',
      );
      expect(row?.finalStatus).toBe('delivered');
      expect(row?.attempts.map((a) => [a.attemptNumber, a.statusCode])).toEqual([
        [1, 503],
        [2, 200],
      ]);
      expect(hits.get(path)).toBe(2);
    } finally {
      await second.close();
    }
  });
});

/**
 * A webhook worker in a process of its own (`node --import tsx`), on the file's database and
 * BullMQ prefix: the test kills it with SIGKILL, as a crash or an OOM kill would.
 */
const WORKER_SCRIPT = `
const cfg = JSON.parse(process.env.WEBHOOK_WORKER);
const [db_, models_, crypto_, logger_, dispatcher_, guard_, store_] = await Promise.all(cfg.modules.map((m) => import(m)));
const logger = logger_.createLogger({ name: 'webhook-worker', level: 'silent' });
const db = db_.createPlatformDb({ uri: cfg.mongoUri, timeoutMs: 5000, poolSize: 2, tenantDbPrefix: cfg.tenantDbPrefix, logger });
await db.connect();
const models = models_.createPlatformModels(db.connection);
dispatcher_.createWebhookDispatcher({
  webhooks: models.Webhook,
  deliveries: store_.createDeliveryStore(models),
  secretBox: crypto_.createSecretBox(cfg.secretKey),
  logger,
  guard: guard_.createWebhookGuard(true),
  redis: cfg.redis,
  queuePrefix: cfg.queuePrefix,
  retryDelaysMs: [50],
  timeoutMs: 60000,
}).startWorker();
process.stdout.write('worker started\\n');
`;

function spawnWorker(): { child: ChildProcess; output: () => string } {
  const modules = [
    '../db/index.ts',
    '../models/index.ts',
    '../crypto/index.ts',
    '../logger/index.ts',
    './dispatcher.ts',
    './guard.ts',
    './delivery-store.ts',
  ];
  const config = {
    modules: modules.map((m) => new URL(m, import.meta.url).href),
    mongoUri: platform.mongoUri,
    tenantDbPrefix: platform.tenantDbPrefix,
    secretKey,
    redis: redis(),
    queuePrefix: `${platform.redisPrefix}bull`,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WORKER_SCRIPT], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, WEBHOOK_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { child, output: () => text };
}

describe('a webhook delivery interrupted by a crash (worker process killed mid-request)', () => {
  it('is recorded as an interrupted attempt and retried by the restarted worker within 10 s, never sent twice', async () => {
    const projectId = new Types.ObjectId().toString();
    const path = `/crash-${projectId}`;
    script.set(path, [0, 200]); // the first request hangs: the worker is killed while it waits
    await hook(projectId, path);
    const producer = newDispatcher();
    expect(producer.mode, 'only Redis-queued deliveries survive a crash (CI always has Redis)').toBe('redis');
    expect(await producer.dispatch(event(projectId))).toBe(1);
    await producer.close();

    const { child, output } = spawnWorker();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`worker exited early:\n${output()}`);
          return hits.get(path) === 1;
        },
        { timeoutMs: 20_000, message: () => `first attempt reaching the receiver (worker output: ${output()})` },
      );
      // The attempt is in the log before its request went out.
      const during = await delivery(projectId);
      expect(during?.attempts.map((a) => [a.attemptNumber, a.error])).toEqual([[1, INTERRUPTED_ATTEMPT]]);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const restarted = newDispatcher();
    restarted.startWorker();
    const restartedAt = performance.now();
    try {
      const row = await waitFor(
        async () => {
          const d = await delivery(projectId);
          return d?.finalStatus === 'pending' ? undefined : d;
        },
        { timeoutMs: 10_000, message: 'the retry of the interrupted delivery after the restart' },
      );
      const retriedAfterMs = (hitTimes.get(path)?.[1] ?? Number.POSITIVE_INFINITY) - restartedAt;
      expect(retriedAfterMs).toBeLessThan(10_000);
      expect(row.finalStatus).toBe('delivered');
      expect(row.attempts.map((a) => [a.attemptNumber, a.status, a.statusCode, a.error])).toEqual([
        [1, 'failed', null, INTERRUPTED_ATTEMPT],
        [2, 'success', 200, null],
      ]);
      // Kept on purpose: this checks that nothing more happens (no attempt is sent a second time).
      await new Promise((r) => setTimeout(r, 500));
      expect(hits.get(path)).toBe(2);
    } finally {
      await restarted.close();
    }
  });
});

const mailers: ReturnType<typeof createMailer>[] = [];

function newMailService(): MailService {
  const platformMailer = createMailer({ smtpUrl: smtp.url, from: 'Platform <no-reply@platform.test>', logger: platform.logger });
  mailers.push(platformMailer);
  return createMailService({
    projects: models.Project,
    templates: models.MailTemplate,
    deliveries: models.MailDelivery,
    secretBox,
    quota: createMailQuota(
      createUsageMeter({
        cache: platform.cache,
        logger: platform.logger,
        sources: { db: async () => 0, storage: async () => 0, mail: mailUsageSource(models) },
      }),
    ),
    platformMailer,
    logger: platform.logger,
    isProduction: false,
    redis: redis(),
    queuePrefix: `${platform.redisPrefix}bull`,
    retryDelaysMs: [50],
  });
}

describe('mail deliveries across a restart (BullMQ on Redis)', () => {
  it('a mail queued by a process that stopped before sending it is sent by the next process', async () => {
    const projectId = new Types.ObjectId();
    await models.Project.collection.insertOne({ _id: projectId, name: 'Shop', owner: new Types.ObjectId(), mail: {} });
    const first = newMailService();
    expect(first.mode).toBe('redis');
    const input = mailSendSchema.parse({ to: 'restart@example.com', subject: `restart ${projectId}`, text: 'still here' });
    const queued = await first.send(String(projectId), input, { mailPerMonth: 10, mailTemplatesEnabled: true });
    await first.close();
    // Kept on purpose: this checks that nothing happens. No worker runs on the prefix, so give a
    // stray inline send a moment to show up before asserting there was none.
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.some((m) => m.subject === `restart ${projectId}`)).toBe(false);

    const second = newMailService();
    second.startWorker();
    try {
      const read = () => models.MailDelivery.findById(queued.data.id).lean<MailDelivery>();
      const sent = await readUntil(read, (d) => d?.status !== 'queued', 'mail delivery');
      expect(sent).toMatchObject({ status: 'sent', to: ['restart@example.com'] });
      const mail = smtp.messages.find((m) => m.subject === `restart ${projectId}`);
      expect(mail?.text.trim()).toBe('still here');
    } finally {
      await second.close();
    }
  });
});
