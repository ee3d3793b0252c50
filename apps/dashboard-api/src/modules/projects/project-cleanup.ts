import { publishProjectChanged } from '@urbackend/common/cache';
import type { Cache } from '@urbackend/common/cache';
import type { PlatformDb } from '@urbackend/common/db';
import type { Logger } from '@urbackend/common/logger';
import { type PlatformModels, type Project, requestLogModel } from '@urbackend/common/models';
import type { TenantDatabases } from '@urbackend/common/tenant';
import type { Types } from 'mongoose';

/** A project being deleted, as cleanup hooks receive it (already removed from the platform DB). */
export type DeletedProject = Project & { _id: Types.ObjectId };

/** Extra cleanup for a deleted project (files in storage, queued jobs, ...). Errors are logged, not thrown. */
export type ProjectCleanupHook = (project: DeletedProject) => Promise<void>;

export interface ProjectCleanupDeps {
  models: PlatformModels;
  db: PlatformDb;
  cache: Cache;
  tenants: TenantDatabases;
  logger: Logger;
  /** Registered by other modules (storage, webhooks) in deps.ts. */
  hooks: ProjectCleanupHook[];
}

/** Platform collections holding per-project rows, deleted with the project. */
const PER_PROJECT_MODELS = [
  'StoredFile',
  'Webhook',
  'WebhookDelivery',
  'MailTemplate',
  'MailDelivery',
  'UserSession',
  'UserOtp',
  'RequestLog',
  'ApiLog',
];

/**
 * Deletes a project and everything it owns: the project document first (keys stop working,
 * every process is told), then its data (internal tenant database, or the collections it
 * declared on a BYOD database), per-project platform rows, and whatever the hooks remove.
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
      const conn = await deps.tenants.forProject({ _id: projectId, resources: project.resources } as never).connection();
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
  for (const hook of deps.hooks) await attempt('hook', () => hook(project));
}
