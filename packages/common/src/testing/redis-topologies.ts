/**
 * Local Redis deployments for tests, started from `redis-server` / `redis-cli` on PATH: a Redis
 * Cluster (3 primaries, no replicas) and a Sentinel setup (one primary, one replica, one sentinel).
 * Each lives in its own temporary directory on free ports and is stopped (and its directory
 * removed) by `stop()`. A missing binary is an error with a clear message, never a skip.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants, access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { RedisConnectionConfig } from '../cache/connection.js';
import type { RedisHost } from '../config/index.js';
import { waitFor } from './wait-for.js';

const HOST = '127.0.0.1';

/** Servers still running: killed when the test process exits without stopping them (a crash, a timeout). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

/** One `redis-server` process started by these helpers. */
export interface TestRedisServer {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  /** The end of its log file (for failure messages). */
  logTail(): Promise<string>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
}

export interface TestRedisCluster {
  /** Every primary, in creation order. */
  readonly nodes: readonly RedisHost[];
  /** The `REDIS_CLUSTER_NODES` value: `127.0.0.1:<port>,...`. */
  readonly nodeList: string;
  /** `{ url: null, cluster: { nodes } }`, for `createRedisConnection` / `createJobQueue`. */
  readonly connection: RedisConnectionConfig;
  readonly dir: string;
  /** Stops one node (a primary failing); the others keep running. */
  stopNode(port: number): Promise<void>;
  /** Stops every node and removes the directory. */
  stop(): Promise<void>;
}

export interface TestRedisSentinel {
  /** The master name the sentinel monitors (`REDIS_SENTINEL_NAME`). */
  readonly masterName: string;
  /** The `REDIS_SENTINELS` value: `127.0.0.1:<port>`. */
  readonly sentinelList: string;
  /** `{ url: null, sentinel: { sentinels, name } }`, for `createRedisConnection` / `createJobQueue`. */
  readonly connection: RedisConnectionConfig;
  /** The two data servers (initially: primary first, replica second). */
  readonly servers: readonly [RedisHost, RedisHost];
  readonly dir: string;
  /** The primary as the sentinel reports it now. */
  primary(): Promise<RedisHost>;
  /**
   * Runs `SENTINEL FAILOVER` and waits (up to `timeoutMs`, default 30 s) until the sentinel
   * reports the other server as primary and that server answers as a primary. Returns it.
   */
  failover(timeoutMs?: number): Promise<RedisHost>;
  /** Stops the sentinel and both servers and removes the directory. */
  stop(): Promise<void>;
}

async function onPath(command: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(
    `${command} is not on PATH: the Redis Cluster and Sentinel tests start their own servers with redis-server and redis-cli (Debian/Ubuntu: apt-get install redis-server). These tests do not skip.`,
  );
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** A free port (and, for cluster nodes, a free bus port at +10000, the Redis default). */
async function freePort(withBusPort: boolean): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (!withBusPort) return port;
    if (port + 10_000 <= 65_535 && (await canListen(port + 10_000))) return port;
  }
  throw new Error('no free port pair (port and port+10000) for a Redis Cluster node');
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A short-lived admin connection (no prefix, fails fast). */
async function withAdmin<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 2000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

async function answers(port: number): Promise<boolean> {
  return withAdmin(port, async (r) => (await r.ping()) === 'PONG').catch(() => false);
}

async function startServer(bin: string, root: string, label: string, args: (port: number) => string[]): Promise<TestRedisServer> {
  const withBusPort = args(0).includes('--cluster-enabled');
  let lastError: Error | null = null;
  // A port taken between the probe and the bind (parallel test files) makes the server exit: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(withBusPort);
    const dir = path.join(root, `${label}-${port}`);
    await mkdir(dir, { recursive: true });
    const logFile = path.join(dir, 'redis.log');
    const child = spawn(bin, args(port).concat(['--dir', dir, '--logfile', logFile]), { stdio: 'ignore' });
    track(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const logTail = async () => (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    const server: TestRedisServer = {
      port,
      dir,
      child,
      logTail,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      },
    };
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`${label} exited with code ${child.exitCode}:\n${await logTail()}`);
          return answers(port);
        },
        { timeoutMs: 10_000, intervalMs: 50, message: `${label} on port ${port} answering PING` },
      );
      return server;
    } catch (err) {
      lastError = err as Error;
      await server.stop();
    }
  }
  throw lastError ?? new Error(`${label} did not start`);
}

const serverArgs = (port: number) => ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'];

async function stopAll(servers: readonly TestRedisServer[], dir: string): Promise<void> {
  await Promise.allSettled(servers.map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
}

export interface RedisClusterOptions {
  /** Primaries (default 3, the minimum of `redis-cli --cluster create`). */
  masters?: number;
  /** `cluster-node-timeout` in ms (default 1000: a stopped primary is declared failed quickly). */
  nodeTimeoutMs?: number;
}

/**
 * Starts a Redis Cluster: `masters` nodes with `--cluster-enabled yes`, joined by
 * `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes`, and resolves once every node
 * reports `cluster_state:ok` with all 16384 slots served.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const [server, cli] = await Promise.all([onPath('redis-server'), onPath('redis-cli')]);
  const masters = options.masters ?? 3;
  const dir = await mkdtemp(path.join(tmpdir(), 'urbackend-redis-cluster-'));
  const servers: TestRedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(
        await startServer(server, dir, `cluster-node-${i}`, (port) => [
          ...serverArgs(port),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          String(options.nodeTimeoutMs ?? 1000),
        ]),
      );
    }
    const addresses = servers.map((s) => `${HOST}:${s.port}`);
    await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], 30_000);
    for (const s of servers) {
      await waitFor(
        () =>
          withAdmin(s.port, async (r) => {
            const info = await r.cluster('INFO');
            return (
              /cluster_state:ok/.test(info) &&
              /cluster_slots_ok:16384/.test(info) &&
              new RegExp(`cluster_known_nodes:${masters}\\b`).test(info)
            );
          }).catch(() => false),
        { timeoutMs: 20_000, intervalMs: 100, message: `cluster node ${s.port} reporting cluster_state:ok` },
      );
    }
  } catch (err) {
    await stopAll(servers, dir);
    throw err;
  }
  const nodes = servers.map((s) => ({ host: HOST, port: s.port }));
  const nodeList = nodes.map((n) => `${n.host}:${n.port}`).join(',');
  return {
    nodes,
    nodeList,
    connection: { url: null, cluster: { nodes: nodeList } },
    dir,
    async stopNode(port) {
      await servers.find((s) => s.port === port)?.stop();
    },
    stop: () => stopAll(servers, dir),
  };
}

export interface RedisSentinelOptions {
  /** Default `urbackend-test`. */
  masterName?: string;
  /** `down-after-milliseconds` (default 1000). */
  downAfterMs?: number;
}

/**
 * Starts a primary, a replica of it and one sentinel monitoring them (quorum 1), and resolves once
 * the replica is in sync and the sentinel knows it (so `SENTINEL FAILOVER` can promote it).
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<TestRedisSentinel> {
  const bin = await onPath('redis-server');
  const masterName = options.masterName ?? 'urbackend-test';
  const dir = await mkdtemp(path.join(tmpdir(), 'urbackend-redis-sentinel-'));
  const servers: TestRedisServer[] = [];
  let sentinel: TestRedisServer;
  try {
    const primary = await startServer(bin, dir, 'primary', serverArgs);
    servers.push(primary);
    const replica = await startServer(bin, dir, 'replica', (port) => [
      ...serverArgs(port),
      '--replicaof',
      HOST,
      String(primary.port),
    ]);
    servers.push(replica);
    await waitFor(
      () => withAdmin(replica.port, async (r) => /master_link_status:up/.test(await r.info('replication'))).catch(() => false),
      { timeoutMs: 15_000, intervalMs: 100, message: 'replica in sync with the primary' },
    );
    // A sentinel rewrites its configuration file, so it gets its own, in the temporary directory.
    const conf = path.join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `sentinel monitor ${masterName} ${HOST} ${primary.port} 1`,
        `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${masterName} 10000`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'),
    );
    sentinel = await startServer(bin, dir, 'sentinel', (port) => [conf, '--sentinel', '--port', String(port), '--bind', HOST]);
    servers.push(sentinel);
    await waitFor(
      () =>
        withAdmin(sentinel.port, async (r) => {
          const replicas = (await r.call('SENTINEL', 'REPLICAS', masterName)) as string[][];
          return replicas.some((fields) => {
            const map = new Map<string, string>();
            for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
            return map.get('port') === String(replica.port) && map.get('master-link-status') === 'ok';
          });
        }).catch(() => false),
      { timeoutMs: 20_000, intervalMs: 100, message: 'sentinel knowing the replica' },
    );
  } catch (err) {
    await stopAll(servers, dir);
    throw err;
  }
  const data: [RedisHost, RedisHost] = [
    { host: HOST, port: (servers[0] as TestRedisServer).port },
    { host: HOST, port: (servers[1] as TestRedisServer).port },
  ];
  const sentinelPort = sentinel.port;
  const sentinelList = `${HOST}:${sentinelPort}`;

  async function primary(): Promise<RedisHost> {
    const [host, port] = await withAdmin(
      sentinelPort,
      async (r) => (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string],
    );
    return { host, port: Number(port) };
  }

  return {
    masterName,
    sentinelList,
    connection: { url: null, sentinel: { sentinels: sentinelList, name: masterName } },
    servers: data,
    dir,
    primary,
    async failover(timeoutMs = 30_000) {
      const before = await primary();
      const target = data.find((s) => s.port !== before.port) as RedisHost;
      const started = Date.now();
      // NOGOODSLAVE / INPROG are transient (stale replica info, a failover still running): retry.
      await waitFor(
        () =>
          withAdmin(sentinelPort, (r) => r.call('SENTINEL', 'FAILOVER', masterName)).then(
            () => true,
            () => false,
          ),
        { timeoutMs, intervalMs: 250, message: 'SENTINEL FAILOVER accepted' },
      );
      await waitFor(
        async () => {
          const now = await primary().catch(() => before);
          if (now.port !== target.port) return false;
          return withAdmin(target.port, async (r) => /role:master/.test(await r.info('replication'))).catch(() => false);
        },
        {
          timeoutMs: Math.max(1000, timeoutMs - (Date.now() - started)),
          intervalMs: 100,
          message: `sentinel promoting ${target.host}:${target.port}`,
        },
      );
      return target;
    },
    stop: () => stopAll(servers, dir),
  };
}
