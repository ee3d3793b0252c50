import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { type Say, freePort, isListening, say, stopChild, waitForPort, which } from './util.js';

export interface RunningRedis {
  /** null means no Redis: the servers run in single-process mode (development only). */
  url: string | null;
  kind: 'external' | 'local' | 'spawned' | 'none';
  stop(): Promise<void>;
}

export interface EnsureRedisOptions {
  /** Directory for a spawned redis-server's working files. */
  dataDir: string;
  /** When true (tests under CI=true), having no real Redis is an error instead of a fallback. */
  requireReal: boolean;
  log?: Say;
}

/**
 * Provides Redis: `REDIS_URL` when set; else 127.0.0.1:6379 if it answers; else a
 * `redis-server` from PATH on a free port; else `url: null` (single-process mode), unless
 * `requireReal`, in which case it throws.
 */
export async function ensureRedis(options: EnsureRedisOptions): Promise<RunningRedis> {
  const log = options.log ?? say;
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, kind: 'external', stop: async () => {} };
  if (await isListening('127.0.0.1', 6379)) {
    log('using the Redis answering on 127.0.0.1:6379');
    return { url: 'redis://127.0.0.1:6379', kind: 'local', stop: async () => {} };
  }
  const bin = await which('redis-server');
  if (bin) {
    await mkdir(options.dataDir, { recursive: true });
    const port = await freePort();
    const child = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', options.dataDir],
      {
        stdio: 'ignore',
      },
    );
    await waitForPort('127.0.0.1', port, 10_000, child);
    log(`started redis-server on 127.0.0.1:${port}`);
    return { url: `redis://127.0.0.1:${port}`, kind: 'spawned', stop: () => stopChild(child) };
  }
  if (options.requireReal) {
    throw new Error('No Redis available: set REDIS_URL, run Redis on 127.0.0.1:6379, or put redis-server on PATH.');
  }
  log('WARNING: no Redis found (REDIS_URL unset, nothing on :6379, no redis-server on PATH).');
  log('WARNING: running in SINGLE-PROCESS MODE: caches, rate limits and counters stay in this process only.');
  return { url: null, kind: 'none', stop: async () => {} };
}
