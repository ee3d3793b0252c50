export { createCache, type Cache, type CacheOptions, type Redis, type RedisStatus } from './redis.js';
export {
  projectChannel,
  publishProjectChanged,
  subscribeProjectChanged,
  type ProjectChangedEvent,
} from './invalidation.js';
