import { type Mailer, escapeHtml } from '../mail/index.js';
import type { OtpPurpose, OtpService } from './otp.js';

/** What mailing an end user's code needs: the code store, the platform mailer and its sender. */
export interface OtpMailDeps {
  otp: OtpService;
  mailer: Mailer;
  /** The platform sender (`MAIL_FROM`), whose address the mail uses under the project's name. */
  mailFrom: string;
}

/** The project an end user belongs to, as the mail names it. */
export interface OtpMailProject {
  _id: string;
  name?: string | null;
}

function senderFor(projectName: string, mailFrom: string): string {
  const address = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  const name = projectName.replace(/["\\<>\r\n]/g, '').trim() || 'urBackend';
  return `"${name}" <${address}>`;
}

/** The verification or password-reset mail carrying `code`, sent as the project (its name as sender name). */
export function otpMailMessage(projectName: string, purpose: OtpPurpose, code: string, mailFrom: string) {
  const project = projectName || 'urBackend';
  const subject = purpose === 'verification' ? 'Verify your account' : 'Reset your password';
  const intro =
    purpose === 'verification'
      ? `Use this code to verify your ${project} account:`
      : `Use this code to reset your ${project} password:`;
  const text = `${intro}\n\n${code}\n\nThe code expires in 5 minutes.\nIf you did not ask for this, you can ignore this email.\n`;
  const html = `<p>${escapeHtml(intro)}</p><p style="font-size:32px;letter-spacing:8px;font-weight:bold">${code}</p>
<p>The code expires in 5 minutes.</p><p style="color:#888;font-size:12px">If you did not ask for this, you can ignore this email.</p>`;
  return { subject, text, html, from: senderFor(project, mailFrom) };
}

/**
 * Issues a fresh code for `email` (replacing any previous one; this step's errors reject the
 * returned promise) and starts mailing it. `delivery` settles with the send: it rejects with the
 * mailer's error (503 when SMTP refused it). Callers that must answer alike for known and unknown
 * emails leave it in the background (with a `catch`); the dashboard awaits it. The resend
 * cooldown is the caller's: `otp.claimCooldown` before this.
 */
export async function startOtpMail(
  deps: OtpMailDeps,
  project: OtpMailProject,
  purpose: OtpPurpose,
  email: string,
): Promise<{ delivery: Promise<void> }> {
  const code = await deps.otp.issue(project._id, purpose, email);
  const message = otpMailMessage(project.name ?? '', purpose, code, deps.mailFrom);
  return { delivery: deps.mailer.send({ to: email, ...message }).then(() => undefined) };
}
