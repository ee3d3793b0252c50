import type { LookupFunction } from 'node:net';
import type { RedisConnectionConfig } from '../cache/connection.js';
import type { SecretBox } from '../crypto/index.js';
import { AppError } from '../errors/index.js';
import { type JobQueue, createJobQueue } from '../jobs/index.js';
import type { Logger } from '../logger/index.js';
import type { WebhookAttempt } from '../models/webhook-delivery.model.js';
import type { Webhook, WebhookModel } from '../models/webhook.model.js';
import { projectSecretContext } from '../scope/index.js';
import type { DeliveryStore } from './delivery-store.js';
import { type AttemptOutcome, type UrlGuard, attemptDelivery } from './http-attempt.js';
import { type DataEvent, eventPayload, webhookAction } from './payload.js';

/** Retry delays after failed attempts 1..5 (reference §1.9): 1 min, 5 min, 15 min, 1 h, 4 h. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [60_000, 300_000, 900_000, 3_600_000, 14_400_000];

/**
 * The error of an attempt whose outcome was never recorded: the process making it stopped (crash,
 * kill) during the request. It is written before every request and replaced by the outcome.
 */
export const INTERRUPTED_ATTEMPT = 'Interrupted: the delivery process stopped during this attempt.';

/** BullMQ queue of webhook deliveries. */
export const WEBHOOK_QUEUE = 'webhook-delivery-queue';

export interface WebhookDispatcherOptions {
  webhooks: WebhookModel;
  /** Where deliveries are kept: the outbox while in flight, the log once finished. */
  deliveries: DeliveryStore;
  secretBox: SecretBox;
  logger: Logger;
  /** SSRF check run before every attempt (resolved addresses). */
  guard: UrlGuard;
  /** Socket resolver refusing internal addresses (`createSafeLookup`). */
  lookup?: LookupFunction;
  /** Where Redis is (`config.redis`: one node, Sentinel or Cluster); wins over `redisUrl`. */
  redis?: RedisConnectionConfig | null;
  /** One-node shorthand for `redis: { url }`; neither set → in-process delivery (single-process mode). */
  redisUrl?: string | null;
  /** BullMQ key prefix (tests use their Redis prefix). */
  queuePrefix?: string;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  concurrency?: number;
  /** The enabled webhooks of a project (cached, see `createHookIndex`); default: a database read. */
  hooksOf?: (projectId: string) => Promise<{ _id: unknown; projectId: unknown; events: unknown }[]>;
}

interface DeliveryJob {
  deliveryId: string;
  attemptNumber: number;
}

/** Decrypts a webhook's signing secret (AAD `project:<id>:webhook`). */
export function webhookSecretAad(projectId: string): string {
  return projectSecretContext(projectId, 'webhook');
}

/** Fires webhooks for data events and delivers them from a queue with retries. */
export interface WebhookDispatcher {
  /** Records and enqueues a delivery per enabled webhook subscribed to the event. Never throws (logs). */
  dispatch(event: DataEvent): Promise<number>;
  /** Enqueues a new delivery of a past delivery's exact body (replay). Returns the new delivery id. */
  replay(projectId: string, deliveryId: string): Promise<string>;
  /** Starts this process's queue worker (public-api). */
  startWorker(): void;
  readonly mode: 'redis' | 'in-process';
  close(): Promise<void>;
}

/** True when a webhook's `events` map subscribes to `collection`/`action` (`*` = any collection). */
export function isSubscribed(events: Webhook['events'] | undefined, collection: string, action: string): boolean {
  const flags = (events?.[collection] ?? events?.['*']) as Record<string, unknown> | undefined;
  return flags?.[action] === true;
}

/** Creates the dispatcher and its queue (no worker until `startWorker`). */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { webhooks, secretBox, logger } = options;
  const store = options.deliveries;
  const { outbox } = store;
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const attemptRow = (attemptNumber: number, outcome: AttemptOutcome, attemptedAt = new Date()) => ({
    attemptNumber,
    status: outcome.ok ? ('success' as const) : ('failed' as const),
    statusCode: outcome.statusCode,
    responseBody: outcome.responseBody,
    error: outcome.error,
    attemptedAt,
    durationMs: outcome.durationMs,
  });

  /** Appends a final attempt (one that sent nothing: the hook is gone, disabled or unreadable). */
  async function record(deliveryId: string, attemptNumber: number, outcome: AttemptOutcome) {
    await outbox.updateOne(
      { _id: deliveryId },
      { $push: { attempts: attemptRow(attemptNumber, outcome) }, $set: { finalStatus: 'failed', nextRetryAt: null } },
    );
    await store.archive(deliveryId);
  }

  const failNow = (message: string): AttemptOutcome => ({
    ok: false,
    retryable: false,
    statusCode: null,
    responseBody: null,
    error: message,
    durationMs: 0,
  });

  /** True for the row an attempt writes before its request (still there: the attempt was interrupted). */
  const isInterrupted = (a: WebhookAttempt | undefined) =>
    a?.status === 'failed' && a.error === INTERRUPTED_ATTEMPT && a.statusCode === null;

  /**
   * Works one job. Every attempt is written to the log *before* its request goes out, as a failed
   * attempt "interrupted", and replaced by its outcome afterwards. So when a process dies during a
   * request, the log already holds that attempt; BullMQ hands the job to a live worker (stalled
   * job, see `JOB_LOCK_MS`), which sees the interrupted row and makes the *next* attempt right away:
   * an interrupted attempt is never sent again, and the retry follows within seconds. All of it
   * happens in the outbox; a finished delivery moves to the log (`archive`), also when the process
   * that finished it stopped before moving it.
   */
  async function deliver(job: DeliveryJob): Promise<void> {
    const delivery = (await outbox.findById(job.deliveryId).lean()) ?? (await store.adopt(job.deliveryId));
    if (!delivery) return;
    if (delivery.finalStatus !== 'pending') return store.archive(job.deliveryId);
    const last = delivery.attempts.at(-1);
    const lastNumber = last?.attemptNumber ?? 0;
    let attemptNumber = job.attemptNumber;
    if (lastNumber >= job.attemptNumber) {
      if (!isInterrupted(last)) {
        // This job's attempt finished, but its process stopped before the job was done: make sure
        // the scheduled retry is queued (a duplicate job loses the claim below), else nothing to do.
        if (lastNumber === job.attemptNumber && delivery.nextRetryAt) {
          const wait = Math.max(0, delivery.nextRetryAt.getTime() - Date.now());
          await queue.add({ deliveryId: job.deliveryId, attemptNumber: lastNumber + 1 }, wait);
        }
        return;
      }
      attemptNumber = lastNumber + 1; // the interrupted attempt counts: retry it now as the next one
    }
    if (attemptNumber > delays.length + 1) {
      // The interrupted attempt was the last one allowed.
      await outbox.updateOne(
        { _id: delivery._id, finalStatus: 'pending' },
        { $set: { finalStatus: 'failed', nextRetryAt: null } },
      );
      return store.archive(job.deliveryId);
    }
    const hook = await webhooks.findOne({ _id: delivery.webhookId, projectId: delivery.projectId }).select('+secret').lean();
    if (!hook || !hook.enabled)
      return record(job.deliveryId, attemptNumber, failNow(hook ? 'Webhook is disabled.' : 'Webhook was deleted.'));
    let secret: string;
    try {
      secret = secretBox.decrypt(hook.secret, webhookSecretAad(String(delivery.projectId)));
    } catch {
      return record(job.deliveryId, attemptNumber, failNow('Webhook secret could not be decrypted.'));
    }
    // Claim the attempt: write it to the log as interrupted until its outcome replaces it. A
    // duplicate run of the same attempt finds it logged and sends nothing.
    const slot = delivery.attempts.length;
    const claimed = await outbox.updateOne(
      { _id: delivery._id, finalStatus: 'pending', 'attempts.attemptNumber': { $ne: attemptNumber } },
      { $push: { attempts: attemptRow(attemptNumber, failNow(INTERRUPTED_ATTEMPT)) }, $set: { nextRetryAt: null } },
    );
    if (claimed.modifiedCount === 0) return;
    const attemptedAt = new Date();
    const outcome = await attemptDelivery({
      url: hook.url,
      body: delivery.body,
      secret,
      event: delivery.event,
      deliveryId: String(delivery._id),
      timeoutMs,
      guard: options.guard,
      lookup: options.lookup,
    });
    const delay = delays[attemptNumber - 1];
    const retry = !outcome.ok && outcome.retryable && delay !== undefined;
    const final = outcome.ok ? 'delivered' : retry ? 'pending' : 'failed';
    await settle(String(delivery._id), slot, attemptRow(attemptNumber, outcome, attemptedAt), {
      finalStatus: final,
      nextRetryAt: retry ? new Date(Date.now() + (delay as number)) : null,
    });
    if (retry) await queue.add({ deliveryId: job.deliveryId, attemptNumber: attemptNumber + 1 }, delay);
    else await store.archive(job.deliveryId);
  }

  /** Replaces an attempt's interrupted row (at `slot`, else found by number) with its outcome. */
  async function settle(
    deliveryId: string,
    slot: number,
    row: ReturnType<typeof attemptRow>,
    state: { finalStatus: 'delivered' | 'failed' | 'pending'; nextRetryAt: Date | null },
  ) {
    const at = (i: number) =>
      outbox.updateOne(
        { _id: deliveryId, [`attempts.${i}.attemptNumber`]: row.attemptNumber },
        { $set: { [`attempts.${i}`]: row, ...state } },
      );
    if ((await at(slot)).matchedCount > 0) return;
    const current = await outbox.findById(deliveryId).lean();
    const index = current?.attempts.findLastIndex((a) => a.attemptNumber === row.attemptNumber) ?? -1;
    if (index >= 0) await at(index);
    else await outbox.updateOne({ _id: deliveryId }, { $push: { attempts: row }, $set: state });
  }

  const queue: JobQueue<DeliveryJob> = createJobQueue<DeliveryJob>({
    name: WEBHOOK_QUEUE,
    redis: options.redis,
    redisUrl: options.redisUrl,
    prefix: options.queuePrefix,
    logger,
    handler: deliver,
    concurrency: options.concurrency,
  });

  async function enqueueNew(hook: { _id: unknown; projectId: unknown }, event: string, body: string, replayOf: unknown = null) {
    const delivery = await outbox.create({ webhookId: hook._id, projectId: hook.projectId, event, body, replayOf });
    await queue.add({ deliveryId: String(delivery._id), attemptNumber: 1 });
    return String(delivery._id);
  }

  return {
    mode: queue.mode,
    async dispatch(event) {
      try {
        const hooks = options.hooksOf
          ? await options.hooksOf(event.projectId)
          : await webhooks.find({ projectId: event.projectId, enabled: true }).select({ events: 1, projectId: 1 }).lean();
        const targets = hooks.filter((h) => isSubscribed(h.events as never, event.collection, webhookAction(event)));
        if (!targets.length) return 0;
        const payload = eventPayload(event);
        const body = JSON.stringify(payload);
        for (const hook of targets) await enqueueNew(hook, payload.event, body);
        return targets.length;
      } catch (err) {
        logger.error({ projectId: event.projectId, err: { message: (err as Error).message } }, 'could not enqueue webhooks');
        return 0;
      }
    },
    async replay(projectId, deliveryId) {
      const original = await store.find(projectId, deliveryId);
      if (!original) throw new AppError('NOT_FOUND', 'Delivery not found.');
      const hook = await webhooks.findOne({ _id: original.webhookId, projectId }).lean();
      if (!hook) throw new AppError('NOT_FOUND', 'Webhook not found.');
      return enqueueNew(hook, original.event, original.body, original._id);
    },
    startWorker: () => queue.startWorker(),
    close: () => queue.close(),
  };
}
