import { toAppError } from '../errors/index.js';
import type { MailTemplateModel } from '../models/mail-template.model.js';

/** A built-in template available to every project (read-only). */
export interface SystemTemplate {
  key: string;
  name: string;
  subject: string;
  html: string;
  text: string;
}

const wrap = (body: string) =>
  `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;background:#f5f5f7;padding:24px"><div style="max-width:520px;margin:auto;background:#fff;border-radius:8px;padding:24px">${body}</div></body></html>`;

/** The global system templates (reference §1.7): welcome, otp, password-reset, invite. */
export const SYSTEM_TEMPLATES: readonly SystemTemplate[] = [
  {
    key: 'welcome',
    name: 'Welcome',
    subject: 'Welcome to {{projectName}}',
    html: wrap(
      '<h2>Welcome, {{name}}!</h2><p>Thanks for joining {{projectName}}.</p><p><a href="{{appUrl}}">Open {{projectName}}</a></p>',
    ),
    text: 'Welcome, {{name}}!\n\nThanks for joining {{projectName}}.\nOpen it here: {{appUrl}}',
  },
  {
    key: 'otp',
    name: 'One-time code',
    subject: 'Your {{projectName}} code: {{otp}}',
    html: wrap(
      '<p>Hi {{name}},</p><p>Your one-time code is</p><p style="font-size:28px;font-weight:bold;letter-spacing:4px">{{otp}}</p><p>It expires in {{expiresInMinutes}} minutes.</p>',
    ),
    text: 'Hi {{name}},\n\nYour one-time code is {{otp}}.\nIt expires in {{expiresInMinutes}} minutes.',
  },
  {
    key: 'password-reset',
    name: 'Password reset',
    subject: 'Reset your {{projectName}} password',
    html: wrap(
      '<p>Hi {{name}},</p><p>Someone asked to reset your password.</p><p><a href="{{resetUrl}}">Reset password</a></p><p>If it was not you, ignore this email.</p>',
    ),
    text: 'Hi {{name}},\n\nSomeone asked to reset your password: {{resetUrl}}\nIf it was not you, ignore this email.',
  },
  {
    key: 'invite',
    name: 'Invitation',
    subject: 'You are invited to {{projectName}}',
    html: wrap(
      '<p>Hi {{name}},</p><p>You have been invited to join {{projectName}}.</p><p><a href="{{inviteUrl}}">Accept the invitation</a></p>',
    ),
    text: 'Hi {{name}},\n\nYou have been invited to join {{projectName}}: {{inviteUrl}}',
  },
];

/**
 * Creates or refreshes the system templates (global: `projectId` null, `isSystem` true).
 * Idempotent and safe to run from several processes at boot.
 */
export async function ensureSystemMailTemplates(model: MailTemplateModel): Promise<void> {
  for (const t of SYSTEM_TEMPLATES) {
    try {
      await model.updateOne(
        { projectId: null, key: t.key },
        { $set: { ...t, nameLower: t.name.toLowerCase(), isSystem: true }, $setOnInsert: { projectId: null } },
        { upsert: true },
      );
    } catch (err) {
      // Another process inserted it at the same moment: the unique index kept one copy (MongoDB
      // says E11000, FerretDB's SQLite backend "UNIQUE constraint failed"; both map to 409).
      if (toAppError(err).status !== 409) throw err;
    }
  }
}
