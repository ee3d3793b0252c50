import { type ApiKeyResolver, createApiKeyResolver } from '@urbackend/common/api-keys';
import type { ScopedProject } from '@urbackend/common/scope';
import { waitFor } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';
import { ensureAdmin } from '../auth/admin-bootstrap.js';

/**
 * The public API caches a snapshot of each project per API key (in-process and in Redis). Every
 * field of that snapshot must have a writer that invalidates it in every process within a second;
 * this test changes each field through its writer and watches two resolvers (two public-api
 * processes' caches) see the change. A snapshot field missing from the tables below fails the test.
 */

let t: DashboardTestApp;
let dev: TestDeveloper;
let adminToken: string;
let projectId: string;
let keys: { publishable: string; secret: string };
let resolvers: ApiKeyResolver[];

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const project = () => `/api/projects/${projectId}`;

/** What each process's cache says about the project now (warming it when cold). */
async function snapshots(key = keys.secret): Promise<(ScopedProject | null)[]> {
  return Promise.all(resolvers.map(async (r) => (await r.resolve(key))?.project ?? null));
}

/** Runs `change`, then waits until every process sees `read` differ from before (1 s at most). */
async function expectSeen(read: (p: ScopedProject) => unknown, change: () => Promise<unknown>, key?: () => string) {
  const before = (await snapshots()).map((p) => (p ? JSON.stringify(read(p)) : null));
  expect(before.every((b) => b !== null)).toBe(true);
  await change();
  await waitFor(
    async () => {
      const now = await snapshots(key?.() ?? keys.secret);
      return now.every((p, i) => p && JSON.stringify(read(p)) !== before[i]);
    },
    { timeoutMs: 1000, intervalMs: 20, message: 'every process sees the change' },
  );
}

/** Snapshot fields no route can change: they are set once, when the project is created. */
const SET_AT_CREATION = new Set(['_id', 'jwtSecret', 'mail']);

/** One writer per snapshot field (and per owner field), with how to read it back. */
const writers: Record<string, [read: (p: ScopedProject) => unknown, change: () => Promise<unknown>, key?: () => string]> = {
  name: [(p) => p.name, () => request(t.app).patch(project()).set(auth(dev.accessToken)).send({ name: 'Renamed' }).expect(200)],
  siteUrl: [
    (p) => p.siteUrl,
    () => request(t.app).patch(project()).set(auth(dev.accessToken)).send({ siteUrl: 'https://app.example.com' }).expect(200),
  ],
  allowPublishableUploads: [
    (p) => p.allowPublishableUploads,
    () => request(t.app).patch(project()).set(auth(dev.accessToken)).send({ allowPublishableUploads: true }).expect(200),
  ],
  allowedDomains: [
    (p) => p.allowedDomains,
    () =>
      request(t.app)
        .patch(`${project()}/allowed-domains`)
        .set(auth(dev.accessToken))
        .send({ domains: ['example.com'] })
        .expect(200),
  ],
  collections: [
    (p) => p.collections.map((c) => c.name),
    () =>
      request(t.app)
        .post(`${project()}/collections`)
        .set(auth(dev.accessToken))
        .send({ name: 'posts', schema: [{ key: 'title', type: 'String' }] })
        .expect(201),
  ],
  isAuthEnabled: [
    (p) => p.isAuthEnabled,
    async () => {
      const users = [
        { key: 'email', type: 'String', required: true },
        { key: 'password', type: 'String', required: true },
      ];
      await request(t.app).post(`${project()}/collections`).set(auth(dev.accessToken)).send({ name: 'users', schema: users });
      await request(t.app).patch(`${project()}/auth/toggle`).set(auth(dev.accessToken)).send({ enable: true }).expect(200);
    },
  ],
  authProviders: [
    (p) => p.authProviders.github.clientId,
    () =>
      request(t.app)
        .patch(`${project()}/auth/providers`)
        .set(auth(dev.accessToken))
        .send({ github: { clientId: 'gh-client' } })
        .expect(200),
  ],
  resources: [
    (p) => p.resources.storage.isExternal,
    () =>
      request(t.app)
        .patch(`${project()}/byod-config`)
        .set(auth(dev.accessToken))
        .send({
          storageProvider: 's3',
          s3Bucket: 'b',
          s3AccessKeyId: 'k',
          s3SecretAccessKey: 's',
          s3Endpoint: 'http://127.0.0.1:9',
        })
        .expect(200),
  ],
  customLimits: [
    (p) => p.customLimits.maxCollections,
    () =>
      request(t.app)
        .patch(`/api/admin/projects/${projectId}/limits`)
        .set(auth(adminToken))
        .send({ maxCollections: 7 })
        .expect(200),
  ],
  lifecycle: [
    (p) => p.lifecycle.trashRetentionDays,
    () => request(t.app).patch(`${project()}/lifecycle`).set(auth(dev.accessToken)).send({ trashRetentionDays: 7 }).expect(200),
  ],
  configVersion: [
    (p) => p.configVersion,
    () => request(t.app).patch(project()).set(auth(dev.accessToken)).send({ description: 'bumped' }).expect(200),
  ],
  publishableKeyHash: [
    (p) => p.publishableKeyHash,
    async () => {
      const res = await request(t.app).post(`${project()}/api-key`).set(auth(dev.accessToken)).send({ keyType: 'publishable' });
      keys.publishable = res.body.apiKey;
    },
  ],
  secretKeyHash: [
    (p) => p.secretKeyHash,
    async () => {
      const res = await request(t.app).post(`${project()}/api-key`).set(auth(dev.accessToken)).send({ keyType: 'secret' });
      keys.secret = res.body.apiKey;
    },
  ],
};

const ownerWriters: Record<string, [read: (p: ScopedProject) => unknown, change: () => Promise<unknown>]> = {
  plan: [
    (p) => p.owner.plan,
    () =>
      request(t.app).patch(`/api/admin/developers/${dev.userId}/plan`).set(auth(adminToken)).send({ plan: 'free' }).expect(200),
  ],
  disabled: [
    (p) => p.owner.disabled,
    () => request(t.app).post(`/api/admin/developers/${dev.userId}/disable`).set(auth(adminToken)).expect(200),
  ],
  isAdmin: [
    (p) => p.owner.isAdmin,
    () =>
      ensureAdmin(
        t.deps.models.Developer,
        { email: dev.email, password: null },
        t.platform.logger,
        t.deps.hasher,
        t.deps.ownerChanged,
      ),
  ],
  isVerified: [
    (p) => p.owner.isVerified,
    async () => {
      // Verification is set by verify-otp and by a password reset (proof of the mailbox).
      const since = t.smtp.messages.length;
      await request(t.app).post('/api/auth/forgot-password').send({ email: dev.email }).expect(200);
      const otp = await t.smtp.otpFor(dev.email, { since });
      await request(t.app)
        .post('/api/auth/reset-password')
        .send({ email: dev.email, otp, newPassword: 'another-horse-2' })
        .expect(200);
    },
  ],
};

beforeAll(async () => {
  t = await createDashboardTestApp('snapshot-invalidation', (c) => {
    c.dashboard.admin = { email: 'root@example.com', password: 'root-password-1' };
  });
  const admin = await request(t.app).post('/api/auth/login').send({ email: 'root@example.com', password: 'root-password-1' });
  adminToken = admin.body.accessToken;
  expect(t.platform.cache.client, 'cross-process invalidation needs Redis').toBeTruthy();
  const resolver = () => createApiKeyResolver({ models: t.deps.models, cache: t.platform.cache, logger: t.platform.logger });
  resolvers = [resolver(), resolver()];
  await Promise.all(resolvers.map((r) => r.ready()));
});

// Each test starts from its own developer and project, cached in both processes, so a late
// invalidation of an earlier test can never make a missing one look present.
beforeEach(async () => {
  dev = await registerVerifiedDeveloper(t);
  await t.deps.models.Developer.updateOne({ email: dev.email }, { $set: { plan: 'pro' } });
  const created = await createTestProject(t.app, dev);
  projectId = created._id;
  keys = { publishable: created.publishableKey, secret: created.secretKey };
  await waitFor(async () => (await snapshots()).every(Boolean), { message: 'both caches warm' });
});
afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()));
  await t.cleanup();
});

describe('every field of the cached project snapshot has an invalidating writer', () => {
  it('lists every field: a new field needs a writer here (or a reason it never changes)', async () => {
    const [snapshot] = await snapshots();
    expect(Object.keys(snapshot ?? {}).sort()).toEqual([...Object.keys(writers), ...SET_AT_CREATION, 'owner'].sort());
    expect(Object.keys(snapshot?.owner ?? {}).sort()).toEqual(['_id', ...Object.keys(ownerWriters)].sort());
  });

  it.each(Object.keys(writers))('%s: every process sees the change within 1 s', async (field) => {
    const [read, change, key] = writers[field] as (typeof writers)[string];
    await expectSeen(read, change, key);
  });

  it.each(Object.keys(ownerWriters))('owner.%s: every process sees the change within 1 s', async (field) => {
    const [read, change] = ownerWriters[field] as (typeof ownerWriters)[string];
    if (field === 'isVerified') {
      // Start from an owner whose verification was withdrawn (no route does that), seen by every cache.
      await t.deps.models.Developer.updateOne({ _id: dev.userId }, { $set: { isVerified: false } });
      await Promise.all(resolvers.map((r) => r.invalidate({ projectId })));
    }
    await expectSeen(read, change);
    if (field === 'disabled') {
      // The developer works on in the tests below.
      await request(t.app).post(`/api/admin/developers/${dev.userId}/enable`).set(auth(adminToken)).expect(200);
    }
  });

  it('a rotated key is refused by every process', async () => {
    const old = keys.secret;
    await request(t.app).post(`${project()}/api-key`).set(auth(dev.accessToken)).send({ keyType: 'secret' }).expect(200);
    await waitFor(async () => (await Promise.all(resolvers.map((r) => r.resolve(old)))).every((r) => r === null), {
      timeoutMs: 1000,
    });
  });
});
