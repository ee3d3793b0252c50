import { describe, expect, it } from 'vitest';
import { jsonDepth } from './body.js';

describe('jsonDepth', () => {
  const nest = (n: number): unknown => (n === 0 ? 1 : { a: nest(n - 1) });
  it.each([
    [1, 0],
    [{}, 1],
    [{ a: [1, { b: 2 }] }, 3],
    [nest(32), 32],
  ])('depth of %j is %i', (value, depth) => {
    expect(jsonDepth(value)).toBe(depth);
  });
  it('stops counting just past the limit for very deep values', () => {
    expect(jsonDepth(nest(5000))).toBe(34);
  });
});
