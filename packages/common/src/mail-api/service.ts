import type { RedisConnectionConfig } from '../cache/connection.js';
import type { SecretBox } from '../crypto/index.js';
import { AppError, badRequest } from '../errors/index.js';
import { type JobQueue, createJobQueue } from '../jobs/index.js';
import type { Logger } from '../logger/index.js';
import { type MailMessage, type Mailer, createMailer } from '../mail/index.js';
import type { MailDeliveryModel } from '../models/mail-delivery.model.js';
import type { MailTemplateModel } from '../models/mail-template.model.js';
import type { ProjectModel } from '../models/project.model.js';
import { projectSecretContext } from '../scope/index.js';
import { createMailDeliveryLog, mailErrorText } from './deliveries.js';
import type { MailQuota } from './quota.js';
import { renderSubject, renderTemplate } from './render.js';
import type { MailSendInput } from './schemas.js';
import { ensureSystemMailTemplates } from './system-templates.js';
import { findTemplate } from './templates-service.js';

/** Queue of outgoing project mail. */
export const MAIL_QUEUE = 'project-mail-queue';

/** Delays before retries 1..n of a failed SMTP send (defaults: 30 s, 2 min, 10 min). */
export const DEFAULT_MAIL_RETRY_DELAYS_MS: readonly number[] = [30_000, 120_000, 600_000];

/** AAD of a project's encrypted SMTP URL (`project.mail.smtpUrl`). */
export function projectSmtpAad(projectId: string): string {
  return projectSecretContext(projectId, 'smtp');
}

/** The plan values mail needs. */
export interface MailLimits {
  mailPerMonth: number;
  mailTemplatesEnabled: boolean;
}

export interface MailServiceOptions {
  projects: ProjectModel;
  templates: MailTemplateModel;
  /** The delivery log: one document per send, updated on every attempt. */
  deliveries: MailDeliveryModel;
  secretBox: SecretBox;
  quota: MailQuota;
  /** The platform's mailer (SMTP_URL / MAIL_FROM). */
  platformMailer: Mailer;
  logger: Logger;
  isProduction: boolean;
  /** Where Redis is (`config.redis`: one node, Sentinel or Cluster); wins over `redisUrl`. */
  redis?: RedisConnectionConfig | null;
  /** One-node shorthand for `redis: { url }`; neither set → in-process delivery (single-process mode). */
  redisUrl?: string | null;
  queuePrefix?: string;
  retryDelaysMs?: readonly number[];
  /** Most per-project SMTP transports kept open. Default 50. */
  maxTransports?: number;
}

interface MailJob {
  /** The `MailDelivery` id. */
  id: string;
  projectId: string;
  month: string;
  attempt: number;
  message: MailMessage;
}

interface ProjectMail {
  smtpUrl: string | null;
  from: string | null;
}

/** The public mail API (`POST /api/mail/send`) and its delivery queue. */
export interface MailService {
  /**
   * Renders and queues a message; 400 bad template, 403 custom template without the plan
   * feature, 429 over the monthly quota, 503 when Redis is configured but down. `limits` come
   * from the project owner's plan.
   */
  send(
    projectId: string,
    input: MailSendInput,
    limits: MailLimits,
  ): Promise<{
    success: true;
    data: { id: string; provider: 'byok' | 'default'; monthlyUsage: number; monthlyLimit: number; templateUsed?: object };
    message: string;
  }>;
  startWorker(): void;
  readonly mode: 'redis' | 'in-process';
  close(): Promise<void>;
}

/** Creates the mail service (template resolution, rendering, quota, queued delivery with retries). */
export function createMailService(options: MailServiceOptions): MailService {
  const { logger, secretBox } = options;
  const delays = options.retryDelaysMs ?? DEFAULT_MAIL_RETRY_DELAYS_MS;
  const transports = new Map<string, { fingerprint: string; mailer: Mailer }>();
  const log = createMailDeliveryLog(options.deliveries, logger);

  async function projectMail(projectId: string): Promise<ProjectMail> {
    const doc = await options.projects.findById(projectId).select({ mail: 1 }).lean<{ mail?: ProjectMail }>();
    return doc?.mail ?? { smtpUrl: null, from: null };
  }

  function mailerFor(projectId: string, mail: ProjectMail): Mailer {
    if (!mail.smtpUrl) return options.platformMailer;
    const cached = transports.get(projectId);
    if (cached?.fingerprint === mail.smtpUrl) return cached.mailer;
    cached?.mailer.close();
    const smtpUrl = secretBox.decrypt(mail.smtpUrl, projectSmtpAad(projectId));
    const mailer = createMailer({ smtpUrl, from: mail.from ?? 'no-reply@localhost', logger, isProduction: options.isProduction });
    transports.delete(projectId);
    transports.set(projectId, { fingerprint: mail.smtpUrl, mailer });
    while (transports.size > (options.maxTransports ?? 50)) {
      const [oldest, entry] = transports.entries().next().value as [string, { mailer: Mailer }];
      entry.mailer.close();
      transports.delete(oldest);
    }
    return mailer;
  }

  /** A send costs one mail per recipient. */
  const recipientsOf = (message: MailMessage) => (Array.isArray(message.to) ? message.to.length : 1);

  async function deliver(job: MailJob): Promise<void> {
    const startedAt = new Date();
    const attemptNumber = job.attempt;
    try {
      const mail = await projectMail(job.projectId);
      const { messageId } = await mailerFor(job.projectId, mail).send(job.message);
      logger.info({ projectId: job.projectId, mailId: job.id, attempt: attemptNumber }, 'project mail sent');
      await log.attempt(job.id, { attemptNumber, startedAt, error: null, providerMessageId: messageId, nextRetryAt: null });
    } catch (err) {
      const delay = delays[attemptNumber - 1];
      const error = mailErrorText(err);
      const entry = { projectId: job.projectId, mailId: job.id, attempt: attemptNumber, err: { message: error } };
      if (delay === undefined) {
        logger.error(entry, 'project mail failed permanently; monthly slot released');
        await log.attempt(job.id, { attemptNumber, startedAt, error, nextRetryAt: null });
        await options.quota.release(job.projectId, job.month, recipientsOf(job.message));
        return;
      }
      logger.warn({ ...entry, retryInMs: delay }, 'project mail failed; will retry');
      await log.attempt(job.id, { attemptNumber, startedAt, error, nextRetryAt: new Date(Date.now() + delay) });
      await queue.add({ ...job, attempt: attemptNumber + 1 }, delay);
    }
  }

  const queue: JobQueue<MailJob> = createJobQueue<MailJob>({
    name: MAIL_QUEUE,
    redis: options.redis,
    redisUrl: options.redisUrl,
    prefix: options.queuePrefix,
    logger,
    handler: deliver,
  });

  // System templates are seeded once per process on first use (and at boot by the apps).
  let seeding: Promise<void> | null = null;
  function systemTemplatesReady(): Promise<void> {
    seeding ??= ensureSystemMailTemplates(options.templates).catch((err: unknown) => {
      seeding = null;
      throw err;
    });
    return seeding;
  }

  async function compose(projectId: string, input: MailSendInput, limits: MailLimits) {
    let subject = input.subject;
    let html = input.html;
    let text = input.text;
    let templateUsed: { id: string; scope: 'project' | 'global'; key: string; name: string } | undefined;
    if (input.templateId || input.templateName) {
      await systemTemplatesReady();
      const t = await findTemplate(options.templates, projectId, { id: input.templateId, name: input.templateName });
      if (!t) throw badRequest('Template not found.');
      if (t.projectId && !limits.mailTemplatesEnabled) {
        throw new AppError('FORBIDDEN', 'Custom Email Templates are a Pro feature. Upgrade your plan to use them.');
      }
      subject ??= t.subject;
      html ??= t.html || undefined;
      text ??= t.text || undefined;
      templateUsed = { id: String(t._id), scope: t.projectId ? 'project' : 'global', key: t.key, name: t.name };
    }
    const vars = input.variables;
    const rendered = {
      subject: renderSubject(subject ?? '', vars),
      html: html ? renderTemplate(html, vars, 'html') : undefined,
      text: text ? renderTemplate(text, vars, 'text') : '',
    };
    if (!rendered.subject) throw badRequest('subject: the rendered subject is empty');
    return { rendered, templateUsed };
  }

  return {
    mode: queue.mode,
    async send(projectId, input, limits) {
      const { rendered, templateUsed } = await compose(projectId, input, limits);
      const mail = await projectMail(projectId);
      const to = Array.isArray(input.to) ? input.to : [input.to];
      const reservation = await options.quota.reserve(projectId, limits.mailPerMonth, to.length);
      const provider: 'byok' | 'default' = mail.smtpUrl ? 'byok' : 'default';
      const entry = { projectId, to, subject: rendered.subject, template: templateUsed?.key ?? null, provider };
      const id = await log.queued(entry).catch(async (err: unknown) => {
        await reservation.release();
        throw err;
      });
      const message: MailMessage = {
        to: input.to,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        ...(mail.from ? { from: mail.from } : {}),
      };
      await queue.add({ id, projectId, month: reservation.month, attempt: 1, message });
      return {
        success: true,
        data: {
          id,
          provider,
          monthlyUsage: reservation.usage,
          monthlyLimit: limits.mailPerMonth,
          ...(templateUsed ? { templateUsed } : {}),
        },
        message: 'Mail sent successfully.',
      };
    },
    startWorker: () => queue.startWorker(),
    async close() {
      await queue.close();
      for (const { mailer } of transports.values()) mailer.close();
      transports.clear();
    },
  };
}
