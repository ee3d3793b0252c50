import { type RedisConnection, publishProjectChanged } from '@urbackend/common/cache';
import type { Logger } from '@urbackend/common/logger';
import type { ProjectModel } from '@urbackend/common/models';

/** Tells every API process that the owner state (plan, verification, admin flag) of these developers changed. */
export type OwnerChanged = (developerIds: unknown[], reason: string) => Promise<void>;

/**
 * A project's cached snapshot holds its owner's plan, verification and admin flag: a change to
 * any of them publishes a change of every project the developer owns, so the public API drops its
 * cached copies (within a second, across processes) instead of waiting for the cache TTL.
 */
export function createOwnerChanged(deps: { Project: ProjectModel; cache: RedisConnection; logger: Logger }): OwnerChanged {
  return async (developerIds, reason) => {
    if (!developerIds.length) return;
    const projects = await deps.Project.find({ owner: { $in: developerIds } })
      .select('publishableKeyHash secretKeyHash')
      .lean();
    for (const p of projects) {
      const keyHashes = [p.publishableKeyHash, p.secretKeyHash];
      await publishProjectChanged(deps.cache, { projectId: String(p._id), keyHashes, reason }, deps.logger);
    }
  };
}
