import type { Cache } from '../cache/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { Logger } from '../logger/index.js';
import type { PlatformModels } from '../models/index.js';
import type { Plans } from '../plans/index.js';
import type { StorageAppConfig } from './config.js';
import { type StorageManager, createStorageManager } from './manager.js';
import { type StorageService, createStorageService } from './service.js';

export interface ProjectStorageInput {
  config: StorageAppConfig;
  models: Pick<PlatformModels, 'Project' | 'Developer' | 'StoredFile'>;
  plans: Plans;
  cache: Cache;
  secretBox: SecretBox;
  logger: Logger;
}

/**
 * The storage stack both APIs use: the manager (platform or BYOD driver per project) and the
 * file service whose quota comes from the owner's plan and the project's custom limits.
 * The caller closes `manager`.
 */
export function createProjectStorage(input: ProjectStorageInput): { manager: StorageManager; service: StorageService } {
  const { config, models, plans, cache, secretBox, logger } = input;
  const manager = createStorageManager({ config, projects: models.Project, secretBox, logger });
  const service = createStorageService({
    manager,
    projects: models.Project,
    files: models.StoredFile,
    cache,
    logger,
    uploadLimitBytes: config.uploadLimitBytes,
    presignExpiresSeconds: config.presignExpiresSeconds,
    async quotaFor(projectId) {
      const project = await models.Project.findById(projectId).select({ owner: 1, customLimits: 1 }).lean();
      const owner = project ? await models.Developer.findById(project.owner).select({ plan: 1, isAdmin: 1 }).lean() : null;
      return plans.limitsFor(owner ?? {}, project?.customLimits).storageBytes;
    },
  });
  return { manager, service };
}
