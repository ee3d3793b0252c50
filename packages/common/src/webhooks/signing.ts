import { createHmac } from 'node:crypto';
import { safeEqual } from '../crypto/index.js';

/** Header carrying the signature of a webhook body. */
export const SIGNATURE_HEADER = 'X-urBackend-Signature';

/** `sha256=<hex HMAC-SHA256(secret, body)>` of the exact bytes sent. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** True when `signature` is the valid signature of `body` (constant-time comparison). */
export function verifySignature(secret: string, body: string, signature: string | undefined | null): boolean {
  return typeof signature === 'string' && safeEqual(signBody(secret, body), signature);
}
