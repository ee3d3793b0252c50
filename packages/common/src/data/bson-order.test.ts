import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { createBsonOrder } from './bson-order.js';

const { compare, sortDocs } = createBsonOrder();
const oid = (n: number) => new Types.ObjectId(n.toString(16).padStart(24, '0'));

describe('MongoDB comparison order', () => {
  it('orders types: null < numbers < strings < objects < arrays < ObjectIds < booleans < dates < regexes', () => {
    const values = [/a/, new Date(0), true, false, oid(1), [1], { a: 1 }, 'b', 'a', 10, -1, null];
    expect([...values].sort(compare)).toEqual([null, -1, 10, 'a', 'b', { a: 1 }, [1], oid(1), false, true, new Date(0), /a/]);
  });

  it.each([
    [{ b: 1, a: 2 }, { b: 2, a: 1 }, -1],
    [{ a: 1 }, { a: 1, b: 0 }, -1],
    [{ a: 'x' }, { b: 0 }, 1],
    [{ a: 1 }, { b: 0 }, -1],
    [[1, 2], [1, 3], -1],
    [[2], [1, 5], 1],
    [oid(2), oid(10), -1],
    ['\u{1F600}', '\uFFFD', 1],
    [Number.NaN, Number.NEGATIVE_INFINITY, -1],
  ])('compare(%j, %j) is %i', (a, b, expected) => {
    expect(compare(a, b)).toBe(expected);
    expect(compare(b, a)).toBe(-expected);
  });

  it('sorts arrays by their smallest element ascending and their largest descending, [] before null', () => {
    const docs = [
      { n: 'a', t: ['red', 'blue'] },
      { n: 'b', t: ['red'] },
      { n: 'c', t: [] },
      { n: 'd', t: ['green', 'red'] },
      { n: 'e' },
    ];
    expect(sortDocs(docs, { t: 1, n: 1 }).map((d) => d.n)).toEqual(['c', 'e', 'a', 'd', 'b']);
    expect(sortDocs(docs, { t: -1, n: 1 }).map((d) => d.n)).toEqual(['a', 'b', 'd', 'e', 'c']);
  });

  it('sorts on paths through arrays of sub-documents, and refuses bad directions', () => {
    const docs = [
      { n: 1, a: [{ v: 5 }, { v: 1 }] },
      { n: 2, a: [{ v: 3 }] },
      { n: 3, a: { v: 2 } },
    ];
    expect(sortDocs(docs, { 'a.v': 1 }).map((d) => d.n)).toEqual([1, 3, 2]);
    expect(sortDocs(docs, { 'a.v': -1 }).map((d) => d.n)).toEqual([1, 2, 3]);
    expect(() => sortDocs(docs, { n: 0 })).toThrow(/must be 1/);
    expect(() => sortDocs(docs, {})).toThrow(/at least one/);
  });
});
