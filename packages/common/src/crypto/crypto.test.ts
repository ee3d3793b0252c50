import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, generateApiKey, keyIdOf, safeEqual, sha256Hex } from './index.js';

const keyA = randomBytes(32).toString('hex');
const keyB = randomBytes(32).toString('hex');
const aad = 'project:65f0c0ffee:jwtSecret';

describe('createSecretBox (AES-256-GCM)', () => {
  it('round-trips a secret, with a fresh 12-byte IV and the key id in every ciphertext', () => {
    const box = createSecretBox(keyA);
    const one = box.encrypt('s3cr3t', aad);
    const two = box.encrypt('s3cr3t', aad);
    expect(one).not.toBe(two);
    expect(one).not.toContain('s3cr3t');
    const [version, keyId, iv] = one.split(':');
    expect(version).toBe('v1');
    expect(keyId).toBe(keyIdOf(keyA));
    expect(Buffer.from(iv ?? '', 'base64url')).toHaveLength(12);
    expect(box.decrypt(one, aad)).toBe('s3cr3t');
  });

  it('rejects a tampered ciphertext, tag or IV', () => {
    const box = createSecretBox(keyA);
    const parts = box.encrypt('value', aad).split(':');
    for (const index of [2, 3, 4]) {
      const copy = [...parts];
      const bytes = Buffer.from(copy[index] ?? '', 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      copy[index] = bytes.toString('base64url');
      expect(() => box.decrypt(copy.join(':'), aad)).toThrow(/could not be decrypted/);
    }
  });

  it('rejects the wrong key and the wrong associated data (another project)', () => {
    const encrypted = createSecretBox(keyA).encrypt('value', aad);
    expect(() => createSecretBox(keyB).decrypt(encrypted, aad)).toThrow(/could not be decrypted/);
    expect(() => createSecretBox(keyA).decrypt(encrypted, 'project:other:jwtSecret')).toThrow(/could not be decrypted/);
  });

  it('keeps old ciphertexts readable after rotation and writes new ones with the new key', () => {
    const old = createSecretBox(keyA).encrypt('value', aad);
    const rotated = createSecretBox(keyB, [keyA]);
    expect(rotated.decrypt(old, aad)).toBe('value');
    expect(rotated.needsRotation(old)).toBe(true);
    const fresh = rotated.encrypt('value', aad);
    expect(rotated.needsRotation(fresh)).toBe(false);
    expect(() => createSecretBox(keyA).decrypt(fresh, aad)).toThrow();
  });
});

describe('key helpers', () => {
  it('generates prefixed 43-character keys and stable hashes', () => {
    const key = generateApiKey('pk_live_');
    expect(key).toMatch(/^pk_live_[A-Za-z0-9_-]{43}$/);
    expect(sha256Hex(key)).toHaveLength(64);
    expect(sha256Hex(key)).toBe(sha256Hex(key));
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
