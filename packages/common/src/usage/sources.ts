import { isUsersCollection } from '../collections/rls.js';
import { TRASH_COLLECTION } from '../lifecycle/trash.js';
import type { PlatformModels } from '../models/index.js';
import type { TenantDatabases } from '../tenant/index.js';
import { documentBytes } from '../validation/index.js';
import type { UsageResource, UsageSource } from './meter.js';

/** The project's database usage: the quota size of every document of its declared collections and of their trash (internal databases; `users` excluded). */
function databaseSource(models: Pick<PlatformModels, 'Project'>, tenants: TenantDatabases): UsageSource {
  return async (projectId) => {
    const project = await models.Project.findById(projectId).select('collections resources').lean();
    if (!project || project.resources?.db?.isExternal) return 0;
    const conn = await tenants.forProject({ _id: projectId, resources: project.resources }).connection();
    let total = 0;
    for (const c of project.collections ?? []) {
      if (isUsersCollection(c.name)) continue;
      for await (const doc of conn.collection(c.name).find({}, { batchSize: 500 })) total += documentBytes(doc);
      // Trashed documents stay charged until purged or deleted forever (docs/data-lifecycle.md).
      const trashed = conn
        .collection(TRASH_COLLECTION)
        .find({ collection: c.name }, { projection: { bytes: 1 }, batchSize: 500 });
      for await (const e of trashed) total += typeof e.bytes === 'number' ? e.bytes : 0;
    }
    return total;
  };
}

/** The project's storage usage: its charged stored files plus the reservations of unexpired pending uploads. */
function storageSource(models: Pick<PlatformModels, 'StoredFile' | 'PendingUpload'>): UsageSource {
  return async (projectId) => {
    let total = 0;
    for await (const f of models.StoredFile.find({ projectId, charged: true }).select('size').lean().cursor()) total += f.size;
    const live = { projectId, charged: true, expiresAt: { $gt: new Date() } };
    for await (const p of models.PendingUpload.find(live).select('size').lean().cursor()) total += p.size;
    return total;
  };
}

/** The project's mail usage of a month (`YYYY-MM`): the recipients of every send not finally failed. */
export function mailUsageSource(models: Pick<PlatformModels, 'MailDelivery'>): UsageSource {
  return async (projectId, month) => {
    const start = new Date(`${month}-01T00:00:00.000Z`);
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const filter = { projectId, createdAt: { $gte: start, $lt: end }, status: { $ne: 'failed' } };
    let total = 0;
    for await (const d of models.MailDelivery.find(filter).select('to').lean().cursor()) total += d.to?.length ?? 0;
    return total;
  };
}

/** The durable truth of every metered resource, recomputed from the data. */
export function createUsageSources(
  models: Pick<PlatformModels, 'Project' | 'StoredFile' | 'PendingUpload' | 'MailDelivery'>,
  tenants: TenantDatabases,
): Record<UsageResource, UsageSource> {
  return { db: databaseSource(models, tenants), storage: storageSource(models), mail: mailUsageSource(models) };
}
