import { type Connection, type Model, Schema } from 'mongoose';

/** The parts of a collection config a model depends on. */
export interface ModelSource {
  name: string;
  version: number;
}

/** A loose document type for tenant data (schemas are developer-defined). */
export type TenantDoc = Record<string, unknown>;

/** Compiled tenant models, cached per (connection, collection, version). */
export interface ModelRegistry {
  /**
   * The model of `collection` on `connection`. Compiled once per (connection, name, version);
   * a newer version replaces the old model. Physical collection name = `collection.name`
   * exactly (no pluralising). Options: `strict:false` (unknown fields kept), timestamps, and
   * `password` never selected unless asked for with `+password`.
   */
  modelFor(connection: Connection, collection: ModelSource): Model<TenantDoc>;
}

function buildSchema(name: string): Schema {
  // Values are validated and converted (dates, ObjectIds) before they reach mongoose, so the
  // schema only carries what mongoose itself must enforce.
  return new Schema(
    { password: { type: String, select: false } },
    { strict: false, strictQuery: false, timestamps: true, collection: name, autoIndex: false, autoCreate: false },
  );
}

/** Creates an empty registry (one per process, built in deps). */
export function createModelRegistry(): ModelRegistry {
  const byConnection = new WeakMap<Connection, Map<string, { version: number; model: Model<TenantDoc> }>>();
  return {
    modelFor(connection, collection) {
      let models = byConnection.get(connection);
      if (!models) {
        models = new Map();
        byConnection.set(connection, models);
      }
      const hit = models.get(collection.name);
      if (hit && hit.version === collection.version) return hit.model;
      if (connection.models[collection.name]) connection.deleteModel(collection.name);
      const model = connection.model<TenantDoc>(collection.name, buildSchema(collection.name), collection.name);
      models.set(collection.name, { version: collection.version, model });
      return model;
    },
  };
}
