export { renderSubject, renderTemplate, type RenderMode } from './render.js';
export { ensureSystemMailTemplates, SYSTEM_TEMPLATES, type SystemTemplate } from './system-templates.js';
export { createMailQuota, mailMonth, type MailQuota, type MailReservation } from './quota.js';
export * from './schemas.js';
export {
  createMailDeliveryLog,
  mailDeliveriesQuerySchema,
  mailErrorText,
  MAIL_ERROR_MAX_CHARS,
  type MailAttemptOutcome,
  type MailDeliveriesQuery,
  type MailDeliveryLog,
} from './deliveries.js';
export { createMailTemplatesService, findTemplate, type MailTemplatesService } from './templates-service.js';
export {
  createMailService,
  DEFAULT_MAIL_RETRY_DELAYS_MS,
  MAIL_QUEUE,
  projectSmtpAad,
  type MailLimits,
  type MailService,
  type MailServiceOptions,
} from './service.js';
