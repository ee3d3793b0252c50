import { dataCollection } from '../data/collection.js';
import type { DataWriteService } from '../data/write.service.js';
import { AppError, type ErrorDetail, badRequest, toAppError } from '../errors/index.js';
import type { FieldDef } from '../models/index.js';
import type { ProjectScope } from '../scope/index.js';
import { SYSTEM_FIELDS, isPlainObject, validateDocument } from '../validation/index.js';

type Doc = Record<string, unknown>;

export const IMPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
/** Largest import body (20 MB); the route's raw-body parser enforces it (413). */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
/** Rows written per bulk insert (the data API's bulk maximum). */
const BATCH = 100;

export interface ImportRejection {
  /** 1-based: the CSV data row (header excluded), the JSON array item, the NDJSON line. */
  row: number;
  errors: string[];
}

export interface ImportReport {
  dryRun: boolean;
  total: number;
  accepted: number;
  rejected: ImportRejection[];
}

export function parseImportFormat(raw: unknown): ImportFormat {
  if (typeof raw !== 'string' || !(IMPORT_FORMATS as readonly string[]).includes(raw)) {
    throw badRequest(`format must be one of: ${IMPORT_FORMATS.join(', ')}.`);
  }
  return raw as ImportFormat;
}

/** Parses CSV text (RFC 4180: quoted cells, doubled quotes, CRLF or LF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The field definition at a dotted path (through `Object` sub-fields); null when undeclared. */
function fieldAt(fields: readonly FieldDef[], path: string[]): FieldDef | null {
  const [head, ...rest] = path;
  const f = fields.find((x) => x.key === head);
  if (!f) return null;
  if (!rest.length) return f;
  return f.type === 'Object' ? fieldAt(f.fields ?? [], rest) : null;
}

/**
 * Converts one CSV cell by the schema type of its field (the validator then checks it): Number
 * and Boolean parsed when they look like one, Object/Array from JSON text, everything else (and
 * undeclared columns) kept as text. A cell that cannot be converted stays text, so the validator
 * reports the type error for that row.
 */
export function convertCell(field: FieldDef | null, text: string): unknown {
  if (!field) return text;
  switch (field.type) {
    case 'Number': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'Boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return text;
    }
    case 'Object':
    case 'Array':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

function setPath(doc: Doc, path: string[], value: unknown): void {
  let at = doc;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(at[key])) at[key] = {};
    at = at[key] as Doc;
  }
  at[path[path.length - 1] as string] = value;
}

interface ParsedRow {
  row: number;
  doc?: Doc;
  errors?: string[];
}

/**
 * Rows of a CSV file as documents: columns map to fields by header name (dotted headers build
 * nested objects), or through `mapping` `{ "<column>": "<field path>" | null }` (null: ignore the
 * column). Empty cells are left out (missing, so defaults apply). `_id`, `createdAt`,
 * `updatedAt` and `__v` columns are ignored (new ids are assigned).
 */
function csvRows(text: string, fields: readonly FieldDef[], mapping: Record<string, string | null> | null): ParsedRow[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const targets = header.map((h) => {
    const name = h.trim();
    const to = mapping && Object.hasOwn(mapping, name) ? mapping[name] : name;
    if (!to || SYSTEM_FIELDS.has(to)) return null;
    const path = to.split('.');
    return { path, field: fieldAt(fields, path) };
  });
  return rows
    .map((cells, i) => ({ cells, row: i + 1 }))
    .filter(({ cells }) => !(cells.length === 1 && cells[0] === ''))
    .map(({ cells, row }) => {
      if (cells.length !== header.length) {
        return { row, errors: [`expected ${header.length} columns, found ${cells.length}`] };
      }
      const doc: Doc = {};
      cells.forEach((cell, c) => {
        const target = targets[c];
        if (!target || cell === '') return;
        setPath(doc, target.path, convertCell(target.field, cell));
      });
      return { row, doc };
    });
}

function jsonRows(text: string, format: 'json' | 'ndjson'): ParsedRow[] {
  const strip = (d: Doc) => Object.fromEntries(Object.entries(d).filter(([k]) => !SYSTEM_FIELDS.has(k)));
  const one = (value: unknown, row: number): ParsedRow =>
    isPlainObject(value) ? { row, doc: strip(value) } : { row, errors: ['must be a JSON object'] };
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badRequest('The file is not valid JSON (expected an array of objects).');
    }
    if (!Array.isArray(parsed)) throw badRequest('A JSON import must be an array of objects.');
    return parsed.map((v, i) => one(v, i + 1));
  }
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ line, row: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, row }) => {
      try {
        return one(JSON.parse(line), row);
      } catch {
        return { row, errors: ['is not valid JSON'] };
      }
    });
}

const describe = (details: ErrorDetail[] | undefined, message: string) =>
  details?.length ? details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)) : [message];

/** Comparable text of a unique value (dates and ids by their string form). */
const uniqueKey = (v: unknown) => (v instanceof Date ? `d:${v.toISOString()}` : `${typeof v}:${String(v)}`);

export interface ImportRequest {
  format: ImportFormat;
  /** The file's text. JSON bodies the app already parsed are passed as `parsed`. */
  text?: string;
  parsed?: unknown;
  mapping?: Record<string, string | null> | null;
  dryRun: boolean;
}

/**
 * Imports a file into a collection: every row validated against the schema by the data API's
 * validator (one set of rules); unique fields checked against the file and the live documents;
 * a dry run reports without writing; a real run inserts the valid rows in batches through the
 * data write service's bulk insert (quota, unique indexes, webhooks and realtime events), and a
 * batch the database refuses is retried row by row so each failure is reported on its row.
 */
export async function importCollection(
  scope: ProjectScope,
  writes: DataWriteService,
  name: string,
  request: ImportRequest,
): Promise<ImportReport> {
  const collection = dataCollection(scope, name);
  const fields = collection.model;
  let rows: ParsedRow[];
  if (request.parsed !== undefined) {
    rows = jsonRows(JSON.stringify(request.parsed), 'json');
  } else if (request.format === 'csv') {
    rows = csvRows(request.text ?? '', fields, request.mapping ?? null);
  } else {
    rows = jsonRows(request.text ?? '', request.format);
  }

  const rejected = new Map<number, string[]>();
  const valid: { row: number; doc: Doc }[] = [];
  for (const r of rows) {
    if (r.errors) {
      rejected.set(r.row, r.errors);
      continue;
    }
    try {
      valid.push({ row: r.row, doc: validateDocument(fields, r.doc, 'insert') });
    } catch (err) {
      const e = toAppError(err);
      rejected.set(r.row, describe(e.details, e.message));
    }
  }

  // Unique fields (top level): a value used twice in the file, or by a live document, is refused.
  const model = await scope.tenant.model(collection);
  for (const field of fields.filter((f) => f.unique)) {
    const firstRow = new Map<string, number>();
    for (const v of valid) {
      const value = v.doc[field.key];
      if (value === undefined || value === null || rejected.has(v.row)) continue;
      const key = uniqueKey(value);
      const seen = firstRow.get(key);
      if (seen !== undefined) rejected.set(v.row, [`${field.key}: duplicate value in the file (row ${seen})`]);
      else firstRow.set(key, v.row);
    }
    const candidates = valid.filter((v) => !rejected.has(v.row) && v.doc[field.key] !== undefined && v.doc[field.key] !== null);
    for (let i = 0; i < candidates.length; i += 1000) {
      const part = candidates.slice(i, i + 1000);
      const taken = await model
        .find({ [field.key]: { $in: part.map((v) => v.doc[field.key]) } })
        .select({ [field.key]: 1 })
        .lean();
      const takenKeys = new Set(taken.map((d) => uniqueKey((d as Doc)[field.key])));
      for (const v of part) {
        if (takenKeys.has(uniqueKey(v.doc[field.key]))) rejected.set(v.row, [`${field.key}: value already exists`]);
      }
    }
  }

  const accepted = valid.filter((v) => !rejected.has(v.row));
  let inserted = accepted.length;
  if (!request.dryRun) {
    inserted = 0;
    for (let i = 0; i < accepted.length; i += BATCH) {
      const batch = accepted.slice(i, i + BATCH);
      try {
        await writes.bulkInsert(
          scope,
          name,
          batch.map((b) => b.doc),
        );
        inserted += batch.length;
      } catch (err) {
        const e = toAppError(err);
        if (e.status === 503) {
          // Accounting or database unavailable: nothing more can be written now; the rest is reported as refused.
          for (const b of accepted.slice(i)) rejected.set(b.row, [e.message]);
          break;
        }
        for (const b of batch) {
          try {
            await writes.insert(scope, name, b.doc);
            inserted += 1;
          } catch (rowErr) {
            const re = toAppError(rowErr);
            rejected.set(b.row, describe(re.details, re.message));
          }
        }
      }
    }
  }
  const list = [...rejected.entries()].sort((a, b) => a[0] - b[0]).map(([row, errors]) => ({ row, errors }));
  return { dryRun: request.dryRun, total: rows.length, accepted: inserted, rejected: list };
}

/** Parses the optional `mapping` query parameter (JSON `{column: field|null}`). */
export function parseMapping(raw: unknown): Record<string, string | null> | null {
  if (raw === undefined || raw === '') return null;
  try {
    const value = JSON.parse(String(raw)) as unknown;
    if (isPlainObject(value) && Object.values(value).every((v) => v === null || typeof v === 'string')) {
      return value as Record<string, string | null>;
    }
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'mapping must be a JSON object of column → field name (or null to skip).');
}
