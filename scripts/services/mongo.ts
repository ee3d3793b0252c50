import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type RunningMongo, ferretCacheDir, startFerret } from './ferretdb.js';
import { type Say, say } from './util.js';

export type { RunningMongo } from './ferretdb.js';

const MONGOD_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

function markerFile(): string {
  return path.join(ferretCacheDir(), 'mongod-unavailable');
}

async function mongodRecentlyFailed(): Promise<boolean> {
  try {
    const at = Number(await readFile(markerFile(), 'utf8'));
    return Date.now() - at < MONGOD_RETRY_AFTER_MS;
  } catch {
    return false;
  }
}

/** Starts a real mongod through mongodb-memory-server, persisting under `dataDir`. */
async function startMongod(dataDir: string, log: Say): Promise<RunningMongo> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  await mkdir(dataDir, { recursive: true });
  log('starting mongod through mongodb-memory-server (downloads the binary on first use)...');
  const server = await MongoMemoryServer.create({ instance: { dbPath: dataDir, storageEngine: 'wiredTiger' } });
  log(`mongod listening at ${server.getUri()} (data in ${dataDir})`);
  return {
    uri: server.getUri(),
    kind: 'mongod',
    stop: async () => {
      await server.stop({ doCleanup: false });
    },
  };
}

export interface EnsureMongoOptions {
  /** Directory holding the embedded server's data (`.data/mongo` for dev, a temp dir for tests). */
  dataDir: string;
  /** `auto` (mongod, then FerretDB), `mongod` or `ferretdb`. Default from URBACKEND_EMBEDDED_DB or `auto`. */
  prefer?: 'auto' | 'mongod' | 'ferretdb';
  log?: Say;
}

/**
 * Provides a MongoDB-compatible server: `MONGODB_URI` when set; otherwise an embedded one —
 * a real mongod from mongodb-memory-server when it can be obtained, else FerretDB 1.24 built
 * from the Go module proxy. Throws a message saying how to set `MONGODB_URI` if neither works.
 */
export async function ensureMongo(options: EnsureMongoOptions): Promise<RunningMongo> {
  const log = options.log ?? say;
  if (process.env.MONGODB_URI) {
    return { uri: process.env.MONGODB_URI, kind: 'external', stop: async () => {} };
  }
  const prefer = options.prefer ?? (process.env.URBACKEND_EMBEDDED_DB as EnsureMongoOptions['prefer']) ?? 'auto';
  const failures: string[] = [];
  if (prefer !== 'ferretdb' && (prefer === 'mongod' || !(await mongodRecentlyFailed()))) {
    try {
      return await startMongod(path.join(options.dataDir, 'mongod'), log);
    } catch (err) {
      failures.push(`mongod: ${(err as Error).message.split('\n')[0]}`);
      log('mongod is not obtainable here (offline?); falling back to FerretDB. Will retry mongod in 24 h.');
      await mkdir(ferretCacheDir(), { recursive: true });
      await writeFile(markerFile(), String(Date.now()));
    }
  }
  if (prefer !== 'mongod') {
    try {
      return await startFerret(path.join(options.dataDir, 'ferretdb'), log);
    } catch (err) {
      failures.push(`FerretDB: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    [
      'No MongoDB-compatible server is available.',
      ...failures.map((f) => `  - ${f}`),
      'Set MONGODB_URI to a MongoDB 6+ server, e.g.',
      '  MONGODB_URI=mongodb://127.0.0.1:27017 pnpm dev',
      'or install Go (https://go.dev/dl) so FerretDB can be built once.',
    ].join('\n'),
  );
}
