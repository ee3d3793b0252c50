import { randomBytes } from 'node:crypto';
import { type Cache, createCache } from '../cache/index.js';
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
  /** Redis URL, or null when the run has no Redis (never under CI=true). */
  redisUrl: string | null;
}

/** Reads the services the global setup exported; throws a clear message when run outside it. */
export function testServices(): TestServices {
  const mongoUri = process.env.URBACKEND_TEST_MONGODB_URI;
  if (!mongoUri) throw new Error('URBACKEND_TEST_MONGODB_URI is not set: run tests with `pnpm test` (vitest global setup).');
  return { mongoUri, redisUrl: process.env.URBACKEND_TEST_REDIS_URL || null };
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
  cache: Cache;
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
  const cache = createCache({ url: services.redisUrl, commandTimeoutMs: 1000, keyPrefix: redisPrefix, logger });
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
        if (cache.client) {
          // keyPrefix is not applied to SCAN patterns, so match on the full prefix.
          let cursor = '0';
          do {
            const [next, keys] = await cache.client.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
            cursor = next;
            if (keys.length) await cache.client.del(...keys.map((k) => k.slice(redisPrefix.length)));
          } while (cursor !== '0');
        }
      } finally {
        await Promise.allSettled([db.close(), cache.close()]);
      }
    },
  };
}

/** A base config for app tests, pointing at the file's test platform (apps add their own fields). */
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
      encryptionKey: randomBytes(32).toString('hex'),
      previousEncryptionKeys: [],
      allowPrivateTargets: true,
    },
    urls: { publicApi: 'http://localhost:1235', dashboard: 'http://localhost:5173' },
    mail: { smtpUrl: null, from: 'urBackend <no-reply@test.local>' },
    rateLimits: { authIpPer15Min: 100, authAccountPer15Min: 10 },
    shutdownGraceMs: 1000,
  };
}
