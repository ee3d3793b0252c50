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
