import Bowser from 'bowser';

/**
 * An address as a person reads it: `::ffff:127.0.0.1` (an IPv4 client seen through an IPv6
 * socket) → `127.0.0.1`; anything else trimmed as stored; empty → `''`.
 */
export function readableIp(ip: string | null | undefined): string {
  const value = (ip ?? '').trim();
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(value)?.[1] ?? value;
}

/**
 * The device of a session as a person reads it (`Chrome on Linux`, `Safari on iOS`), parsed with
 * bowser. A client that is not a browser is named by its first product token (`curl`, `node`);
 * an empty user agent is `Unknown device`.
 */
export function readableDevice(userAgent: string | null | undefined): string {
  const ua = (userAgent ?? '').trim();
  if (!ua) return 'Unknown device';
  const { browser, os } = Bowser.parse(ua);
  if (browser.name && os.name) return `${browser.name} on ${os.name}`;
  if (browser.name || os.name) return String(browser.name || os.name);
  const product = /^[A-Za-z][\w.-]*/.exec(ua)?.[0];
  return product ?? (ua.length > 60 ? `${ua.slice(0, 57)}…` : ua);
}
