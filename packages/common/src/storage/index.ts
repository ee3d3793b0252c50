export * from './types.js';
export * from './keys.js';
export {
  createLocalDriver,
  LOCAL_FILES_PATH,
  LOCAL_UPLOAD_PATH,
  type LocalDriverOptions,
  type LocalStorageDriver,
} from './local-driver.js';
export { createS3Driver, type S3DriverOptions } from './s3-driver.js';
export { createSupabaseDriver, type SupabaseDriverOptions } from './supabase-driver.js';
export { byodStorageConfigSchema, parseByodStorageConfig, type ByodStorageConfig } from './byod-config.js';
export {
  createPlatformDriver,
  createStorageManager,
  type ProjectStorage,
  type ProjectStorageRef,
  type StorageConfig,
  type StorageManager,
  type StorageManagerOptions,
} from './manager.js';
export {
  CONFIRM_SIZE_TOLERANCE,
  createStorageService,
  describeBytes,
  storageActorOf,
  type StorageActor,
  type StorageService,
  type StorageServiceOptions,
  type UploadedFile,
  uploadTooLarge,
} from './service.js';
export { defaultStorageAppConfig, mapStorageEnv, storageEnvShape, type StorageAppConfig } from './config.js';
export { createProjectStorage, type ProjectStorageInput } from './platform-storage.js';
