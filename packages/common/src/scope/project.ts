import type { CollectionConfig, ExternalResource, OAuthProviderConfig, Project } from '../models/index.js';

/** A collection of a scoped project: ids as strings (same shape from the database and from Redis). */
export type ScopedCollection = Omit<CollectionConfig, '_id' | 'createdAt' | 'updatedAt'> & { _id: string };

/**
 * The platform project as a request's scope holds it (`ProjectScope.project`), built from the
 * platform `projects` document by `toScopedProject`: by the API-key resolver (and cached per key)
 * and by the dashboard's project-access middleware. JSON-safe: ids are strings and dates ISO
 * strings, so a copy from Redis and one from MongoDB are identical. Secrets stay encrypted
 * (`jwtSecret`, `resources.*.config`, OAuth `clientSecret`, `mail.smtpUrl`); only the key hashes
 * are present, never raw keys. `databaseUsed`/`storageUsed` are deliberately absent: quotas are
 * read and updated atomically in the platform database, never from a cache.
 */
export interface ScopedProject
  extends Pick<
    Project,
    | 'name'
    | 'siteUrl'
    | 'publishableKeyHash'
    | 'secretKeyHash'
    | 'jwtSecret'
    | 'isAuthEnabled'
    | 'allowedDomains'
    | 'allowPublishableUploads'
    | 'authProviders'
    | 'resources'
    | 'mail'
    | 'customLimits'
    | 'configVersion'
    | 'lifecycle'
  > {
  _id: string;
  /** The owner's state; `disabled`: the platform admin disabled the account (the public API refuses its keys). */
  owner: { _id: string; isVerified: boolean; isAdmin: boolean; plan: string; disabled: boolean };
  collections: ScopedCollection[];
}

/** The project fields a scoped project is built from (never `databaseUsed`/`storageUsed`). */
export const SCOPED_PROJECT_FIELDS =
  'name siteUrl owner publishableKeyHash secretKeyHash jwtSecret isAuthEnabled allowedDomains allowPublishableUploads ' +
  'authProviders collections resources mail customLimits configVersion lifecycle';

const noProvider: OAuthProviderConfig = { enabled: false, clientId: '', clientSecret: null };
const noResource: ExternalResource = { isExternal: false, config: null, provider: null };

/** Builds the scoped project from a lean platform project document and its owner. */
export function toScopedProject(
  project: Record<string, unknown>,
  owner: {
    _id: unknown;
    isVerified?: boolean;
    isAdmin?: boolean;
    plan?: string;
    /** Either the snapshot flag or the developer document's `disabledAt`. */
    disabled?: boolean;
    disabledAt?: Date | string | null;
  },
): ScopedProject {
  const p = JSON.parse(JSON.stringify(project)) as Partial<ScopedProject> & Record<string, unknown>;
  const resources = (p.resources ?? {}) as Partial<ScopedProject['resources']>;
  const providers = (p.authProviders ?? {}) as Partial<ScopedProject['authProviders']>;
  return {
    _id: String(p._id),
    name: p.name ?? '',
    siteUrl: p.siteUrl ?? '',
    owner: {
      _id: String(owner._id),
      isVerified: owner.isVerified === true,
      isAdmin: owner.isAdmin === true,
      plan: owner.plan ?? 'free',
      disabled: owner.disabled === true || (owner.disabledAt !== undefined && owner.disabledAt !== null),
    },
    publishableKeyHash: p.publishableKeyHash ?? '',
    secretKeyHash: p.secretKeyHash ?? '',
    jwtSecret: p.jwtSecret ?? '',
    isAuthEnabled: p.isAuthEnabled === true,
    allowedDomains: Array.isArray(p.allowedDomains) ? p.allowedDomains : ['*'],
    allowPublishableUploads: p.allowPublishableUploads === true,
    authProviders: { github: providers.github ?? noProvider, google: providers.google ?? noProvider },
    collections: (p.collections ?? []).map((c) => ({
      _id: String(c._id),
      name: c.name,
      model: c.model ?? [],
      rls: {
        enabled: false,
        mode: 'public-read',
        ownerField: 'userId',
        requireAuthForWrite: true,
        ...(c.rls as Partial<ScopedCollection['rls']>),
      },
      version: c.version ?? 1,
    })),
    resources: { db: resources.db ?? noResource, storage: resources.storage ?? noResource },
    mail: p.mail ?? { smtpUrl: null, from: null },
    customLimits: p.customLimits ?? { reqPerDay: null, storageBytes: null, mailPerMonth: null, maxCollections: null },
    configVersion: p.configVersion ?? 1,
    lifecycle: {
      trashRetentionDays: p.lifecycle?.trashRetentionDays ?? 30,
      trashDisabled: Array.isArray(p.lifecycle?.trashDisabled) ? p.lifecycle.trashDisabled : [],
    },
  };
}

/** Finds a collection of a scoped project by its exact name; null when absent. */
export function findCollection(project: ScopedProject, name: string): ScopedCollection | null {
  return project.collections.find((c) => c.name === name) ?? null;
}
