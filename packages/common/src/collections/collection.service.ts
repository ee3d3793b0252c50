import { Types } from 'mongoose';
import type { Connection } from 'mongoose';
import { publishProjectChanged } from '../cache/index.js';
import type { Cache } from '../cache/index.js';
import type { ServerKind } from '../db/index.js';
import { AppError, badRequest, conflict, notFound } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import type { CollectionConfig, FieldDef, ProjectModel, RlsConfig } from '../models/index.js';
import { parseFieldList } from './fields.js';
import { assertCollectionName } from './names.js';
import { defaultRls, isUsersCollection, mergeRls, rlsUpdateSchema, usersSchemaProblem } from './rls.js';
import { syncUniqueIndexes } from './unique-indexes.js';

/** The parts of a project the collection service reads. */
export interface CollectionProject {
  _id: Types.ObjectId | string;
  collections: CollectionConfig[];
  configVersion: number;
  publishableKeyHash?: string;
  secretKeyHash?: string;
  resources?: { db?: { isExternal?: boolean } };
}

export interface CollectionServiceDeps {
  Project: ProjectModel;
  cache: Cache;
  logger: Logger;
  /**
   * The project's tenant database and its server kind: internal projects use
   * `db.tenantDb(projectId)` with `db.serverKind()`; BYOD projects the connection manager's.
   */
  tenantConnection(project: CollectionProject): Promise<{ conn: Connection; kind: ServerKind }>;
}

export interface CreateCollectionOptions {
  /** Most collections the project may have (-1 or undefined: unlimited). Over it: 403. */
  maxCollections?: number;
}

/** Create, edit, delete collections and their RLS (shared by the dashboard and `POST /api/schemas`). */
export interface CollectionService {
  /** Creates a collection: validates name + schema (400), 409 on a duplicate name or duplicate data for a unique field, 403 over the limit, 422 for a bad users schema. */
  create(
    projectId: string,
    input: { name: unknown; schema: unknown },
    options?: CreateCollectionOptions,
  ): Promise<CollectionConfig>;
  /** Replaces the field list (PATCH): unique indexes follow (409 with examples on duplicates); the version bumps. 404 when missing. */
  update(projectId: string, name: string, schema: unknown): Promise<CollectionConfig>;
  /** Removes the collection and drops its data. 404 when missing. */
  remove(projectId: string, name: string): Promise<void>;
  /** Updates RLS (body of `PATCH .../rls`, validated here). 404 when missing, 400 on a bad owner field. */
  updateRls(projectId: string, name: string, body: unknown): Promise<CollectionConfig>;
  /**
   * Creates every declared collection and its unique indexes in the project's current database
   * (after switching to or from BYOD). Never throws for one collection: returns the problems.
   */
  ensurePhysical(projectId: string): Promise<string[]>;
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

/** Creates the collection service. Callers check tenancy (owner or API key) before calling. */
export function createCollectionService(deps: CollectionServiceDeps): CollectionService {
  const { Project, cache, logger } = deps;

  async function load(projectId: string): Promise<CollectionProject> {
    if (!Types.ObjectId.isValid(projectId)) throw badRequest('Invalid ID format.');
    const project = await Project.findById(projectId)
      .select('collections configVersion publishableKeyHash secretKeyHash resources')
      .lean();
    if (!project) throw notFound('Project not found.');
    return project as unknown as CollectionProject;
  }

  function findCollection(project: CollectionProject, name: string): CollectionConfig {
    const found = project.collections.find((c) => c.name === name);
    if (!found) throw notFound('Collection not found.');
    return found;
  }

  /** Writes the new collection list if nobody changed the project meanwhile (optimistic concurrency). */
  async function save(project: CollectionProject, collections: CollectionConfig[], reason: string): Promise<void> {
    const res = await Project.updateOne(
      { _id: project._id, configVersion: project.configVersion },
      { $set: { collections }, $inc: { configVersion: 1 } },
    );
    if (res.matchedCount === 0) throw conflict('The project was changed by another request. Please retry.');
    const keyHashes = [project.publishableKeyHash, project.secretKeyHash].filter((h): h is string => Boolean(h));
    await publishProjectChanged(cache, { projectId: String(project._id), keyHashes, reason }, logger);
  }

  return {
    async create(projectId, input, options = {}) {
      const name = assertCollectionName(input.name);
      const fields = prepareFields(name, parseFieldList(input.schema));
      const project = await load(projectId);
      if (project.collections.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
        throw conflict('Collection already exists.');
      }
      const max = options.maxCollections;
      if (max !== undefined && max >= 0 && project.collections.length >= max) {
        throw new AppError('FORBIDDEN', `Collection limit reached (${max}) for your plan.`);
      }
      const { conn, kind } = await deps.tenantConnection(project);
      await conn.createCollection(name).catch((err: { codeName?: string; code?: number }) => {
        if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
      });
      await syncUniqueIndexes(conn, name, fields, kind);
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
      await save(project, [...project.collections.map(toPlain), collection], 'collection');
      return collection;
    },

    async update(projectId, name, schema) {
      const project = await load(projectId);
      const current = findCollection(project, name);
      const fields = prepareFields(name, parseFieldList(schema));
      const { conn, kind } = await deps.tenantConnection(project);
      await syncUniqueIndexes(conn, name, fields, kind, current.model);
      const next: CollectionConfig = {
        ...toPlain(current),
        model: fields,
        version: (current.version ?? 1) + 1,
        updatedAt: new Date(),
      };
      await save(
        project,
        project.collections.map((c) => (c.name === name ? next : toPlain(c))),
        'collection',
      );
      return next;
    },

    async remove(projectId, name) {
      const project = await load(projectId);
      findCollection(project, name);
      await save(project, project.collections.filter((c) => c.name !== name).map(toPlain), 'collection-deleted');
      const { conn } = await deps.tenantConnection(project);
      await conn.dropCollection(name).catch((err: { codeName?: string; code?: number }) => {
        if (err.code !== 26 && err.codeName !== 'NamespaceNotFound') throw err;
      });
    },

    async ensurePhysical(projectId) {
      const project = await load(projectId);
      const { conn, kind } = await deps.tenantConnection(project);
      const problems: string[] = [];
      for (const c of project.collections) {
        try {
          await conn.createCollection(c.name).catch((err: { codeName?: string; code?: number }) => {
            if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
          });
          await syncUniqueIndexes(conn, c.name, c.model, kind);
        } catch (err) {
          problems.push(`${c.name}: ${err instanceof AppError ? err.message : 'could not be prepared'}`);
        }
      }
      return problems;
    },

    async updateRls(projectId, name, body) {
      const update = rlsUpdateSchema.safeParse(body ?? {});
      if (!update.success) throw badRequest(`Invalid RLS config: ${update.error.issues[0]?.message ?? 'bad input'}`);
      const project = await load(projectId);
      const current = findCollection(project, name);
      const rls: RlsConfig = mergeRls(name, current.model, current.rls, update.data);
      const next: CollectionConfig = { ...toPlain(current), rls, version: (current.version ?? 1) + 1, updatedAt: new Date() };
      await save(
        project,
        project.collections.map((c) => (c.name === name ? next : toPlain(c))),
        'rls',
      );
      return next;
    },
  };
}
