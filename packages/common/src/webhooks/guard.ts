import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { assertPublicHttpUrl, isNonPublicAddress } from '../outbound/index.js';
import type { UrlGuard } from './http-attempt.js';

/**
 * The SSRF guard of webhook URLs: http(s) only, no credentials, and every resolved address
 * public unless `allowPrivateTargets` (`ALLOW_PRIVATE_TARGETS=true`, dev and tests).
 */
export function createWebhookGuard(allowPrivateTargets: boolean): UrlGuard {
  return async (url) => {
    await assertPublicHttpUrl(url, { allowPrivateTargets });
  };
}

/**
 * A `lookup` for outgoing sockets that refuses names resolving to any non-public address, so
 * the address actually connected to is the checked one (no DNS-rebinding window after the
 * guard). Numeric hosts skip lookup; the guard checks those.
 */
export function createSafeLookup(allowPrivateTargets: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      if (!allowPrivateTargets && list.some((a) => isNonPublicAddress(a.address))) {
        const refused = Object.assign(new Error(`The host '${hostname}' resolves to a private or internal address.`), {
          code: 'EPRIVATE',
        });
        return callback(refused, '', 0);
      }
      const first = list[0];
      if (!first)
        return callback(Object.assign(new Error(`The host '${hostname}' did not resolve.`), { code: 'ENOTFOUND' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, first.address, first.family);
    });
  };
}
