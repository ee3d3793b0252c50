import { Types } from 'mongoose';
import { z } from 'zod';
import { findPage } from '../db/index.js';
import type { Logger } from '../logger/index.js';
import type { MailDeliveryModel, MailDeliveryStatus } from '../models/mail-delivery.model.js';

/** Longest error text kept per attempt. */
export const MAIL_ERROR_MAX_CHARS = 500;

/** Query of `GET /api/projects/:projectId/mail/deliveries`. */
export const mailDeliveriesQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  status: z.enum(['queued', 'sent', 'failed']).optional(),
});

export type MailDeliveriesQuery = z.infer<typeof mailDeliveriesQuerySchema>;

/**
 * The text of a failed SMTP send for the delivery log: the underlying transport error (the
 * mailer wraps it), with any `user:password@` of a URL and `AUTH` arguments removed, truncated.
 */
export function mailErrorText(err: unknown): string {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const raw = inner instanceof Error ? inner.message : String(inner);
  const redacted = raw
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')
    .replace(/\bAUTH\s+(PLAIN|LOGIN|XOAUTH2|CRAM-MD5)\s+\S+/gi, 'AUTH $1 ***')
    .replace(/\s+/g, ' ')
    .trim();
  return redacted.length > MAIL_ERROR_MAX_CHARS ? `${redacted.slice(0, MAIL_ERROR_MAX_CHARS - 1)}…` : redacted;
}

/** What the queue records about one attempt. */
export interface MailAttemptOutcome {
  attemptNumber: number;
  startedAt: Date;
  /** Null on success. */
  error: string | null;
  providerMessageId?: string | null;
  /** When the next attempt runs (retry scheduled), or null (final). */
  nextRetryAt: Date | null;
}

/** The per-project mail delivery log (`MailDelivery` documents). */
export interface MailDeliveryLog {
  /** Records a queued mail; returns its id (also the `id` answered by `POST /api/mail/send`). */
  queued(entry: {
    projectId: string;
    to: string[];
    subject: string;
    template: string | null;
    provider: 'byok' | 'default';
  }): Promise<string>;
  /** Records one attempt (never throws: a log write failure must not change delivery). */
  attempt(id: string, outcome: MailAttemptOutcome): Promise<void>;
  /** A page of a project's deliveries, newest first. */
  list(
    projectId: string,
    query: MailDeliveriesQuery,
  ): Promise<{ data: object[]; pagination: { page: number; limit: number; total: number; totalPages: number } }>;
}

function statusAfter(outcome: MailAttemptOutcome): MailDeliveryStatus {
  if (outcome.error === null) return 'sent';
  return outcome.nextRetryAt ? 'queued' : 'failed';
}

/** Creates the delivery log over the `MailDelivery` model. */
export function createMailDeliveryLog(model: MailDeliveryModel, logger: Logger): MailDeliveryLog {
  return {
    async queued(entry) {
      const doc = await model.create({ ...entry, projectId: new Types.ObjectId(entry.projectId), status: 'queued' });
      return String(doc._id);
    },
    async attempt(id, outcome) {
      const now = new Date();
      try {
        await model.updateOne(
          { _id: id },
          {
            $push: {
              attempts: {
                attemptNumber: outcome.attemptNumber,
                status: outcome.error === null ? 'sent' : 'failed',
                error: outcome.error,
                attemptedAt: outcome.startedAt,
                durationMs: Math.max(0, now.getTime() - outcome.startedAt.getTime()),
              },
            },
            $set: {
              status: statusAfter(outcome),
              nextRetryAt: outcome.nextRetryAt,
              ...(outcome.error === null
                ? { providerMessageId: outcome.providerMessageId ?? null }
                : { lastError: outcome.error }),
            },
          },
        );
      } catch (err) {
        logger.warn({ mailId: id, err: { message: (err as Error).message } }, 'could not record a mail attempt');
      }
    },
    async list(projectId, query) {
      const { page, limit } = query;
      const filter = { projectId: new Types.ObjectId(projectId), ...(query.status ? { status: query.status } : {}) };
      const { items, total, totalPages } = await findPage(model, filter, { page, limit });
      return { data: items, pagination: { page, limit, total, totalPages } };
    },
  };
}
