import { escapeHtml } from '@urbackend/common/mail';
import type { ProjectScope } from '@urbackend/common/scope';
import type { OtpPurpose } from '@urbackend/common/user-auth';
import type { UserAuthKit } from './user-auth.kit.js';

function senderFor(projectName: string, mailFrom: string): string {
  const address = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  const name = projectName.replace(/["\\<>\r\n]/g, '').trim() || 'urBackend';
  return `"${name}" <${address}>`;
}

/**
 * Mails an end user's OTP, sent as the project (its name as sender name). Delivery runs in the
 * background so known and unknown emails answer alike and equally fast; failures are logged.
 */
export function sendOtpMail(kit: UserAuthKit, scope: ProjectScope, purpose: OtpPurpose, email: string, code: string): void {
  const project = scope.project.name || 'urBackend';
  const subject = purpose === 'verification' ? 'Verify your account' : 'Reset your password';
  const intro =
    purpose === 'verification'
      ? `Use this code to verify your ${project} account:`
      : `Use this code to reset your ${project} password:`;
  const text = `${intro}\n\n${code}\n\nThe code expires in 5 minutes.\nIf you did not ask for this, you can ignore this email.\n`;
  const html = `<p>${escapeHtml(intro)}</p><p style="font-size:32px;letter-spacing:8px;font-weight:bold">${code}</p>
<p>The code expires in 5 minutes.</p><p style="color:#888;font-size:12px">If you did not ask for this, you can ignore this email.</p>`;
  kit.mailer
    .send({ to: email, subject, text, html, from: senderFor(project, kit.mailFrom) })
    .catch((err: unknown) =>
      kit.logger.warn({ err: { message: (err as Error).message }, projectId: scope.project._id, purpose }, 'OTP mail not sent'),
    );
}
