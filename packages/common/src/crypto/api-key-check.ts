import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { keyIdOf } from './index.js';

export type ApiKeyPrefix = 'pk_live_' | 'sk_live_';

/** How a raw API key looks before any lookup. */
export type ApiKeyShape =
  /** Carries a valid check value: only this platform could have issued it (it may still be rotated). */
  | 'signed'
  /** A key issued before check values existed (43-character body): the lookup path decides. */
  | 'legacy'
  /** Anything else: refused without touching MongoDB or Redis. */
  | 'forged';

/** Issues API keys with a check value and classifies raw keys in memory. */
export interface ApiKeyIssuer {
  /** `prefix` + 43 random base64url characters + the 8-hex id of the signing secret + a 22-character check value. */
  issue(prefix: ApiKeyPrefix): string;
  classify(rawKey: string): ApiKeyShape;
}

const RANDOM_CHARS = 43;
const KID_CHARS = 8;
const CHECK_CHARS = 22;
const SIGNED_BODY = RANDOM_CHARS + KID_CHARS + CHECK_CHARS;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEX = /^[0-9a-f]+$/;
/** Verified keys remembered per process (the oldest is forgotten first). */
const VERIFIED_KEYS_KEPT = 10_000;

/** The check secret of one encryption key: HKDF-derived, so the encryption key itself never signs. */
function checkSecret(keyHex: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(keyHex, 'hex'), Buffer.alloc(0), 'urbackend api-key check v1', 32));
}

/**
 * API keys that prove their origin (issue 12): the check value is an HMAC-SHA256 of the prefix and
 * the random part under a secret derived from `ENCRYPTION_KEY`, truncated to 128 bits, with the
 * key's id so the encryption key can rotate (keys signed with a key still listed in
 * `ENCRYPTION_KEYS` keep working). Forged and random keys are refused in memory.
 */
export function createApiKeyIssuer(primaryKeyHex: string, previousKeysHex: readonly string[] = []): ApiKeyIssuer {
  const secrets = new Map<string, Buffer>();
  const primaryId = keyIdOf(primaryKeyHex);
  secrets.set(primaryId, checkSecret(primaryKeyHex));
  for (const k of previousKeysHex) secrets.set(keyIdOf(k), checkSecret(k));
  const mac = (secret: Buffer, prefix: string, random: string) =>
    createHmac('sha256', secret).update(`${prefix}${random}`).digest().subarray(0, 16).toString('base64url');
  // Keys already verified (two HMACs per request otherwise: the forged-key filter and the key
  // lookup). Only valid keys are kept, so a flood of forged keys cannot churn it.
  const verified = new Set<string>();
  const remember = (rawKey: string) => {
    if (verified.size >= VERIFIED_KEYS_KEPT) verified.delete(verified.values().next().value as string);
    verified.add(rawKey);
  };

  return {
    issue(prefix) {
      const random = randomBytes(32).toString('base64url');
      return `${prefix}${random}${primaryId}${mac(secrets.get(primaryId) as Buffer, prefix, random)}`;
    },
    classify(rawKey) {
      if (verified.has(rawKey)) return 'signed';
      const prefix = rawKey.slice(0, 8);
      if (prefix !== 'pk_live_' && prefix !== 'sk_live_') return 'forged';
      const body = rawKey.slice(8);
      if (!BASE64URL.test(body)) return 'forged';
      if (body.length === RANDOM_CHARS) return 'legacy';
      if (body.length !== SIGNED_BODY) return 'forged';
      const random = body.slice(0, RANDOM_CHARS);
      const kid = body.slice(RANDOM_CHARS, RANDOM_CHARS + KID_CHARS);
      const check = body.slice(RANDOM_CHARS + KID_CHARS);
      const secret = HEX.test(kid) ? secrets.get(kid) : undefined;
      if (!secret) return 'forged';
      const expected = Buffer.from(mac(secret, prefix, random));
      const given = Buffer.from(check);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'forged';
      remember(rawKey);
      return 'signed';
    },
  };
}
