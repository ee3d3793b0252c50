import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { defaultStorageAppConfig } from '@urbackend/common/storage';
import { waitFor } from '@urbackend/common/testing';
import { verifySignature } from '@urbackend/common/webhooks';
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
let strict: DashboardTestApp;
let owner: TestDeveloper;
let stranger: TestDeveloper;
let dir: string;
let receiver: Server;
let receiverUrl: string;
const hits: { path: string; body: string; signature: string }[] = [];
const auth = (dev: Pick<TestDeveloper, 'accessToken'>) => ({ Authorization: `Bearer ${dev.accessToken}` });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ub-dash-storage-'));
  t = await createDashboardTestApp('dash-files', (c) => {
    const storage = defaultStorageAppConfig(c.urls.publicApi, c.security.jwtSecret);
    c.storage = { ...storage, local: { ...storage.local, dir } };
    c.delivery = { webhookTimeoutMs: 2000, webhookRetryDelaysMs: [20], webhookConcurrency: 2, webhookDeliveryRetentionMs: 0 };
  });
  strict = await createDashboardTestApp('dash-files-strict', (c) => {
    c.security.allowPrivateTargets = false;
  });
  owner = await registerVerifiedDeveloper(t);
  stranger = await registerVerifiedDeveloper(t);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      hits.push({ path: req.url ?? '', body, signature: String(req.headers['x-urbackend-signature']) });
      res.writeHead(200).end('pong');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await Promise.all([t.cleanup(), strict.cleanup()]);
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard storage', () => {
  it('presigns, confirms, lists and deletes files of an owned project only', async () => {
    const project = await createTestProject(t.app, owner, 'Files');
    const base = `/api/projects/${project._id}/storage`;
    const bytes = Buffer.from('dashboard upload');
    const presigned = await request(t.app)
      .post(`${base}/upload-request`)
      .set(auth(owner))
      .send({ filename: 'notes.txt', contentType: 'text/plain', size: bytes.length })
      .expect(200);
    expect(presigned.body.message).toBe('Upload URL generated successfully.');
    const { signedUrl, filePath } = presigned.body.data as { signedUrl: string; filePath: string };
    expect(signedUrl.startsWith(`${t.config.urls.publicApi}/api/storage/local-upload?`)).toBe(true);
    // The public API receives the PUT; the same driver code checks the dashboard's signature.
    const local = t.deps.storage.manager.local;
    await local?.acceptPresignedPut(Object.fromEntries(new URL(signedUrl).searchParams), Readable.from([bytes]));
    const confirmed = await request(t.app)
      .post(`${base}/upload-confirm`)
      .set(auth(owner))
      .send({ filePath, size: bytes.length })
      .expect(200);
    expect(confirmed.body.data).toMatchObject({ path: filePath, provider: 'internal' });

    const listed = await request(t.app).get(`${base}/files?page=1&limit=10`).set(auth(owner)).expect(200);
    expect(listed.body.data.items.map((i: { path: string }) => i.path)).toEqual([filePath]);
    expect(listed.body.data.storageUsed).toBe(bytes.length);
    await request(t.app).get(`${base}/files`).set(auth(stranger)).expect(404);
    await request(t.app).post(`${base}/delete`).set(auth(stranger)).send({ path: filePath }).expect(404);
    await request(t.app)
      .post(`${base}/delete`)
      .set(auth(owner))
      .send({ path: `${project._id}/../x` })
      .expect(403);
    await request(t.app).post(`${base}/delete`).set(auth(owner)).send({ path: filePath }).expect(200, { success: true });
    expect((await t.deps.models.Project.findById(project._id).lean())?.storageUsed).toBe(0);
    await request(t.app).delete(`${base}/files`).set(auth(owner)).expect(200, { success: true, deleted: 0 });
  });
});

describe('dashboard webhooks', () => {
  it('are a paid feature: 403 on the free plan', async () => {
    const free = await registerVerifiedDeveloper(t);
    const project = await createTestProject(t.app, free, 'Free');
    const res = await request(t.app)
      .post(`/api/projects/${project._id}/webhooks`)
      .set(auth(free))
      .send({ name: 'x', url: `${receiverUrl}/x`, events: { '*': { insert: true } } });
    expect(res.status).toBe(403);
  });

  it('supports CRUD, a signed test ping, the delivery log and replay', async () => {
    const pro = await registerVerifiedDeveloper(t);
    await t.deps.models.Developer.updateOne({ email: pro.email }, { $set: { plan: 'pro' } });
    const project = await createTestProject(t.app, pro, 'Hooks');
    const base = `/api/projects/${project._id}/webhooks`;
    const secret = 'a-very-long-webhook-secret';
    const created = await request(t.app)
      .post(base)
      .set(auth(pro))
      .send({ name: 'orders', url: `${receiverUrl}/orders`, secret, events: { orders: { insert: true } } })
      .expect(201);
    const id = created.body.data._id as string;
    expect(JSON.stringify((await request(t.app).get(base).set(auth(pro)).expect(200)).body)).not.toContain(secret);
    await request(t.app).get(`${base}/${id}`).set(auth(stranger)).expect(404);
    await request(t.app).patch(`${base}/${id}`).set(auth(pro)).send({ name: 'orders-2' }).expect(200);
    await request(t.app).post(base).set(auth(pro)).send({ name: 'bad', url: 'ftp://example.com' }).expect(400);

    const ping = await request(t.app).post(`${base}/${id}/test`).set(auth(pro)).expect(200);
    expect(ping.body).toMatchObject({ success: true, statusCode: 200, responseBody: 'pong' });
    const pinged = hits.find((h) => h.body.includes('test.ping'));
    expect(verifySignature(secret, pinged?.body ?? '', pinged?.signature)).toBe(true);

    await t.deps.webhooks.dispatcher.dispatch({
      projectId: project._id,
      collection: 'orders',
      action: 'insert',
      documentId: 'o1',
      data: { a: 1 },
    });
    const log = await waitFor(
      async () => {
        const res = await request(t.app).get(`${base}/${id}/deliveries`).set(auth(pro)).expect(200);
        return res.body.data[0]?.finalStatus === 'delivered' ? res : undefined;
      },
      { message: 'the dispatched delivery listed as delivered' },
    );
    expect(log.body.pagination).toMatchObject({ page: 1, total: 1 });
    const deliveryId = log.body.data[0]._id as string;
    const replay = await request(t.app).post(`${base}/${id}/deliveries/${deliveryId}/replay`).set(auth(pro)).expect(202);
    expect(replay.body.data.deliveryId).not.toBe(deliveryId);
    await request(t.app).delete(`${base}/${id}`).set(auth(pro)).expect(200, { message: 'Webhook deleted' });
    await request(t.app).get(`${base}/${id}`).set(auth(pro)).expect(404);
  });

  it('fire signed webhooks for data edits made in the dashboard', async () => {
    const pro = await registerVerifiedDeveloper(t);
    await t.deps.models.Developer.updateOne({ email: pro.email }, { $set: { plan: 'pro' } });
    const project = await createTestProject(t.app, pro, 'Edits');
    const secret = 'dashboard-edit-webhook-secret';
    await request(t.app)
      .post(`/api/projects/${project._id}/collections`)
      .set(auth(pro))
      .send({ collectionName: 'tickets', schema: [{ key: 'title', type: 'String', required: true }] })
      .expect(201);
    await request(t.app)
      .post(`/api/projects/${project._id}/webhooks`)
      .set(auth(pro))
      .send({
        name: 'tickets',
        url: `${receiverUrl}/tickets`,
        secret,
        events: { tickets: { insert: true, update: true, delete: true } },
      })
      .expect(201);
    const rows = `/api/projects/${project._id}/collections/tickets/data`;
    const created = await request(t.app).post(rows).set(auth(pro)).send({ title: 'first' }).expect(201);
    const id = created.body._id as string;
    await request(t.app).patch(`${rows}/${id}`).set(auth(pro)).send({ title: 'second' }).expect(200);
    await request(t.app).delete(`${rows}/${id}`).set(auth(pro)).expect(200);

    const events = () =>
      hits.filter((h) => h.path === '/tickets').map((h) => JSON.parse(h.body) as { event: string; documentId: string });
    await waitFor(() => events().length >= 3, { message: 'three webhook calls for the dashboard edits' });
    expect(
      events()
        .map((e) => e.event)
        .sort(),
    ).toEqual(['tickets.delete', 'tickets.insert', 'tickets.update']);
    expect(events().every((e) => e.documentId === id)).toBe(true);
    for (const hit of hits.filter((h) => h.path === '/tickets'))
      expect(verifySignature(secret, hit.body, hit.signature)).toBe(true);
  });

  it('refuses a receiver on 127.0.0.1 unless private targets are allowed', async () => {
    const pro = await registerVerifiedDeveloper(strict);
    await strict.deps.models.Developer.updateOne({ email: pro.email }, { $set: { plan: 'pro' } });
    const project = await createTestProject(strict.app, pro, 'Strict');
    const res = await request(strict.app)
      .post(`/api/projects/${project._id}/webhooks`)
      .set(auth(pro))
      .send({ name: 'local', url: `${receiverUrl}/private`, events: { '*': { insert: true } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/private or internal/);
  });
});

describe('dashboard mail templates', () => {
  it('lists system templates read-only and gates custom ones by plan', async () => {
    const dev = await registerVerifiedDeveloper(t);
    const project = await createTestProject(t.app, dev, 'Mail');
    const base = `/api/projects/${project._id}/mail/templates`;
    const global = await request(t.app).get(`${base}/global`).set(auth(dev)).expect(200);
    expect(global.body.data.templates.map((x: { key: string }) => x.key)).toEqual(['invite', 'otp', 'password-reset', 'welcome']);
    const body = { name: 'Order shipped', subject: 'Shipped {{order}}', html: '<p>{{order}}</p>' };
    await request(t.app).post(base).set(auth(dev)).send(body).expect(403);
    await t.deps.models.Developer.updateOne({ email: dev.email }, { $set: { plan: 'pro' } });
    const created = await request(t.app).post(base).set(auth(dev)).send(body).expect(201);
    expect(created.body.data.template).toMatchObject({ key: 'order-shipped', name: 'Order shipped' });
    await request(t.app).post(base).set(auth(dev)).send(body).expect(409);
    await request(t.app).get(`${base}/not-an-id`).set(auth(dev)).expect(400);
    const systemId = global.body.data.templates[0].id as string;
    await request(t.app).patch(`${base}/${systemId}`).set(auth(dev)).send({ subject: 'x' }).expect(403);
    const id = created.body.data.template.id as string;
    await request(t.app).get(`${base}/${id}`).set(auth(stranger)).expect(404);
    await request(t.app).delete(`${base}/${id}`).set(auth(dev)).expect(200);
    expect((await request(t.app).get(base).set(auth(dev)).expect(200)).body.data.templates).toEqual([]);
  });
});
