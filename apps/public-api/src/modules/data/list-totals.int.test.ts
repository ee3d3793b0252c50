/**
 * List totals served from the count cache (packages/common/src/data/counts.ts): a total is never
 * behind a write the API has answered, on this app or another one on the same Redis, whatever the
 * write path (insert, bulk, update into and out of a filter, delete to the trash, recover, a
 * dropped and re-created collection); a document written around the API (straight into the
 * database) is only counted once the collection changes through the API or the entry expires.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Actor, toScopedProject } from '@urbackend/common/scope';
import type { TestProject } from '@urbackend/common/testing';
import type { Express } from 'express';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.js';
import { createDeps } from '../../deps.js';
import { type Harness, createHarness, harnessConfig } from '../../testing/harness.js';

let h: Harness;
let p: TestProject;
const servers: Server[] = [];
const urls: string[] = [];
const developer: Actor = { type: 'developer', developerId: 'd', email: 'dev@example.test', role: 'owner', via: 'session' };

async function listen(app: Express): Promise<string> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A request to app `i` (0: the harness's, 1: a second app on the same database and Redis). */
async function api(i: number, method: string, path: string, body?: unknown) {
  const res = await fetch(`${urls[i]}${path}`, {
    method,
    headers: { 'x-api-key': p.secretKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data: Record<string, unknown> & { total?: number; count?: number } },
  };
}
const total = async (i: number, query = '') => (await api(i, 'GET', `/api/data/items${query}`)).body.data.total;
const count = async (i: number, query = '') => (await api(i, 'GET', `/api/data/items?count=true${query}`)).body.data.count;
async function scopedProject() {
  const project = await h.platform.db.connection.collection('projects').findOne({ _id: new Types.ObjectId(p.projectId) });
  const owner = await h.platform.db.connection.collection('developers').findOne({ _id: project?.owner });
  if (!project || !owner) throw new Error('test project missing');
  return toScopedProject(project as unknown as Record<string, unknown>, owner as never);
}
const items = () => h.platform.db.tenantDb(p.projectId).collection('items');

beforeAll(async () => {
  h = await createHarness('list-totals');
  p = await h.project({
    collections: [{ name: 'items', model: [{ key: 'category', type: 'String' }] }],
  });
  await h.deps.collections.ensurePhysical(h.deps.scopeFor(await scopedProject(), developer));
  urls.push(await listen(h.app));
  // A second app: its own caches and services, the same database and Redis (another process behind a load balancer).
  const second = createDeps(harnessConfig(h.platform), h.platform.logger, { db: h.platform.db, cache: h.platform.cache });
  urls.push(await listen(createApp(second)));
  servers.push({ close: (cb: () => void) => void second.close().then(cb) } as unknown as Server);
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await h.close();
});

describe('list totals', () => {
  it('counts every answered write at once, on either app, and serves unchanged totals from the cache', async () => {
    for (const category of ['a', 'a', 'b']) expect((await api(0, 'POST', '/api/data/items', { category })).status).toBe(201);
    expect(await total(0)).toBe(3);
    expect(await total(1)).toBe(3);
    expect(await total(1, '?category=a')).toBe(2);
    expect(await count(0, '&category=b')).toBe(1);

    // A document written around the API: the cached totals stand (the collection did not change through it)...
    await items().insertOne({ category: 'a', createdAt: new Date(), updatedAt: new Date() });
    expect(await total(0)).toBe(3);
    expect(await total(1, '?category=a')).toBe(2);

    // ...until the next write through the API, which every app sees in its next list.
    // An insert answers with the stored document itself (the original's shape).
    const created = (await api(1, 'POST', '/api/data/items', { category: 'b' })).body as unknown as { _id: string };
    expect(await total(0)).toBe(5);
    expect(await total(1, '?category=a')).toBe(3);
    expect(await count(0, '&category=b')).toBe(2);

    // An update moving a document between filters.
    expect((await api(0, 'PATCH', `/api/data/items/${created._id}`, { category: 'a' })).status).toBe(200);
    expect(await total(1, '?category=a')).toBe(4);
    expect(await count(1, '&category=b')).toBe(1);

    // A bulk insert, a delete to the trash, a recovery.
    const bulk = await api(1, 'POST', '/api/data/items/bulk', [{ category: 'c' }, { category: 'c' }]);
    expect(bulk.status).toBe(201);
    expect(await total(0, '?category=c')).toBe(2);
    expect(await total(0)).toBe(7);
    expect((await api(0, 'DELETE', `/api/data/items/${created._id}`)).status).toBe(200);
    expect(await total(1)).toBe(6);
    expect((await api(1, 'PATCH', `/api/data/items/${created._id}/recover`)).status).toBe(200);
    expect(await total(0)).toBe(7);
    expect(await total(1, '?category=a')).toBe(4);
  });

  it('a collection dropped and created again starts from no cached total', async () => {
    expect(await total(0)).toBe(7);
    expect(await total(1)).toBe(7);
    const scope = h.deps.scopeFor(await scopedProject(), developer);
    await h.deps.collections.remove(scope, 'items');
    await h.deps.collections.create(h.deps.scopeFor(await scopedProject(), developer), {
      name: 'items',
      schema: [{ key: 'category', type: 'String' }],
    });
    expect(await total(0)).toBe(0);
    expect(await total(1)).toBe(0);
  });
});
