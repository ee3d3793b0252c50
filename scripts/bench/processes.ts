/**
 * Processes of `pnpm bench`: a Redis server of its own (so `INFO commandstats` counts only the
 * benchmarked processes), the built APIs and the bare baseline as child processes pinned to one
 * core with `taskset`, and what the benchmark reads from the outside of a child (`/proc`).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { readFile, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, stopChild, waitForPort, which } from '../services/util.js';
import { establishedInodesTo, rssMbFromStatus, socketInode } from './stats.js';

const run = promisify(execFile);
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** A started child process: its pid, URL, and how to stop it. */
export interface BenchChild {
  name: string;
  pid: number;
  url: string;
  port: number;
  stop(): Promise<void>;
}

let taskset: string | null | undefined;
/** The `taskset` binary, or null where it does not exist (macOS): then nothing is pinned. */
export async function tasksetBin(): Promise<string | null> {
  if (taskset === undefined) taskset = await which('taskset');
  return taskset;
}

/** Pins this process (all its threads) to `core`; false when it cannot. */
export async function pinSelf(core: number): Promise<boolean> {
  const bin = await tasksetBin();
  if (!bin) return false;
  try {
    await run(bin, ['-a', '-p', '-c', String(core), String(process.pid)]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `command args` (pinned to `core` when taskset exists) with its output in `logFile`, waits
 * until it listens on `port`, and throws with the log's tail when it exits or does not listen.
 */
export async function startChild(options: {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  core: number;
  logFile: string;
}): Promise<BenchChild> {
  const bin = await tasksetBin();
  const [cmd, args] = bin
    ? [bin, ['-c', String(options.core), options.command, ...options.args]]
    : [options.command, options.args];
  const out = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(cmd, args, { cwd: repoRoot, env: options.env, stdio: ['ignore', out, out] });
  try {
    await waitForPort('127.0.0.1', options.port, 60_000, child);
  } catch (err) {
    const tail = (await readFile(options.logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    await stopChild(child);
    throw new Error(`${options.name} did not start: ${(err as Error).message}\n${tail}`);
  }
  return {
    name: options.name,
    pid: child.pid as number,
    url: `http://127.0.0.1:${options.port}`,
    port: options.port,
    stop: () => stopChild(child),
  };
}

/** A redis-server of the benchmark's own on a free port (no persistence). */
export async function startOwnRedis(dataDir: string): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const bin = await which('redis-server');
  if (!bin) throw new Error('pnpm bench needs redis-server on PATH (apt-get install redis-server).');
  const port = await freePort();
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort('127.0.0.1', port, 10_000, child);
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopChild(child) };
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { recursive: true })) {
    if (!entry.endsWith('.ts') || entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, (await stat(path.join(dir, entry))).mtimeMs);
  }
  return newest;
}

/**
 * Builds `@urbackend/common` and the two APIs (`pnpm build` of them) when a `dist/main.js` is
 * missing or older than a source file, so the benchmark never measures stale code.
 */
export async function ensureBuilt(log: (line: string) => void): Promise<void> {
  const apps = ['public-api', 'dashboard-api'];
  const sources = Math.max(
    await newestMtime(path.join(repoRoot, 'packages/common/src')),
    ...(await Promise.all(apps.map((a) => newestMtime(path.join(repoRoot, 'apps', a, 'src'))))),
  );
  const built = await Promise.all(
    apps.map(async (a) => {
      const file = path.join(repoRoot, 'apps', a, 'dist', 'main.js');
      return existsSync(file) ? (await stat(file)).mtimeMs : 0;
    }),
  );
  if (Math.min(...built) > sources) return;
  log('building @urbackend/common, public-api and dashboard-api (sources changed since the last build)...');
  await run('pnpm', ['--filter', '@urbackend/public-api...', '--filter', '@urbackend/dashboard-api...', 'run', 'build'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** RSS of a process in MB (`/proc/<pid>/status`). */
export async function rssMb(pid: number): Promise<number> {
  return rssMbFromStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
}

/** Open file descriptors of a process (sockets, files, pipes): `/proc/<pid>/fd`. */
export async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/** Established TCP connections of a process to a local port (its sockets matched in /proc/net/tcp{,6}). */
export async function connectionsTo(pid: number, port: number): Promise<number> {
  const tables = await Promise.all(['tcp', 'tcp6'].map((t) => readFile(`/proc/${pid}/net/${t}`, 'utf8').catch(() => '')));
  const wanted = new Set(tables.flatMap((t) => [...establishedInodesTo(t, port)]));
  const fds = await readdir(`/proc/${pid}/fd`);
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return links.filter((l) => {
    const inode = socketInode(l);
    return inode !== null && wanted.has(inode);
  }).length;
}
