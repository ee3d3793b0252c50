import type { Connection, Model } from 'mongoose';
import type { ProjectSnapshot } from '../api-keys/index.js';
import type { PlatformDb } from '../db/index.js';
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
}

/** Hands out `TenantDb`s: internal projects share the platform pool, BYOD projects use `ByodConnections`. */
export interface TenantDatabases {
  /** A handle for `project` (cheap: connects lazily on first use, memoised per handle). */
  forProject(project: Pick<ProjectSnapshot, '_id' | 'resources'>): TenantDb;
  readonly registry: ModelRegistry;
  readonly byod: ByodConnections;
}

/** Creates the tenant database access. `byod` is owned by the caller (close it at shutdown). */
export function createTenantDatabases(db: PlatformDb, byod: ByodConnections, registry: ModelRegistry): TenantDatabases {
  return {
    registry,
    byod,
    forProject(project) {
      const projectId = project._id;
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
      };
    },
  };
}

export { ObjectId, isObjectIdHex, toObjectId } from './object-id.js';
