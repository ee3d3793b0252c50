import type { CollectionConfig, Project } from '@urbackend/common/models';
import type { PlanLimits } from '@urbackend/common/plans';
import type { Types } from 'mongoose';
import type { DashboardCollection, DashboardProject } from '../../middleware/project-access.js';

type ProjectLike = Project & { _id: Types.ObjectId };

/** A collection as the dashboard shows it. */
export function collectionView(c: CollectionConfig | DashboardCollection) {
  return {
    _id: c._id,
    name: c.name,
    model: c.model,
    rls: c.rls,
    version: c.version ?? 1,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/**
 * The project as the dashboard may see it: no key hashes, no JWT secret, no encrypted config;
 * OAuth providers and BYOD only say whether a secret is set.
 */
export function projectView(p: DashboardProject, limits: PlanLimits) {
  const provider = (x: Project['authProviders']['github'] | undefined) => ({
    enabled: Boolean(x?.enabled),
    clientId: x?.clientId ?? '',
    hasClientSecret: Boolean(x?.clientSecret),
  });
  return {
    _id: p._id,
    name: p.name,
    description: p.description ?? '',
    siteUrl: p.siteUrl ?? '',
    owner: p.owner._id,
    isAuthEnabled: Boolean(p.isAuthEnabled),
    allowedDomains: p.allowedDomains ?? ['*'],
    allowPublishableUploads: Boolean(p.allowPublishableUploads),
    authProviders: { github: provider(p.authProviders?.github), google: provider(p.authProviders?.google) },
    collections: (p.collections ?? []).map(collectionView),
    resources: {
      db: { isExternal: Boolean(p.resources?.db?.isExternal) },
      storage: { isExternal: Boolean(p.resources?.storage?.isExternal), provider: p.resources?.storage?.provider ?? null },
    },
    storageUsed: p.storageUsed ?? 0,
    storageLimit: limits.storageBytes,
    databaseUsed: p.databaseUsed ?? 0,
    databaseLimit: limits.mongoBytes,
    customLimits: p.customLimits,
    configVersion: p.configVersion ?? 1,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** One row of `GET /api/projects` (reference §6.2 shape plus `configVersion`). */
export function projectListItem(p: DashboardProject, limits: PlanLimits, health: 'healthy' | 'warning') {
  return {
    _id: p._id,
    name: p.name,
    description: p.description ?? '',
    databaseUsed: p.databaseUsed ?? 0,
    databaseLimit: limits.mongoBytes,
    storageUsed: p.storageUsed ?? 0,
    storageLimit: limits.storageBytes,
    updatedAt: p.updatedAt,
    createdAt: p.createdAt,
    isAuthEnabled: Boolean(p.isAuthEnabled),
    collections: (p.collections ?? []).map((c) => ({ name: c.name, version: c.version ?? 1 })),
    collectionsCount: (p.collections ?? []).length,
    health,
    metrics: {
      database: { used: p.databaseUsed ?? 0, limit: limits.mongoBytes },
      storage: { used: p.storageUsed ?? 0, limit: limits.storageBytes },
    },
  };
}
