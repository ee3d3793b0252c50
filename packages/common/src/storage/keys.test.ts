import { describe, expect, it } from 'vitest';
import { isActiveContent, newObjectKey, normalizeContentType, resolveObjectKey, sanitizeFileName } from './keys.js';

const pid = '665f1c2a9b1e8a0012345678';

describe('object keys', () => {
  it.each([
    ['my photo.png', 'my_photo.png'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\win.ini', 'win.ini'],
    ['.htaccess', 'htaccess'],
    ['résumé <final>.pdf', 'r_sum___final_.pdf'],
    ['', 'file'],
    ['...', 'file'],
  ])('sanitises %j to %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it('builds keys under the project, and under the user for publishable uploads', () => {
    expect(newObjectKey(pid, 'a b.txt')).toMatch(new RegExp(`^${pid}/[0-9a-f-]{36}_a_b\\.txt$`));
    expect(newObjectKey(pid, 'a.txt', 'u1')).toMatch(new RegExp(`^${pid}/users/u1/[0-9a-f-]{36}_a\\.txt$`));
  });

  it.each([
    [`${pid}/../other/x`],
    [`${pid}/%2e%2e/x`],
    [`${pid}%2F..%2Fother/x`],
    [`${pid}/a%252F..%252Fb`],
    [`other/${pid}/x`],
    [`${pid}`],
    [`${pid}/./x`],
    [`${pid}//x`],
    [`${pid}/a\\..\\b`],
    [`${pid}/a\u0000b`],
  ])('refuses %j with 403', (path) => {
    expect(() => resolveObjectKey(pid, path)).toThrow(expect.objectContaining({ status: 403 }));
  });

  it('accepts paths under the project (with a leading slash or URL-encoded), and enforces a user prefix', () => {
    expect(resolveObjectKey(pid, `/${pid}/x_a.txt`)).toBe(`${pid}/x_a.txt`);
    expect(resolveObjectKey(pid, encodeURIComponent(`${pid}/x a.txt`))).toBe(`${pid}/x a.txt`);
    expect(() => resolveObjectKey(pid, `${pid}/users/u2/f`, `${pid}/users/u1/`)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => resolveObjectKey(pid, '')).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('flags active content and normalises content types', () => {
    expect(isActiveContent('text/html; charset=utf-8')).toBe(true);
    expect(isActiveContent('image/svg+xml')).toBe(true);
    expect(isActiveContent('image/png')).toBe(false);
    expect(normalizeContentType('Image/PNG')).toBe('image/png');
    expect(normalizeContentType('text/html\r\nX-Evil: 1')).toBe('application/octet-stream');
    expect(normalizeContentType(undefined)).toBe('application/octet-stream');
  });
});
