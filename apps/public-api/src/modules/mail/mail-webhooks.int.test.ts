import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SmtpSink, startSmtpSink, waitFor } from '@urbackend/common/testing';
import { createDeliveryStore, createWebhookService, verifySignature } from '@urbackend/common/webhooks';
import urBackend from '@urbackend/sdk';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';

let h: Harness;
let api: Server;
let apiUrl: string;
let smtp: SmtpSink;
let receiver: Server;
let receiverUrl: string;
const hits: { path: string; body: string; headers: IncomingMessage['headers'] }[] = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      hits.push({ path: req.url ?? '', body, headers: req.headers });
      res.writeHead(req.url?.includes('fail') ? 500 : 204).end();
    });
  });
  receiverUrl = `http://127.0.0.1:${await listen(receiver)}`;
  api = createServer();
  apiUrl = `http://127.0.0.1:${await listen(api)}`;
  h = await createHarness('pubmailhooks', {
    mail: { smtpUrl: smtp.url, from: 'Platform <no-reply@platform.test>' },
    delivery: { webhookTimeoutMs: 2000, webhookRetryDelaysMs: [30, 30], webhookConcurrency: 5, webhookDeliveryRetentionMs: 0 },
  });
  api.on('request', h.app);
});

afterAll(async () => {
  await Promise.all([new Promise((r) => api.close(r)), new Promise((r) => receiver.close(r)), smtp.close()]);
  await h.close();
});

describe('mail API', () => {
  it('sends a rendered system template through SMTP with the official SDK', async () => {
    const project = await h.project();
    const client = urBackend({ apiKey: project.secretKey, baseUrl: apiUrl });
    const result = (await client.mail.send({
      to: ['reader@example.com'],
      templateName: 'otp',
      variables: { name: 'Rae', projectName: 'Shop', otp: '123456', expiresInMinutes: 5 },
    })) as unknown as { id: string; provider: string; monthlyUsage: number };
    expect(result).toMatchObject({ provider: 'default', monthlyUsage: 1 });
    const mail = await smtp.waitFor({ subject: 'Your Shop code: 123456' });
    expect(mail.text).toContain('Your one-time code is 123456.');
    expect(mail.html).toContain('123456');
  });

  it('needs the secret key and a valid body', async () => {
    const project = await h.project();
    const body = { to: 'a@example.com', subject: 'hi', text: 'x' };
    const pk = await request(h.app).post('/api/mail/send').set('x-api-key', project.publishableKey).send(body);
    expect(pk.status).toBe(403);
    const bad = await request(h.app)
      .post('/api/mail/send')
      .set('x-api-key', project.secretKey)
      .send({ to: 'nope', subject: 'x', text: 'y' });
    expect(bad.status).toBe(400);
    const ok = await request(h.app).post('/api/mail/send').set('x-api-key', project.secretKey).send(body).expect(200);
    expect(ok.body).toMatchObject({ success: true, message: 'Mail sent successfully.', data: { monthlyLimit: 25 } });
  });
});

describe('webhooks on data events', () => {
  it('delivers a signed webhook for insert, update, delete and bulk insert; a failing receiver is retried', async () => {
    const project = await h.project({ collections: [{ name: 'posts', model: [{ key: 'title', type: 'String' }] }] });
    const hooks = createWebhookService({
      webhooks: h.deps.models.Webhook,
      deliveries: createDeliveryStore(h.deps.models),
      secretBox: h.deps.secretBox,
      guard: async () => undefined,
      allowHttp: true,
    });
    const all = { posts: { insert: true, update: true, delete: true } };
    const hook = await hooks.create(project.projectId, {
      name: 'ok',
      url: `${receiverUrl}/ok-${project.projectId}`,
      events: all,
      enabled: true,
    });
    await hooks.create(project.projectId, {
      name: 'bad',
      url: `${receiverUrl}/fail-${project.projectId}`,
      events: { posts: { insert: true } },
      enabled: true,
    });
    const sk = { 'x-api-key': project.secretKey };
    const created = await request(h.app).post('/api/data/posts').set(sk).send({ title: 'one' }).expect(201);
    const id = String(created.body._id);
    await request(h.app).patch(`/api/data/posts/${id}`).set(sk).send({ title: 'two' }).expect(200);
    await request(h.app).delete(`/api/data/posts/${id}`).set(sk).expect(200);
    await request(h.app)
      .post('/api/data/posts/bulk')
      .set(sk)
      .send([{ title: 'b1' }, { title: 'b2' }]);

    const okPath = `/ok-${project.projectId}`;
    const got = await waitFor(
      () => {
        const list = hits.filter((x) => x.path === okPath);
        return list.length >= 5 ? list : undefined;
      },
      { timeoutMs: 10_000, message: 'five webhook deliveries to the healthy receiver' },
    );
    const events = got.map((x) => JSON.parse(x.body) as { event: string; documentId: string });
    expect(events.map((e) => e.event).sort()).toEqual([
      'posts.delete',
      'posts.insert',
      'posts.insert',
      'posts.insert',
      'posts.update',
    ]);
    for (const x of got) expect(verifySignature(hook.secret, x.body, x.headers['x-urbackend-signature'] as string)).toBe(true);

    const failed = await waitFor(
      async () => {
        const rows = await h.deps.models.WebhookDelivery.find({ projectId: project.projectId, finalStatus: 'failed' }).lean();
        return rows.length === 3 ? rows : undefined;
      },
      { timeoutMs: 10_000, message: 'three failed deliveries to the failing receiver' },
    );
    expect(failed.every((r) => r.attempts.length === 3 && r.attempts.every((a) => a.statusCode === 500))).toBe(true);
  });
});
