import type { Cache } from '../cache/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { Logger } from '../logger/index.js';
import type { PlatformModels } from '../models/index.js';
import type { StorageAppConfig } from './config.js';
import { type StorageManager, createStorageManager } from './manager.js';
import { type StorageService, createStorageService } from './service.js';

export interface ProjectStorageInput {
  config: StorageAppConfig;
  models: Pick<PlatformModels, 'Project' | 'StoredFile'>;
  cache: Cache;
  secretBox: SecretBox;
  logger: Logger;
}

/**
 * The storage stack both APIs use: the manager (platform or BYOD driver per project) and the
 * file service, whose quota is the scope's `limits.storageBytes`.
 * The caller closes `manager`.
 */
export function createProjectStorage(input: ProjectStorageInput): { manager: StorageManager; service: StorageService } {
  const { config, models, cache, secretBox, logger } = input;
  const manager = createStorageManager({ config, projects: models.Project, secretBox, logger });
  const service = createStorageService({
    manager,
    projects: models.Project,
    files: models.StoredFile,
    cache,
    logger,
    uploadLimitBytes: config.uploadLimitBytes,
    presignExpiresSeconds: config.presignExpiresSeconds,
  });
  return { manager, service };
}
