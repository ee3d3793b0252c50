import { publishProjectChanged } from '@urbackend/common/cache';
import { backupModel } from '@urbackend/common/lifecycle';
import type { Logger } from '@urbackend/common/logger';
import { type Project, requestLogModel } from '@urbackend/common/models';
import type { Platform } from '@urbackend/common/platform';
import type { Types } from 'mongoose';

/** A project being deleted (lean platform document). */
export type DeletedProject = Project & { _id: Types.ObjectId };

export type ProjectCleanupDeps = Pick<Platform, 'models' | 'db' | 'cache' | 'tenants' | 'storage' | 'meter'> & { logger: Logger };

/** Platform collections holding per-project rows, deleted with the project. */
const PER_PROJECT_MODELS = [
  'StoredFile',
  'PendingUpload',
  'Webhook',
  'WebhookDelivery',
  'WebhookOutbox',
  'MailTemplate',
  'MailDelivery',
  'UserSession',
  'UserOtp',
  'RequestLog',
  'ApiLog',
  'ConfigLog',
];

/**
 * Deletes a project and everything it owns: the project document first (keys stop working,
 * every process is told), then its data (internal tenant database, or the collections it
 * declared on a BYOD database), per-project platform rows, and its files in platform storage
 * (a BYOD bucket belongs to the developer and is left alone).
 */
export async function deleteProjectEverywhere(deps: ProjectCleanupDeps, project: DeletedProject): Promise<void> {
  const projectId = String(project._id);
  await deps.models.Project.deleteOne({ _id: project._id });
  await publishProjectChanged(
    deps.cache,
    { projectId, keyHashes: [project.publishableKeyHash, project.secretKeyHash], reason: 'deleted' },
    deps.logger,
  );
  const failures: unknown[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      failures.push(err);
      deps.logger.error({ err, projectId, what }, 'project cleanup step failed');
    }
  };
  if (project.resources?.db?.isExternal && project.resources.db.config) {
    await attempt('byod collections', async () => {
      const conn = await deps.tenants.forProject(project).connection();
      for (const c of project.collections ?? []) await conn.dropCollection(c.name).catch(() => undefined);
      await deps.tenants.byod.evict(projectId);
    });
  }
  await attempt('tenant database', () => deps.db.tenantDb(projectId).dropDatabase());
  const models = deps.models as unknown as Record<string, { deleteMany(f: object): Promise<unknown> } | undefined>;
  for (const name of PER_PROJECT_MODELS) {
    const model = models[name];
    if (model) await attempt(name, () => model.deleteMany({ projectId: { $in: [project._id, projectId] } }));
  }
  await attempt('request logs', () => requestLogModel(deps.db.connection).deleteMany({ projectId: project._id }));
  await attempt('backup records', () =>
    backupModel(deps.db.connection).deleteMany({ projectId: { $in: [project._id, projectId] } }),
  );
  await attempt('usage counters', () => deps.meter.forget(projectId));
  deps.storage.manager.invalidate(projectId);
  if (!project.resources?.storage?.isExternal) {
    await attempt('platform storage', () => deps.storage.manager.platform.deletePrefix(`${projectId}/`));
    await attempt('backups', () => deps.storage.manager.platform.deletePrefix(`_backups/${projectId}/`));
  }
}
