import type { FilterQuery, Types } from 'mongoose';
import { type Page, deleteInBatches } from '../db/index.js';
import { toAppError } from '../errors/index.js';
import type { WebhookDelivery, WebhookDeliveryModel } from '../models/webhook-delivery.model.js';

/** A delivery as stored (lean). */
export type StoredDelivery = WebhookDelivery & { _id: Types.ObjectId };

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * Where webhook deliveries are kept: the **outbox** while in flight, the **log** once finished
 * (see `WebhookDelivery`). The delivery workers claim and update outbox rows only; a finished
 * delivery is copied to the log and then removed from the outbox (`archive`), so a reader may see
 * it in both for a moment and never in neither. Readers go through this store, which shows the two
 * as one list.
 */
export interface DeliveryStore {
  readonly outbox: WebhookDeliveryModel;
  readonly log: WebhookDeliveryModel;
  /** Moves a finished delivery from the outbox to the log. Idempotent; a pending one stays. */
  archive(deliveryId: unknown): Promise<void>;
  /**
   * Moves a delivery still pending in the log to the outbox and returns it (null when there is
   * none): deliveries accepted before the outbox existed were kept pending in the log, and their
   * queued jobs find them this way after an upgrade.
   */
  adopt(deliveryId: unknown): Promise<StoredDelivery | null>;
  /** A project's delivery wherever it is (the log's copy while it is in both). */
  find(projectId: string, deliveryId: string): Promise<StoredDelivery | null>;
  /** One page, newest first, of the deliveries matching `filter` in both places. */
  page(filter: FilterQuery<WebhookDelivery>, page: number, limit: number): Promise<Page<StoredDelivery>>;
  /** Every delivery of a project (project deletion). */
  removeProject(projectId: string): Promise<void>;
  /**
   * Retention: archives finished deliveries left in the outbox (a process stopped between
   * finishing one and moving it), then deletes finished deliveries created before `before` from the
   * log, in batches. Returns how many were deleted.
   */
  prune(before: Date): Promise<number>;
}

/** Newest first, like `NEWEST_FIRST`. */
function newerFirst(a: StoredDelivery, b: StoredDelivery): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  return byTime !== 0 ? byTime : String(b._id).localeCompare(String(a._id));
}

/** The store over the platform's `WebhookOutbox` and `WebhookDelivery` (the log) models. */
export function createDeliveryStore(models: {
  WebhookOutbox: WebhookDeliveryModel;
  WebhookDelivery: WebhookDeliveryModel;
}): DeliveryStore {
  const { WebhookOutbox: outbox, WebhookDelivery: log } = models;

  /**
   * Copies a delivery from one collection to the other, when `wanted` accepts it, then removes it
   * from the first. The row goes as it is (timestamps included) under the same `_id`, so a second
   * copy is refused and a move repeated or raced ends the same way.
   */
  async function move(
    from: WebhookDeliveryModel,
    to: WebhookDeliveryModel,
    deliveryId: unknown,
    wanted: (row: StoredDelivery) => boolean,
  ): Promise<boolean> {
    const row = await from.findById(deliveryId).lean<StoredDelivery>();
    if (!row || !wanted(row)) return false;
    try {
      await to.collection.insertOne(row);
    } catch (err) {
      if (toAppError(err).code !== 'CONFLICT') throw err;
    }
    await from.deleteOne({ _id: row._id });
    return true;
  }

  async function archive(deliveryId: unknown): Promise<void> {
    await move(outbox, log, deliveryId, (row) => row.finalStatus !== 'pending');
  }

  return {
    outbox,
    log,
    archive,
    async adopt(deliveryId) {
      if (!(await move(log, outbox, deliveryId, (row) => row.finalStatus === 'pending'))) return null;
      return outbox.findById(deliveryId).lean<StoredDelivery>();
    },
    async find(projectId, deliveryId) {
      const filter = { _id: deliveryId, projectId };
      return (await log.findOne(filter).lean<StoredDelivery>()) ?? (await outbox.findOne(filter).lean<StoredDelivery>());
    },
    async page(filter, page, limit) {
      // The outbox holds the deliveries in flight, so it is small: read all of it that can reach
      // this page and merge it with the log's rows of the same range.
      const end = page * limit;
      const [fetched, outboxTotal, logTotal, finished] = await Promise.all([
        outbox.find(filter).sort(NEWEST_FIRST).limit(end).lean<StoredDelivery[]>(),
        outbox.countDocuments(filter),
        log.countDocuments(filter),
        outbox.distinct('_id', { ...filter, finalStatus: { $ne: 'pending' } }),
      ]);
      // A finished row still in the outbox may already be in the log: shown (and counted) once.
      const copied = new Set(
        finished.length
          ? (
              await log
                .find({ _id: { $in: finished } })
                .select({ _id: 1 })
                .lean()
            ).map((d) => String(d._id))
          : [],
      );
      const inFlight = fetched.filter((d) => !copied.has(String(d._id)));
      const inFlightTotal = outboxTotal - copied.size;
      // At most `inFlightTotal` outbox rows come before row `start`, so at least `start -
      // inFlightTotal` log rows do: those are skipped (then the outbox was read whole).
      const start = (page - 1) * limit;
      const skip = Math.max(0, start - inFlightTotal);
      const logged = await log
        .find(filter)
        .sort(NEWEST_FIRST)
        .skip(skip)
        .limit(end - skip)
        .lean<StoredDelivery[]>();
      const seen = new Set(logged.map((d) => String(d._id)));
      const first = logged[0];
      // Outbox rows newer than the first log row read stand among the skipped ones.
      const amongSkipped = (d: StoredDelivery) => skip > 0 && first !== undefined && newerFirst(d, first) < 0;
      const rest = inFlight.filter((d) => !seen.has(String(d._id)));
      const merged = [...logged, ...rest.filter((d) => !amongSkipped(d))].sort(newerFirst);
      const offset = start - skip - rest.filter(amongSkipped).length;
      const total = inFlightTotal + logTotal;
      return { items: merged.slice(offset, offset + limit), total, totalPages: Math.ceil(total / limit) };
    },
    async removeProject(projectId) {
      await outbox.deleteMany({ projectId });
      await log.deleteMany({ projectId });
    },
    async prune(before) {
      const leftovers = await outbox
        .find({ finalStatus: { $in: ['delivered', 'failed'] } })
        .select({ _id: 1 })
        .lean();
      for (const row of leftovers) await archive(row._id);
      return deleteInBatches(log, { finalStatus: { $in: ['delivered', 'failed'] }, createdAt: { $lt: before } });
    },
  };
}
