export {
  createRedisConnection,
  RedisDeploymentError,
  type RedisConnection,
  type RedisConnectionOptions,
  type Redis,
  type RedisStatus,
} from './redis.js';
export {
  createRedisClient,
  describeRedis,
  hashTaggedPrefix,
  redisMode,
  type Cluster,
  type RedisClient,
  type RedisClientOptions,
  type RedisConnectionConfig,
  type RedisHost,
  type RedisMode,
} from './connection.js';
export {
  projectChannel,
  publishProjectChanged,
  subscribeProjectChanged,
  type ProjectChangedEvent,
} from './invalidation.js';
export { defineRedisScript, type RedisScript } from './scripts.js';
