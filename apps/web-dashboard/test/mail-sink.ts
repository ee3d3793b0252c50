/** A real SMTP server that keeps every message in memory, for reading OTPs in tests. */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface MailSink {
  url: string;
  messages: SinkMessage[];
  /** Waits for a message to `to` whose text matches `pattern`; returns the first capture group (or the match). */
  waitFor(to: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

function recipients(mail: ParsedMail): string[] {
  const list = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

export async function startMailSink(): Promise<MailSink> {
  const messages: SinkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({ to: recipients(mail), subject: mail.subject ?? '', text: `${mail.text ?? ''}\n${mail.html || ''}` });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(to, pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      const seen = new Set<SinkMessage>();
      while (Date.now() < deadline) {
        for (const m of [...messages].reverse()) {
          if (seen.has(m) || !m.to.includes(to.toLowerCase())) continue;
          const match = m.text.match(pattern);
          if (match) return match[1] ?? match[0];
          seen.add(m);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no mail to ${to} matching ${pattern} within ${timeoutMs} ms`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
