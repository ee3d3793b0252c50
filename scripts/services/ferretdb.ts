import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Say, freePort, runWithProgress, say, stopChild, waitForPort, which } from './util.js';

const run = promisify(execFile);

/** FerretDB versions we build, newest first (the proxy may not serve every one). */
const VERSIONS = ['v1.24.2', 'v1.24.1'];

/** Where built FerretDB binaries are cached: outside the repo, shared by every clone. */
export function ferretCacheDir(): string {
  const base =
    process.env.URBACKEND_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'urbackend');
  return base;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function findCachedBinary(): Promise<string | null> {
  if (process.env.FERRETDB_BIN && (await exists(process.env.FERRETDB_BIN))) return process.env.FERRETDB_BIN;
  for (const version of VERSIONS) {
    const bin = path.join(ferretCacheDir(), `ferretdb-${version.slice(1)}`, 'ferretdb');
    if (await exists(bin)) return bin;
  }
  return null;
}

/**
 * Builds FerretDB from the Go module proxy into the cache. `go install pkg@version` is refused
 * by the proxy's deprecation lookup here, so the module is downloaded, copied, given the
 * `version.txt` its build expects, and built with `go build`.
 */
async function buildFerret(log: Say): Promise<string> {
  const go = await which('go');
  if (!go) throw new Error('Go is not installed, so FerretDB cannot be built');
  let lastError: unknown;
  for (const version of VERSIONS) {
    const target = path.join(ferretCacheDir(), `ferretdb-${version.slice(1)}`, 'ferretdb');
    const work = await mkdtemp(path.join(tmpdir(), 'ferretdb-src-'));
    try {
      log(`building FerretDB ${version} from the Go module proxy (first run only; takes a few minutes)...`);
      const { stdout } = await run(go, ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${version}`], {
        cwd: work,
        maxBuffer: 1 << 20,
      });
      const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
      if (!dir) throw new Error(`go mod download gave no directory for ${version}`);
      const src = path.join(work, 'src');
      await cp(dir, src, { recursive: true });
      await run('chmod', ['-R', 'u+w', src]);
      await writeFile(path.join(src, 'build', 'version', 'version.txt'), `${version}\n`);
      await mkdir(path.dirname(target), { recursive: true });
      const tmpTarget = `${target}.tmp-${process.pid}`;
      await runWithProgress(
        go,
        ['build', '-trimpath', '-o', tmpTarget, './cmd/ferretdb'],
        {
          cwd: src,
          label: `go build ferretdb ${version}`,
          env: { ...process.env, GOFLAGS: '-mod=mod' },
        },
        log,
      );
      await chmod(tmpTarget, 0o755);
      const { rename } = await import('node:fs/promises');
      await rename(tmpTarget, target);
      log(`FerretDB ${version} built and cached at ${target}`);
      return target;
    } catch (err) {
      lastError = err;
      log(`could not build FerretDB ${version}: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  throw lastError instanceof Error ? lastError : new Error('FerretDB build failed');
}

/** Returns the cached FerretDB binary, building it first when it is missing. */
export async function ensureFerretBinary(log: Say = say): Promise<string> {
  return (await findCachedBinary()) ?? (await buildFerret(log));
}

export interface RunningMongo {
  uri: string;
  kind: 'external' | 'ferretdb' | 'mongod';
  stop(): Promise<void>;
}

/** Starts FerretDB (SQLite handler, telemetry off) with its data under `dataDir`. */
export async function startFerret(dataDir: string, log: Say = say, fixedPort?: number): Promise<RunningMongo> {
  const bin = await ensureFerretBinary(log);
  await mkdir(dataDir, { recursive: true });
  const port = fixedPort ?? (await freePort());
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      '--telemetry=disable',
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      `--state-dir=${dataDir}`,
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString().trim();
    if (text) log(`ferretdb: ${text}`);
  });
  await waitForPort('127.0.0.1', port, 30_000, child);
  log(`FerretDB listening on 127.0.0.1:${port} (data in ${dataDir})`);
  return { uri: `mongodb://127.0.0.1:${port}/`, kind: 'ferretdb', stop: () => stopChild(child) };
}
