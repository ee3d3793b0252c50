import type { ServerKind } from '../db/index.js';

type Stage = Record<string, unknown>;

/** Where each part of an aggregation runs: `server` in the database, then `local` in-process. */
export interface PipelineSplit {
  server: Stage[];
  local: Stage[];
}

/**
 * Query operators FerretDB 1.24 evaluates like MongoDB inside `$match` (checked against the server).
 * Not here, so evaluated in-process: `$expr` (not implemented), `$elemMatch` (sub-document
 * conditions match nothing), and anything else untested.
 */
const FERRET_MATCH_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$type',
  '$regex',
  '$options',
  '$not',
  '$and',
  '$or',
  '$nor',
  '$size',
  '$all',
  '$mod',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `"$a.b"`: a plain field path (no `$$` variables, no numeric segments, which aggregation reads differently). */
function isFieldPath(value: unknown): value is string {
  if (typeof value !== 'string' || !value.startsWith('$') || value.startsWith('$$')) return false;
  const segments = value.slice(1).split('.');
  return segments.every((s) => s !== '' && !s.startsWith('$') && !/^\d+$/.test(s));
}

function trustedFilter(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(trustedFilter);
  if (!isObject(value)) return true;
  return Object.entries(value).every(([k, v]) => (!k.startsWith('$') || FERRET_MATCH_OPERATORS.has(k)) && trustedFilter(v));
}

function trustedGroupKey(key: unknown): boolean {
  if (key === null || typeof key === 'number' || typeof key === 'boolean') return true;
  if (typeof key === 'string') return !key.startsWith('$') || isFieldPath(key);
  if (!isObject(key)) return false;
  const entries = Object.entries(key);
  return entries.length > 0 && entries.every(([k, v]) => !k.startsWith('$') && isFieldPath(v));
}

function trustedAccumulator(spec: unknown): boolean {
  if (!isObject(spec)) return false;
  const keys = Object.keys(spec);
  if (keys.length !== 1) return false;
  if ('$sum' in spec) return (typeof spec.$sum === 'number' && Number.isFinite(spec.$sum)) || isFieldPath(spec.$sum);
  if ('$count' in spec) return isObject(spec.$count) && Object.keys(spec.$count).length === 0;
  return false;
}

/**
 * FerretDB 1.24 computes only the first accumulator of a `$group`, implements only `$sum` and
 * `$count` there, and evaluates no expression operators: one `$sum`/`$count` of a field path or
 * a number, grouped by a constant, a field path or an object of field paths, is all it answers
 * like MongoDB.
 */
function trustedGroup(spec: unknown): boolean {
  if (!isObject(spec) || !('_id' in spec) || !trustedGroupKey(spec._id)) return false;
  const accumulators = Object.entries(spec).filter(([k]) => k !== '_id');
  return accumulators.length <= 1 && accumulators.every(([k, v]) => !k.startsWith('$') && trustedAccumulator(v));
}

/** Plain inclusion/exclusion only: FerretDB returns `"$path"` values and nested specs literally. */
function trustedProject(spec: unknown): boolean {
  if (!isObject(spec)) return false;
  const entries = Object.entries(spec);
  return entries.length > 0 && entries.every(([k, v]) => !k.startsWith('$') && [0, 1, true, false].includes(v as never));
}

function trustedSort(spec: unknown): boolean {
  if (!isObject(spec)) return false;
  const entries = Object.entries(spec);
  return entries.length > 0 && entries.every(([k, v]) => !k.startsWith('$') && (v === 1 || v === -1));
}

/** Shape of the documents flowing between stages that matters to FerretDB. */
interface Flow {
  /** FerretDB drops the connection when `$project` meets a document without `_id`. */
  mayLackId: boolean;
}

function trustedOnFerret(stage: Stage, flow: Flow): boolean {
  const [name, spec] = Object.entries(stage)[0] ?? [];
  switch (name) {
    case '$match':
      return isObject(spec) && trustedFilter(spec);
    case '$sort':
      return trustedSort(spec);
    case '$limit':
    case '$skip':
      return typeof spec === 'number';
    case '$count':
      return typeof spec === 'string';
    case '$group':
      return trustedGroup(spec);
    case '$project':
      return !flow.mayLackId && trustedProject(spec);
    default:
      // `$unwind` drops every other field; `$addFields`/`$set` copy `"$path"` values literally
      // and ignore dotted keys; unknown stages: nothing to trust.
      return false;
  }
}

function afterStage(stage: Stage, flow: Flow): Flow {
  const [name, spec] = Object.entries(stage)[0] ?? [];
  if (name === '$count') return { mayLackId: true };
  if (name === '$group') return { mayLackId: false };
  if (name === '$project' && isObject(spec) && '_id' in spec && !spec._id) return { mayLackId: true };
  return flow;
}

/**
 * Splits a checked pipeline (see `checkPipeline`) for a server of kind `kind`: MongoDB runs it
 * all; FerretDB (and a server of unknown kind) runs the longest prefix it answers exactly like
 * MongoDB, and the rest (from the first stage it lacks or miscomputes) is for in-process
 * evaluation. The split never reorders stages.
 */
export function splitPipeline(pipeline: readonly Stage[], kind: ServerKind): PipelineSplit {
  if (kind === 'mongodb') return { server: [...pipeline], local: [] };
  let flow: Flow = { mayLackId: false };
  for (let i = 0; i < pipeline.length; i++) {
    const stage = pipeline[i] as Stage;
    if (!trustedOnFerret(stage, flow)) return { server: pipeline.slice(0, i), local: pipeline.slice(i) };
    flow = afterStage(stage, flow);
  }
  return { server: [...pipeline], local: [] };
}
