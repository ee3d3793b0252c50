import { badRequest } from '../errors/index.js';
import type { FieldDef } from '../models/index.js';
import { type SortKey, decodeCursor } from './cursor.js';
import { type PathType, assertSafePath, castQueryValue, isDeclaredPath, typeOfPath } from './schema-paths.js';

/** Query parameters that are never filters. */
export const RESERVED_PARAMS = new Set([
  'page',
  'limit',
  'skip',
  'sort',
  'fields',
  'meta',
  'populate',
  'expand',
  'count',
  'cursor',
  'key',
]);

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 100;
/**
 * Offset paging reaches at most this many documents deep (`page × limit`, or `skip + limit`), so a
 * query never skips more than this: page ≤ 1000 with limit 100. Deeper pages use cursor paging.
 */
export const MAX_OFFSET_WINDOW = 100_000;
export const MAX_REGEX_LENGTH = 128;
const MAX_FILTERS = 50;
const MAX_IN_VALUES = 100;
const MAX_SORT_KEYS = 5;

/** Operator suffixes, longest first so `_gte` wins over `_gt` and `_nin` over `_in`. */
const SUFFIXES = ['_exists', '_regex', '_gte', '_lte', '_nin', '_gt', '_lt', '_ne', '_in'] as const;
type Suffix = (typeof SUFFIXES)[number];

/** A parsed list query, ready for the database. */
export interface ListQuery {
  filter: Record<string, unknown>;
  /** Sort keys, `_id` always last (stable order, cursor positions). */
  sort: SortKey[];
  limit: number;
  /** Offset in offset mode. */
  skip: number;
  page: number;
  /** Cursor mode: `null` = first page, values = after that position; `undefined` = offset mode. */
  cursor: unknown[] | null | undefined;
  count: boolean;
  /** Inclusion or exclusion projection from `fields`, or null. */
  projection: Record<string, 0 | 1> | null;
  /** False when `meta=false`: drop `createdAt`, `updatedAt`, `__v`. */
  meta: boolean;
  populate: string[];
  /** True when a regex filter is present (time-limited harder). */
  hasRegex: boolean;
}

type RawQuery = Record<string, unknown>;

function values(raw: unknown, param: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.every((v) => typeof v === 'string')) throw badRequest(`Query parameter "${param}" is malformed.`);
  return list as string[];
}

function single(query: RawQuery, param: string): string | undefined {
  const raw = query[param];
  if (raw === undefined) return undefined;
  const list = values(raw, param);
  if (list.length !== 1) throw badRequest(`Query parameter "${param}" must be given once.`);
  return list[0];
}

function positiveInt(query: RawQuery, param: string, min: number): number | undefined {
  const raw = single(query, param);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
    throw badRequest(`Invalid value for "${param}": expected an integer of at least ${min}.`);
  }
  return Number(raw);
}

function splitList(list: string[]): string[] {
  return list
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function splitOperator(fields: readonly FieldDef[], key: string): [path: string, op: Suffix | null] {
  // Schema-aware: a key that is itself a declared field is always an equality filter;
  // operators on such a field append the suffix again (`price_gt_gt=5`).
  if (isDeclaredPath(fields, key)) return [key, null];
  const suffix = SUFFIXES.find((s) => key.endsWith(s) && key.length > s.length);
  return suffix ? [key.slice(0, -suffix.length), suffix] : [key, null];
}

function operatorCondition(op: Suffix, type: PathType, list: string[], param: string): [string, unknown] {
  const one = () => {
    if (list.length !== 1) throw badRequest(`Query parameter "${param}" must be given once.`);
    return list[0] as string;
  };
  switch (op) {
    case '_in':
    case '_nin': {
      const items = splitList(list);
      if (items.length > MAX_IN_VALUES) throw badRequest(`Too many values for "${param}" (max ${MAX_IN_VALUES}).`);
      return [op === '_in' ? '$in' : '$nin', items.map((v) => castQueryValue(type, v, param))];
    }
    case '_exists': {
      const v = one();
      if (v !== 'true' && v !== 'false') throw badRequest(`Invalid value for "${param}"; expected "true" or "false".`);
      return ['$exists', v === 'true'];
    }
    case '_regex': {
      const pattern = one();
      if (pattern.length > MAX_REGEX_LENGTH) {
        throw badRequest(`Regex pattern for "${param}" exceeds ${MAX_REGEX_LENGTH} characters.`);
      }
      if (!['String', 'unknown'].includes(type)) throw badRequest(`"${param}": regex filters need a String field.`);
      try {
        new RegExp(pattern);
      } catch {
        throw badRequest(`Invalid regex pattern for "${param}".`);
      }
      return ['$regex', pattern];
    }
    default:
      return [`$${op.slice(1)}`, castQueryValue(type, one(), param)];
  }
}

function parseFilter(query: RawQuery, fields: readonly FieldDef[]): { filter: Record<string, unknown>; hasRegex: boolean } {
  const conditions = new Map<string, Record<string, unknown>>();
  let hasRegex = false;
  const keys = Object.keys(query).filter((k) => !RESERVED_PARAMS.has(k));
  if (keys.length > MAX_FILTERS) throw badRequest(`Too many filters (max ${MAX_FILTERS}).`);
  for (const key of keys) {
    assertSafePath(key, key);
    const [path, op] = splitOperator(fields, key);
    assertSafePath(path, key);
    const type = typeOfPath(fields, path);
    const list = values(query[key], key);
    const condition = conditions.get(path) ?? {};
    if (op === null) {
      const cast = list.map((v) => castQueryValue(type, v, key));
      if (cast.length === 1) condition.$eq = cast[0];
      else condition.$in = cast;
    } else {
      const [mongoOp, value] = operatorCondition(op, type, list, key);
      condition[mongoOp] = value;
      if (op === '_regex') {
        condition.$options = 'i';
        hasRegex = true;
      }
    }
    conditions.set(path, condition);
  }
  const filter: Record<string, unknown> = {};
  for (const [path, condition] of conditions) {
    const keysOf = Object.keys(condition);
    filter[path] = keysOf.length === 1 && keysOf[0] === '$eq' ? condition.$eq : condition;
  }
  return { filter, hasRegex };
}

/** Parses `sort`: `a:desc,b:asc`, `a:-1`, `-a,b`. Default `-createdAt`; `_id` is appended as a tie-breaker. */
export function parseSort(raw: string | undefined): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of (raw ?? '-createdAt')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let path = part;
    let dir: 1 | -1 = 1;
    if (part.startsWith('-')) {
      path = part.slice(1);
      dir = -1;
    } else if (part.includes(':')) {
      const [p = '', d = ''] = part.split(':');
      const word = d.trim().toLowerCase();
      if (!['asc', 'desc', '1', '-1', 'ascending', 'descending'].includes(word)) {
        throw badRequest(`Invalid value for "sort": direction of "${p}" must be asc or desc.`);
      }
      path = p.trim();
      dir = word === 'desc' || word === '-1' || word === 'descending' ? -1 : 1;
    }
    assertSafePath(path, 'sort');
    if (!keys.some(([p]) => p === path)) keys.push([path, dir]);
  }
  if (keys.length > MAX_SORT_KEYS) throw badRequest(`Invalid value for "sort": at most ${MAX_SORT_KEYS} keys.`);
  if (!keys.some(([p]) => p === '_id')) keys.push(['_id', keys.at(-1)?.[1] ?? 1]);
  return keys;
}

function parseProjection(raw: string | undefined): Record<string, 0 | 1> | null {
  if (raw === undefined) return null;
  const items = splitList([raw]);
  if (!items.length) return null;
  const exclude = items.every((i) => i.startsWith('-'));
  if (!exclude && items.some((i) => i.startsWith('-'))) {
    throw badRequest('Invalid value for "fields": use either field names or -field names, not both.');
  }
  const projection: Record<string, 0 | 1> = {};
  for (const item of items) {
    const path = exclude ? item.slice(1) : item;
    assertSafePath(path, 'fields');
    if (path !== 'password') projection[path] = exclude ? 0 : 1;
  }
  if (exclude) projection.password = 0;
  return Object.keys(projection).length ? projection : null;
}

function parseBoolean(query: RawQuery, param: string, fallback: boolean): boolean {
  const raw = single(query, param);
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw badRequest(`Invalid value for "${param}": expected true or false.`);
  return raw === 'true';
}

/** Parses `populate` / `expand` (comma lists, repeatable): each must be a declared Ref (or Array of Ref) field. */
export function parsePopulate(query: RawQuery, fields: readonly FieldDef[]): string[] {
  const raw = [...(query.populate === undefined ? [] : values(query.populate, 'populate'))];
  if (query.expand !== undefined) raw.push(...values(query.expand, 'expand'));
  const paths = [...new Set(splitList(raw))];
  if (paths.length > 10) throw badRequest('Too many populate paths (max 10).');
  for (const path of paths) {
    if (typeOfPath(fields, path) !== 'Ref') throw badRequest(`Cannot populate "${path}": it is not a reference field.`);
  }
  return paths;
}

/**
 * Parses an Express 5 (`simple` parser) query for listing a collection with field list `fields`.
 * Throws `AppError` 400 naming the parameter for anything invalid: `$`-keys, brackets, bad
 * numbers/dates/ids, page/limit below 1, a page (or skip) deeper than `MAX_OFFSET_WINDOW`
 * documents, a malformed cursor, populate on a non-Ref field. A limit above 100 is taken as 100.
 */
export function parseListQuery(query: RawQuery, fields: readonly FieldDef[]): ListQuery {
  for (const key of Object.keys(query)) assertSafePath(key, key);
  const { filter, hasRegex } = parseFilter(query, fields);
  const sort = parseSort(single(query, 'sort'));
  const page = positiveInt(query, 'page', 1) ?? 1;
  const limit = Math.min(positiveInt(query, 'limit', 1) ?? DEFAULT_LIMIT, MAX_LIMIT);
  const maxPage = Math.floor(MAX_OFFSET_WINDOW / limit);
  if (page > maxPage) {
    throw badRequest(
      `Invalid value for "page": must be at most ${maxPage} with limit ${limit}; use cursor paging (cursor=) for deeper pages.`,
    );
  }
  const skipParam = positiveInt(query, 'skip', 0);
  if (skipParam !== undefined && skipParam > MAX_OFFSET_WINDOW - limit) {
    throw badRequest(
      `Invalid value for "skip": must be at most ${MAX_OFFSET_WINDOW - limit} with limit ${limit}; use cursor paging (cursor=) for deeper pages.`,
    );
  }
  const countRaw = single(query, 'count');
  if (countRaw !== undefined && countRaw !== 'true' && countRaw !== 'false') {
    throw badRequest('Invalid value for "count": expected true or false.');
  }
  const cursorRaw = single(query, 'cursor');
  return {
    filter,
    sort,
    limit,
    page,
    skip: skipParam ?? (page - 1) * limit,
    cursor: cursorRaw === undefined ? undefined : cursorRaw.trim() === '' ? null : decodeCursor(cursorRaw.trim(), sort),
    count: countRaw === 'true',
    projection: parseProjection(single(query, 'fields')),
    meta: parseBoolean(query, 'meta', true),
    populate: parsePopulate(query, fields),
    hasRegex,
  };
}

/** Parses the options of a single-document read (`fields`, `meta`, `populate`/`expand`). */
export function parseReadOptions(
  query: RawQuery,
  fields: readonly FieldDef[],
): Pick<ListQuery, 'projection' | 'meta' | 'populate'> {
  for (const key of Object.keys(query)) assertSafePath(key, key);
  return {
    projection: parseProjection(single(query, 'fields')),
    meta: parseBoolean(query, 'meta', true),
    populate: parsePopulate(query, fields),
  };
}
