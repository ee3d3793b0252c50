import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../models/index.js';
import { cursorFilter, decodeCursor, encodeCursor } from './cursor.js';
import { MAX_OFFSET_WINDOW, parseListQuery, parseSort } from './list-query.js';
import { checkPipeline } from './pipeline.js';

const fields: FieldDef[] = [
  { key: 'title', type: 'String' },
  { key: 'price', type: 'Number' },
  { key: 'price_gt', type: 'Number' },
  { key: 'published', type: 'Boolean' },
  { key: 'at', type: 'Date' },
  { key: 'author', type: 'Ref', ref: 'authors' },
  { key: 'meta', type: 'Object', fields: [{ key: 'views', type: 'Number' }] },
  { key: 'tags', type: 'Array', items: { type: 'String' } },
];
const oid = '64b000000000000000000001';

describe('parseListQuery filters', () => {
  it.each([
    [{ title: 'a' }, { title: 'a' }],
    [{ title: ['a', 'b'] }, { title: { $in: ['a', 'b'] } }],
    [{ price_gt: '5' }, { price_gt: 5 }],
    [{ price_gt_gt: '5' }, { price_gt: { $gt: 5 } }],
    [{ price_gte: '5', price_lt: '9' }, { price: { $gte: 5, $lt: 9 } }],
    [{ price_ne: '1' }, { price: { $ne: 1 } }],
    [{ price_in: '1, 2,,3' }, { price: { $in: [1, 2, 3] } }],
    [{ title_nin: 'x,y' }, { title: { $nin: ['x', 'y'] } }],
    [{ title_exists: 'false' }, { title: { $exists: false } }],
    [{ title_regex: '^ab' }, { title: { $regex: '^ab', $options: 'i' } }],
    [{ published: 'true' }, { published: true }],
    [{ at_gte: '2024-01-01' }, { at: { $gte: new Date('2024-01-01') } }],
    [{ author: oid }, { author: new Types.ObjectId(oid) }],
    [{ 'meta.views_gt': '3' }, { 'meta.views': { $gt: 3 } }],
    [{ tags: 'x' }, { tags: 'x' }],
    [{ other: '5' }, { other: '5' }],
    [{ key: 'pk_live_x', page: '1' }, {}],
  ])('%j → %j', (query, filter) => {
    expect(parseListQuery(query, fields).filter).toEqual(filter);
  });

  it.each([
    [{ $where: '1' }, /"\$where" is not allowed/],
    [{ 'title[$ne]': 'x' }, /"title\[\$ne\]" is not allowed/],
    [{ __proto__x: '1', 'a.__proto__': '1' }, /not allowed/],
    [{ price: 'abc' }, /"price": expected a number/],
    [{ published: 'yes' }, /"published": expected true or false/],
    [{ author: 'nope' }, /"author": expected an ObjectId/],
    [{ at: 'not a date' }, /"at": expected a date/],
    [{ title_exists: 'maybe' }, /Invalid value for "title_exists"; expected "true" or "false"/],
    [{ title_regex: 'a'.repeat(129) }, /exceeds 128 characters/],
    [{ title_regex: '(' }, /Invalid regex pattern for "title_regex"/],
    [{ price_regex: 'x' }, /regex filters need a String field/],
    [{ page: '0' }, /"page"/],
    [{ page: '-1' }, /"page"/],
    [{ limit: 'abc' }, /"limit"/],
    [{ limit: '0' }, /"limit"/],
    [{ cursor: 'garbage!' }, /Invalid cursor/],
    [{ sort: 'a:sideways' }, /"sort"/],
    [{ sort: '$natural' }, /"sort"/],
    [{ populate: 'title' }, /Cannot populate "title"/],
    [{ fields: 'a,-b' }, /"fields"/],
    [{ count: 'maybe' }, /"count"/],
    [{ meta: 'no' }, /"meta"/],
    [
      { page: '1000000000' },
      /^Invalid value for "page": must be at most 1000 with limit 100; use cursor paging \(cursor=\) for deeper pages\.$/,
    ],
    [{ page: '1001' }, /"page": must be at most 1000 with limit 100/],
    [{ page: '10001', limit: '10' }, /"page": must be at most 10000 with limit 10/],
    [{ page: '100001', limit: '1' }, /"page": must be at most 100000 with limit 1/],
    [{ page: '9'.repeat(400) }, /"page": must be at most 1000 with limit 100/],
    [{ page: '2000', limit: '500' }, /"page": must be at most 1000 with limit 100/],
    [{ skip: '99901' }, /"skip": must be at most 99900 with limit 100; use cursor paging/],
    [{ skip: '1000000000000' }, /"skip": must be at most 99900/],
    [{ page: '1.5' }, /"page": expected an integer of at least 1/],
  ])('%j is a 400', (query, message) => {
    expect(() => parseListQuery(query as Record<string, unknown>, fields)).toThrow(message);
  });
});

describe('parseListQuery options', () => {
  it('defaults: page 1, limit 100, -createdAt then _id', () => {
    const q = parseListQuery({}, fields);
    expect(q).toMatchObject({ page: 1, limit: 100, skip: 0, count: false, meta: true, cursor: undefined });
    expect(q.sort).toEqual([
      ['createdAt', -1],
      ['_id', -1],
    ]);
  });

  it('caps limit at 100 and computes skip from page', () => {
    expect(parseListQuery({ limit: '500', page: '3' }, fields)).toMatchObject({ limit: 100, skip: 200 });
    expect(parseListQuery({ limit: '10', skip: '7' }, fields)).toMatchObject({ limit: 10, skip: 7 });
    expect(parseListQuery({ limit: '1000000000000' }, fields)).toMatchObject({ limit: 100 });
  });

  it.each([
    [{ page: '1000' }, { page: 1000, limit: 100, skip: 99_900 }],
    [
      { page: '10000', limit: '10' },
      { page: 10_000, limit: 10, skip: 99_990 },
    ],
    [
      { page: '100000', limit: '1' },
      { page: 100_000, limit: 1, skip: 99_999 },
    ],
    [
      { page: '3333', limit: '30' },
      { page: 3333, limit: 30, skip: 99_960 },
    ],
    [{ skip: '99900' }, { limit: 100, skip: 99_900 }],
  ])('offset paging reaches MAX_OFFSET_WINDOW documents deep: %j', (query, expected) => {
    expect(MAX_OFFSET_WINDOW).toBe(100_000);
    expect(parseListQuery(query, fields)).toMatchObject(expected);
  });

  it('parses every sort syntax', () => {
    expect(parseSort('price:desc,title:asc')).toEqual([
      ['price', -1],
      ['title', 1],
      ['_id', 1],
    ]);
    expect(parseSort('-price,title')).toEqual([
      ['price', -1],
      ['title', 1],
      ['_id', 1],
    ]);
    expect(parseSort('price:-1')).toEqual([
      ['price', -1],
      ['_id', -1],
    ]);
  });

  it('parses fields, meta, count, populate and an empty cursor', () => {
    const q = parseListQuery(
      { fields: 'title,price,password', meta: 'false', count: 'true', expand: 'author', cursor: '' },
      fields,
    );
    expect(q).toMatchObject({ projection: { title: 1, price: 1 }, meta: false, count: true, populate: ['author'], cursor: null });
  });
});

describe('cursors', () => {
  it('round-trips dates, ids and nulls for the same sort, and refuses another sort', () => {
    const sort = parseSort('-at,title');
    const doc = { at: new Date('2024-02-02T00:00:00Z'), title: null, _id: new Types.ObjectId(oid) };
    const cursor = encodeCursor(doc, sort);
    expect(decodeCursor(cursor, sort)).toEqual([doc.at, null, doc._id]);
    expect(() => decodeCursor(cursor, parseSort('at'))).toThrow(/different sort/);
  });

  it('builds an OR-chain filter after the position', () => {
    const sort = parseSort('price:asc');
    const id = new Types.ObjectId(oid);
    expect(cursorFilter(sort, [5, id])).toEqual({
      $or: [{ price: { $gt: 5 } }, { $and: [{ price: 5 }, { _id: { $gt: id } }] }],
    });
  });
});

describe('checkPipeline', () => {
  it('accepts allow-listed stages', () => {
    const p = [{ $match: { a: 1 } }, { $group: { _id: '$a', n: { $sum: 1 } } }, { $sort: { n: -1 } }, { $limit: 5 }];
    expect(checkPipeline(p)).toBe(p);
  });
  it.each([
    [[], /non-empty/],
    [[{ $lookup: { from: 'projects' } }], /blocked stage "\$lookup"/],
    [[{ $match: { $where: 'sleep(1)' } }], /blocked operator "\$where"/],
    [[{ $group: { _id: null, x: { $accumulator: {} } } }], /\$accumulator/],
    [[{ $match: { $expr: { $function: {} } } }], /\$function/],
    [[{ $facet: { a: [{ $lookup: {} }] } }], /blocked stage/],
    [[{ $match: {}, $limit: 1 }], /exactly one/],
    [['x'], /must be an object/],
    [[{ $match: { a: { _bsontype: 'Code', code: 'x' } } }], /forbidden key "_bsontype"/],
    [[{ $addFields: { x: { $literal: { _bsontype: 'Long' } } } }], /forbidden key "_bsontype"/],
    [[{ $limit: 0 }], /\$limit must be a positive integer/],
    [[{ $limit: 1.5 }], /\$limit must be a positive integer/],
    [[{ $limit: '5' }], /\$limit must be a positive integer/],
    [[{ $skip: -1 }], /\$skip must be a non-negative integer/],
    [[{ $count: '$n' }], /\$count must be a field name/],
    [[{ $count: 'a.b' }], /\$count must be a field name/],
    [[{ $count: '' }], /\$count must be a field name/],
  ])('refuses %j', (pipeline, message) => {
    expect(() => checkPipeline(pipeline)).toThrow(message);
  });
});
