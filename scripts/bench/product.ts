/**
 * What every public-API benchmark starts the same way: the embedded MongoDB-compatible server and
 * Redis (or `MONGODB_URI` / `REDIS_URL`), the real public-api dependencies with quotas lifted, one
 * project with the given collections, and `listen` for the servers under test. `close()` drops the
 * run's databases and stops everything it started.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type express from 'express';
import { loadPublicConfig } from '../../apps/public-api/src/config.js';
import { type AppDeps, createDeps } from '../../apps/public-api/src/deps.js';
import { createLogger } from '../../packages/common/src/logger/index.js';
import { type TestCollectionInput, type TestProject, createTestProject } from '../../packages/common/src/testing/projects.js';
import { ensureMongo } from '../services/mongo.js';
import { ensureRedis } from '../services/redis.js';

export interface BenchProduct {
  deps: AppDeps;
  /** The public-api config of the run (to build more processes' dependencies on the same databases). */
  config: ReturnType<typeof loadPublicConfig>;
  project: TestProject;
  /** The embedded (or given) MongoDB URI, without a database. */
  mongoUri: string;
  redisUrl: string;
  /** The Redis key prefix and platform database name of this run (to count its commands). */
  prefix: string;
  platformDbName: string;
  close(): Promise<void>;
}

/** Listens on a free local port. */
export async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startBenchProduct(options: {
  label: string;
  collections: TestCollectionInput[];
  planLimits: Record<string, unknown>;
}): Promise<BenchProduct> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ub-bench-'));
  const quiet = () => undefined;
  const mongo = await ensureMongo({ dataDir: dir, log: quiet });
  const redis = await ensureRedis({ dataDir: dir, requireReal: true, log: quiet });
  const platformDbName = `${options.label}_${process.pid}`;
  const prefix = `${options.label}${process.pid}:`;
  const uri = new URL(mongo.uri);
  uri.pathname = `/${platformDbName}`;
  uri.searchParams.set('monitorCommands', 'true'); // command monitoring, to count what a request sends
  const config = loadPublicConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: uri.toString(),
    REDIS_URL: redis.url ?? undefined,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    ENCRYPTION_KEY: 'b'.repeat(64),
    RATE_LIMIT_PUBLIC_IP_PER_MIN: '0',
    PLAN_LIMITS: JSON.stringify({ free: options.planLimits }),
  });
  const deps = createDeps(config, createLogger({ name: 'bench', level: 'silent' }));
  await deps.db.connect();
  const project = await createTestProject(deps.db, deps.secretBox, { collections: options.collections });
  return {
    deps,
    config,
    project,
    mongoUri: mongo.uri,
    redisUrl: redis.url ?? '',
    prefix,
    platformDbName,
    async close() {
      await deps.db.connection
        .useDb(platformDbName)
        .dropDatabase()
        .catch(() => undefined);
      await deps.db
        .tenantDb(project.projectId)
        .dropDatabase()
        .catch(() => undefined);
      await deps.close();
      await Promise.allSettled([mongo.stop(), redis.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
