export {
  createApiKeyResolver,
  roleOfKey,
  type ApiKeyResolver,
  type ApiKeyResolverOptions,
  type KeyRole,
  type ResolvedKey,
} from './api-key-cache.js';
export { isOriginAllowed, requestOrigin } from './origin.js';
