/**
 * The public API's maintenance deletes finished webhook deliveries past `WEBHOOK_DELIVERY_RETENTION_DAYS`
 * and request-log entries past `REQUEST_LOG_RETENTION_DAYS` (one process at a time, hourly); 0
 * keeps them all.
 */
import { requestLogModel } from '@urbackend/common/models';
import { DEFAULT_RETRY_DELAYS_MS } from '@urbackend/common/webhooks';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../src/testing/harness.js';

const DAY = 86_400_000;
const delivery = (retentionDays: number) => ({
  webhookTimeoutMs: 2000,
  webhookRetryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
  webhookConcurrency: 1,
  webhookDeliveryRetentionMs: retentionDays * DAY,
});

let weekly: Harness;
let forever: Harness;

beforeAll(async () => {
  [weekly, forever] = await Promise.all([
    createHarness('retention-7', { delivery: delivery(7), requestLogRetentionMs: 7 * DAY }),
    createHarness('retention-0', { delivery: delivery(0), requestLogRetentionMs: 0 }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([weekly?.close(), forever?.close()]);
});

async function seed(h: Harness) {
  const projectId = new Types.ObjectId();
  const row = (finalStatus: string, ageDays: number) => ({
    webhookId: new Types.ObjectId(),
    projectId,
    event: 'items.insert',
    body: '{}',
    attempts: [],
    nextRetryAt: null,
    finalStatus,
    replayOf: null,
    createdAt: new Date(Date.now() - ageDays * DAY),
    updatedAt: new Date(Date.now() - ageDays * DAY),
  });
  const { WebhookDelivery, WebhookOutbox } = h.deps.models;
  await WebhookDelivery.collection.insertMany([row('delivered', 8), row('failed', 10), row('delivered', 6)]);
  await WebhookOutbox.collection.insertOne(row('pending', 9)); // still being worked: in the outbox
  return async () =>
    [...(await WebhookDelivery.find({ projectId }).lean()), ...(await WebhookOutbox.find({ projectId }).lean())]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((d) => `${d.finalStatus} ${Math.round((Date.now() - d.createdAt.getTime()) / DAY)}d`);
}

describe('webhook delivery retention', () => {
  it('deletes finished deliveries older than the retention and keeps pending and newer ones', async () => {
    const left = await seed(weekly);
    expect(await weekly.deps.maintenance.pruneDeliveries.runOnce()).toBe(2);
    expect(await left()).toEqual(['pending 9d', 'delivered 6d']);
  });

  it('keeps every delivery when the retention is 0', async () => {
    const left = await seed(forever);
    expect(await forever.deps.maintenance.pruneDeliveries.runOnce()).toBe(0);
    expect(await left()).toEqual(['failed 10d', 'pending 9d', 'delivered 8d', 'delivered 6d']);
  });
});

describe('request log retention', () => {
  async function seedLogs(h: Harness) {
    const projectId = new Types.ObjectId();
    const logs = requestLogModel(h.deps.db.connection);
    const entry = (ageDays: number) => {
      const at = new Date(Date.now() - ageDays * DAY);
      const iso = at.toISOString();
      return {
        projectId,
        method: 'GET',
        route: '/api/data/:collectionName',
        path: '/api/data/items',
        status: 200,
        latencyMs: 3,
        ip: '127.0.0.1',
        keyRole: 'publishable',
        at,
        minute: iso.slice(0, 16),
        hour: iso.slice(0, 13),
        day: iso.slice(0, 10),
      };
    };
    await logs.collection.insertMany([entry(30), entry(8), entry(6.5), entry(1), entry(0)]);
    return async () =>
      (await logs.find({ projectId }).sort({ at: 1 }).lean()).map((d) => Math.round((Date.now() - d.at.getTime()) / DAY));
  }

  it('deletes entries older than the retention and keeps newer ones', async () => {
    const left = await seedLogs(weekly);
    expect(await weekly.deps.maintenance.pruneRequestLogs.runOnce()).toBe(2);
    expect(await left()).toEqual([7, 1, 0]);
  });

  it('keeps every entry when the retention is 0', async () => {
    const left = await seedLogs(forever);
    expect(await forever.deps.maintenance.pruneRequestLogs.runOnce()).toBe(0);
    expect(await left()).toEqual([30, 8, 7, 1, 0]);
  });
});
