import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/index.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** Encrypts and decrypts secrets at rest (CONTRACT §3.14). */
export interface SecretBox {
  /** Id of the key new ciphertexts are written with. */
  readonly primaryKeyId: string;
  /**
   * Encrypts `plaintext` bound to `aad` (e.g. `project:<id>:jwtSecret`). Output format:
   * `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts). A fresh 12-byte IV every call.
   */
  encrypt(plaintext: string, aad: string): string;
  /**
   * Decrypts a value from `encrypt` with the same `aad`. Throws `AppError('INTERNAL')` when
   * the value was tampered with, the key id is unknown, or the AAD differs.
   */
  decrypt(payload: string, aad: string): string;
  /** True when `payload` was written with a key other than the primary one (re-encrypt it). */
  needsRotation(payload: string): boolean;
}

/** Stable short id of a key: the first 8 hex characters of its SHA-256. */
export function keyIdOf(keyHex: string): string {
  return createHash('sha256').update(Buffer.from(keyHex, 'hex')).digest('hex').slice(0, 8);
}

function parseKey(keyHex: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(keyHex)) throw new Error('encryption keys must be 64 hex characters');
  return Buffer.from(keyHex, 'hex');
}

/**
 * Creates a `SecretBox` over a primary key and older keys kept only for decryption
 * (rotation: set a new `ENCRYPTION_KEY`, move the old one to `ENCRYPTION_KEYS`).
 */
export function createSecretBox(primaryKeyHex: string, previousKeysHex: readonly string[] = []): SecretBox {
  const keys = new Map<string, Buffer>();
  const primaryKeyId = keyIdOf(primaryKeyHex);
  keys.set(primaryKeyId, parseKey(primaryKeyHex));
  for (const k of previousKeysHex) keys.set(keyIdOf(k), parseKey(k));
  const primary = keys.get(primaryKeyId) as Buffer;

  const fail = (cause?: unknown) => new AppError('INTERNAL', 'A stored secret could not be decrypted.', undefined, { cause });

  return {
    primaryKeyId,
    encrypt(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, primary, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, primaryKeyId, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(
        ':',
      );
    },
    decrypt(payload, aad) {
      const parts = payload.split(':');
      if (parts.length !== 5 || parts[0] !== VERSION) throw fail(new Error('malformed ciphertext'));
      const [, keyId, ivText, tagText, dataText] = parts as [string, string, string, string, string];
      const key = keys.get(keyId);
      if (!key) throw fail(new Error(`unknown encryption key id ${keyId}`));
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw fail(new Error('malformed ciphertext'));
      try {
        const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(dataText, 'base64url')), decipher.final()]).toString('utf8');
      } catch (err) {
        throw fail(err);
      }
    },
    needsRotation(payload) {
      return payload.split(':')[1] !== primaryKeyId;
    },
  };
}

/** SHA-256 hex digest of a string (API keys, refresh tokens: high-entropy values only). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A URL-safe random token of `bytes` random bytes (43 characters for 32 bytes). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A new API key: `prefix` + 32 random bytes base64url, e.g. `pk_live_…`. */
export function generateApiKey(prefix: 'pk_live_' | 'sk_live_'): string {
  return `${prefix}${randomToken(32)}`;
}

/** Constant-time string comparison (false for different lengths). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
export { createApiKeyIssuer, type ApiKeyIssuer, type ApiKeyPrefix, type ApiKeyShape } from './api-key-check.js';
