/**
 * MongoDB's comparison order, for the in-process part of an aggregation (mingo orders objects by
 * sorted key names, puts ObjectIds after everything, and sorts arrays descending by their smallest
 * element). Self-contained on purpose: the evaluator process gets this function's source text.
 */
export function createBsonOrder() {
  type Value = unknown;
  /** Below every value: what a sort key of an empty array is (MongoDB sorts `[]` before null). */
  const EMPTY = Symbol('empty array');

  function bsonType(v: Value): string | undefined {
    return v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
  }

  /** Canonical type rank: null/missing < numbers < strings < objects < arrays < binary < ObjectId < booleans < dates < timestamps < regexes. */
  function rank(v: Value): number {
    if (v === EMPTY) return -1;
    if (v === undefined || v === null) return 1;
    switch (typeof v) {
      case 'number':
      case 'bigint':
        return 2;
      case 'string':
        return 3;
      case 'boolean':
        return 8;
    }
    switch (bsonType(v)) {
      case 'MinKey':
        return 0;
      case 'Int32':
      case 'Double':
      case 'Long':
      case 'Decimal128':
        return 2;
      case 'BSONSymbol':
        return 3;
      case 'Binary':
        return 6;
      case 'ObjectId':
        return 7;
      case 'Timestamp':
        return 10;
      case 'BSONRegExp':
        return 11;
      case 'MaxKey':
        return 12;
    }
    if (Array.isArray(v)) return 5;
    if (v instanceof Date) return 9;
    if (v instanceof RegExp) return 11;
    if (v instanceof Uint8Array) return 6;
    return 4;
  }

  function sign(x: number): number {
    return x < 0 ? -1 : x > 0 ? 1 : 0;
  }

  function toNumber(v: Value): number {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    return Number(String(v));
  }

  /** By code point, which is UTF-8 byte order (MongoDB's binary string comparison). */
  function compareStrings(a: string, b: string): number {
    if (a === b) return 0;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a.codePointAt(i) as number;
      const y = b.codePointAt(i) as number;
      if (x !== y) return x < y ? -1 : 1;
      if (x > 0xffff) i++;
    }
    return sign(a.length - b.length);
  }

  function bytesOf(v: Value): Uint8Array {
    if (v instanceof Uint8Array) return v;
    return ((v as { buffer?: Uint8Array }).buffer ?? new Uint8Array()) as Uint8Array;
  }

  function compare(a: Value, b: Value): number {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra < rb ? -1 : 1;
    switch (ra) {
      case 2: {
        const x = toNumber(a);
        const y = toNumber(b);
        if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
        return x === y ? 0 : x < y ? -1 : 1;
      }
      case 3:
        return compareStrings(String(a), String(b));
      case 4: {
        const ea = Object.entries(a as object);
        const eb = Object.entries(b as object);
        for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
          const [ka, va] = ea[i] as [string, Value];
          const [kb, vb] = eb[i] as [string, Value];
          const c = sign(rank(va) - rank(vb)) || compareStrings(ka, kb) || compare(va, vb);
          if (c) return c;
        }
        return sign(ea.length - eb.length);
      }
      case 5: {
        const xa = a as Value[];
        const xb = b as Value[];
        for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
          const c = compare(xa[i], xb[i]);
          if (c) return c;
        }
        return sign(xa.length - xb.length);
      }
      case 6: {
        const x = bytesOf(a);
        const y = bytesOf(b);
        if (x.length !== y.length) return sign(x.length - y.length);
        const sa = (a as { sub_type?: number }).sub_type ?? 0;
        const sb = (b as { sub_type?: number }).sub_type ?? 0;
        if (sa !== sb) return sign(sa - sb);
        for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return sign((x[i] as number) - (y[i] as number));
        return 0;
      }
      case 7:
        return compareStrings(String(a), String(b));
      case 8:
        return sign(Number(a) - Number(b));
      case 9:
        return sign((a as Date).getTime() - (b as Date).getTime());
      case 10:
        return compareStrings(String(a), String(b));
      case 11: {
        const pa = a as { source?: string; pattern?: string; flags?: string; options?: string };
        const pb = b as { source?: string; pattern?: string; flags?: string; options?: string };
        return (
          compareStrings(pa.source ?? pa.pattern ?? '', pb.source ?? pb.pattern ?? '') ||
          compareStrings(pa.flags ?? pa.options ?? '', pb.flags ?? pb.options ?? '')
        );
      }
      default:
        return 0;
    }
  }

  /** The values a sort on `path` sees in `doc`: array elements stand for themselves, a missing field is null. */
  function candidates(value: Value, parts: string[], i: number, out: Value[]): void {
    if (i === parts.length) {
      if (Array.isArray(value)) {
        if (value.length === 0) out.push(EMPTY);
        else out.push(...value);
      } else out.push(value === undefined ? null : value);
      return;
    }
    const part = parts[i] as string;
    if (Array.isArray(value)) {
      if (/^\d+$/.test(part)) candidates(value[Number(part)], parts, i + 1, out);
      else if (value.length === 0) out.push(null);
      else for (const item of value) candidates(item, parts, i, out);
      return;
    }
    if (value !== null && typeof value === 'object' && !bsonType(value) && !(value instanceof Date)) {
      candidates((value as Record<string, Value>)[part], parts, i + 1, out);
      return;
    }
    out.push(null);
  }

  /** The sort key of `doc` on `path`: the smallest candidate ascending, the largest descending. */
  function sortKey(doc: Value, path: string, direction: number): Value {
    const values: Value[] = [];
    candidates(doc, path.split('.'), 0, values);
    let best = values[0];
    for (const v of values) if (compare(v, best) * direction < 0) best = v;
    return best;
  }

  /** Sorts `docs` like MongoDB's `$sort` with `spec` (`{path: 1 | -1, …}`); stable for equal keys. */
  function sortDocs<T>(docs: T[], spec: Record<string, unknown>): T[] {
    const keys = Object.entries(spec);
    if (keys.length === 0) throw new Error('$sort stage must have at least one sort key');
    for (const [, dir] of keys) {
      if (dir !== 1 && dir !== -1) throw new Error('$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    }
    const rows = docs.map((doc, index) => ({ doc, index, keys: keys.map(([p, d]) => sortKey(doc, p, d as number)) }));
    rows.sort((x, y) => {
      for (let k = 0; k < keys.length; k++) {
        const c = compare(x.keys[k], y.keys[k]);
        if (c) return c * ((keys[k] as [string, number])[1] as number);
      }
      return x.index - y.index;
    });
    return rows.map((r) => r.doc);
  }

  return { compare, sortDocs };
}
