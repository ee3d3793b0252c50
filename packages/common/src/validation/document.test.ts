import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../models/index.js';
import { validateDocument } from './document.js';

const fields: FieldDef[] = [
  { key: 'title', type: 'String', required: true, maxLength: 20 },
  { key: 'status', type: 'String', enum: ['draft', 'live'], default: 'draft' },
  { key: 'price', type: 'Number', min: 0, max: 1000 },
  { key: 'ok', type: 'Boolean' },
  { key: 'at', type: 'Date' },
  { key: 'author', type: 'Ref', ref: 'authors' },
  { key: 'email', type: 'String', format: 'email' },
  { key: 'code', type: 'String', pattern: '^[A-Z]{3}$' },
  { key: 'meta', type: 'Object', fields: [{ key: 'views', type: 'Number', required: true }] },
  { key: 'tags', type: 'Array', items: { type: 'String' } },
];
const oid = '64b000000000000000000001';

describe('validateDocument insert', () => {
  it('trims strings, applies defaults, converts dates and refs, keeps unknown fields, drops system fields', () => {
    const doc = validateDocument(
      fields,
      { title: '  Hi  ', at: '2024-01-01', author: oid, extra: { a: 1 }, _id: 'x', createdAt: 'y', tags: [' a '] },
      'insert',
    );
    expect(doc).toEqual({
      title: 'Hi',
      status: 'draft',
      at: new Date('2024-01-01'),
      author: new Types.ObjectId(oid),
      extra: { a: 1 },
      tags: ['a'],
    });
  });

  it.each([
    [{}, /Field 'title' is required/],
    [{ title: 5 }, /Field 'title' must be a String/],
    [{ title: 'x'.repeat(21) }, /at most 20 characters/],
    [{ title: 'a', status: 'gone' }, /must be one of: draft, live/],
    [{ title: 'a', price: '5' }, /Field 'price' must be a Number/],
    [{ title: 'a', price: -1 }, /at least 0/],
    [{ title: 'a', ok: 'true' }, /must be a Boolean/],
    [{ title: 'a', at: 'nope' }, /valid Date/],
    [{ title: 'a', author: 'nope' }, /valid reference ID/],
    [{ title: 'a', email: 'nope' }, /valid email/],
    [{ title: 'a', code: 'abc' }, /pattern/],
    [{ title: 'a', meta: {} }, /Field 'meta.views' is required/],
    [{ title: 'a', tags: [1] }, /Field 'tags.0' must be a String/],
    [{ title: 'a', $where: 1 }, /may not start with "\$"/],
    [{ title: 'a', 'x.y': 1 }, /may not contain "."/],
    [{ title: 'a', nested: { $ne: 1 } }, /nested.\$ne/],
    [{ title: 'a', weird: [[1]] }, /nested arrays/],
    [{ title: 'a\u0000' }, /NUL/],
    [JSON.parse('{"title":"a","__proto__":{"x":1}}'), /__proto__/],
    [[{ title: 'a' }], /must be a JSON object/],
    [{ _bsontype: 'Code', code: 'x' }, /^Field '_bsontype' is reserved by the database driver\.$/],
    [{ _bsontype: 'ObjectId', id: 'x' }, /Field '_bsontype' is reserved/],
    [{ title: 'a', extra: { _bsontype: 'Code', code: 'x' } }, /Field 'extra._bsontype' is reserved/],
    [{ title: 'a', meta: { views: 1, deep: [{ _bsontype: 'Long' }] } }, /Field 'meta.deep.0._bsontype' is reserved/],
    [{ title: 'a', author: { _bsontype: 'ObjectId', id: oid } }, /Field 'author._bsontype' is reserved/],
    [{ title: 'a', extra: { isMongooseBuffer: true } }, /Field 'extra.isMongooseBuffer' is reserved/],
    [{ title: 'a', _doc: {} }, /Field '_doc' is reserved by the database driver at the top level/],
    [{ title: 'a', get: 1 }, /Field 'get' is reserved/],
    [{ title: 'a', toObject: 'x' }, /Field 'toObject' is reserved/],
    [{ title: 'a', markModified: 1 }, /Field 'markModified' is reserved/],
    [{ title: 'a', modifiedPaths: 1 }, /Field 'modifiedPaths' is reserved/],
    [{ title: 'a', ownerDocument: 1 }, /Field 'ownerDocument' is reserved/],
  ])('%j is refused', (body, message) => {
    expect(() => validateDocument(fields, body, 'insert')).toThrow(message);
  });

  it('names the driver key in details, and still takes real ObjectIds and those names below the top level', () => {
    try {
      validateDocument(fields, { title: 'a', x: { _bsontype: 'Code' } }, 'patch');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ status: 400, details: [{ path: 'x._bsontype' }] });
    }
    const doc = validateDocument(
      fields,
      { title: 'a', author: new Types.ObjectId(oid), extra: { get: 1, _doc: 2, toObject: 3 } },
      'insert',
    );
    expect(doc).toMatchObject({ author: new Types.ObjectId(oid), extra: { get: 1, _doc: 2, toObject: 3 } });
  });
});

describe('validateDocument patch', () => {
  it('validates only the given keys and injects no defaults', () => {
    expect(validateDocument(fields, { price: 3 }, 'patch')).toEqual({ price: 3 });
  });
  it('refuses clearing a required field or a bad type', () => {
    expect(() => validateDocument(fields, { title: null }, 'patch')).toThrow(/required/);
    expect(() => validateDocument(fields, { price: 'x' }, 'patch')).toThrow(/Number/);
  });
});
