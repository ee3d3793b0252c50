import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { durationMs } from '../config/index.js';
import { createSecretBox } from '../crypto/index.js';
import { projectSecretContext } from '../scope/index.js';
import { createAccessTokens, createProjectJwtKeys, hmacKey } from './access-tokens.js';

const tokens = createAccessTokens({ ttl: '15m' });
const secret = 'project-a-secret-0123456789abcdef';
const key = hmacKey(secret);

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('createAccessTokens', () => {
  it('issues HS256 tokens with userId and projectId that expire after the TTL', () => {
    const { token, expiresIn } = tokens.issue({ userId: 'u1', projectId: 'p1', sid: 'f1' }, key);
    expect(expiresIn).toBe('15m');
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header.alg).toBe('HS256');
    const payload = decoded?.payload as jwt.JwtPayload;
    expect(payload).toMatchObject({ userId: 'u1', projectId: 'p1', sid: 'f1' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    expect(tokens.verify(token, key, 'p1')).toEqual({ userId: 'u1', projectId: 'p1', sid: 'f1' });
  });

  it.each([
    ['alg:none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ userId: 'u1', projectId: 'p1' })}.`],
    ['a wrong secret', () => jwt.sign({ userId: 'u1', projectId: 'p1' }, 'another-secret')],
    ['an expired token', () => jwt.sign({ userId: 'u1', projectId: 'p1', exp: Math.floor(Date.now() / 1000) - 10 }, secret)],
    ['another project', () => tokens.issue({ userId: 'u1', projectId: 'p2' }, key).token],
    ['no userId', () => jwt.sign({ projectId: 'p1' }, secret)],
    ['HS512', () => jwt.sign({ userId: 'u1', projectId: 'p1' }, secret, { algorithm: 'HS512' })],
    ['garbage', () => 'not.a.jwt'],
  ])('rejects %s with 401 "Invalid or Expired Token"', (_name, make) => {
    expect(() => tokens.verify(make(), key, 'p1')).toThrow(
      expect.objectContaining({ status: 401, message: 'Invalid or Expired Token' }),
    );
  });
});

describe('createProjectJwtKeys', () => {
  const box = createSecretBox('a'.repeat(64));
  const sealed = (projectId: string, plain: string) => box.encrypt(plain, projectSecretContext(projectId, 'jwtSecret'));

  it("verifies tokens signed with the project's decrypted secret, and a rotated secret replaces the old one", () => {
    const keyOf = createProjectJwtKeys(box);
    const project = { _id: 'p1', jwtSecret: sealed('p1', secret) };
    const signed = jwt.sign({ userId: 'u1', projectId: 'p1' }, secret, { algorithm: 'HS256' });
    expect(tokens.verify(signed, keyOf(project), 'p1')).toEqual({ userId: 'u1', projectId: 'p1' });
    expect(keyOf({ ...project })).toBe(keyOf(project));
    const rotated = { _id: 'p1', jwtSecret: sealed('p1', 'the-rotated-secret-0123456789abcd') };
    expect(() => tokens.verify(signed, keyOf(rotated), 'p1')).toThrow(expect.objectContaining({ status: 401 }));
  });

  it("refuses a secret sealed for another project (the project id is the ciphertext's context)", () => {
    const keyOf = createProjectJwtKeys(box);
    expect(() => keyOf({ _id: 'p2', jwtSecret: sealed('p1', secret) })).toThrow();
  });
});

describe('durationMs', () => {
  it.each([
    ['15m', 900_000],
    ['7d', 604_800_000],
    ['3600s', 3_600_000],
    ['250ms', 250],
  ])('%s = %i ms', (value, ms) => expect(durationMs(value)).toBe(ms));
  it('throws on garbage', () => expect(() => durationMs('soon')).toThrow());
});
