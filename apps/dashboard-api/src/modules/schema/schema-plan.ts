import {
  collectionNameProblem,
  defaultRls,
  isUsersCollection,
  parseFieldList,
  usersSchemaProblem,
} from '@urbackend/common/collections';
import { AppError, badRequest } from '@urbackend/common/errors';
import type { FieldDef, RlsConfig } from '@urbackend/common/models';
import { z } from 'zod';

/** The schema document: what `GET .../schema` answers and `PUT .../sync-schema` takes. */
export interface SchemaDocument {
  collections: { name: string; model: FieldDef[] }[];
}

/** The collections of a project as stored (what the plan compares with). */
export interface StoredCollection {
  _id: unknown;
  name: string;
  model: FieldDef[];
  rls: RlsConfig;
  version: number;
  createdAt?: Date | string;
  updatedAt?: Date | string;
}

/** One field-level difference; `path` is dotted (`address.city`), array items as `tags[]`. */
export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** The field's rules before (removed, changed: only the rules that differ). */
  from?: Record<string, unknown>;
  /** The field's rules after (added, changed: only the rules that differ). */
  to?: Record<string, unknown>;
}

/** The change of one collection. */
export interface CollectionChange {
  name: string;
  fields: FieldChange[];
  /** True when only the order of fields differs. */
  reordered?: boolean;
}

/** A unique index the sync builds or drops (`unique_<field>_1`). */
export interface IndexChange {
  collection: string;
  field: string;
}

/** Documents that a new rule would refuse, grouped by rule. */
export interface Violation {
  collection: string;
  /** `unique`: duplicate values (blocks the sync); `schema`: the validator would refuse these documents on their next write. */
  kind: 'unique' | 'schema';
  path: string;
  message: string;
  /** Duplicated values (unique) or documents (schema). */
  count: number;
  /** A few examples: `{value, count}` for unique, `{_id, value}` for schema. */
  examples: Record<string, unknown>[];
}

export interface SchemaPlan {
  /** Collections added, changed or removed: the `synced` count. */
  changes: number;
  collections: {
    added: { name: string; fields: string[]; documents: number }[];
    changed: CollectionChange[];
    /** No longer served; their documents stay in the database. */
    removed: { name: string; documents: number }[];
    unchanged: string[];
  };
  uniqueIndexes: { build: IndexChange[]; drop: IndexChange[] };
  violations: Violation[];
  /** Documents read per collection to find schema violations (dry runs only). */
  scanned: { collection: string; documents: number; truncated: boolean }[];
  warnings: string[];
  /** True when the sync cannot be applied as it is (a unique index over duplicate values). */
  blocked: boolean;
}

/** A collection as the sync will store it. */
export interface NextCollection {
  name: string;
  model: FieldDef[];
  /** The stored collection of that name, or null when it is new. */
  previous: StoredCollection | null;
  changed: boolean;
}

const payloadSchema = z
  .object({
    collections: z.array(
      z
        .object({
          name: z.unknown(),
          model: z.array(z.unknown(), {
            required_error: 'model (the field list) is required',
            invalid_type_error: 'model must be an array of fields',
          }),
        })
        .strict(),
      { required_error: 'collections is required', invalid_type_error: 'collections must be an array' },
    ),
  })
  .passthrough();

/** The message of the original product for a bad users schema (addendum §E). */
export const USERS_RULE_MESSAGE = "The 'users' collection must have required 'email' and 'password' String fields.";

/**
 * Validates a schema document with the collection rules the dashboard and `POST /api/schemas`
 * use (names, field lists, the users contract) and normalises it as they store it: types in
 * canonical case, `name` → `key`, `users.email` unique. Throws 400 naming the first problem
 * (`collections.2.model.0.type: …`), 422 for a users collection without email/password.
 */
export function parseSchemaDocument(body: unknown): SchemaDocument {
  const parsed = payloadSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw badRequest(issue ? `Invalid schema payload: ${path ? `${path}: ` : ''}${issue.message}` : 'Invalid schema payload', [
      { path: path || '(root)', message: issue?.message ?? 'Invalid schema payload' },
    ]);
  }
  const seen = new Map<string, number>();
  const collections = parsed.data.collections.map((entry, i) => {
    const problem = collectionNameProblem(entry.name);
    if (problem)
      throw badRequest(`Invalid schema payload: collections.${i}.name: ${problem}`, [
        { path: `collections.${i}.name`, message: problem },
      ]);
    const name = entry.name as string;
    const lower = name.toLowerCase();
    if (seen.has(lower)) {
      const message = `'${name}' is listed twice (collection names are compared ignoring case).`;
      throw badRequest(`Invalid schema payload: collections.${i}.name: ${message}`, [{ path: `collections.${i}.name`, message }]);
    }
    seen.set(lower, i);
    let model = parseFieldList(entry.model, `collections.${i}.model`);
    if (isUsersCollection(name)) {
      if (usersSchemaProblem(model)) throw new AppError('UNPROCESSABLE', USERS_RULE_MESSAGE);
      // The same rule as the collection service: signups race into a unique index.
      model = model.map((f) => (f.key === 'email' ? { ...f, unique: true } : f));
    }
    return { name, model };
  });
  return { collections };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** JSON with sorted keys and no undefined values: equal schemas give equal strings whatever their key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** A field's own rules, without its key and nested field lists (those are diffed separately). */
function rulesOf(f: FieldDef): Record<string, unknown> {
  const { key: _key, fields: _fields, items, ...rest } = f;
  const out: Record<string, unknown> = { ...rest };
  if (items) out.items = items.ref ? { type: items.type, ref: items.ref } : { type: items.type };
  return JSON.parse(JSON.stringify(out));
}

function nestedOf(f: FieldDef): { fields: FieldDef[]; suffix: string } | null {
  if (f.type === 'Object') return { fields: f.fields ?? [], suffix: '.' };
  if (f.type === 'Array' && f.items?.type === 'Object') return { fields: f.items.fields ?? [], suffix: '[].' };
  return null;
}

/** Field-level differences of two field lists (recursive). */
export function diffFields(before: readonly FieldDef[], after: readonly FieldDef[], prefix = ''): FieldChange[] {
  const out: FieldChange[] = [];
  const a = new Map(before.map((f) => [f.key, f]));
  const b = new Map(after.map((f) => [f.key, f]));
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const path = `${prefix}${key}`;
    const x = a.get(key);
    const y = b.get(key);
    if (!x && y) out.push({ path, change: 'added', to: rulesOf(y) });
    else if (x && !y) out.push({ path, change: 'removed', from: rulesOf(x) });
    else if (x && y) {
      const rx = rulesOf(x);
      const ry = rulesOf(y);
      const from: Record<string, unknown> = {};
      const to: Record<string, unknown> = {};
      for (const k of new Set([...Object.keys(rx), ...Object.keys(ry)])) {
        if (canonical(rx[k]) !== canonical(ry[k])) {
          from[k] = rx[k] ?? null;
          to[k] = ry[k] ?? null;
        }
      }
      if (Object.keys(from).length) out.push({ path, change: 'changed', from, to });
      const nx = nestedOf(x);
      const ny = nestedOf(y);
      if (nx && ny && nx.suffix === ny.suffix) out.push(...diffFields(nx.fields, ny.fields, `${path}${ny.suffix}`));
    }
  }
  return out;
}

/** Unique indexes to build and drop for one collection (the same decisions as `syncUniqueIndexes`). */
export function indexChanges(
  name: string,
  before: readonly FieldDef[] | null,
  after: readonly FieldDef[] | null,
): { build: IndexChange[]; drop: IndexChange[] } {
  const prev = new Map((before ?? []).map((f) => [f.key, f]));
  const build: IndexChange[] = [];
  const drop: IndexChange[] = [];
  if (after) {
    for (const f of after.filter((x) => x.unique)) {
      const p = prev.get(f.key);
      const rebuilt = p?.unique && (Boolean(p.required) !== Boolean(f.required) || p.type !== f.type);
      if (!p?.unique || rebuilt) build.push({ collection: name, field: f.key });
    }
    const wanted = new Set(after.filter((x) => x.unique).map((f) => f.key));
    for (const p of before ?? []) if (p.unique && !wanted.has(p.key)) drop.push({ collection: name, field: p.key });
  }
  return { build, drop };
}

/** Collections of the next configuration, matched to the stored ones by exact name. */
export function matchCollections(
  stored: readonly StoredCollection[],
  doc: SchemaDocument,
): { next: NextCollection[]; removed: StoredCollection[] } {
  const byName = new Map(stored.map((c) => [c.name, c]));
  const next = doc.collections.map((c) => {
    const previous = byName.get(c.name) ?? null;
    return { name: c.name, model: c.model, previous, changed: !previous || canonical(previous.model) !== canonical(c.model) };
  });
  const kept = new Set(doc.collections.map((c) => c.name));
  return { next, removed: stored.filter((c) => !kept.has(c.name)) };
}

/** Warnings of a plan that are not errors: RLS owner fields gone, refs to unknown collections, auth without users. */
export function planWarnings(
  next: readonly NextCollection[],
  removed: readonly StoredCollection[],
  isAuthEnabled: boolean,
): string[] {
  const warnings: string[] = [];
  const names = new Set(next.map((c) => c.name));
  for (const c of removed) {
    warnings.push(
      `Collection '${c.name}' is not in the document: the API stops serving it, its documents stay in the database (list it again to serve them).`,
    );
    if (isUsersCollection(c.name) && isAuthEnabled)
      warnings.push('Removing users while authentication is enabled stops end-user sign-up and login.');
  }
  for (const c of next) {
    const rls = c.previous?.rls;
    if (rls?.enabled && rls.ownerField !== '_id' && !c.model.some((f) => f.key === rls.ownerField)) {
      warnings.push(
        `Collection '${c.name}': its RLS owner field '${rls.ownerField}' is not declared in the new schema (RLS is kept as it is).`,
      );
    }
    const refs = (fields: readonly FieldDef[], prefix: string): void => {
      for (const f of fields) {
        const target = f.type === 'Ref' ? f.ref : f.items?.type === 'Ref' ? f.items.ref : undefined;
        if (target && !names.has(target))
          warnings.push(`Collection '${c.name}': field '${prefix}${f.key}' refers to '${target}', which is not in the document.`);
        if (f.fields) refs(f.fields, `${prefix}${f.key}.`);
        if (f.items?.fields) refs(f.items.fields, `${prefix}${f.key}[].`);
      }
    };
    refs(c.model, '');
    if (c.previous && c.changed) {
      const gone = diffFields(c.previous.model, c.model).filter((d) => d.change === 'removed');
      if (gone.length) {
        warnings.push(
          `Collection '${c.name}': ${gone.map((d) => `'${d.path}'`).join(', ')} ${gone.length === 1 ? 'is' : 'are'} no longer declared; stored values stay in the documents.`,
        );
      }
    }
  }
  return warnings;
}

/** The collection as it will be stored: RLS and other settings kept (defaults for a new one), version bumped when changed. */
export function storedForm(c: NextCollection, now: Date, newId: () => unknown): StoredCollection {
  const p = c.previous;
  if (!p) {
    return {
      _id: newId(),
      name: c.name,
      model: c.model,
      rls: defaultRls(c.name, c.model),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
  }
  // Everything else stored on the collection (RLS, dates, settings added later) is kept as it is.
  const base: StoredCollection = { ...p, version: p.version ?? 1 };
  return c.changed ? { ...base, model: c.model, version: base.version + 1, updatedAt: now } : base;
}
