import mongoose, { type Connection } from 'mongoose';
import { sha256Hex } from '../crypto/index.js';
import type { SecretBox } from '../crypto/index.js';
import { unavailable } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import { projectSecretContext } from '../scope/index.js';

/** Options of the BYOD connection manager (the design's "GC" is the idle sweep). */
export interface ByodOptions {
  secretBox: SecretBox;
  logger: Logger;
  /** Global cap of open BYOD connections in this process; the least recently used is closed beyond it (default 50). */
  maxConnections?: number;
  /** A connection unused this long is closed by the sweep (default 10 min). */
  idleMs?: number;
  /** Pool size of each BYOD connection (default 3). */
  poolSize?: number;
  /** Connect / server-selection timeout (default 5 s). */
  connectTimeoutMs?: number;
  /**
   * Optional outbound check of the decrypted URI (SSRF rules, CONTRACT §3.15); throws to refuse.
   * Called before every new connection.
   */
  checkTarget?: (uri: string) => Promise<void>;
}

interface Entry {
  connection: Connection;
  fingerprint: string;
  lastUsed: number;
}

/** Pooled connections to developers' own databases, one per project. */
export interface ByodConnections {
  /**
   * The open connection of a BYOD project, connecting once (single-flight) when needed. A
   * changed encrypted config (new fingerprint) closes the old connection and opens a new one.
   * Throws 503 (never containing the URI) when the database cannot be reached or the stored
   * config cannot be decrypted.
   */
  get(projectId: string, encryptedConfig: string): Promise<Connection>;
  /** Closes and forgets a project's connection (BYOD settings changed, project deleted). */
  evict(projectId: string): Promise<void>;
  /** Number of open connections (for tests and health). */
  size(): number;
  /** Closes everything and stops the idle sweep. */
  close(): Promise<void>;
}

const FAILED = "Could not connect to the project's database. Check its connection settings in the dashboard.";

function decryptUri(box: SecretBox, projectId: string, encrypted: string): string {
  try {
    const parsed = JSON.parse(box.decrypt(encrypted, projectSecretContext(projectId, 'byod:db'))) as { dbUri?: unknown };
    if (typeof parsed.dbUri !== 'string' || !parsed.dbUri) throw new Error('no dbUri');
    return parsed.dbUri;
  } catch (err) {
    throw unavailable("The project's database settings could not be read. Save them again in the dashboard.", err);
  }
}

/** Creates the manager. It owns every connection it opens; `close()` closes them all. */
export function createByodConnections(options: ByodOptions): ByodConnections {
  const max = options.maxConnections ?? 50;
  const idleMs = options.idleMs ?? 10 * 60_000;
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<Connection>>();

  async function drop(projectId: string): Promise<void> {
    const entry = entries.get(projectId);
    entries.delete(projectId);
    if (entry) await entry.connection.close(true).catch(() => undefined);
  }

  async function open(projectId: string, encrypted: string, fingerprint: string): Promise<Connection> {
    const uri = decryptUri(options.secretBox, projectId, encrypted);
    if (options.checkTarget) {
      try {
        await options.checkTarget(uri);
      } catch (err) {
        throw unavailable("The project's database address is not allowed. Update it in the dashboard.", err);
      }
    }
    const timeout = options.connectTimeoutMs ?? 5000;
    const connection = mongoose.createConnection();
    connection.set('bufferCommands', false);
    try {
      await connection.openUri(uri, {
        maxPoolSize: options.poolSize ?? 3,
        serverSelectionTimeoutMS: timeout,
        connectTimeoutMS: timeout,
        autoIndex: false,
        autoCreate: false,
      });
    } catch (err) {
      await connection.close(true).catch(() => undefined);
      options.logger.warn({ projectId, err: { name: (err as Error).name } }, 'BYOD database unreachable');
      throw unavailable(FAILED);
    }
    connection.on('close', () => {
      if (entries.get(projectId)?.connection === connection) entries.delete(projectId);
    });
    while (entries.size >= max) {
      const oldest = [...entries.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (!oldest) break;
      await drop(oldest[0]);
    }
    entries.set(projectId, { connection, fingerprint, lastUsed: Date.now() });
    return connection;
  }

  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const [id, entry] of entries) if (entry.lastUsed < cutoff) void drop(id);
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();

  return {
    async get(projectId, encryptedConfig) {
      const fingerprint = sha256Hex(encryptedConfig);
      const entry = entries.get(projectId);
      if (entry && entry.fingerprint === fingerprint && entry.connection.readyState === 1) {
        entry.lastUsed = Date.now();
        return entry.connection;
      }
      const key = `${projectId}:${fingerprint}`;
      let promise = pending.get(key);
      if (!promise) {
        promise = (async () => {
          if (entry) await drop(projectId);
          return open(projectId, encryptedConfig, fingerprint);
        })().finally(() => pending.delete(key));
        pending.set(key, promise);
      }
      return promise;
    },
    evict: drop,
    size: () => entries.size,
    async close() {
      clearInterval(sweep);
      await Promise.allSettled([...entries.keys()].map(drop));
    },
  };
}
