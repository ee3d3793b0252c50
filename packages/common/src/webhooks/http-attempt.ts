import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { SIGNATURE_HEADER, signBody } from './signing.js';

/** Refuses URLs that resolve to internal addresses (SSRF); throws with a user-facing message. */
export type UrlGuard = (url: string) => Promise<void>;

export interface AttemptInput {
  url: string;
  body: string;
  secret: string;
  event: string;
  deliveryId: string;
  timeoutMs: number;
  guard: UrlGuard;
  /** Resolver for the socket (see `createSafeLookup`); the system one when absent. */
  lookup?: LookupFunction;
}

/** Outcome of one HTTP attempt; `retryable` is true for network errors, timeouts and 5xx. */
export interface AttemptOutcome {
  ok: boolean;
  retryable: boolean;
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
}

const MAX_BODY = 1024;

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

interface RawResponse {
  status: number;
  body: string;
}

/** One POST over node:http(s) with the given lookup; the whole exchange is bounded by `timeoutMs`. */
function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, lookup?: LookupFunction) {
  return new Promise<RawResponse>((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const options = { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, lookup };
    const req = client.request(target, options, (res) => {
      let text = '';
      const finish = () => resolve({ status: res.statusCode ?? 0, body: text.slice(0, MAX_BODY) });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        // Enough of the answer for the log: stop reading (the receiver may stream forever).
        if (text.length >= MAX_BODY) res.destroy();
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    const timer = setTimeout(() => req.destroy(new TimeoutError(`Timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

/**
 * POSTs a signed body once: SSRF check first (and the checked addresses are the ones connected
 * to, via `lookup`), a hard timeout, redirects not followed. 2xx is success; 3xx and 4xx are
 * final failures; 5xx, timeouts and network errors are retryable. Never throws.
 */
export async function attemptDelivery(input: AttemptInput): Promise<AttemptOutcome> {
  const started = Date.now();
  const done = (o: Omit<AttemptOutcome, 'durationMs'>): AttemptOutcome => ({ ...o, durationMs: Date.now() - started });
  const final = (error: string) =>
    done({ ok: false, retryable: false, statusCode: null, responseBody: null, error: error.slice(0, 500) });
  try {
    await input.guard(input.url);
  } catch (err) {
    return final(String((err as Error).message));
  }
  try {
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'urBackend-Webhooks/1.0',
      [SIGNATURE_HEADER]: signBody(input.secret, input.body),
      'X-urBackend-Event': input.event,
      'X-urBackend-Delivery-Id': input.deliveryId,
    };
    // node:http never follows redirects: a 3xx is reported as a final failure.
    const res = await post(input.url, headers, input.body, input.timeoutMs, input.lookup);
    const ok = res.status >= 200 && res.status < 300;
    const error = ok ? null : res.status >= 300 && res.status < 400 ? 'Redirects are not followed.' : `HTTP ${res.status}`;
    return done({ ok, retryable: res.status >= 500, statusCode: res.status, responseBody: res.body, error });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'EPRIVATE') return final(e.message);
    const message = e instanceof TimeoutError ? e.message : `Network error${e.code ? ` (${e.code})` : `: ${e.message}`}`;
    return done({ ok: false, retryable: true, statusCode: null, responseBody: null, error: message.slice(0, 500) });
  }
}
