import { type Connection, type HydratedDocument, type Model, Schema, type Types } from 'mongoose';

/** Field types of a collection schema (reference §5). */
export type FieldType = 'String' | 'Number' | 'Boolean' | 'Date' | 'Object' | 'Array' | 'Ref';

/** One field of a collection schema, as stored in `project.collections[].model`. */
export interface FieldDef {
  key: string;
  type: FieldType;
  required?: boolean;
  unique?: boolean;
  default?: unknown;
  /** Target collection (same project) for `Ref`, or for `Array` items of type `Ref`. */
  ref?: string;
  /** Item definition for `Array`: `{type, fields?, ref?}`. */
  items?: { type: Exclude<FieldType, 'Array'>; fields?: FieldDef[]; ref?: string };
  /** Sub-fields for `Object`. */
  fields?: FieldDef[];
  enum?: (string | number)[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'email' | 'url' | 'slug' | 'color';
}

export type RlsMode = 'public-read' | 'private' | 'owner-write-only';

export interface RlsConfig {
  enabled: boolean;
  mode: RlsMode;
  ownerField: string;
  requireAuthForWrite: boolean;
}

/** A collection of a project: its schema (`model`), RLS and a version that bumps on every change. */
export interface CollectionConfig {
  _id: Types.ObjectId;
  name: string;
  model: FieldDef[];
  rls: RlsConfig;
  version: number;
  createdAt?: Date;
  updatedAt?: Date;
}

export interface OAuthProviderConfig {
  enabled: boolean;
  clientId: string;
  /** Encrypted (SecretBox, AAD `project:<id>:oauth:<provider>`), or null. */
  clientSecret: string | null;
}

/** BYOD resource: `config` is an encrypted JSON string (AAD `project:<id>:byod:<db|storage>`). */
export interface ExternalResource {
  isExternal: boolean;
  config: string | null;
  /** Storage only: `supabase` or `s3`. */
  provider?: string | null;
}

/** A developer invited into a project (the owner is `project.owner`, never a member). */
export interface ProjectMember {
  user: Types.ObjectId;
  role: 'admin' | 'viewer';
  addedAt: Date;
}

export interface Project {
  name: string;
  description: string;
  siteUrl: string;
  owner: Types.ObjectId;
  /** Invited developers and their roles (teams). */
  members: ProjectMember[];
  /** Bumps on every member change: member changes are compare-and-set on it (limits hold under races). */
  membersRev: number;
  /** SHA-256 hex of the raw keys (never the keys themselves). */
  publishableKeyHash: string;
  secretKeyHash: string;
  /** Encrypted user-JWT secret (AAD `project:<id>:jwtSecret`). */
  jwtSecret: string;
  isAuthEnabled: boolean;
  allowedDomains: string[];
  allowPublishableUploads: boolean;
  authProviders: { github: OAuthProviderConfig; google: OAuthProviderConfig };
  collections: CollectionConfig[];
  resources: { db: ExternalResource; storage: ExternalResource };
  /** Optional project SMTP (encrypted URL) and sender. */
  mail: { smtpUrl: string | null; from: string | null };
  storageUsed: number;
  databaseUsed: number;
  /** Per-project overrides of plan limits; null means "use the plan". */
  customLimits: {
    reqPerDay: number | null;
    storageBytes: number | null;
    mailPerMonth: number | null;
    maxCollections: number | null;
  };
  /** Bumps on every change the public API caches (keys, collections, RLS, auth, domains, BYOD). */
  configVersion: number;
  /** Data lifecycle settings (docs/data-lifecycle.md): trash retention and collections whose deletes are permanent. */
  lifecycle: ProjectLifecycle;
  createdAt: Date;
  updatedAt: Date;
}

/** Trash settings of a project (docs/data-lifecycle.md). */
export interface ProjectLifecycle {
  /** Days a deleted document stays recoverable (default 30). */
  trashRetentionDays: number;
  /** Collections with the trash turned off: their deletes are permanent. */
  trashDisabled: string[];
}

export type ProjectDocument = HydratedDocument<Project>;

const providerSchema = new Schema<OAuthProviderConfig>(
  {
    enabled: { type: Boolean, default: false },
    clientId: { type: String, default: '' },
    clientSecret: { type: String, default: null },
  },
  { _id: false },
);

const resourceSchema = new Schema<ExternalResource>(
  {
    isExternal: { type: Boolean, default: false },
    config: { type: String, default: null },
    provider: { type: String, default: null },
  },
  { _id: false },
);

const rlsSchema = new Schema<RlsConfig>(
  {
    enabled: { type: Boolean, default: false },
    mode: { type: String, enum: ['public-read', 'private', 'owner-write-only'], default: 'public-read' },
    ownerField: { type: String, default: 'userId' },
    requireAuthForWrite: { type: Boolean, default: true },
  },
  { _id: false },
);

const collectionSchema = new Schema<CollectionConfig>(
  {
    name: { type: String, required: true },
    // Field lists are validated with zod before they are stored; Mixed keeps nesting simple.
    model: { type: [Schema.Types.Mixed], default: [] } as never,
    rls: { type: rlsSchema, default: () => ({}) },
    version: { type: Number, default: 1 },
  },
  { timestamps: true },
);

export const projectSchema = new Schema<Project>(
  {
    name: { type: String, required: true, trim: true },
    description: { type: String, default: '' },
    siteUrl: { type: String, default: '' },
    owner: { type: Schema.Types.ObjectId, required: true, index: true },
    members: {
      type: [
        new Schema<ProjectMember>(
          {
            user: { type: Schema.Types.ObjectId, required: true },
            role: { type: String, enum: ['admin', 'viewer'], required: true },
            addedAt: { type: Date, default: () => new Date() },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    membersRev: { type: Number, default: 0 },
    publishableKeyHash: { type: String, required: true, unique: true },
    secretKeyHash: { type: String, required: true, unique: true },
    jwtSecret: { type: String, required: true },
    isAuthEnabled: { type: Boolean, default: false },
    allowedDomains: { type: [String], default: ['*'] },
    allowPublishableUploads: { type: Boolean, default: false },
    authProviders: {
      github: { type: providerSchema, default: () => ({}) },
      google: { type: providerSchema, default: () => ({}) },
    },
    collections: { type: [collectionSchema], default: [] },
    resources: {
      db: { type: resourceSchema, default: () => ({}) },
      storage: { type: resourceSchema, default: () => ({}) },
    },
    mail: { smtpUrl: { type: String, default: null }, from: { type: String, default: null } },
    storageUsed: { type: Number, default: 0 },
    databaseUsed: { type: Number, default: 0 },
    customLimits: {
      reqPerDay: { type: Number, default: null },
      storageBytes: { type: Number, default: null },
      mailPerMonth: { type: Number, default: null },
      maxCollections: { type: Number, default: null },
    },
    configVersion: { type: Number, default: 1 },
    lifecycle: {
      trashRetentionDays: { type: Number, default: 30 },
      trashDisabled: { type: [String], default: [] },
    },
  },
  { timestamps: true, collection: 'projects' },
);
projectSchema.index({ 'members.user': 1 });

export type ProjectModel = Model<Project>;

/** Registers (or returns) the Project model on a connection. */
export function projectModel(connection: Connection): ProjectModel {
  return (connection.models.Project as ProjectModel | undefined) ?? connection.model<Project>('Project', projectSchema);
}
