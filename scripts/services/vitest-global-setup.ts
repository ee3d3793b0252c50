/**
 * Vitest global setup: provides MongoDB-compatible server and Redis for the whole run with the
 * same code `pnpm dev` uses (scripts/services). Each test file then takes its own database and
 * Redis key prefix (`@urbackend/common/testing`). Under CI=true a missing Redis is an error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureMongo } from './mongo.js';
import { ensureRedis } from './redis.js';

export default async function setup(): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'urbackend-test-'));
  const mongo = await ensureMongo({ dataDir });
  const redis = await ensureRedis({ dataDir: path.join(dataDir, 'redis'), requireReal: process.env.CI === 'true' });
  process.env.URBACKEND_TEST_MONGODB_URI = mongo.uri;
  process.env.URBACKEND_TEST_REDIS_URL = redis.url ?? '';
  return async () => {
    await Promise.allSettled([mongo.stop(), redis.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  };
}
