import { Types } from 'mongoose';
import type { Connection } from 'mongoose';
import { publishProjectChanged } from '../cache/index.js';
import type { RedisConnection } from '../cache/index.js';
import { advanceDataVersions } from '../data/counts.js';
import type { ServerKind } from '../db/index.js';
import { AppError, badRequest, conflict, notFound } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import type { CollectionConfig, FieldDef, ProjectModel, RlsConfig } from '../models/index.js';
import type { ProjectScope } from '../scope/index.js';
import { parseFieldList } from './fields.js';
import { assertCollectionName } from './names.js';
import { syncQueryIndexes } from './query-indexes.js';
import { defaultRls, isUsersCollection, mergeRls, rlsUpdateSchema, usersSchemaProblem } from './rls.js';
import { syncUniqueIndexes } from './unique-indexes.js';

export interface CollectionServiceDeps {
  Project: ProjectModel;
  cache: RedisConnection;
  logger: Logger;
}

/** Create, edit, delete collections and their RLS (shared by the dashboard and `POST /api/schemas`). */
export interface CollectionService {
  /**
   * Creates a collection: validates name + schema (400), 409 on a duplicate name or duplicate
   * data for a unique field, 403 over the scope's `maxCollections`, 422 for a bad users schema.
   */
  create(scope: ProjectScope, input: { name: unknown; schema: unknown }): Promise<CollectionConfig>;
  /** Replaces the field list (PATCH): unique indexes follow (409 with examples on duplicates); the version bumps. 404 when missing. */
  update(scope: ProjectScope, name: string, schema: unknown): Promise<CollectionConfig>;
  /** Removes the collection and drops its data. 404 when missing. */
  remove(scope: ProjectScope, name: string): Promise<void>;
  /** Updates RLS (body of `PATCH .../rls`, validated here). 404 when missing, 400 on a bad owner field. */
  updateRls(scope: ProjectScope, name: string, body: unknown): Promise<CollectionConfig>;
  /**
   * Creates every declared collection and its unique indexes in the scope's tenant database
   * (after switching to or from BYOD, pass a scope whose tenant is the new database). Never
   * throws for one collection: returns the problems.
   */
  ensurePhysical(scope: ProjectScope): Promise<string[]>;
}

/** The collection list as stored now, with the version it was read at (for optimistic writes). */
interface StoredCollections {
  collections: CollectionConfig[];
  configVersion: number;
}

function toPlain(c: CollectionConfig): CollectionConfig {
  return {
    _id: c._id,
    name: c.name,
    model: c.model,
    rls: c.rls,
    version: c.version,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** Enforces the users contract and makes `email` unique (signup races then meet a unique index). */
function prepareFields(name: string, fields: FieldDef[]): FieldDef[] {
  if (!isUsersCollection(name)) return fields;
  const problem = usersSchemaProblem(fields);
  if (problem) throw new AppError('UNPROCESSABLE', problem);
  return fields.map((f) => (f.key === 'email' ? { ...f, unique: true } : f));
}

/** Creates the collection service. The scope says which project; access was checked when it was built. */
export function createCollectionService(deps: CollectionServiceDeps): CollectionService {
  const { Project, cache, logger } = deps;

  /**
   * The collection list is read fresh on every schema change (not from the scope, which may be a
   * cached copy): the write below is conditional on `configVersion`, so concurrent edits conflict
   * instead of overwriting each other.
   */
  async function load(scope: ProjectScope): Promise<StoredCollections> {
    const project = await Project.findById(scope.project._id).select('collections configVersion').lean();
    if (!project) throw notFound('Project not found.');
    return { collections: project.collections ?? [], configVersion: project.configVersion ?? 1 };
  }

  function findCollection(project: StoredCollections, name: string): CollectionConfig {
    const found = project.collections.find((c) => c.name === name);
    if (!found) throw notFound('Collection not found.');
    return found;
  }

  /** Writes the new collection list if nobody changed the project meanwhile (optimistic concurrency). */
  async function save(scope: ProjectScope, stored: StoredCollections, collections: CollectionConfig[], reason: string) {
    const projectId = scope.project._id;
    const res = await Project.updateOne(
      { _id: projectId, configVersion: stored.configVersion },
      { $set: { collections }, $inc: { configVersion: 1 } },
    );
    if (res.matchedCount === 0) throw conflict('The project was changed by another request. Please retry.');
    const keyHashes = [scope.project.publishableKeyHash, scope.project.secretKeyHash].filter(Boolean);
    await publishProjectChanged(cache, { projectId, keyHashes, reason }, logger);
  }

  /** Query indexes are an optimisation: a failure is logged, the change stands. */
  function indexWarning(scope: ProjectScope, collection: string) {
    return (err: unknown) =>
      logger.warn(
        { projectId: scope.project._id, collection, err: { message: (err as Error).message } },
        'query index not built',
      );
  }

  async function tenantOf(scope: ProjectScope): Promise<{ conn: Connection; kind: ServerKind }> {
    const conn = await scope.tenant.connection();
    return { conn, kind: await scope.tenant.serverKind() };
  }

  return {
    async create(scope, input) {
      const name = assertCollectionName(input.name);
      const fields = prepareFields(name, parseFieldList(input.schema));
      const project = await load(scope);
      if (project.collections.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
        throw conflict('Collection already exists.');
      }
      const max = scope.limits.maxCollections;
      if (max >= 0 && project.collections.length >= max) {
        throw new AppError('FORBIDDEN', `Collection limit reached (${max}) for your plan.`);
      }
      const { conn, kind } = await tenantOf(scope);
      await conn.createCollection(name).catch((err: { codeName?: string; code?: number }) => {
        if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
      });
      await syncUniqueIndexes(conn, name, fields, kind);
      await syncQueryIndexes(conn, name, defaultRls(name, fields), indexWarning(scope, name));
      const now = new Date();
      const collection: CollectionConfig = {
        _id: new Types.ObjectId(),
        name,
        model: fields,
        rls: defaultRls(name, fields),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await save(scope, project, [...project.collections.map(toPlain), collection], 'collection');
      return collection;
    },

    async update(scope, name, schema) {
      const project = await load(scope);
      const current = findCollection(project, name);
      const fields = prepareFields(name, parseFieldList(schema));
      const { conn, kind } = await tenantOf(scope);
      await syncUniqueIndexes(conn, name, fields, kind, current.model);
      const next: CollectionConfig = {
        ...toPlain(current),
        model: fields,
        version: (current.version ?? 1) + 1,
        updatedAt: new Date(),
      };
      await save(
        scope,
        project,
        project.collections.map((c) => (c.name === name ? next : toPlain(c))),
        'collection',
      );
      return next;
    },

    async remove(scope, name) {
      const project = await load(scope);
      findCollection(project, name);
      await save(scope, project, project.collections.filter((c) => c.name !== name).map(toPlain), 'collection-deleted');
      const conn = await scope.tenant.connection();
      await conn.dropCollection(name).catch((err: { codeName?: string; code?: number }) => {
        if (err.code !== 26 && err.codeName !== 'NamespaceNotFound') throw err;
      });
      // A collection created again under this name starts from no documents: no cached total may survive.
      await advanceDataVersions(cache, scope.project._id, [name]);
    },

    async ensurePhysical(scope) {
      const project = await load(scope);
      const { conn, kind } = await tenantOf(scope);
      const problems: string[] = [];
      for (const c of project.collections) {
        try {
          await conn.createCollection(c.name).catch((err: { codeName?: string; code?: number }) => {
            if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
          });
          await syncUniqueIndexes(conn, c.name, c.model, kind);
          await syncQueryIndexes(conn, c.name, c.rls, indexWarning(scope, c.name));
        } catch (err) {
          problems.push(`${c.name}: ${err instanceof AppError ? err.message : 'could not be prepared'}`);
        }
      }
      return problems;
    },

    async updateRls(scope, name, body) {
      const update = rlsUpdateSchema.safeParse(body ?? {});
      if (!update.success) throw badRequest(`Invalid RLS config: ${update.error.issues[0]?.message ?? 'bad input'}`);
      const project = await load(scope);
      const current = findCollection(project, name);
      const rls: RlsConfig = mergeRls(name, current.model, current.rls, update.data);
      const next: CollectionConfig = { ...toPlain(current), rls, version: (current.version ?? 1) + 1, updatedAt: new Date() };
      await save(
        scope,
        project,
        project.collections.map((c) => (c.name === name ? next : toPlain(c))),
        'rls',
      );
      await syncQueryIndexes(await scope.tenant.connection(), name, rls, indexWarning(scope, name));
      return next;
    },
  };
}
