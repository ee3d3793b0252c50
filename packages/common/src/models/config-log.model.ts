import { type Connection, type Model, Schema, type Types } from 'mongoose';

/**
 * What a project configuration change was about (`GET /api/projects/:projectId/config-logs?category=`).
 * The original's list (addendum §G) with its `resend` replaced by `mail_settings`, plus `webhook` and `storage`.
 */
export const CONFIG_LOG_CATEGORIES = [
  'project_info',
  'api_key',
  'auth',
  'public_signup',
  'auth_providers',
  'allowed_domains',
  'byod_db',
  'byod_storage',
  'collection_schema',
  'collection_rls',
  'mail_template',
  'mail_settings',
  'webhook',
  'storage',
  'member',
] as const;

export type ConfigCategory = (typeof CONFIG_LOG_CATEGORIES)[number];

/** The mask shown instead of a secret value, before and after. */
export const MASKED = '••••••••';

/** One changed field: `from`/`to` are null when the field did not exist before/after; secrets are `MASKED`. */
export interface ConfigDiff {
  field: string;
  from: unknown;
  to: unknown;
}

/** One configuration change of a project, by a developer (addendum §G). */
export interface ConfigLog {
  projectId: Types.ObjectId;
  /** The developer who made the change (null only if it was not made by a developer). */
  changedBy: Types.ObjectId | null;
  changedByEmail: string;
  category: ConfigCategory;
  label: string;
  diff: ConfigDiff[];
  changedAt: Date;
}

const diffSchema = new Schema<ConfigDiff>(
  { field: { type: String, required: true }, from: { type: Schema.Types.Mixed }, to: { type: Schema.Types.Mixed } },
  { _id: false, minimize: false },
);

export const configLogSchema = new Schema<ConfigLog>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    changedBy: { type: Schema.Types.ObjectId, default: null },
    changedByEmail: { type: String, default: '' },
    category: { type: String, enum: CONFIG_LOG_CATEGORIES, required: true },
    label: { type: String, required: true },
    diff: { type: [diffSchema], default: [] },
    changedAt: { type: Date, required: true, default: () => new Date() },
  },
  // Retention is a periodic purge (not a TTL index) so MongoDB and FerretDB behave the same.
  { collection: 'project_config_logs', versionKey: false, minimize: false },
);
configLogSchema.index({ projectId: 1, changedAt: -1 });
configLogSchema.index({ changedAt: 1 });

export type ConfigLogModel = Model<ConfigLog>;

/** Registers (or returns) the ConfigLog model on a connection. */
export function configLogModel(connection: Connection): ConfigLogModel {
  return (connection.models.ConfigLog as ConfigLogModel | undefined) ?? connection.model<ConfigLog>('ConfigLog', configLogSchema);
}
