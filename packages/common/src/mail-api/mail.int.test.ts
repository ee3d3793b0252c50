import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '../cache/index.js';
import { createSecretBox } from '../crypto/index.js';
import { createMailer } from '../mail/index.js';
import { type MailDelivery, type PlatformModels, createPlatformModels, ensurePlatformIndexes } from '../models/index.js';
import {
  type SinkMessage,
  type SmtpSink,
  type TestPlatform,
  createTestPlatform,
  startSmtpSink,
  testRedisConfig,
  waitFor,
} from '../testing/index.js';
import { createUsageMeter, mailUsageSource } from '../usage/index.js';
import { createMailQuota, mailMonth } from './quota.js';
import { type MailSendInput, mailSendSchema } from './schemas.js';
import { type MailService, createMailService, projectSmtpAad } from './service.js';
import { ensureSystemMailTemplates } from './system-templates.js';
import { createMailTemplatesService } from './templates-service.js';

let platform: TestPlatform;
let models: PlatformModels;
let smtp: SmtpSink;
/** Per recipient: how many more messages the sink refuses with a transient 451 (-1: always). */
const refusals = new Map<string, number>();
const secretBox = createSecretBox(randomBytes(32).toString('hex'));

beforeAll(async () => {
  platform = await createTestPlatform('mailapi');
  models = createPlatformModels(platform.db.connection);
  await ensurePlatformIndexes(models);
  await ensureSystemMailTemplates(models.MailTemplate);
  await ensureSystemMailTemplates(models.MailTemplate);
  smtp = await startSmtpSink({
    refuse(rcpt) {
      const left = refusals.get(rcpt) ?? 0;
      if (left === 0) return undefined;
      refusals.set(rcpt, left - 1);
      return { code: 451, message: 'try later' };
    },
  });
});

afterAll(async () => {
  await smtp.close();
  await platform.cleanup();
});

/** The meter's sources: only mail is metered here, from the delivery log. */
const mailOnly = {
  db: async () => 0,
  storage: async () => 0,
  mail: (pid: string, month: string) => mailUsageSource(models)(pid, month),
};

async function newProject(extra: Record<string, unknown> = {}) {
  const id = new Types.ObjectId();
  await models.Project.collection.insertOne({
    _id: id,
    name: 'Shop',
    owner: new Types.ObjectId(),
    storageUsed: 0,
    mail: { smtpUrl: null, from: null },
    ...extra,
  });
  return String(id);
}

type TestMail = Omit<MailService, 'send'> & { send(pid: string, input: MailSendInput): ReturnType<MailService['send']> };

function makeService(limits = { mailPerMonth: 3, mailTemplatesEnabled: true }, cache = platform.cache): TestMail {
  const service = createMailService({
    projects: models.Project,
    templates: models.MailTemplate,
    deliveries: models.MailDelivery,
    secretBox,
    quota: createMailQuota(createUsageMeter({ cache, logger: platform.logger, sources: mailOnly })),
    platformMailer: createMailer({
      smtpUrl: smtp.url,
      from: 'Platform <no-reply@platform.test>',
      logger: platform.logger,
    }),
    logger: platform.logger,
    isProduction: false,
    redis: testRedisConfig(),
    queuePrefix: `${platform.redisPrefix}bull`,
    retryDelaysMs: [50, 50],
  });
  service.startWorker();
  return { ...service, send: (pid: string, input: MailSendInput) => service.send(pid, input, limits) } as unknown as TestMail;
}

const waitForMail = (subject: string): Promise<SinkMessage> => smtp.waitFor({ subject });

function waitForDelivery(id: string, done: (d: MailDelivery) => boolean): Promise<MailDelivery> {
  return waitFor(
    async () => {
      const d = await models.MailDelivery.findById(id).lean<MailDelivery>();
      return d && done(d) ? d : undefined;
    },
    { timeoutMs: 10_000, message: `mail delivery ${id} reaching the expected state` },
  );
}

describe('mail API', () => {
  let service: TestMail;
  beforeAll(() => {
    service = makeService();
  });
  afterAll(() => service.close());

  it('sends a global system template to several recipients, with variables escaped in HTML', async () => {
    const pid = await newProject();
    const input = mailSendSchema.parse({
      to: ['Ann@Example.com', 'bob@example.com'],
      templateName: 'welcome',
      variables: { name: '<i>Ann</i>', projectName: 'Shop', appUrl: 'https://shop.example.com' },
    });
    const res = await service.send(pid, input);
    expect(res.data).toMatchObject({
      provider: 'default',
      monthlyUsage: 2,
      monthlyLimit: 3,
      templateUsed: { scope: 'global', key: 'welcome' },
    });
    const mail = await waitForMail('Welcome to Shop');
    expect(mail.to).toEqual(['ann@example.com', 'bob@example.com']);
    expect(mail.html).toContain('Welcome, &#60;i&#62;Ann&#60;/i&#62;!');
    expect(mail.text).toContain('Welcome, <i>Ann</i>!');
    expect(mail.html).toContain('href="https://shop.example.com/"');
    const logged = await waitForDelivery(res.data.id, (d) => d.status !== 'queued');
    expect(logged).toMatchObject({
      status: 'sent',
      to: ['ann@example.com', 'bob@example.com'],
      subject: 'Welcome to Shop',
      template: 'welcome',
      provider: 'default',
      lastError: null,
    });
    expect(logged.providerMessageId).toEqual(expect.any(String));
    expect(logged.attempts).toMatchObject([{ attemptNumber: 1, status: 'sent', error: null }]);
  });

  it('prefers a project template of the same name and refuses unknown templates', async () => {
    const pid = await newProject();
    const templates = createMailTemplatesService(models.MailTemplate);
    await templates.create(pid, { key: 'welcome', name: 'Welcome', subject: 'Custom hello {{name}}', text: 'custom {{name}}' });
    await service.send(pid, mailSendSchema.parse({ to: 'c@example.com', templateName: 'Welcome', variables: { name: 'Cy' } }));
    const mail = await waitForMail('Custom hello Cy');
    expect(mail.text?.trim()).toBe('custom Cy');
    await expect(service.send(pid, mailSendSchema.parse({ to: 'c@example.com', templateName: 'nope' }))).rejects.toMatchObject({
      status: 400,
    });
    const other = await newProject();
    const own = (await templates.list(pid)).templates[0];
    await expect(service.send(other, mailSendSchema.parse({ to: 'c@example.com', templateId: own?.id }))).rejects.toMatchObject({
      status: 400,
    });
  });

  it('enforces the monthly quota atomically (429) under concurrent sends', async () => {
    const pid = await newProject();
    const input = mailSendSchema.parse({ to: 'q@example.com', subject: 'quota', text: 'x' });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => service.send(pid, input)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.map((r) => r.reason.status)).toEqual([429, 429, 429]);
    expect(rejected[0]?.reason.message).toBe('Monthly mail limit exceeded.');
  });

  it('counts every recipient, and an exhausted month stays exhausted after Redis lost its counters', async () => {
    const pid = await newProject();
    const fifty = Array.from({ length: 50 }, (_, i) => `r${i}@example.com`);
    const big = makeService({ mailPerMonth: 60, mailTemplatesEnabled: true });
    try {
      const res = await big.send(pid, mailSendSchema.parse({ to: fifty, subject: 'fifty', text: 'x' }));
      expect(res.data.monthlyUsage).toBe(50);
      const over = big.send(pid, mailSendSchema.parse({ to: fifty.slice(0, 11), subject: 'eleven', text: 'x' }));
      await expect(over).rejects.toMatchObject({ status: 429 });
      const ten = await big.send(pid, mailSendSchema.parse({ to: fifty.slice(0, 10), subject: 'ten', text: 'x' }));
      expect(ten.data.monthlyUsage).toBe(60);
      expect(platform.cache.client, 'this test needs Redis').toBeTruthy();
      await platform.cache.client?.del(`{u:${pid}}:mail:${mailMonth(new Date())}`);
      const after = big.send(pid, mailSendSchema.parse({ to: 'one@example.com', subject: 'one more', text: 'x' }));
      await expect(after).rejects.toMatchObject({ status: 429, message: 'Monthly mail limit exceeded.' });
    } finally {
      await big.close();
    }
  });

  it('retries a refused send and delivers it; a send that keeps failing releases its slot', async () => {
    const pid = await newProject();
    refusals.set('retry@example.com', 2);
    const retried = await service.send(pid, mailSendSchema.parse({ to: 'retry@example.com', subject: 'retried', text: 'x' }));
    await waitForMail('retried');
    expect(refusals.get('retry@example.com')).toBe(0);
    const sent = await waitForDelivery(retried.data.id, (d) => d.status === 'sent');
    expect(sent.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'sent']);
    expect(sent.attempts[0]?.error).toContain('451');
    refusals.set('lost@example.com', -1);
    const res = await service.send(pid, mailSendSchema.parse({ to: 'lost@example.com', subject: 'lost', text: 'x' }));
    expect(res.data.monthlyUsage).toBe(2);
    const failed = await waitForDelivery(res.data.id, (d) => d.status === 'failed');
    expect(failed.attempts.map((a) => [a.attemptNumber, a.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
    ]);
    expect(failed.lastError).toContain('try later');
    expect(failed.nextRetryAt).toBeNull();
    const counter = `{u:${pid}}:mail:${mailMonth(new Date())}`;
    expect(platform.cache.client, 'this test needs Redis (the quota counter)').toBeTruthy();
    await waitFor(async () => (await platform.cache.client?.get(counter)) === '1', {
      message: "the failed send's quota slot released",
    });
    const next = await service.send(pid, mailSendSchema.parse({ to: 'r@example.com', subject: 'after', text: 'x' }));
    expect(next.data.monthlyUsage).toBe(2);
  });

  it('uses the project SMTP server and sender when one is configured', async () => {
    const pid = new Types.ObjectId();
    const smtpUrl = secretBox.encrypt(smtp.url, projectSmtpAad(String(pid)));
    await models.Project.collection.insertOne({
      _id: pid,
      name: 'Own',
      owner: new Types.ObjectId(),
      mail: { smtpUrl, from: 'Own <hi@own.test>' },
    });
    const res = await service.send(
      String(pid),
      mailSendSchema.parse({ to: 'o@example.com', subject: 'own smtp', html: '<p>x</p>' }),
    );
    expect(res.data.provider).toBe('byok');
    const mail = await waitForMail('own smtp');
    expect(mail.parsed.from?.value[0]?.address).toBe('hi@own.test');
  });

  it('refuses custom templates without the plan feature (403)', async () => {
    const pid = await newProject();
    const templates = createMailTemplatesService(models.MailTemplate);
    await templates.create(pid, { key: 'promo', name: 'Promo', subject: 'Promo', text: 'p' });
    const free = makeService({ mailPerMonth: 25, mailTemplatesEnabled: false });
    await expect(free.send(pid, mailSendSchema.parse({ to: 'f@example.com', templateName: 'promo' }))).rejects.toMatchObject({
      status: 403,
    });
    await free.close();
  });

  it('answers 503 when Redis is configured but down', async () => {
    const dead = createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200, logger: platform.logger });
    const down = makeService(undefined, dead);
    const pid = await newProject();
    await expect(down.send(pid, mailSendSchema.parse({ to: 'd@example.com', subject: 's', text: 't' }))).rejects.toMatchObject({
      status: 503,
      message: 'Usage accounting unavailable: Redis is not reachable. Please retry.',
    });
    await down.close();
    await dead.close();
  });
});

describe('mail templates admin', () => {
  it('lists global templates read-only and manages project templates with unique names', async () => {
    const pid = await newProject();
    const svc = createMailTemplatesService(models.MailTemplate);
    const global = await svc.listGlobal();
    expect(global.templates.map((t) => t.key)).toEqual(['invite', 'otp', 'password-reset', 'welcome']);
    const systemId = global.templates[0]?.id as string;
    await expect(svc.update(pid, systemId, { subject: 'x' })).rejects.toMatchObject({ status: 403 });
    await expect(svc.remove(pid, systemId)).rejects.toMatchObject({ status: 403 });
    const created = await svc.create(pid, {
      key: 'order-shipped',
      name: 'Order shipped',
      subject: 'Shipped',
      html: '<p>{{order}}</p>',
    });
    await expect(svc.create(pid, { key: 'other', name: 'ORDER SHIPPED', subject: 's', text: 't' })).rejects.toMatchObject({
      status: 409,
    });
    const updated = await svc.update(pid, created.template.id, { subject: 'Shipped!' });
    expect(updated.template.subject).toBe('Shipped!');
    const otherProject = await newProject();
    await expect(svc.get(otherProject, created.template.id)).rejects.toMatchObject({ status: 404 });
    await svc.remove(pid, created.template.id);
    expect((await svc.list(pid)).templates).toEqual([]);
  });
});
