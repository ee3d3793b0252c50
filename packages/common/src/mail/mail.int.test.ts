import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../testing/index.js';
import { createMailer, developerOtpMail, escapeHtml } from './index.js';

let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('mailer', () => {
  it('delivers over SMTP with text and HTML', async () => {
    const { logger } = capturingLogger();
    const mailer = createMailer({ smtpUrl: sink.url, from: 'urBackend <no-reply@test.local>', logger });
    const content = developerOtpMail('verify', '123456');
    await mailer.send({ to: 'dev@example.com', ...content });
    mailer.close();
    // send() resolves once the server accepted the message, so it is already in the sink.
    expect(sink.messages.at(-1)).toMatchObject({ to: ['dev@example.com'], subject: 'Verify your urBackend account' });
    expect(sink.messages.at(-1)?.text).toContain('123456');
    expect(sink.messages.at(-1)?.html).toContain('123456');
  });

  it('prints the message (OTP visible) when SMTP is not configured, never drops it silently', async () => {
    const { logger, lines } = capturingLogger();
    const mailer = createMailer({ smtpUrl: null, from: 'x <x@y.z>', logger });
    await mailer.send({ to: 'dev@example.com', ...developerOtpMail('reset', '654321') });
    expect(lines.join('')).toContain('654321');
    const prod = createMailer({ smtpUrl: null, from: 'x <x@y.z>', logger, isProduction: true });
    await expect(prod.send({ to: 'a@b.c', subject: 's', text: 't' })).rejects.toMatchObject({ status: 503 });
  });

  it('answers 503 when the SMTP server cannot be reached', async () => {
    const { logger } = capturingLogger();
    const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:9', from: 'x <x@y.z>', logger });
    await expect(mailer.send({ to: 'a@b.c', subject: 's', text: 't' })).rejects.toMatchObject({ status: 503 });
  });

  it('escapes HTML', () => {
    expect(escapeHtml('<a href="x">&</a>')).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#60;/a&#62;');
  });
});
