/** A rendered message body. */
export interface MailContent {
  subject: string;
  html: string;
  text: string;
}

export type OtpPurpose = 'verify' | 'reset';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;background:#f5f5f7;padding:24px">
<div style="max-width:480px;margin:auto;background:#fff;border-radius:8px;padding:24px">
<h2 style="margin-top:0">${escapeHtml(title)}</h2>${body}
<p style="color:#888;font-size:12px">If you did not ask for this, you can ignore this email.</p>
</div></body></html>`;
}

/**
 * The developer OTP mail (email verification or password reset): 6-digit code valid for
 * `ttlMinutes` minutes. `product` names the sender (default `urBackend`).
 */
export function developerOtpMail(purpose: OtpPurpose, otp: string, ttlMinutes = 5, product = 'urBackend'): MailContent {
  const subject = purpose === 'verify' ? `Verify your ${product} account` : `Password Reset OTP — ${product}`;
  const intro =
    purpose === 'verify'
      ? `Use this code to verify your ${product} account:`
      : `Use this code to reset your ${product} password:`;
  const text = `${intro}\n\n${otp}\n\nThe code expires in ${ttlMinutes} minutes.\nIf you did not ask for this, you can ignore this email.\n`;
  const html = layout(
    subject,
    `<p>${escapeHtml(intro)}</p>
<p style="font-size:32px;letter-spacing:8px;font-weight:bold">${escapeHtml(otp)}</p>
<p>The code expires in ${ttlMinutes} minutes.</p>`,
  );
  return { subject, html, text };
}

/** The invitation into a project: who invited, the role, the expiry, a link to the dashboard's invitations page. */
export function projectInvitationMail(input: {
  projectName: string;
  invitedBy: string;
  role: string;
  expiresAt: Date;
  link: string;
  product?: string;
}): MailContent {
  const product = input.product ?? 'urBackend';
  const subject = `${input.invitedBy} invited you to "${input.projectName}" on ${product}`;
  const expires = input.expiresAt.toISOString().slice(0, 10);
  const text = `${input.invitedBy} invited you to join the project "${input.projectName}" as ${input.role}.\n\nAccept or decline it in the dashboard: ${input.link}\n\nThe invitation expires on ${expires}.\n`;
  const html = layout(
    subject,
    `<p>${escapeHtml(input.invitedBy)} invited you to join the project <strong>${escapeHtml(input.projectName)}</strong> as <strong>${escapeHtml(input.role)}</strong>.</p>
<p><a href="${escapeHtml(input.link)}" style="display:inline-block;background:#111;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">Open your invitations</a></p>
<p>The invitation expires on ${escapeHtml(expires)}.</p>`,
  );
  return { subject, html, text };
}
