import type { RedisConnection } from '@urbackend/common/cache';
import { findPage } from '@urbackend/common/db';
import { badRequest } from '@urbackend/common/errors';
import { type PeriodicTask, createPeriodicTask } from '@urbackend/common/jobs';
import type { Logger } from '@urbackend/common/logger';
import {
  CONFIG_LOG_CATEGORIES,
  type ConfigCategory,
  type ConfigDiff,
  type ConfigLog,
  type ConfigLogModel,
  MASKED,
  type ProjectModel,
} from '@urbackend/common/models';
import { type ScopedProject, toScopedProject } from '@urbackend/common/scope';
import { z } from 'zod';
import type { DashboardScope } from '../../middleware/project-access.js';

export { CONFIG_LOG_CATEGORIES, MASKED, type ConfigCategory, type ConfigDiff };

/** What a route records after a successful change. */
export interface ConfigLogEntry {
  category: ConfigCategory;
  label: string;
  diff?: ConfigDiff[];
}

/**
 * Field names whose values are always masked by `diffOf` (stored secrets and their hashes), at
 * any depth. Callers add their own (`{ secret: ['config'] }`).
 */
export const ALWAYS_SECRET = [
  'clientSecret',
  'jwtSecret',
  'smtpUrl',
  'dbUri',
  'storageKey',
  'secretAccessKey',
  's3SecretAccessKey',
  'apiKey',
  'publishableKeyHash',
  'secretKeyHash',
];

/** Strings longer than this are cut in a stored diff (mail template bodies). */
const MAX_STRING = 500;
/** At most this many changed fields per entry. */
const MAX_DIFF = 200;
const DAY_MS = 86_400_000;
/** The purge runs this often (one process at a time). */
export const CONFIG_LOG_PURGE_INTERVAL_MS = 60 * 60_000;

/** JSON-normalized copy (ObjectIds → hex, Dates → ISO); undefined stays undefined. */
const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** JSON with sorted keys, so two equal objects compare equal whatever their key order. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** The mask of a secret value: `MASKED` when one is set, null when none. */
const maskOf = (v: unknown): unknown => (v === undefined || v === null || v === '' ? null : MASKED);

/**
 * The fields that differ between `before` and `after`, as dotted paths (nested objects are
 * walked; arrays are compared whole). A field named in `opts.secret` or `ALWAYS_SECRET` (at any
 * depth, or as a full dotted path) is never walked into and both its values are `MASKED` (null
 * when unset), so the diff says a secret changed without ever holding it.
 */
export function diffOf(
  before: object | null | undefined,
  after: object | null | undefined,
  opts: { secret?: string[] } = {},
): ConfigDiff[] {
  const secrets = new Set([...ALWAYS_SECRET, ...(opts.secret ?? [])]);
  const isSecret = (path: string) => secrets.has(path) || path.split('.').some((part) => secrets.has(part));
  const flatten = (value: unknown, prefix: string, out: Map<string, unknown>) => {
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (!isSecret(path) && isObject(v) && Object.keys(v).length > 0) flatten(v, path, out);
      else out.set(path, v);
    }
  };
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(plain(before ?? {}), '', a);
  flatten(plain(after ?? {}), '', b);
  const diff: ConfigDiff[] = [];
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    const from = a.get(field) ?? null;
    const to = b.get(field) ?? null;
    if (stable(from) === stable(to)) continue;
    diff.push(isSecret(field) ? { field, from: maskOf(from), to: maskOf(to) } : { field, from, to });
  }
  return diff;
}

/** The diff of a collection's field list, one entry per added, removed or changed field (`schema.<key>`). */
export function schemaDiff(
  before: { key: string }[] | null | undefined,
  after: { key: string }[] | null | undefined,
): ConfigDiff[] {
  const byKey = (fields: { key: string }[] | null | undefined) => new Map((fields ?? []).map((f) => [f.key, plain(f)]));
  const a = byKey(before);
  const b = byKey(after);
  const diff: ConfigDiff[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const from = a.get(key) ?? null;
    const to = b.get(key) ?? null;
    if (stable(from) !== stable(to)) diff.push({ field: `schema.${key}`, from, to });
  }
  return diff;
}

/** A stored diff value: long strings are cut (a diff is an audit trail, not a backup). */
function clip(v: unknown): unknown {
  if (typeof v === 'string' && v.length > MAX_STRING) return `${v.slice(0, MAX_STRING)}… (${v.length} characters)`;
  return plain(v) ?? null;
}

const listQuery = z.object({
  page: z.coerce.number().int().min(1).catch(1),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .catch(30)
    .transform((n) => Math.min(n, 100)),
  category: z.string().optional(),
});

export interface ConfigLogServiceDeps {
  ConfigLog: ConfigLogModel;
  /** Read by `snapshot` (the state after a change, for its diff). */
  Project: ProjectModel;
  cache: RedisConnection;
  logger: Logger;
  /** Entries older than this are purged (`CONFIG_LOG_RETENTION_DAYS`). */
  retentionDays: number;
}

/** The config audit log: recording, the paged list, and the retention purge. */
export function createConfigLogService(deps: ConfigLogServiceDeps) {
  const { ConfigLog, logger, retentionDays } = deps;

  /** Deletes the entries older than the retention; returns how many. */
  async function purge(now: Date = new Date()): Promise<number> {
    const res = await ConfigLog.deleteMany({ changedAt: { $lt: new Date(now.getTime() - retentionDays * DAY_MS) } });
    return res.deletedCount ?? 0;
  }

  const cleanup: PeriodicTask = createPeriodicTask({
    name: 'config-log-purge',
    cache: deps.cache,
    logger,
    lockMs: 10 * 60_000,
    run: purge,
  });

  return {
    retentionDays,
    diffOf,
    /**
     * Records a change made by the scope's developer. Awaited by the routes (so the entry is there
     * when the answer is), but never throws: a failure is logged and the change stands.
     */
    async record(scope: DashboardScope, entry: ConfigLogEntry): Promise<void> {
      const { actor } = scope;
      const dev = actor.type === 'developer' ? actor : null;
      try {
        await ConfigLog.create({
          projectId: scope.project._id,
          changedBy: dev?.developerId ?? null,
          changedByEmail: dev?.email ?? '',
          category: entry.category,
          label: entry.label,
          diff: (entry.diff ?? []).slice(0, MAX_DIFF).map((d) => ({ field: d.field, from: clip(d.from), to: clip(d.to) })),
          changedAt: new Date(),
        });
      } catch (err) {
        logger.warn(
          { err: { message: (err as Error).message }, projectId: scope.project._id, category: entry.category },
          'could not record a configuration change',
        );
      }
    },

    /** `GET /config-logs`: newest first, paged, optionally one category. */
    async list(scope: DashboardScope, query: unknown) {
      const { page, limit, category } = listQuery.parse(query ?? {});
      if (category !== undefined && !(CONFIG_LOG_CATEGORIES as readonly string[]).includes(category)) {
        throw badRequest(`Invalid category. Allowed values: ${CONFIG_LOG_CATEGORIES.join(', ')}`);
      }
      const filter = { projectId: scope.project._id, ...(category ? { category: category as ConfigCategory } : {}) };
      const { items, total, totalPages } = await findPage<ConfigLog, ConfigLog & { _id: unknown }>(ConfigLog, filter, {
        page,
        limit,
        sort: { changedAt: -1, _id: -1 },
      });
      const logs = items.map((l) => ({
        _id: String(l._id),
        projectId: String(l.projectId),
        changedBy: l.changedBy ? String(l.changedBy) : null,
        changedByEmail: l.changedByEmail,
        category: l.category,
        label: l.label,
        diff: l.diff ?? [],
        changedAt: l.changedAt,
      }));
      return { logs, pagination: { page, limit, total, totalPages } };
    },

    /** The project as stored now (after a change; secrets still encrypted); null when it is gone or unreadable (never throws). */
    async snapshot(projectId: string): Promise<ScopedProject | null> {
      try {
        const doc = await deps.Project.findById(projectId).lean();
        return doc ? toScopedProject(doc as unknown as Record<string, unknown>, { _id: doc.owner }) : null;
      } catch (err) {
        // Like `record`: the change is made, its log entry only loses its diff.
        logger.warn({ err: { message: (err as Error).message }, projectId }, 'could not read the project for its config log');
        return null;
      }
    },

    purge,
    /** The periodic purge (Redis-locked, so one process per round runs it). */
    cleanup,
    /** Runs the purge every hour in this process (main.ts; failures are logged); returns the stopper. */
    startCleanup(intervalMs = CONFIG_LOG_PURGE_INTERVAL_MS): () => void {
      return cleanup.start(intervalMs);
    },
  };
}

export type ConfigLogService = ReturnType<typeof createConfigLogService>;
/** What the routes use to record changes. */
export type ConfigLogRecorder = Pick<ConfigLogService, 'record'>;

/** Records `entry` unless it changed nothing (an empty diff): the routes' helper. */
export async function recordChange(
  log: ConfigLogRecorder,
  scope: DashboardScope,
  entry: ConfigLogEntry & { diff: ConfigDiff[] },
): Promise<void> {
  if (entry.diff.length > 0) await log.record(scope, entry);
}
