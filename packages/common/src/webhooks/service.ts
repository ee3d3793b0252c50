import type { LookupFunction } from 'node:net';
import type { SecretBox } from '../crypto/index.js';
import { randomToken } from '../crypto/index.js';
import { AppError, badRequest, notFound } from '../errors/index.js';
import type { WebhookModel } from '../models/webhook.model.js';
import type { DeliveryStore } from './delivery-store.js';
import { webhookSecretAad } from './dispatcher.js';
import { type UrlGuard, attemptDelivery } from './http-attempt.js';
import { pingPayload } from './payload.js';
import type { WebhookCreateInput, WebhookUpdateInput } from './schemas.js';

export interface WebhookServiceOptions {
  /** Called after a project's webhooks changed (the dispatchers' caches drop the project). */
  onChange?: (projectId: string) => Promise<void>;
  webhooks: WebhookModel;
  /** Where deliveries are kept: the outbox while in flight, the log once finished. */
  deliveries: DeliveryStore;
  secretBox: SecretBox;
  guard: UrlGuard;
  /** Socket resolver refusing internal addresses (`createSafeLookup`). */
  lookup?: LookupFunction;
  /** When false, only `https:` URLs are accepted (`ALLOW_PRIVATE_TARGETS` lifts it for dev/tests). */
  allowHttp: boolean;
  /** Timeout of the synchronous test ping. */
  timeoutMs?: number;
}

const PUBLIC_FIELDS = { _id: 1, projectId: 1, name: 1, url: 1, events: 1, enabled: 1, createdAt: 1, updatedAt: 1 } as const;

/** Webhook administration for the dashboard API (reference §6.2). */
export type WebhookService = ReturnType<typeof createWebhookService>;

/** Creates the webhook admin service: CRUD, delivery log (and its retention), test ping. */
export function createWebhookService(options: WebhookServiceOptions) {
  const { webhooks, secretBox, deliveries: store } = options;

  async function checkUrl(url: string): Promise<void> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && !(options.allowHttp && parsed.protocol === 'http:')) {
      throw badRequest('Webhook URL must use https.', [{ path: 'url', message: 'must use https' }]);
    }
    if (parsed.username || parsed.password)
      throw badRequest('Webhook URL must not contain credentials.', [{ path: 'url', message: 'no credentials' }]);
    try {
      await options.guard(url);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) throw err;
      throw badRequest(`Webhook URL is not allowed: ${(err as Error).message}`, [{ path: 'url', message: 'refused target' }]);
    }
  }

  async function get(projectId: string, webhookId: string) {
    const hook = await webhooks.findOne({ _id: webhookId, projectId }).select(PUBLIC_FIELDS).lean();
    if (!hook) throw notFound('Webhook not found.');
    return hook;
  }

  return {
    /** Creates a webhook; the secret (given or generated) is returned once, then only stored encrypted. */
    async create(projectId: string, input: WebhookCreateInput) {
      await checkUrl(input.url);
      const secret = input.secret ?? `whsec_${randomToken(24)}`;
      const doc = await webhooks.create({ ...input, projectId, secret: secretBox.encrypt(secret, webhookSecretAad(projectId)) });
      await options.onChange?.(projectId);
      return { ...(await get(projectId, String(doc._id))), secret };
    },
    list: (projectId: string) => webhooks.find({ projectId }).select(PUBLIC_FIELDS).sort({ createdAt: -1 }).lean(),
    get,
    async update(projectId: string, webhookId: string, input: WebhookUpdateInput) {
      if (input.url) await checkUrl(input.url);
      const { secret, ...rest } = input;
      const set: Record<string, unknown> = { ...rest };
      if (secret) set.secret = secretBox.encrypt(secret, webhookSecretAad(projectId));
      const res = await webhooks.updateOne({ _id: webhookId, projectId }, { $set: set });
      if (!res.matchedCount) throw notFound('Webhook not found.');
      await options.onChange?.(projectId);
      return get(projectId, webhookId);
    },
    async remove(projectId: string, webhookId: string) {
      const res = await webhooks.deleteOne({ _id: webhookId, projectId });
      if (!res.deletedCount) throw notFound('Webhook not found.');
      await options.onChange?.(projectId);
    },
    /** Every webhook and delivery of a project (project deletion). */
    async removeAll(projectId: string) {
      await webhooks.deleteMany({ projectId });
      await store.removeProject(projectId);
      await options.onChange?.(projectId);
    },
    /**
     * Deletes finished deliveries (delivered or failed; never pending ones, which still have retries
     * due) created before `before`, in batches. Returns how many were deleted.
     */
    pruneDeliveries: (before: Date): Promise<number> => store.prune(before),
    async deliveries(projectId: string, webhookId: string, page: number, limit: number) {
      await get(projectId, webhookId);
      const { items, total, totalPages } = await store.page({ projectId, webhookId }, page, limit);
      return { data: items, pagination: { page, limit, total, totalPages } };
    },
    /** Synchronous signed `test.ping` (not recorded, reference §6.2). */
    async test(projectId: string, webhookId: string) {
      const hook = await webhooks.findOne({ _id: webhookId, projectId }).select('+secret').lean();
      if (!hook) throw notFound('Webhook not found.');
      const payload = pingPayload(projectId);
      const outcome = await attemptDelivery({
        url: hook.url,
        body: JSON.stringify(payload),
        secret: secretBox.decrypt(hook.secret, webhookSecretAad(projectId)),
        event: payload.event,
        deliveryId: payload.documentId,
        timeoutMs: options.timeoutMs ?? 10_000,
        guard: options.guard,
        lookup: options.lookup,
      });
      return {
        success: outcome.ok,
        statusCode: outcome.statusCode,
        responseBody: outcome.responseBody,
        error: outcome.error,
        durationMs: outcome.durationMs,
      };
    },
  };
}
