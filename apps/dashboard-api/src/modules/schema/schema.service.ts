import { type RedisConnection, publishProjectChanged } from '@urbackend/common/cache';
import { defaultRls, syncQueryIndexes, syncUniqueIndexes } from '@urbackend/common/collections';
import { AppError, conflict, forbidden, notFound } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import type { FieldDef, ProjectModel } from '@urbackend/common/models';
import { validateDocument } from '@urbackend/common/validation';
import { Types } from 'mongoose';
import type { Connection } from 'mongoose';
import type { DashboardScope } from '../../middleware/project-access.js';
import {
  type NextCollection,
  type SchemaDocument,
  type SchemaPlan,
  type StoredCollection,
  type Violation,
  canonical,
  diffFields,
  indexChanges,
  matchCollections,
  parseSchemaDocument,
  planWarnings,
  storedForm,
} from './schema-plan.js';

/** Documents read per collection by a dry run to find documents a new rule would refuse. */
export const SCAN_LIMIT = 5000;
const SCAN_TIME_MS = 10_000;
const EXAMPLES = 3;

/** What the sync records in the config log (`deps.configLog.record`). */
export interface ConfigLogRecorder {
  record(
    scope: DashboardScope,
    entry: { category: 'collection_schema'; label: string; diff?: { field: string; from: unknown; to: unknown }[] },
  ): Promise<void>;
}

export interface SchemaServiceDeps {
  Project: ProjectModel;
  cache: RedisConnection;
  logger: Logger;
  /** The config audit log; absent when the app has none. */
  configLog?: ConfigLogRecorder;
}

export interface SyncResult {
  dryRun: boolean;
  synced: number;
  collections: string[];
  plan: SchemaPlan;
}

export interface SchemaService {
  /** The project's schema document (`pull`): every collection's name and field list. */
  pull(scope: DashboardScope): SchemaDocument;
  /**
   * Plans (dry run) or applies a schema document: adds and changes collections, keeps RLS,
   * never drops data, builds unique indexes only over duplicate-free data (409 otherwise,
   * nothing changed). Applying the current schema is a no-op (`synced: 0`).
   */
  sync(scope: DashboardScope, body: unknown, options: { dryRun: boolean }): Promise<SyncResult>;
}

interface Loaded {
  collections: StoredCollection[];
  configVersion: number;
  isAuthEnabled: boolean;
}

const short = (v: unknown): unknown => {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Types.ObjectId) return v.toHexString();
  const text = JSON.stringify(v);
  if (text === undefined) return null;
  return text.length > 80 ? `${text.slice(0, 77)}...` : v;
};

/** Value at a dotted path (array indices as numbers), for examples. */
function valueAt(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The validator's problems with a stored document (`path: message`, array indices as `*`). */
function problemsOf(model: readonly FieldDef[], doc: Record<string, unknown>): Map<string, { path: string; message: string }> {
  const out = new Map<string, { path: string; message: string }>();
  try {
    validateDocument(model, doc, 'insert');
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    for (const d of err.details ?? [{ path: '', message: err.message }]) {
      const rule = d.path.replace(/\.\d+(?=\.|$)/g, '.*');
      out.set(`${rule}\u0000${d.message}`, { path: d.path, message: d.message });
    }
  }
  return out;
}

/** Duplicated values of a unique field, as `assertNoDuplicates` finds them (missing/null count only for required fields). */
async function duplicatesOf(
  conn: Connection,
  collection: string,
  field: FieldDef,
): Promise<{ values: number; examples: { value: unknown; count: number }[] }> {
  const match = field.required ? {} : { [field.key]: { $exists: true, $ne: null } };
  const groups = (await conn
    .collection(collection)
    .aggregate(
      [
        { $match: match },
        { $group: { _id: `$${field.key}`, count: { $sum: 1 } } },
        { $match: { count: { $gt: 1 } } },
        { $sort: { count: -1 } },
        { $limit: 1000 },
      ],
      { maxTimeMS: SCAN_TIME_MS },
    )
    .toArray()) as { _id: unknown; count: number }[];
  return {
    values: groups.length,
    examples: groups.slice(0, EXAMPLES).map((g) => ({ value: short(g._id ?? null), count: g.count })),
  };
}

export function createSchemaService(deps: SchemaServiceDeps): SchemaService {
  const { Project, cache, logger } = deps;

  async function load(scope: DashboardScope): Promise<Loaded> {
    const doc = await Project.findById(scope.project._id).select('collections configVersion isAuthEnabled').lean();
    if (!doc) throw notFound('Project not found.');
    return {
      collections: (doc.collections ?? []) as unknown as StoredCollection[],
      configVersion: doc.configVersion ?? 1,
      isAuthEnabled: doc.isAuthEnabled === true,
    };
  }

  async function exists(conn: Connection, name: string): Promise<boolean> {
    return (await conn.db?.listCollections({ name }, { nameOnly: true }).toArray())?.length === 1;
  }

  async function countOf(conn: Connection, name: string): Promise<number> {
    return (await exists(conn, name)) ? conn.collection(name).countDocuments({}, { maxTimeMS: SCAN_TIME_MS }) : 0;
  }

  /** Documents the new field list would refuse that the old one accepted (dry runs). */
  async function scan(conn: Connection, c: NextCollection, plan: SchemaPlan): Promise<void> {
    const before = c.previous?.model ?? null;
    const docs = (await conn
      .collection(c.name)
      .find({}, { limit: SCAN_LIMIT + 1, maxTimeMS: SCAN_TIME_MS })
      .toArray()) as Record<string, unknown>[];
    const truncated = docs.length > SCAN_LIMIT;
    const groups = new Map<string, Violation>();
    for (const doc of docs.slice(0, SCAN_LIMIT)) {
      const old = before ? problemsOf(before, doc) : new Map();
      for (const [key, problem] of problemsOf(c.model, doc)) {
        if (old.has(key)) continue;
        const [rule = problem.path] = key.split('\u0000');
        let v = groups.get(key);
        if (!v) {
          v = { collection: c.name, kind: 'schema', path: rule, message: problem.message, count: 0, examples: [] };
          groups.set(key, v);
        }
        v.count += 1;
        if (v.examples.length < EXAMPLES)
          v.examples.push({ _id: short(doc._id), value: short(valueAt(doc, problem.path) ?? null) });
      }
    }
    plan.scanned.push({ collection: c.name, documents: Math.min(docs.length, SCAN_LIMIT), truncated });
    plan.violations.push(...groups.values());
  }

  async function buildPlan(scope: DashboardScope, loaded: Loaded, doc: SchemaDocument, dryRun: boolean) {
    const { next, removed } = matchCollections(loaded.collections, doc);
    const conn = await scope.tenant.connection();
    const plan: SchemaPlan = {
      changes: 0,
      collections: { added: [], changed: [], removed: [], unchanged: [] },
      uniqueIndexes: { build: [], drop: [] },
      violations: [],
      scanned: [],
      warnings: planWarnings(next, removed, loaded.isAuthEnabled),
      blocked: false,
    };
    for (const c of next) {
      if (!c.changed) {
        plan.collections.unchanged.push(c.name);
        continue;
      }
      const documents = await countOf(conn, c.name);
      if (c.previous) {
        const fields = diffFields(c.previous.model, c.model);
        plan.collections.changed.push({ name: c.name, fields, ...(fields.length ? {} : { reordered: true }) });
      } else plan.collections.added.push({ name: c.name, fields: c.model.map((f) => f.key), documents });
      const indexes = indexChanges(c.name, c.previous?.model ?? null, c.model);
      plan.uniqueIndexes.build.push(...indexes.build);
      plan.uniqueIndexes.drop.push(...indexes.drop);
      if (documents === 0) continue;
      for (const { field } of indexes.build) {
        const def = c.model.find((f) => f.key === field) as FieldDef;
        const dups = await duplicatesOf(conn, c.name, def);
        if (dups.values > 0) {
          plan.violations.push({
            collection: c.name,
            kind: 'unique',
            path: field,
            message: `duplicate values: a unique index on '${field}' cannot be built`,
            count: dups.values,
            examples: dups.examples,
          });
        }
      }
      if (dryRun) await scan(conn, c, plan);
    }
    for (const c of removed) plan.collections.removed.push({ name: c.name, documents: await countOf(conn, c.name) });
    const { added, changed } = plan.collections;
    plan.changes = added.length + changed.length + removed.length;
    plan.blocked = plan.violations.some((v) => v.kind === 'unique');
    return { plan, next, removed };
  }

  function refuseDuplicates(plan: SchemaPlan): never {
    const unique = plan.violations.filter((v) => v.kind === 'unique');
    const text = unique
      .map(
        (v) =>
          `${v.collection}.${v.path}: ${v.count} duplicated value(s), e.g. ${v.examples.map((e) => `${JSON.stringify(e.value)} (${e.count} times)`).join(', ')}`,
      )
      .join('; ');
    throw new AppError(
      'CONFLICT',
      `Schema sync refused: unique indexes cannot be built over duplicate values (${text}). Nothing was changed; remove or change the duplicates first.`,
      unique.flatMap((v) =>
        v.examples.map((e) => ({
          path: `${v.collection}.${v.path}`,
          message: `${JSON.stringify(e.value)} appears ${e.count} times (${v.count} duplicated value(s) in all)`,
        })),
      ),
    );
  }

  /** Physical changes: new collections, then unique indexes (undone when a later step fails). */
  async function applyIndexes(scope: DashboardScope, next: NextCollection[]): Promise<() => Promise<void>> {
    const conn = await scope.tenant.connection();
    const kind = await scope.tenant.serverKind();
    const done: NextCollection[] = [];
    const undo = async () => {
      for (const c of done.reverse()) {
        await syncUniqueIndexes(conn, c.name, c.previous?.model ?? [], kind, c.model).catch((err: Error) =>
          logger.warn({ err: { message: err.message }, collection: c.name }, 'schema sync: could not restore unique indexes'),
        );
      }
    };
    try {
      for (const c of next.filter((x) => x.changed)) {
        await conn.createCollection(c.name).catch((err: { codeName?: string; code?: number }) => {
          if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
        });
        await syncUniqueIndexes(conn, c.name, c.model, kind, c.previous?.model ?? []);
        await syncQueryIndexes(conn, c.name, c.previous?.rls ?? defaultRls(c.name, c.model), (err) =>
          logger.warn({ err: { message: (err as Error).message }, collection: c.name }, 'schema sync: query index not built'),
        );
        done.push(c);
      }
    } catch (err) {
      await undo();
      throw err;
    }
    return undo;
  }

  async function record(scope: DashboardScope, plan: SchemaPlan, before: StoredCollection[], after: StoredCollection[]) {
    if (!deps.configLog) return;
    const prev = new Map(before.map((c) => [c.name, c.model]));
    const next = new Map(after.map((c) => [c.name, c.model]));
    const diff: { field: string; from: unknown; to: unknown }[] = [];
    for (const name of new Set([...prev.keys(), ...next.keys()])) {
      const a = new Map((prev.get(name) ?? []).map((f) => [f.key, f]));
      const b = new Map((next.get(name) ?? []).map((f) => [f.key, f]));
      for (const key of new Set([...a.keys(), ...b.keys()])) {
        const from = a.get(key) ?? null;
        const to = b.get(key) ?? null;
        if (canonical(from) !== canonical(to)) diff.push({ field: `${name}.schema.${key}`, from, to });
      }
    }
    const { added, changed, removed } = plan.collections;
    const parts = [
      added.length ? `added ${added.map((c) => c.name).join(', ')}` : '',
      changed.length ? `changed ${changed.map((c) => c.name).join(', ')}` : '',
      removed.length ? `removed ${removed.map((c) => c.name).join(', ')}` : '',
    ].filter(Boolean);
    await deps.configLog.record(scope, { category: 'collection_schema', label: `Schema sync: ${parts.join('; ')}`, diff });
  }

  return {
    pull(scope) {
      return { collections: scope.project.collections.map((c) => ({ name: c.name, model: c.model })) };
    },

    async sync(scope, body, { dryRun }) {
      const doc = parseSchemaDocument(body);
      const loaded = await load(scope);
      const max = scope.limits.maxCollections;
      const adding = doc.collections.some((c) => !loaded.collections.some((s) => s.name === c.name));
      if (max >= 0 && adding && doc.collections.length > max) {
        throw forbidden(
          `Schema sync would create ${doc.collections.length} collections, but your plan allows ${max}. Please upgrade your plan.`,
        );
      }
      const { plan, next } = await buildPlan(scope, loaded, doc, dryRun);
      const names = next.map((c) => c.name);
      if (dryRun || plan.changes === 0) return { dryRun, synced: plan.changes, collections: names, plan };
      if (plan.blocked) refuseDuplicates(plan);
      const undo = await applyIndexes(scope, next);
      const now = new Date();
      const collections = next.map((c) => storedForm(c, now, () => new Types.ObjectId()));
      const res = await Project.updateOne(
        { _id: scope.project._id, configVersion: loaded.configVersion },
        { $set: { collections }, $inc: { configVersion: 1 } },
      ).catch(async (err: unknown) => {
        await undo();
        throw err;
      });
      if (res.matchedCount === 0) {
        await undo();
        throw conflict('The project was changed by another request while syncing. Nothing was changed; please retry.');
      }
      const { publishableKeyHash, secretKeyHash } = scope.project;
      await publishProjectChanged(
        cache,
        { projectId: scope.project._id, keyHashes: [publishableKeyHash, secretKeyHash].filter(Boolean), reason: 'collection' },
        logger,
      );
      await record(scope, plan, loaded.collections, collections);
      return { dryRun, synced: plan.changes, collections: names, plan };
    },
  };
}
