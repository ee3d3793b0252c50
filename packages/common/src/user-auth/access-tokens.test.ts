import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { durationMs } from '../config/index.js';
import { createAccessTokens } from './access-tokens.js';

const tokens = createAccessTokens({ ttl: '15m' });
const secret = 'project-a-secret-0123456789abcdef';

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('createAccessTokens', () => {
  it('issues HS256 tokens with userId and projectId that expire after the TTL', () => {
    const { token, expiresIn } = tokens.issue({ userId: 'u1', projectId: 'p1', sid: 'f1' }, secret);
    expect(expiresIn).toBe('15m');
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header.alg).toBe('HS256');
    const payload = decoded?.payload as jwt.JwtPayload;
    expect(payload).toMatchObject({ userId: 'u1', projectId: 'p1', sid: 'f1' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    expect(tokens.verify(token, secret, 'p1')).toEqual({ userId: 'u1', projectId: 'p1', sid: 'f1' });
  });

  it.each([
    ['alg:none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ userId: 'u1', projectId: 'p1' })}.`],
    ['a wrong secret', () => jwt.sign({ userId: 'u1', projectId: 'p1' }, 'another-secret')],
    ['an expired token', () => jwt.sign({ userId: 'u1', projectId: 'p1', exp: Math.floor(Date.now() / 1000) - 10 }, secret)],
    ['another project', () => tokens.issue({ userId: 'u1', projectId: 'p2' }, secret).token],
    ['no userId', () => jwt.sign({ projectId: 'p1' }, secret)],
    ['HS512', () => jwt.sign({ userId: 'u1', projectId: 'p1' }, secret, { algorithm: 'HS512' })],
    ['garbage', () => 'not.a.jwt'],
  ])('rejects %s with 401 "Invalid or Expired Token"', (_name, make) => {
    expect(() => tokens.verify(make(), secret, 'p1')).toThrow(
      expect.objectContaining({ status: 401, message: 'Invalid or Expired Token' }),
    );
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
