import { badRequest } from '../errors/index.js';
import { FORBIDDEN_SEGMENTS } from './schema-paths.js';

/** Stages an aggregation may use (CONTRACT §3.7). */
export const AGGREGATE_STAGES = new Set([
  '$match',
  '$group',
  '$sort',
  '$limit',
  '$skip',
  '$project',
  '$count',
  '$unwind',
  '$addFields',
  '$set',
]);

/** Operators refused anywhere in a pipeline (code execution, other collections, writes). */
const BLOCKED_ANYWHERE = new Set([
  '$where',
  '$function',
  '$accumulator',
  '$lookup',
  '$unionWith',
  '$graphLookup',
  '$out',
  '$merge',
]);

const MAX_STAGES = 20;
const MAX_DEPTH = 20;

function walk(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw badRequest('Aggregation pipeline is nested too deeply.');
  if (Array.isArray(value)) {
    for (const item of value) walk(item, depth + 1);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (BLOCKED_ANYWHERE.has(key)) throw badRequest(`Aggregation pipeline contains blocked operator "${key}".`);
    if (FORBIDDEN_SEGMENTS.has(key) || key === '_bsontype') {
      throw badRequest(`Aggregation pipeline contains forbidden key "${key}".`);
    }
    walk(inner, depth + 1);
  }
}

/**
 * Arguments every server checks the same way, checked here so that the answer never depends on
 * which engine (the database or the in-process evaluator) runs the stage.
 */
function checkArgument(name: string, arg: unknown, i: number): void {
  const integer = typeof arg === 'number' && Number.isSafeInteger(arg);
  if (name === '$limit' && !(integer && arg > 0)) throw badRequest(`pipeline[${i}]: $limit must be a positive integer.`);
  if (name === '$skip' && !(integer && arg >= 0)) throw badRequest(`pipeline[${i}]: $skip must be a non-negative integer.`);
  if (name === '$count' && !(typeof arg === 'string' && arg !== '' && !arg.startsWith('$') && !arg.includes('.'))) {
    throw badRequest(`pipeline[${i}]: $count must be a field name (not empty, no "$" prefix, no ".").`);
  }
}

/**
 * Checks an aggregation pipeline: 1..20 stages, each an object with exactly one allow-listed
 * stage operator, and none of `$where`, `$function`, `$accumulator`, `$lookup`, `$unionWith`,
 * `$graphLookup`, `$out`, `$merge` anywhere inside, nor prototype keys or `_bsontype` (which the
 * BSON serializer would read as a type tag); `$limit` a positive integer, `$skip` a non-negative
 * one, `$count` a plain field name. Returns the pipeline; throws 400 otherwise.
 */
export function checkPipeline(pipeline: unknown): Record<string, unknown>[] {
  if (!Array.isArray(pipeline) || pipeline.length === 0) {
    throw badRequest('pipeline must be a non-empty array of stages.');
  }
  if (pipeline.length > MAX_STAGES) throw badRequest(`pipeline has too many stages (max ${MAX_STAGES}).`);
  pipeline.forEach((stage, i) => {
    if (stage === null || typeof stage !== 'object' || Array.isArray(stage)) {
      throw badRequest(`pipeline[${i}] must be an object.`);
    }
    const keys = Object.keys(stage);
    if (keys.length !== 1) throw badRequest(`pipeline[${i}] must have exactly one stage operator.`);
    const name = keys[0] as string;
    if (!AGGREGATE_STAGES.has(name)) throw badRequest(`Aggregation pipeline contains blocked stage "${name}".`);
    walk(stage, 0);
    checkArgument(name, (stage as Record<string, unknown>)[name], i);
  });
  return pipeline as Record<string, unknown>[];
}
