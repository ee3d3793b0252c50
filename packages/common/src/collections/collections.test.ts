import { describe, expect, it } from 'vitest';
import { collectionNameProblem, defaultRls, mergeRls, parseFieldList, usersSchemaProblem } from './index.js';

const bad: [string, unknown, RegExp][] = [
  ['empty key', [{ key: '', type: 'String' }], /key/],
  ['dollar key', [{ key: '$where', type: 'String' }], /\$/],
  ['dotted key', [{ key: 'a.b', type: 'String' }], /dots/],
  ['unknown type', [{ key: 'a', type: 'Blob' }], /type must be one of/],
  ['object without fields', [{ key: 'a', type: 'Object' }], /non-empty fields/],
  ['array without items', [{ key: 'a', type: 'Array' }], /items/],
  ['ref without target', [{ key: 'a', type: 'Ref' }], /ref/],
  ['nested unique', [{ key: 'a', type: 'Object', fields: [{ key: 'b', type: 'String', unique: true }] }], /top-level/],
  ['unique object', [{ key: 'a', type: 'Array', items: { type: 'String' }, unique: true }], /unique is only/],
  ['default with required', [{ key: 'a', type: 'String', required: true, default: 'x' }], /required/],
  ['default wrong type', [{ key: 'a', type: 'Number', default: 'x' }], /default must be a Number/],
  ['default on Date', [{ key: 'a', type: 'Date', default: 'x' }], /not allowed for Date/],
  [
    'too deep',
    [
      {
        key: 'a',
        type: 'Object',
        fields: [{ key: 'b', type: 'Object', fields: [{ key: 'c', type: 'Object', fields: [{ key: 'd', type: 'String' }] }] }],
      },
    ],
    /nested deeper/,
  ],
  [
    'duplicate key',
    [
      { key: 'a', type: 'String' },
      { key: 'a', type: 'Number' },
    ],
    /duplicate/,
  ],
  ['enum on Boolean', [{ key: 'a', type: 'Boolean', enum: ['x'] }], /enum is only/],
  ['enum wrong member type', [{ key: 'a', type: 'String', enum: [1] }], /enum values/],
  ['min > max', [{ key: 'a', type: 'Number', min: 5, max: 1 }], /max must be/],
  ['bad pattern', [{ key: 'a', type: 'String', pattern: '(' }], /valid regular expression/],
  ['format on Number', [{ key: 'a', type: 'Number', format: 'email' }], /format is only/],
  ['bad format', [{ key: 'a', type: 'String', format: 'phone' }], /Invalid enum value/],
  ['system field', [{ key: '_id', type: 'String' }], /system field/],
  ['nested arrays', [{ key: 'a', type: 'Array', items: { type: 'Array' } }], /type must be one of|nested arrays/],
  ['default outside enum', [{ key: 'a', type: 'String', enum: ['x'], default: 'y' }], /enum values/],
];

describe('parseFieldList', () => {
  it.each(bad)('refuses %s with a 400 naming the field', (_label, input, message) => {
    let error: unknown;
    try {
      parseFieldList(input);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).toMatch(message);
    expect((error as { details: unknown[] }).details.length).toBeGreaterThan(0);
  });

  it('accepts the full field model and normalises the public spelling', () => {
    const fields = parseFieldList([
      { name: 'title', type: 'string', required: true, minLength: 1, maxLength: 80 },
      { key: 'price', type: 'Number', min: 0, default: 0 },
      { key: 'status', type: 'String', enum: ['draft', 'live'], default: 'draft' },
      { key: 'slug', type: 'String', unique: true, format: 'slug' },
      { key: 'author', type: 'Ref', ref: 'users' },
      { key: 'tags', type: 'Array', items: { type: 'Ref', ref: 'tags' } },
      { key: 'meta', type: 'Object', fields: [{ key: 'views', type: 'Number' }] },
      { key: 'lines', type: 'Array', items: { type: 'Object', fields: [{ key: 'qty', type: 'Number' }] } },
    ]);
    expect(fields[0]).toMatchObject({ key: 'title', type: 'String', required: true });
    expect(fields[5]?.items).toEqual({ type: 'Ref', ref: 'tags' });
    expect(fields).toHaveLength(8);
  });
});

describe('collection names', () => {
  it.each([
    ['posts', null],
    ['Blog_Posts2', null],
    ['2posts', /start with a letter/],
    ['po-sts', /start with a letter/],
    ['system_x', /reserved/],
    ['SYSTEMS', /reserved/],
    ['a'.repeat(64), /max 63/],
  ])('%s', (name, expected) => {
    const problem = collectionNameProblem(name);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});

describe('users contract and RLS defaults', () => {
  it('requires String email and password, both required', () => {
    expect(usersSchemaProblem([{ key: 'email', type: 'String', required: true }])).toMatch(/password/);
    expect(
      usersSchemaProblem([
        { key: 'email', type: 'String', required: true },
        { key: 'password', type: 'String', required: true },
      ]),
    ).toBeNull();
  });

  it('picks the owner field like the reference', () => {
    expect(defaultRls('users', []).ownerField).toBe('_id');
    expect(defaultRls('posts', [{ key: 'ownerId', type: 'String' }]).ownerField).toBe('ownerId');
    expect(defaultRls('posts', []).ownerField).toBe('userId');
  });

  it('canonicalises the owner field and refuses unknown ones', () => {
    const fields = [{ key: 'authorId', type: 'String' as const }];
    const rls = mergeRls('posts', fields, defaultRls('posts', fields), { ownerField: 'AUTHORID', enabled: true });
    expect(rls).toMatchObject({ ownerField: 'authorId', enabled: true, mode: 'public-read' });
    expect(() => mergeRls('posts', fields, rls, { ownerField: 'nope' })).toThrow(/Invalid owner field/);
    expect(() => mergeRls('posts', fields, rls, { ownerField: '_id' })).toThrow(/only allowed on the users/);
  });
});
