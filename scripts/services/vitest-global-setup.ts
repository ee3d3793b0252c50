/**
 * Vitest global setup: provides MongoDB-compatible server and Redis for the whole run with the
 * same code `pnpm dev` uses (scripts/services). Each test file then takes its own database and
 * Redis key prefix (`@urbackend/common/testing`). Under CI=true a missing Redis is an error.
 *
 * `URBACKEND_TEST_REDIS=cluster` (`pnpm test:cluster`): the run's Redis is a local 3-primary Redis
 * Cluster started here from `redis-server` / `redis-cli` on PATH (an error when they are missing),
 * exported as `URBACKEND_TEST_REDIS_CLUSTER_NODES` instead of `URBACKEND_TEST_REDIS_URL`; tests
 * reach it through `testRedisConfig()` / `testRedisEnv()`. Unset or `single`: one Redis node.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedisCluster } from '../../packages/common/src/testing/redis-topologies.js';
import { ensureMongo } from './mongo.js';
import { ensureRedis } from './redis.js';
import { say } from './util.js';

async function provideRedis(dataDir: string): Promise<{ stop(): Promise<void> }> {
  const topology = process.env.URBACKEND_TEST_REDIS || 'single';
  if (topology === 'cluster') {
    const cluster = await startRedisCluster();
    say(`started a Redis Cluster of 3 primaries: ${cluster.nodeList}`);
    process.env.URBACKEND_TEST_REDIS_CLUSTER_NODES = cluster.nodeList;
    process.env.URBACKEND_TEST_REDIS_URL = '';
    return cluster;
  }
  if (topology !== 'single') throw new Error(`URBACKEND_TEST_REDIS must be "single" or "cluster", not "${topology}"`);
  const redis = await ensureRedis({ dataDir, requireReal: process.env.CI === 'true' });
  process.env.URBACKEND_TEST_REDIS_URL = redis.url ?? '';
  process.env.URBACKEND_TEST_REDIS_CLUSTER_NODES = '';
  return redis;
}

export default async function setup(): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'urbackend-test-'));
  const mongo = await ensureMongo({ dataDir });
  const redis = await provideRedis(path.join(dataDir, 'redis')).catch(async (err: unknown) => {
    await mongo.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  process.env.URBACKEND_TEST_MONGODB_URI = mongo.uri;
  return async () => {
    await Promise.allSettled([mongo.stop(), redis.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  };
}
