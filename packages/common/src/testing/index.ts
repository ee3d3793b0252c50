import { createHash, randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { type RedisClient, type RedisConnection, type RedisConnectionConfig, createRedisConnection } from '../cache/index.js';
import type { BaseConfig } from '../config/index.js';
import { type PlatformDb, createPlatformDb } from '../db/index.js';
import { type Logger, createLogger } from '../logger/index.js';

export {
  createTestProject,
  createTestUser,
  signTestUserToken,
  type TestCollectionInput,
  type TestProject,
  type TestProjectOptions,
} from './projects.js';
export {
  startSmtpSink,
  type MailMatch,
  type MailWaitOptions,
  type SinkMessage,
  type SmtpRefusal,
  type SmtpSink,
  type SmtpSinkOptions,
} from './smtp-sink.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export { TEST_BARRIER_REASON, watchProjectChanges, type ProjectChangeWatch } from './project-changes.js';
export {
  startRedisCluster,
  startRedisSentinel,
  type RedisClusterOptions,
  type RedisSentinelOptions,
  type TestRedisCluster,
  type TestRedisSentinel,
  type TestRedisServer,
} from './redis-topologies.js';

/** Services provided by the test global setup (same provisioning code as `pnpm dev`). */
export interface TestServices {
  /** Base URI of the MongoDB-compatible server, without a database name. */
  mongoUri: string;
  /**
   * One-node Redis URL, or null: in a cluster run (`URBACKEND_TEST_REDIS=cluster`) and when the
   * run has no Redis (never under CI=true). Use `testRedisConfig()` / `testRedisEnv()` to reach
   * the run's Redis whatever its deployment.
   */
  redisUrl: string | null;
  /** In a cluster run: the `REDIS_CLUSTER_NODES` value (`host:port,...` of every primary); else null. */
  redisClusterNodes: string | null;
  /** `single`, `cluster`, or null when the run has no Redis. */
  redisMode: 'single' | 'cluster' | null;
}

/** Reads the services the global setup exported; throws a clear message when run outside it. */
export function testServices(): TestServices {
  const mongoUri = process.env.URBACKEND_TEST_MONGODB_URI;
  if (!mongoUri) throw new Error('URBACKEND_TEST_MONGODB_URI is not set: run tests with `pnpm test` (vitest global setup).');
  const redisClusterNodes = process.env.URBACKEND_TEST_REDIS_CLUSTER_NODES || null;
  const redisUrl = redisClusterNodes ? null : process.env.URBACKEND_TEST_REDIS_URL || null;
  return { mongoUri, redisUrl, redisClusterNodes, redisMode: redisClusterNodes ? 'cluster' : redisUrl ? 'single' : null };
}

/** Where the run's Redis is, in the shape of `BaseConfig.redis` / `createRedisConnection` / `createJobQueue({ redis })`. */
export type TestRedisConfig = Pick<RedisConnectionConfig, 'url' | 'cluster'>;

/**
 * The Redis part of a config for this run: `{ url }` against one node (`pnpm test`), `{ url: null,
 * cluster: { nodes } }` against the run's Redis Cluster (`pnpm test:cluster`), `{ url: null }`
 * without Redis. Spread it into `createRedisConnection`, `BaseConfig.redis` or a queue's `redis` option.
 */
export function testRedisConfig(): TestRedisConfig {
  const { redisUrl, redisClusterNodes } = testServices();
  return redisClusterNodes ? { url: null, cluster: { nodes: redisClusterNodes } } : { url: redisUrl };
}

/** The same for a spawned process's environment: `{ REDIS_URL }`, `{ REDIS_CLUSTER_NODES }` or `{}`. */
export function testRedisEnv(): { REDIS_URL?: string; REDIS_CLUSTER_NODES?: string } {
  const { redisUrl, redisClusterNodes } = testServices();
  if (redisClusterNodes) return { REDIS_CLUSTER_NODES: redisClusterNodes };
  return redisUrl ? { REDIS_URL: redisUrl } : {};
}

/**
 * Deletes every key starting with `prefix` (the full key, as stored) through `client`: on one node,
 * or on EVERY primary of a Redis Cluster (each primary is scanned, since SCAN sees one node's keys,
 * and each key is deleted on its own, since a multi-key DEL must stay in one slot). The client's
 * own `keyPrefix`, when it has one, must start `prefix` (it is stripped for the DEL, which adds it).
 * Resolves with the number of keys deleted.
 */
export async function deleteRedisKeys(client: RedisClient, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  // Cluster node connections carry no keyPrefix (the Cluster object applies it): keys are used as stored.
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  if (client instanceof Cluster && nodes.length === 0)
    throw new Error('deleteRedisKeys: the cluster client knows no primary yet');
  let deleted = 0;
  for (const node of nodes) {
    const applied = node.options.keyPrefix ?? '';
    if (!prefix.startsWith(applied))
      throw new Error(`deleteRedisKeys: "${prefix}" is outside the client's keyPrefix "${applied}"`);
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length) {
        const pipeline = node.pipeline();
        for (const key of keys) pipeline.del(key.slice(applied.length));
        for (const [err, count] of (await pipeline.exec()) ?? []) {
          if (err) throw err;
          deleted += Number(count);
        }
      }
    } while (cursor !== '0');
  }
  return deleted;
}

/** A unique, valid database name / key prefix for one test file: `t_<label>_<random>`. */
export function uniqueTestName(label: string): string {
  const clean = label.replace(/[^A-Za-z0-9]/g, '').slice(0, 20) || 'x';
  return `t_${clean}_${randomBytes(4).toString('hex')}`;
}

/** Puts a database name into a MongoDB URI (replacing any path). */
export function withDatabase(uri: string, dbName: string): string {
  const url = new URL(uri);
  url.pathname = `/${dbName}`;
  return url.toString();
}

export interface TestPlatform {
  db: PlatformDb;
  cache: RedisConnection;
  /** Platform database name of this file. */
  dbName: string;
  /** Redis key prefix of this file (ends with `:`). */
  redisPrefix: string;
  /** Tenant database prefix of this file (tenant dbs are `<prefix><projectId>`). */
  tenantDbPrefix: string;
  mongoUri: string;
  logger: Logger;
  /** Drops this file's databases and Redis keys, then closes the connections. */
  cleanup(): Promise<void>;
}

/**
 * A connected platform db + cache for one test file: its own database name, tenant database
 * prefix and Redis key prefix, so files run in parallel and nothing truncates shared state.
 */
export async function createTestPlatform(label: string): Promise<TestPlatform> {
  const services = testServices();
  const name = uniqueTestName(label);
  const logger = createLogger({ name: `test-${label}`, level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const mongoUri = withDatabase(services.mongoUri, name);
  const tenantDbPrefix = `${name}_ub_`;
  const db = createPlatformDb({ uri: mongoUri, timeoutMs: 5000, poolSize: 5, tenantDbPrefix, logger });
  await db.connect();
  const redisPrefix = `${name}:`;
  const cache = createRedisConnection({ ...testRedisConfig(), commandTimeoutMs: 1000, keyPrefix: redisPrefix, logger });
  await cache.waitUntilReady(3000);
  return {
    db,
    cache,
    dbName: name,
    redisPrefix,
    tenantDbPrefix,
    mongoUri,
    logger,
    async cleanup() {
      try {
        const admin = db.connection.db?.admin();
        const list = admin ? await admin.listDatabases({ nameOnly: true }) : { databases: [] };
        for (const { name: dbName } of list.databases) {
          if (dbName === name || dbName.startsWith(tenantDbPrefix)) await db.connection.useDb(dbName).dropDatabase();
        }
        // Every primary of a cluster run; BullMQ queues of the file (`<prefix>{bull}`) included.
        if (cache.client) await deleteRedisKeys(cache.client, redisPrefix);
      } finally {
        await Promise.allSettled([db.close(), cache.close()]);
      }
    },
  };
}

/**
 * A base config for app tests, pointing at the file's test platform (apps add their own fields).
 * `redis` names no server on purpose: app tests pass the platform's cache (`createTestPlatform`,
 * built with `testRedisConfig()`, so on the run's single Redis or Cluster) as an override, and
 * without a Redis here their webhook and mail queues run in-process. A test that wants the
 * queues (or a cache it builds from the config) on the run's Redis spreads `testRedisConfig()`
 * into `redis`.
 */
export function testBaseConfig(platform: Pick<TestPlatform, 'mongoUri'>): BaseConfig {
  return {
    env: 'test',
    isProduction: false,
    logLevel: 'silent',
    mongodb: { uri: platform.mongoUri, timeoutMs: 3000, poolSize: 5 },
    redis: { url: null, commandTimeoutMs: 500 },
    http: { bodyLimit: '1mb', trustProxy: false, dashboardOrigins: ['http://localhost:5173'] },
    security: {
      jwtSecret: 'test-jwt-secret-that-is-long-enough-0123456789',
      // One key per test platform, like one ENCRYPTION_KEY shared by both apps of an install:
      // the public API reads what the dashboard encrypted and accepts the API keys it issued.
      encryptionKey: createHash('sha256').update(`test-encryption-key:${platform.mongoUri}`).digest('hex'),
      previousEncryptionKeys: [],
      allowPrivateTargets: true,
    },
    urls: { publicApi: 'http://localhost:1235', dashboard: 'http://localhost:5173' },
    mail: { smtpUrl: null, from: 'urBackend <no-reply@test.local>' },
    rateLimits: { authIpPer15Min: 100, authAccountPer15Min: 10 },
    shutdownGraceMs: 1000,
  };
}
export { Inbox, openSse, type SseClient, type SseEvent } from './sse-client.js';
