import { describe, expect, it } from 'vitest';
import { documentBytes } from './size.js';

describe('documentBytes', () => {
  it('counts what the user stored, not the fields the server adds', () => {
    const body = { title: 'Héllo', tags: ['a'] };
    const stored = { _id: '65f0c0ffee65f0c0ffee65f0', ...body, createdAt: new Date(), updatedAt: new Date(), __v: 0 };
    expect(documentBytes(stored)).toBe(documentBytes(body));
    expect(documentBytes(body)).toBe(Buffer.byteLength(JSON.stringify(body), 'utf8'));
  });
});
