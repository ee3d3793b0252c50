/**
 * The system under test of `pnpm bench`: a MongoDB-compatible server (embedded, or `MONGODB_URI`),
 * a Redis of its own, one seeded project, the built public-api and dashboard-api in production
 * mode and the bare baseline, each a child process pinned to core 0 (this process, the load
 * generator, goes to core 1), plus the server counters read between runs.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { ensureMongo } from '../services/mongo.js';
import { freePort } from '../services/util.js';
import { type BenchChild, ensureBuilt, pinSelf, startChild, startOwnRedis } from './processes.js';
import { type BenchSeed, seedBench } from './seed.js';
import { parseMongoCommandMetrics, parseRedisCommandStats, redisInfoField } from './stats.js';

/** Commands that are monitoring, not work: the benchmark's own reads and the drivers' heartbeats. */
export const IGNORED_MONGO = ['serverstatus', 'hello', 'ismaster', 'ping', 'buildinfo', 'unknown', 'endsessions'];
export const IGNORED_REDIS = ['info', 'ping', 'client|setname', 'client|setinfo', 'client', 'select', 'hello'];

export interface BenchStack {
  publicApi: BenchChild;
  dashboardApi: BenchChild;
  bare: BenchChild;
  seed: BenchSeed;
  /** Whether the children run on core 0 and this process on core 1. */
  pinned: boolean;
  mongoKind: string;
  mongoPort: number;
  redisCalls(): Promise<Map<string, number>>;
  mongoCommands(): Promise<Map<string, number>>;
  /**
   * The `n` largest collections of the platform and project databases (documents each), and the
   * documents in `probe` with the time of one lookup of a missing `_id` there (on FerretDB 1.24
   * SQLite a table scan; on MongoDB an index lookup).
   */
  collectionGrowth(
    n: number,
    probe: { db: 'platform' | 'project'; collection: string },
  ): Promise<{ sizes: { name: string; docs: number }[]; probed: number; lookupMs: number; docsOf: (name: string) => number }>;
  redisConnectedClients(): Promise<number | null>;
  close(): Promise<void>;
}

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** Starts everything; `webhookUrl` adds a webhook on the `events` collection (the soak). */
export async function startBenchStack(options: { log: (line: string) => void; webhookUrl?: string }): Promise<BenchStack> {
  const { log } = options;
  await ensureBuilt(log);
  const dir = await mkdtemp(path.join(tmpdir(), 'ub-bench-'));
  await mkdir(path.join(dir, 'redis'));
  const mongo = await ensureMongo({ dataDir: dir, log: () => undefined });
  const redis = await startOwnRedis(path.join(dir, 'redis'));
  const stops: (() => Promise<void>)[] = [() => mongo.stop(), () => redis.stop()];
  const mongoUri = new URL(mongo.uri);
  const dbUri = (name: string) => {
    const u = new URL(mongo.uri);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const [publicPort, dashboardPort, barePort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    MONGODB_URI: dbUri(`benchplat_${process.pid}`),
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: 'bench:',
    JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    ENCRYPTION_KEY: 'b'.repeat(64),
    PUBLIC_API_URL: `http://127.0.0.1:${publicPort}`,
    DASHBOARD_URL: 'http://127.0.0.1:5173',
    PUBLIC_PORT: String(publicPort),
    DASHBOARD_PORT: String(dashboardPort),
    RATE_LIMIT_PUBLIC_IP_PER_MIN: '0',
    RATE_LIMIT_DASHBOARD_IP_PER_15MIN: '0',
    RATE_LIMIT_AUTH_IP_PER_15MIN: '0',
    RATE_LIMIT_AUTH_ACCOUNT_PER_15MIN: '0',
    ALLOW_PRIVATE_TARGETS: 'true',
    STORAGE_DIR: path.join(dir, 'storage'),
    PLAN_LIMITS: JSON.stringify({
      free: {
        reqPerMinute: -1,
        reqPerDay: -1,
        mongoBytes: 2_000_000_000,
        storageBytes: -1,
        authUsersLimit: -1,
        webhooksLimit: -1,
        maxCollections: -1,
      },
    }),
  };
  try {
    const seed = await seedBench({ env, bareUri: dbUri(`benchbare_${process.pid}`), webhookUrl: options.webhookUrl });
    stops.push(() => seed.drop());
    const node = process.execPath;
    const child = async (name: string, args: string[], port: number, extra: NodeJS.ProcessEnv = {}) => {
      const started = await startChild({
        name,
        command: node,
        args,
        env: { ...env, ...extra },
        port,
        core: SERVER_CORE,
        logFile: path.join(dir, `${name}.log`),
      });
      stops.push(() => started.stop());
      return started;
    };
    // BENCH_CPU_PROF=<dir>: each API writes a V8 CPU profile (.cpuprofile) there when it stops.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
    const publicApi = await child('public-api', [...prof, 'apps/public-api/dist/main.js'], publicPort);
    const dashboardApi = await child('dashboard-api', [...prof, 'apps/dashboard-api/dist/main.js'], dashboardPort);
    const bare = await child('baseline', ['--import', 'tsx', 'scripts/bench/baseline-server.ts'], barePort, {
      BARE_MONGODB_URI: dbUri(`benchbare_${process.pid}`),
      BARE_PORT: String(barePort),
    });
    const pinned = await pinSelf(LOAD_CORE);
    const counterRedis = new Redis(redis.url, { lazyConnect: false });
    const counterMongo = await mongoose.createConnection(mongo.uri).asPromise();
    stops.push(async () => {
      counterRedis.disconnect();
      await counterMongo.close();
    });
    return {
      publicApi,
      dashboardApi,
      bare,
      seed,
      pinned,
      mongoKind: mongo.kind,
      mongoPort: Number(mongoUri.port),
      redisCalls: async () => parseRedisCommandStats(await counterRedis.info('commandstats')),
      collectionGrowth: async (n, probe) => {
        const sizes: { name: string; docs: number }[] = [];
        const names = { platform: seed.databases.platform, project: seed.databases.tenant };
        for (const [label, db] of Object.entries(names)) {
          const handle = counterMongo.useDb(db, { useCache: true });
          for (const { name } of (await handle.db?.listCollections({}, { nameOnly: true }).toArray()) ?? [])
            sizes.push({ name: `${label}.${name}`, docs: await handle.collection(name).estimatedDocumentCount() });
        }
        sizes.sort((a, b) => b.docs - a.docs);
        const collection = counterMongo.useDb(names[probe.db], { useCache: true }).collection(probe.collection);
        const started = performance.now();
        await collection.findOne({ _id: new mongoose.Types.ObjectId() });
        const lookupMs = performance.now() - started;
        return {
          sizes: sizes.slice(0, n),
          probed: sizes.find((x) => x.name === `${probe.db}.${probe.collection}`)?.docs ?? 0,
          docsOf: (name: string) => sizes.find((x) => x.name === name)?.docs ?? 0,
          lookupMs,
        };
      },
      mongoCommands: async () => parseMongoCommandMetrics(await counterMongo.db?.admin().command({ serverStatus: 1 })),
      redisConnectedClients: async () => redisInfoField(await counterRedis.info('clients'), 'connected_clients'),
      close: () => closeAll(stops, dir),
    };
  } catch (err) {
    await closeAll(stops, dir);
    throw err;
  }
}

/** Stops what was started, the last first, then removes the run's directory. */
async function closeAll(stops: (() => Promise<void>)[], dir: string): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
