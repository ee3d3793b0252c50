export { SIGNATURE_HEADER, signBody, verifySignature } from './signing.js';
export { eventPayload, pingPayload, type DataAction, type DataEvent, type WebhookPayload } from './payload.js';
export { createSafeLookup, createWebhookGuard } from './guard.js';
export { attemptDelivery, type AttemptOutcome, type UrlGuard } from './http-attempt.js';
export {
  createWebhookDispatcher,
  DEFAULT_RETRY_DELAYS_MS,
  isSubscribed,
  WEBHOOK_QUEUE,
  webhookSecretAad,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
} from './dispatcher.js';
export { createWebhookService, type WebhookService, type WebhookServiceOptions } from './service.js';
export * from './schemas.js';
export { deliveryEnvShape, mapDeliveryEnv, type DeliveryConfig } from './config.js';
export { createHookIndex, type HookIndex, type HookIndexOptions, type HookRef } from './hook-index.js';
export { createDeliveryStore, type DeliveryStore, type StoredDelivery } from './delivery-store.js';
