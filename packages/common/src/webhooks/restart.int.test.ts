import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { Types } from 'mongoose';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../crypto/index.js';
import { createMailQuota } from '../mail-api/quota.js';
import { mailSendSchema } from '../mail-api/schemas.js';
import { type MailService, createMailService } from '../mail-api/service.js';
import { createMailer } from '../mail/index.js';
import { type MailDelivery, type PlatformModels, createPlatformModels, ensurePlatformIndexes } from '../models/index.js';
import { type TestPlatform, createTestPlatform, testServices } from '../testing/index.js';
import { type WebhookDispatcher, createWebhookDispatcher } from './dispatcher.js';
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
let smtp: SMTPServer;
let smtpUrl = '';
/** Requests per receiver path; status codes to answer per path (first ones consumed, last repeats). */
const hits = new Map<string, number>();
const script = new Map<string, number[]>();
const inbox: ParsedMail[] = [];
const secretBox = createSecretBox(randomBytes(32).toString('hex'));
const redisUrl = () => testServices().redisUrl;

beforeAll(async () => {
  platform = await createTestPlatform('restart');
  models = createPlatformModels(platform.db.connection);
  await ensurePlatformIndexes(models);
  http = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const codes = script.get(path) ?? [200];
    const status = codes.length > 1 ? (codes.shift() as number) : (codes[0] as number);
    req.resume();
    req.on('end', () => res.writeHead(status).end(`answer ${status}`));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        inbox.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const mailer of mailers) mailer.close();
  await new Promise((r) => http.close(r));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await platform.cleanup();
});

/** One "process" worth of webhook dispatcher, on the file's BullMQ prefix. */
function newDispatcher(retryDelaysMs: number[] = [50]): WebhookDispatcher {
  return createWebhookDispatcher({
    webhooks: models.Webhook,
    deliveries: models.WebhookDelivery,
    secretBox,
    logger: platform.logger,
    guard: createWebhookGuard(true),
    redisUrl: redisUrl(),
    queuePrefix: `${platform.redisPrefix}bull`,
    retryDelaysMs,
    timeoutMs: 2000,
  });
}

async function hook(projectId: string, path: string) {
  await createWebhookService({
    webhooks: models.Webhook,
    deliveries: models.WebhookDelivery,
    secretBox,
    guard: createWebhookGuard(true),
    allowHttp: true,
  }).create(projectId, { name: 'h', url: `${receiverUrl}${path}`, events: { orders: { insert: true } }, enabled: true });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen`);
}

const delivery = (projectId: string) => models.WebhookDelivery.findOne({ projectId }).lean();
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
    await new Promise((r) => setTimeout(r, 300));
    expect(hits.get(path)).toBeUndefined();
    expect((await delivery(projectId))?.finalStatus).toBe('pending');

    const second = newDispatcher();
    second.startWorker();
    try {
      const row = await waitFor(
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

  it('a retry scheduled by a process that then stopped is attempted by the next process', async () => {
    const projectId = new Types.ObjectId().toString();
    const path = `/retry-${projectId}`;
    script.set(path, [503, 200]);
    await hook(projectId, path);
    const first = newDispatcher([1500]);
    first.startWorker();
    await first.dispatch(event(projectId));
    const failedOnce = await waitFor(
      () => delivery(projectId),
      (d) => (d?.attempts.length ?? 0) === 1,
      'first attempt',
    );
    await first.close();
    expect(failedOnce?.finalStatus).toBe('pending');
    expect(failedOnce?.nextRetryAt).toBeInstanceOf(Date);

    const second = newDispatcher([1500]);
    second.startWorker();
    try {
      const row = await waitFor(
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

const mailers: ReturnType<typeof createMailer>[] = [];

function newMailService(): MailService {
  const platformMailer = createMailer({ smtpUrl, from: 'Platform <no-reply@platform.test>', logger: platform.logger });
  mailers.push(platformMailer);
  return createMailService({
    projects: models.Project,
    templates: models.MailTemplate,
    deliveries: models.MailDelivery,
    secretBox,
    quota: createMailQuota(platform.cache),
    platformMailer,
    logger: platform.logger,
    isProduction: false,
    redisUrl: redisUrl(),
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
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.some((m) => m.subject === `restart ${projectId}`)).toBe(false);

    const second = newMailService();
    second.startWorker();
    try {
      const read = () => models.MailDelivery.findById(queued.data.id).lean<MailDelivery>();
      const sent = await waitFor(read, (d) => d?.status !== 'queued', 'mail delivery');
      expect(sent).toMatchObject({ status: 'sent', to: ['restart@example.com'] });
      const mail = inbox.find((m) => m.subject === `restart ${projectId}`);
      expect(mail?.text?.trim()).toBe('still here');
    } finally {
      await second.close();
    }
  });
});
