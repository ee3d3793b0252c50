import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlatformModels, createPlatformModels, ensurePlatformIndexes } from '../models/index.js';
import { type TestPlatform, createTestPlatform } from '../testing/index.js';
import { type DeliveryStore, createDeliveryStore } from './delivery-store.js';

let platform: TestPlatform;
let models: PlatformModels;
let store: DeliveryStore;

beforeAll(async () => {
  platform = await createTestPlatform('delivery-store');
  models = createPlatformModels(platform.db.connection);
  await ensurePlatformIndexes(models);
  store = createDeliveryStore(models);
});

afterAll(() => platform.cleanup());

const base = Date.parse('2026-11-01T00:00:00Z');
function row(projectId: Types.ObjectId, webhookId: Types.ObjectId, minute: number, finalStatus: string) {
  return {
    _id: new Types.ObjectId(),
    projectId,
    webhookId,
    event: 'orders.insert',
    body: JSON.stringify({ minute }),
    attempts: [],
    nextRetryAt: null,
    finalStatus,
    replayOf: null,
    createdAt: new Date(base + minute * 60_000),
    updatedAt: new Date(base + minute * 60_000),
  };
}

describe('webhook delivery store (outbox + log)', () => {
  it('pages the deliveries in flight and the finished ones as one list, newest first, each once', async () => {
    const projectId = new Types.ObjectId();
    const webhookId = new Types.ObjectId();
    // 23 finished (the log) and 6 in flight (the outbox) at interleaved times, two of them at the
    // same minute, and one finished delivery caught between the two (in both, counted once).
    const logged = Array.from({ length: 23 }, (_, i) => row(projectId, webhookId, i * 2, i % 4 ? 'delivered' : 'failed'));
    const inFlight = [3, 11, 12, 12, 30, 47].map((m) => row(projectId, webhookId, m, 'pending'));
    const moving = row(projectId, webhookId, 25, 'delivered');
    await models.WebhookDelivery.collection.insertMany([...logged, moving]);
    await models.WebhookOutbox.collection.insertMany([...inFlight, { ...moving }]);
    // Another webhook's deliveries are not part of the list.
    await models.WebhookOutbox.collection.insertOne(row(projectId, new Types.ObjectId(), 5, 'pending'));

    const all = [...logged, moving, ...inFlight].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || String(b._id).localeCompare(String(a._id)),
    );
    for (const limit of [1, 4, 7, 30, 50]) {
      const pages = Math.ceil(all.length / limit);
      for (let page = 1; page <= pages + 1; page++) {
        const got = await store.page({ projectId, webhookId }, page, limit);
        const want = all.slice((page - 1) * limit, page * limit).map((d) => String(d._id));
        expect(
          got.items.map((d) => String(d._id)),
          `page ${page} of ${limit}`,
        ).toEqual(want);
        expect(got.total).toBe(30);
        expect(got.totalPages).toBe(pages);
      }
    }
    // The copy in the log is the one shown for the delivery being moved.
    expect((await store.find(String(projectId), String(moving._id)))?.finalStatus).toBe('delivered');
    expect((await store.find(String(projectId), String(inFlight[0]?._id)))?.finalStatus).toBe('pending');
    expect(await store.find(String(new Types.ObjectId()), String(inFlight[0]?._id))).toBeNull();
  });

  it('moves a finished delivery to the log once, whatever the retries, and leaves a pending one', async () => {
    const projectId = new Types.ObjectId();
    const done = row(projectId, new Types.ObjectId(), 1, 'failed');
    const pending = row(projectId, new Types.ObjectId(), 2, 'pending');
    await models.WebhookOutbox.collection.insertMany([done, pending]);
    await Promise.all([store.archive(done._id), store.archive(done._id), store.archive(pending._id)]);
    await store.archive(done._id);
    const ids = async (model: typeof models.WebhookDelivery) =>
      (await model.find({ projectId }).lean()).map((d) => String(d._id));
    expect(await ids(models.WebhookDelivery)).toEqual([String(done._id)]);
    expect(await ids(models.WebhookOutbox)).toEqual([String(pending._id)]);
    const archived = await models.WebhookDelivery.findById(done._id).lean();
    expect(archived?.createdAt.toISOString()).toBe(done.createdAt.toISOString());

    await store.removeProject(String(projectId));
    expect(await ids(models.WebhookDelivery)).toEqual([]);
    expect(await ids(models.WebhookOutbox)).toEqual([]);
  });
});
