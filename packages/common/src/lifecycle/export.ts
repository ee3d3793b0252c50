import { andFilters, dataCollection, present } from '../data/collection.js';
import { readFilter } from '../data/rls.js';
import { AppError, badRequest } from '../errors/index.js';
import type { FieldDef } from '../models/index.js';
import { parseListQuery } from '../query/index.js';
import type { Claims } from '../rate-limit/index.js';
import type { ProjectScope } from '../scope/index.js';

type Doc = Record<string, unknown>;

export const EXPORT_FORMATS = ['ndjson', 'json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Query parameters of the export route that are not filters. */
const EXPORT_PARAMS = new Set(['format', 'page', 'limit', 'cursor', 'count', 'populate', 'fields', 'meta']);

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

export function parseExportFormat(raw: unknown): ExportFormat {
  const format = raw === undefined ? 'ndjson' : raw;
  if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw badRequest(`format must be one of: ${EXPORT_FORMATS.join(', ')}.`);
  }
  return format as ExportFormat;
}

const isBson = (v: object) => '_bsontype' in v;

/** A plain (nested) object: flattened with dots in CSV. ObjectIds, Dates and arrays are values. */
function isNested(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !isBson(v);
}

/**
 * The CSV text of one value: empty for null/missing, ISO 8601 for dates, hex for ObjectIds,
 * JSON for arrays (and empty objects), `true`/`false`, numbers as JavaScript prints them.
 */
export function csvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if (isBson(v)) return String(v);
    return JSON.stringify(v);
  }
  return String(v);
}

/** Flattens a document for CSV: nested objects become `a.b.c` columns (see `csvValue` for the cells). */
export function flattenDoc(doc: Doc, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(doc)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isNested(v) && Object.keys(v).length > 0) flattenDoc(v, key, out);
    else out[key] = csvValue(v);
  }
  return out;
}

/** One CSV cell, quoted (RFC 4180) when it holds a comma, quote, line break or edge whitespace. */
export function csvCell(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The schema's own column order: `_id`, the declared fields (nested objects dotted), then the rest. */
function schemaColumns(fields: readonly FieldDef[], prefix = ''): string[] {
  return fields.flatMap((f) => {
    const key = prefix ? `${prefix}.${f.key}` : f.key;
    return f.type === 'Object' && f.fields?.length ? schemaColumns(f.fields, key) : [key];
  });
}

export interface ExportRequest {
  format: ExportFormat;
  /** Query-language filters and `sort` (the list query), applied as the data list does. */
  query: Record<string, unknown>;
}

const BATCH = 500;

/**
 * Streams a collection (filters, sort and RLS as the list) as NDJSON, JSON or CSV text chunks,
 * from a database cursor: never the whole collection in memory. CSV reads the matching documents
 * twice (first the column set, then the rows). `password`/`passwordHash` are never exported.
 */
export async function* exportCollection(scope: ProjectScope, name: string, request: ExportRequest): AsyncGenerator<string> {
  const collection = dataCollection(scope, name);
  const filters = Object.fromEntries(Object.entries(request.query).filter(([k]) => !EXPORT_PARAMS.has(k)));
  const q = parseListQuery(filters, collection.model);
  const filter = andFilters(readFilter(scope, collection), q.filter);
  const model = await scope.tenant.model(collection);
  const cursor = () =>
    model.find(filter).sort(Object.fromEntries(q.sort)).lean().cursor({ batchSize: BATCH }) as AsyncIterable<Doc>;
  const clean = (d: Doc) => present(d, { dropVersion: true });

  if (request.format === 'ndjson') {
    let lines: string[] = [];
    for await (const d of cursor()) {
      lines.push(JSON.stringify(clean(d)));
      if (lines.length >= BATCH) {
        yield `${lines.join('\n')}\n`;
        lines = [];
      }
    }
    if (lines.length) yield `${lines.join('\n')}\n`;
    return;
  }
  if (request.format === 'json') {
    yield '[';
    let first = true;
    let chunk = '';
    for await (const d of cursor()) {
      chunk += `${first ? '\n' : ',\n'}${JSON.stringify(clean(d))}`;
      first = false;
      if (chunk.length > 64_000) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}${first ? '' : '\n'}]\n`;
    return;
  }
  // CSV: pass 1 collects the columns (only key names are kept), pass 2 writes the rows.
  const seen = new Set<string>();
  for await (const d of cursor()) for (const k of Object.keys(flattenDoc(clean(d)))) seen.add(k);
  const preferred = ['_id', ...schemaColumns(collection.model)];
  const columns = [
    ...preferred.filter((c) => seen.has(c) || c !== '_id'),
    ...[...seen].filter((c) => !preferred.includes(c)).sort(),
  ];
  yield `${columns.map(csvCell).join(',')}\r\n`;
  let chunk = '';
  for await (const d of cursor()) {
    const flat = flattenDoc(clean(d));
    chunk += `${columns.map((c) => csvCell(flat[c] ?? '')).join(',')}\r\n`;
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The UTC day (`YYYY-MM-DD`) and the ms until it ends. */
function utcDay(now = new Date()): { day: string; leftMs: number } {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { day: now.toISOString().slice(0, 10), leftMs: end - now.getTime() };
}

const exportSlotKey = (projectId: string, day: string) => `export:${projectId}:${day}`;

/**
 * The exports a project has made in the current UTC day (live slots of `takeExportSlot`), for
 * showing the limit before anyone tries: 0 when the limit is unlimited (-1) or 0 (nothing counted).
 */
export async function exportsUsedToday(claims: Pick<Claims, 'slots'>, projectId: string, limit: number): Promise<number> {
  if (limit <= 0) return 0;
  return (await claims.slots(exportSlotKey(projectId, utcDay().day), limit)).count;
}

/**
 * Takes one of the project's export slots of the UTC day (`limits.exportsPerDay`, -1 unlimited):
 * a durable, race-free claim (a unique insert per slot, exact on FerretDB too, surviving Redis
 * loss). Returns `{used, limit}`; 429 `Daily export limit reached (N/N). Please try again tomorrow.`
 */
export async function takeExportSlot(claims: Claims, scope: ProjectScope): Promise<{ used: number; limit: number }> {
  const limit = scope.limits.exportsPerDay ?? -1;
  if (limit < 0) return { used: 0, limit };
  const { day, leftMs } = utcDay();
  const key = exportSlotKey(scope.project._id, day);
  const slot = limit === 0 ? 0 : await claims.takeSlot(key, limit, leftMs + 60 * 60_000);
  if (!slot) {
    throw new AppError('RATE_LIMITED', `Daily export limit reached (${limit}/${limit}). Please try again tomorrow.`, undefined, {
      headers: { 'Retry-After': String(Math.ceil(leftMs / 1000)) },
    });
  }
  return { used: slot, limit };
}
