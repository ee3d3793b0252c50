import { createRequire } from 'node:module';
import type { Transporter } from 'nodemailer';
import { unavailable } from '../errors/index.js';
import type { Logger } from '../logger/index.js';

export { developerOtpMail, escapeHtml, projectInvitationMail, type MailContent, type OtpPurpose } from './templates.js';

/** One message. `to` may be one address or several. */
export interface MailMessage {
  to: string | string[];
  subject: string;
  html?: string;
  text: string;
  /** Overrides the mailer's default sender. */
  from?: string;
  replyTo?: string;
}

export interface MailerOptions {
  /** `smtp://user:pass@host:port` / `smtps://…`; null → log-only mode. */
  smtpUrl: string | null;
  /** Default sender, e.g. `urBackend <no-reply@example.com>`. */
  from: string;
  logger: Logger;
  /** In production a missing SMTP URL makes `send` fail (503) instead of logging the message. */
  isProduction?: boolean;
}

export interface Mailer {
  /** True when messages go over SMTP (false: printed to the log). */
  readonly isConfigured: boolean;
  /**
   * Sends a message. With SMTP it resolves once the server accepted it (message id) and throws
   * a 503 `AppError` when delivery fails. Without SMTP (development) the whole message is
   * written to the log, so nothing is silently dropped.
   */
  send(message: MailMessage): Promise<{ messageId: string | null }>;
  /** Closes pooled SMTP connections. */
  close(): void;
}

/** Creates the mail service over nodemailer (see `Mailer`). */
export function createMailer(options: MailerOptions): Mailer {
  const { logger, smtpUrl } = options;
  // nodemailer loads with the first message (about 10 MB a process that sends nothing never needs).
  let pooled: Transporter | null = null;
  const transportOf = (url: string) => {
    pooled ??= (createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer')).createTransport(url);
    return pooled;
  };
  return {
    isConfigured: smtpUrl !== null,
    async send(message) {
      const from = message.from ?? options.from;
      if (!smtpUrl) {
        if (options.isProduction) throw unavailable('Mail delivery is not configured (SMTP_URL).');
        logger.info(
          { mail: { from, to: message.to, subject: message.subject, text: message.text } },
          'mail (SMTP_URL not set, printed instead of sent)',
        );
        return { messageId: null };
      }
      try {
        const info = await transportOf(smtpUrl).sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          replyTo: message.replyTo,
        });
        return { messageId: info.messageId ?? null };
      } catch (err) {
        logger.warn({ err: { message: (err as Error).message }, subject: message.subject }, 'mail delivery failed');
        throw unavailable('The mail could not be sent. Please try again later.', err);
      }
    },
    close() {
      pooled?.close();
    },
  };
}
