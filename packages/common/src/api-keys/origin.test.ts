import { describe, expect, it } from 'vitest';
import { isOriginAllowed, requestOrigin } from './origin.js';

describe('isOriginAllowed', () => {
  it.each([
    [['*'], 'https://evil.test', true],
    [['https://app.example.com'], 'https://app.example.com', true],
    [['https://app.example.com/'], 'https://app.example.com', true],
    [['app.example.com'], 'http://app.example.com:8080', true],
    [['*.example.com'], 'https://example.com', true],
    [['*.example.com'], 'https://a.b.example.com', true],
    [['*.example.com'], 'https://notexample.com', false],
    [['https://app.example.com'], 'http://app.example.com', false],
    [['app.example.com'], 'https://other.example.com', false],
    [[], 'https://app.example.com', false],
  ])('%j allows %s: %s', (domains, origin, expected) => {
    expect(isOriginAllowed(domains, new URL(origin))).toBe(expected);
  });
});

describe('requestOrigin', () => {
  it('prefers Origin, then Referer, else null', () => {
    expect(requestOrigin({ origin: 'https://a.test', referer: 'https://b.test/x' })).toBe('https://a.test');
    expect(requestOrigin({ referer: 'https://b.test/x' })).toBe('https://b.test/x');
    expect(requestOrigin({})).toBeNull();
  });
});
