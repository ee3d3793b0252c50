import type { LookupFunction } from 'node:net';
import type { SecretBox } from '../crypto/index.js';
import { AppError } from '../errors/index.js';
import { type JobQueue, createJobQueue } from '../jobs/index.js';
import type { Logger } from '../logger/index.js';
import type { WebhookDeliveryModel } from '../models/webhook-delivery.model.js';
import type { Webhook, WebhookModel } from '../models/webhook.model.js';
import { type AttemptOutcome, type UrlGuard, attemptDelivery } from './http-attempt.js';
import { type DataEvent, eventPayload } from './payload.js';

/** Retry delays after failed attempts 1..5 (reference §1.9): 1 min, 5 min, 15 min, 1 h, 4 h. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [60_000, 300_000, 900_000, 3_600_000, 14_400_000];

/** BullMQ queue of webhook deliveries. */
export const WEBHOOK_QUEUE = 'webhook-delivery-queue';

export interface WebhookDispatcherOptions {
  webhooks: WebhookModel;
  deliveries: WebhookDeliveryModel;
  secretBox: SecretBox;
  logger: Logger;
  /** SSRF check run before every attempt (resolved addresses). */
  guard: UrlGuard;
  /** Socket resolver refusing internal addresses (`createSafeLookup`). */
  lookup?: LookupFunction;
  redisUrl: string | null;
  /** BullMQ key prefix (tests use their Redis prefix). */
  queuePrefix?: string;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  concurrency?: number;
}

interface DeliveryJob {
  deliveryId: string;
  attemptNumber: number;
}

/** Decrypts a webhook's signing secret (AAD `project:<id>:webhook`). */
export function webhookSecretAad(projectId: string): string {
  return `project:${projectId}:webhook`;
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
  const { webhooks, deliveries, secretBox, logger } = options;
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function record(
    job: DeliveryJob,
    outcome: AttemptOutcome,
    final: 'delivered' | 'failed' | 'pending',
    nextRetryAt: Date | null,
  ) {
    await deliveries.updateOne(
      { _id: job.deliveryId },
      {
        $push: {
          attempts: {
            attemptNumber: job.attemptNumber,
            status: outcome.ok ? 'success' : 'failed',
            statusCode: outcome.statusCode,
            responseBody: outcome.responseBody,
            error: outcome.error,
            attemptedAt: new Date(),
            durationMs: outcome.durationMs,
          },
        },
        $set: { finalStatus: final, nextRetryAt },
      },
    );
  }

  const failNow = (message: string): AttemptOutcome => ({
    ok: false,
    retryable: false,
    statusCode: null,
    responseBody: null,
    error: message,
    durationMs: 0,
  });

  async function deliver(job: DeliveryJob): Promise<void> {
    const delivery = await deliveries.findById(job.deliveryId).lean();
    if (!delivery || delivery.finalStatus !== 'pending') return;
    const hook = await webhooks.findOne({ _id: delivery.webhookId, projectId: delivery.projectId }).select('+secret').lean();
    if (!hook || !hook.enabled)
      return record(job, failNow(hook ? 'Webhook is disabled.' : 'Webhook was deleted.'), 'failed', null);
    let secret: string;
    try {
      secret = secretBox.decrypt(hook.secret, webhookSecretAad(String(delivery.projectId)));
    } catch {
      return record(job, failNow('Webhook secret could not be decrypted.'), 'failed', null);
    }
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
    const delay = delays[job.attemptNumber - 1];
    if (outcome.ok) return record(job, outcome, 'delivered', null);
    if (!outcome.retryable || delay === undefined) return record(job, outcome, 'failed', null);
    await record(job, outcome, 'pending', new Date(Date.now() + delay));
    await queue.add({ deliveryId: job.deliveryId, attemptNumber: job.attemptNumber + 1 }, delay);
  }

  const queue: JobQueue<DeliveryJob> = createJobQueue<DeliveryJob>({
    name: WEBHOOK_QUEUE,
    redisUrl: options.redisUrl,
    prefix: options.queuePrefix,
    logger,
    handler: deliver,
    concurrency: options.concurrency,
  });

  async function enqueueNew(hook: { _id: unknown; projectId: unknown }, event: string, body: string, replayOf: unknown = null) {
    const delivery = await deliveries.create({ webhookId: hook._id, projectId: hook.projectId, event, body, replayOf });
    await queue.add({ deliveryId: String(delivery._id), attemptNumber: 1 });
    return String(delivery._id);
  }

  return {
    mode: queue.mode,
    async dispatch(event) {
      try {
        const hooks = await webhooks
          .find({ projectId: event.projectId, enabled: true })
          .select({ events: 1, projectId: 1 })
          .lean();
        const targets = hooks.filter((h) => isSubscribed(h.events, event.collection, event.action));
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
      const original = await deliveries.findOne({ _id: deliveryId, projectId }).lean();
      if (!original) throw new AppError('NOT_FOUND', 'Delivery not found.');
      const hook = await webhooks.findOne({ _id: original.webhookId, projectId }).lean();
      if (!hook) throw new AppError('NOT_FOUND', 'Webhook not found.');
      return enqueueNew(hook, original.event, original.body, original._id);
    },
    startWorker: () => queue.startWorker(),
    close: () => queue.close(),
  };
}
