import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A received message. */
export interface SinkMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** A real SMTP server for tests: collects every message it accepts. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` to pass as the SMTP URL. */
  url: string;
  messages: SinkMessage[];
  /** Waits (up to `timeoutMs`) for the newest message to `to` received after `since` messages. */
  waitFor(to: string, options?: { since?: number; timeoutMs?: number }): Promise<SinkMessage>;
  /** The 6-digit code of the newest message to `to`. */
  otpFor(to: string, options?: { since?: number; timeoutMs?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Starts an SMTP sink on a free port (no TLS, no auth). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail: ParsedMail) => {
          const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
            a.value.map((v) => (v.address ?? '').toLowerCase()),
          );
          messages.push({
            to,
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;

  async function waitFor(to: string, options: { since?: number; timeoutMs?: number } = {}): Promise<SinkMessage> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    const since = options.since ?? 0;
    for (;;) {
      const found = messages
        .slice(since)
        .filter((m) => m.to.includes(to.toLowerCase()))
        .at(-1);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no mail to ${to} within the timeout`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor,
    async otpFor(to, options) {
      const message = await waitFor(to, options);
      const code = message.text.match(/\b(\d{6})\b/)?.[1];
      if (!code) throw new Error(`no OTP in the mail to ${to}`);
      return code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
