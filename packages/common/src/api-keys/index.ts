export {
  createApiKeyResolver,
  roleOfKey,
  type ApiKeyResolver,
  type ApiKeyResolverOptions,
  type KeyRole,
  type ResolvedKey,
} from './api-key-cache.js';
export { isOriginAllowed, requestOrigin } from './origin.js';
export {
  findCollection,
  SNAPSHOT_PROJECTION,
  toSnapshot,
  type CollectionSnapshot,
  type ProjectSnapshot,
} from './snapshot.js';
