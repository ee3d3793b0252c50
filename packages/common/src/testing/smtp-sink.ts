import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the {@link SmtpSink} accepted. */
export interface SinkMessage {
  /** Addresses of the `To` header, lower-cased. */
  to: string[];
  /** The `From` header as text, e.g. `"Shop" <no-reply@shop.test>` (`''` when absent). */
  from: string;
  subject: string;
  /** Plain-text body (`''` when the mail has none). */
  text: string;
  /** HTML body (`''` when the mail has none). */
  html: string;
  /** The whole parsed message (headers, structured addresses, attachments). */
  parsed: ParsedMail;
}

/**
 * Which messages to wait for: a recipient address (case-insensitive), a filter object whose
 * fields must all match, or a predicate.
 */
export type MailMatch =
  | string
  | {
      /** A recipient address of the `To` header (case-insensitive). */
      to?: string;
      /** The subject: equal to a string, or matching a RegExp. */
      subject?: string | RegExp;
      /** A RegExp the text (or, failing that, the HTML) body must match. */
      body?: RegExp;
    }
  | ((message: SinkMessage) => boolean);

/** Options of {@link SmtpSink.waitFor} and {@link SmtpSink.otpFor}. */
export interface MailWaitOptions {
  /** Only consider `messages[since]` and later (take `sink.messages.length` before the action). Default 0. */
  since?: number;
  /** Reject after this many milliseconds (default 10 000). */
  timeoutMs?: number;
}

/** An SMTP refusal: the reply code (4xx transient, 5xx permanent) and its text. */
export interface SmtpRefusal {
  code: number;
  message: string;
}

/** Options of {@link startSmtpSink}. */
export interface SmtpSinkOptions {
  /**
   * Called for every `RCPT TO` (address lower-cased): return a refusal to reject that recipient
   * (e.g. `{ code: 451, message: 'try later' }` to make the sender retry), or `undefined` to accept.
   * Refused messages are not stored.
   */
  refuse?: (recipient: string) => SmtpRefusal | undefined;
}

/** A real SMTP server for tests that keeps every accepted message in memory. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, to pass as an SMTP URL (no TLS, no auth). */
  url: string;
  /** The TCP port it listens on (127.0.0.1). */
  port: number;
  /** Every accepted message, oldest first. */
  messages: SinkMessage[];
  /**
   * Resolves with the newest already-received message (from index `since`) that matches, else with
   * the next matching one to arrive. Rejects after `timeoutMs`, listing what was received.
   */
  waitFor(match: MailMatch, options?: MailWaitOptions): Promise<SinkMessage>;
  /**
   * The 6-digit code of the newest message to `to` (whose subject matches `subject`, when given),
   * waiting for it like {@link SmtpSink.waitFor}. Looks in the text body, then the HTML body.
   */
  otpFor(to: string, options?: MailWaitOptions & { subject?: string | RegExp }): Promise<string>;
  /** Stops the server (open connections are cut after one second). */
  close(): Promise<void>;
}

function recipients(mail: ParsedMail): string[] {
  const list = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

function toPredicate(match: MailMatch): (m: SinkMessage) => boolean {
  if (typeof match === 'function') return match;
  const filter = typeof match === 'string' ? { to: match } : match;
  const to = filter.to?.toLowerCase();
  const { subject, body } = filter;
  return (m) =>
    (to === undefined || m.to.includes(to)) &&
    (subject === undefined || (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject))) &&
    (body === undefined || body.test(m.text) || body.test(m.html));
}

function describeMatch(match: MailMatch): string {
  if (typeof match === 'function') return 'the predicate';
  if (typeof match === 'string') return `to ${match}`;
  return JSON.stringify({ ...match, subject: match.subject?.toString(), body: match.body?.toString() });
}

/**
 * Starts an SMTP sink on a free port of 127.0.0.1: a real `smtp-server` that parses every message
 * with `mailparser` and keeps it in `messages`. Waiting for a message is event-driven (no polling).
 *
 * @example
 * const sink = await startSmtpSink();
 * const since = sink.messages.length;
 * await request(app).post('/api/auth/register').send({ email, password });
 * const otp = await sink.otpFor(email, { since });
 * await sink.close();
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const listeners = new Set<(m: SinkMessage) => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onRcptTo(address, _session, callback) {
      const refusal = options.refuse?.(address.address.toLowerCase());
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const message: SinkMessage = {
            to: recipients(parsed),
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            parsed,
          };
          messages.push(message);
          for (const listener of [...listeners]) listener(message);
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  function waitFor(match: MailMatch, waitOptions: MailWaitOptions = {}): Promise<SinkMessage> {
    const accept = toPredicate(match);
    const since = waitOptions.since ?? 0;
    const timeoutMs = waitOptions.timeoutMs ?? 10_000;
    const found = messages.slice(since).findLast(accept);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = (m: SinkMessage) => {
        if (messages.indexOf(m) < since || !accept(m)) return;
        listeners.delete(listener);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        const seen = messages.map((m, i) => `#${i} to ${m.to.join(',')}: "${m.subject}"`).join('; ') || 'nothing';
        reject(new Error(`no mail ${describeMatch(match)} (from #${since}) within ${timeoutMs} ms; received: ${seen}`));
      }, timeoutMs);
      listeners.add(listener);
    });
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor,
    async otpFor(to, otpOptions = {}) {
      const { subject, ...wait } = otpOptions;
      const message = await waitFor(subject === undefined ? { to } : { to, subject }, wait);
      const code = /\b(\d{6})\b/.exec(message.text)?.[1] ?? /\b(\d{6})\b/.exec(message.html)?.[1];
      if (!code) throw new Error(`no 6-digit code in the mail "${message.subject}" to ${to}`);
      return code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
