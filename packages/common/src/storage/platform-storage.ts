import type { SecretBox } from '../crypto/index.js';
import type { Logger } from '../logger/index.js';
import type { PlatformModels } from '../models/index.js';
import type { UsageMeter } from '../usage/index.js';
import type { StorageAppConfig } from './config.js';
import { type StorageManager, createStorageManager } from './manager.js';
import { type StorageService, createStorageService } from './service.js';

export interface ProjectStorageInput {
  config: StorageAppConfig;
  models: Pick<PlatformModels, 'Project' | 'StoredFile' | 'PendingUpload'>;
  meter: UsageMeter;
  secretBox: SecretBox;
  logger: Logger;
}

/**
 * The storage stack both APIs use: the manager (platform or BYOD driver per project) and the
 * file service, charging the usage meter against the scope's `limits.storageBytes`.
 * The caller closes `manager`.
 */
export function createProjectStorage(input: ProjectStorageInput): { manager: StorageManager; service: StorageService } {
  const { config, models, meter, secretBox, logger } = input;
  const manager = createStorageManager({ config, projects: models.Project, secretBox, logger });
  const service = createStorageService({
    manager,
    files: models.StoredFile,
    pending: models.PendingUpload,
    meter,
    logger,
    uploadLimitBytes: config.uploadLimitBytes,
    presignExpiresSeconds: config.presignExpiresSeconds,
  });
  return { manager, service };
}
