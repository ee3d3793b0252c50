import type { Connection, Model } from 'mongoose';
import type { PlatformDb, ServerKind } from '../db/index.js';
import type { ExternalResource } from '../models/index.js';
import type { ByodConnections } from './byod-connections.js';
import type { ModelRegistry, ModelSource, TenantDoc } from './model-registry.js';

export { createByodConnections, type ByodConnections, type ByodOptions } from './byod-connections.js';
export { createModelRegistry, type ModelRegistry, type ModelSource, type TenantDoc } from './model-registry.js';

/** A project's data access, bound to one project. */
export interface TenantDb {
  readonly projectId: string;
  readonly isExternal: boolean;
  /** The project's connection: `ub_<projectId>` on the platform pool, or its BYOD connection (503 when unreachable). */
  connection(): Promise<Connection>;
  /** The compiled model of one of the project's collections (see `ModelRegistry.modelFor`). */
  model(collection: ModelSource): Promise<Model<TenantDoc>>;
  /**
   * The kind of server behind `connection()` (unique indexes differ: FerretDB has no partial
   * indexes). Internal projects share the platform server's kind; a BYOD server is asked once
   * per connection with `buildInfo` and remembered. `unknown` when it cannot be asked.
   */
  serverKind(): Promise<ServerKind>;
}

/** What a tenant handle needs to know about a project: its id and where its data lives. */
export interface TenantProject {
  _id: string | { toHexString(): string };
  resources: { db: Pick<ExternalResource, 'isExternal' | 'config'> };
}

/** Hands out `TenantDb`s: internal projects share the platform pool, BYOD projects use `ByodConnections`. */
export interface TenantDatabases {
  /** A handle for `project` (cheap: connects lazily on first use, memoised per handle). */
  forProject(project: TenantProject): TenantDb;
  readonly registry: ModelRegistry;
  readonly byod: ByodConnections;
}

async function askServerKind(conn: Connection): Promise<ServerKind> {
  const info = (await conn.db?.admin().command({ buildInfo: 1 })) as Record<string, unknown> | undefined;
  return info && 'ferretdbVersion' in info ? 'ferretdb' : 'mongodb';
}

/** Creates the tenant database access. `byod` is owned by the caller (close it at shutdown). */
export function createTenantDatabases(db: PlatformDb, byod: ByodConnections, registry: ModelRegistry): TenantDatabases {
  const byodKinds = new WeakMap<Connection, ServerKind>();
  return {
    registry,
    byod,
    forProject(project) {
      const projectId = typeof project._id === 'string' ? project._id : project._id.toHexString();
      const external = project.resources.db.isExternal && Boolean(project.resources.db.config);
      let conn: Promise<Connection> | null = null;
      const connection = () => {
        conn ??= external ? byod.get(projectId, project.resources.db.config as string) : Promise.resolve(db.tenantDb(projectId));
        conn.catch(() => {
          conn = null;
        });
        return conn;
      };
      return {
        projectId,
        isExternal: external,
        connection,
        async model(collection) {
          return registry.modelFor(await connection(), collection);
        },
        async serverKind() {
          if (!external) return db.serverKind();
          const conn = await connection();
          const known = byodKinds.get(conn);
          if (known) return known;
          try {
            const kind = await askServerKind(conn);
            byodKinds.set(conn, kind);
            return kind;
          } catch {
            return 'unknown';
          }
        },
      };
    },
  };
}

export { ObjectId, isObjectIdHex, objectIdSchema, parseObjectId, toObjectId } from './object-id.js';
