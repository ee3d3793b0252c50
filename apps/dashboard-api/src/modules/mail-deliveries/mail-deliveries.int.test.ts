import { type Server, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createMailer } from '@urbackend/common/mail';
import { type MailService, createMailQuota, createMailService, mailMonth, mailSendSchema } from '@urbackend/common/mail-api';
import { type SmtpSink, startSmtpSink, testRedisConfig, waitFor } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';

let t: DashboardTestApp;
let owner: TestDeveloper;
let owner2: TestDeveloper;
let stranger: TestDeveloper;
let rejecting: SmtpSink;
let closedUrl: string;
const services: MailService[] = [];
const limits = { mailPerMonth: 5, mailTemplatesEnabled: false };
const auth = (dev: Pick<TestDeveloper, 'accessToken'>) => ({ Authorization: `Bearer ${dev.accessToken}` });

/** A port nobody listens on (opened, then closed). */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** A mail service whose platform SMTP server is `smtpUrl`, with short retry delays. */
function mailService(smtpUrl: string): MailService {
  const { models } = t.deps;
  const service = createMailService({
    projects: models.Project,
    templates: models.MailTemplate,
    deliveries: models.MailDelivery,
    secretBox: t.deps.secretBox,
    quota: createMailQuota(t.deps.meter),
    platformMailer: createMailer({ smtpUrl, from: 'Platform <no-reply@platform.test>', logger: t.platform.logger }),
    logger: t.platform.logger,
    isProduction: false,
    redis: testRedisConfig(),
    // Each service gets its own queue, so its own worker (and SMTP server) handles its jobs.
    queuePrefix: `${t.platform.redisPrefix}bull${services.length}`,
    retryDelaysMs: [30, 30],
  });
  service.startWorker();
  services.push(service);
  return service;
}

beforeAll(async () => {
  t = await createDashboardTestApp('dash-maildeliv');
  owner = await registerVerifiedDeveloper(t);
  owner2 = await registerVerifiedDeveloper(t);
  stranger = await registerVerifiedDeveloper(t);
  rejecting = await startSmtpSink({ refuse: () => ({ code: 550, message: 'mailbox unavailable' }) });
  closedUrl = `smtp://127.0.0.1:${await closedPort()}`;
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await rejecting.close();
  await t.cleanup();
});

type Listed = {
  _id: string;
  status: string;
  to: string[];
  subject: string;
  attempts: { status: string; error: string | null }[];
};

async function listUntil(dev: TestDeveloper, path: string, done: (items: Listed[]) => boolean): Promise<Listed[]> {
  return waitFor(
    async () => {
      const res = await request(t.app).get(path).set(auth(dev)).expect(200);
      return done(res.body.data) ? (res.body.data as Listed[]) : undefined;
    },
    { timeoutMs: 10_000, message: 'the delivery log reaching the expected state' },
  );
}

const send = (service: MailService, pid: string, to: string | string[], subject: string) =>
  service.send(pid, mailSendSchema.parse({ to, subject, text: 'hello' }), limits);

describe('mail delivery log', () => {
  it('records failed sends with every attempt, releases their quota slots and lists them to the owner only', async () => {
    const project = await createTestProject(t.app, owner, 'Mailer');
    const base = `/api/projects/${project._id}/mail/deliveries`;
    const counter = `{u:${project._id}}:mail:${mailMonth(new Date())}`;
    // The monthly quota counter lives in Redis.
    const redis = t.platform.cache.client;
    expect(redis, 'this test needs Redis').toBeTruthy();
    await send(mailService(closedUrl), project._id, 'nobody@example.com', 'unreachable');
    await send(mailService(rejecting.url), project._id, ['a@example.com', 'b@example.com'], 'rejected');
    // One mail per recipient: 1 + 2.
    expect(await redis?.get(counter)).toBe('3');

    const failed = await listUntil(owner, base, (items) => items.filter((d) => d.status === 'failed').length === 2);
    const unreachable = failed.find((d) => d.subject === 'unreachable');
    const rejected = failed.find((d) => d.subject === 'rejected');
    expect(unreachable?.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'failed']);
    expect(unreachable?.attempts[0]?.error).toMatch(/ECONNREFUSED/);
    expect(rejected).toMatchObject({ to: ['a@example.com', 'b@example.com'], lastError: expect.stringContaining('550') });
    expect(rejected?.attempts).toHaveLength(3);
    await waitFor(async () => (await redis?.get(counter)) === '0', { message: 'every recipient released' });
    expect(await redis?.get(counter)).toBe('0');

    await request(t.app).get(base).set(auth(stranger)).expect(404);
    await request(t.app).get(base).expect(401);
    await request(t.app).get(`${base}?status=lost`).set(auth(owner)).expect(400);
  });

  it('records a delivered mail as sent, pages and filters by status, and is deleted with the project', async () => {
    const project = await createTestProject(t.app, owner2, 'Sender');
    const base = `/api/projects/${project._id}/mail/deliveries`;
    const res = await send(mailService(t.smtp.url), project._id, 'ann@example.com', 'delivered');
    await send(mailService(closedUrl), project._id, 'lost@example.com', 'lost');
    const all = await listUntil(owner2, base, (items) => items.length === 2 && items.every((d) => d.status !== 'queued'));
    const sent = all.find((d) => d.status === 'sent');
    expect(sent).toMatchObject({ _id: res.data.id, to: ['ann@example.com'], subject: 'delivered' });
    expect(sent?.attempts).toMatchObject([{ status: 'sent', error: null }]);
    expect(t.smtp.messages.some((m) => m.subject === 'delivered')).toBe(true);

    const page = await request(t.app).get(`${base}?limit=1&page=2`).set(auth(owner2)).expect(200);
    expect(page.body.data).toHaveLength(1);
    expect(page.body.pagination).toEqual({ page: 2, limit: 1, total: 2, totalPages: 2 });
    const onlyFailed = await request(t.app).get(`${base}?status=failed`).set(auth(owner2)).expect(200);
    expect(onlyFailed.body.data.map((d: Listed) => d.subject)).toEqual(['lost']);

    await request(t.app).delete(`/api/projects/${project._id}`).set(auth(owner2)).expect(200);
    expect(await t.deps.models.MailDelivery.countDocuments({ projectId: project._id })).toBe(0);
  });
});
