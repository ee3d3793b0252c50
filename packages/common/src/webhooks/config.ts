import { z } from 'zod';
import { DEFAULT_RETRY_DELAYS_MS } from './dispatcher.js';

const msList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'must be a comma list of milliseconds like 60000,300000')
  .optional()
  .transform((v) => (v ? v.split(',').map(Number) : undefined));

/** Webhook and mail-queue variables: timeouts, retry schedules, worker concurrency. */
export const deliveryEnvShape = {
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  WEBHOOK_RETRY_DELAYS_MS: msList,
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  WEBHOOK_DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  MAIL_RETRY_DELAYS_MS: msList,
};

type DeliveryEnv = z.infer<z.ZodObject<typeof deliveryEnvShape>>;

/** Delivery part of an app config. */
export interface DeliveryConfig {
  webhookTimeoutMs: number;
  webhookRetryDelaysMs: readonly number[];
  webhookConcurrency: number;
  /** Finished deliveries older than this are deleted (`WEBHOOK_DELIVERY_RETENTION_DAYS`); 0 keeps them. */
  webhookDeliveryRetentionMs: number;
  /** Undefined → the mail service's default schedule. */
  mailRetryDelaysMs?: readonly number[];
}

/** Maps the delivery variables. */
export function mapDeliveryEnv(env: DeliveryEnv): DeliveryConfig {
  return {
    webhookTimeoutMs: env.WEBHOOK_TIMEOUT_MS,
    webhookRetryDelaysMs: env.WEBHOOK_RETRY_DELAYS_MS ?? DEFAULT_RETRY_DELAYS_MS,
    webhookConcurrency: env.WEBHOOK_CONCURRENCY,
    webhookDeliveryRetentionMs: env.WEBHOOK_DELIVERY_RETENTION_DAYS * 86_400_000,
    ...(env.MAIL_RETRY_DELAYS_MS ? { mailRetryDelaysMs: env.MAIL_RETRY_DELAYS_MS } : {}),
  };
}
