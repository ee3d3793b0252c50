import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logger/index.js';
import { redactUri } from '../logger/index.js';

/** Which MongoDB-compatible server we talk to (CONTRACT §7: detect once, then choose). */
export type ServerKind = 'mongodb' | 'ferretdb' | 'unknown';

export interface PlatformDbOptions {
  uri: string;
  /** Server selection / connect timeout: how fast a request fails when MongoDB is down. */
  timeoutMs: number;
  poolSize: number;
  /** Database name prefix for internal tenant databases (`ub_` → `ub_<projectId>`). */
  tenantDbPrefix?: string;
  logger: Logger;
}

/** The platform's MongoDB connection and tenant database access. */
export interface PlatformDb {
  readonly connection: Connection;
  /** Connects, retrying in the background every 2 s until it succeeds or `close()` is called. Resolves on first success. */
  connect(): Promise<void>;
  /** True while the driver holds a live connection. */
  isConnected(): boolean;
  /** Pings the server; false when it does not answer within `timeoutMs`. Never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Kind of server, known after the first successful connect. */
  serverKind(): ServerKind;
  /**
   * The internal database of a project (`<prefix><projectId>`), sharing the platform pool
   * (`useDb` with cache: never a new pool). The caller must have checked tenancy.
   */
  tenantDb(projectId: string): Connection;
  /** Name of a project's internal database. */
  tenantDbName(projectId: string): string;
  /** Closes the pool. Idempotent. */
  close(): Promise<void>;
}

/** Creates the platform connection (not yet connected: call `connect()`). No import-time side effects. */
export function createPlatformDb(options: PlatformDbOptions): PlatformDb {
  const { logger } = options;
  const prefix = options.tenantDbPrefix ?? 'ub_';
  // Mongoose otherwise captures a stack trace on every query it runs (only to word a "query was
  // already executed" error): ~1.5 % of a cheap read's CPU.
  mongoose.set('skipOriginalStackTraces', true);
  const connection = mongoose.createConnection();
  // Fail fast instead of queueing operations while disconnected (driver timeouts still apply).
  connection.set('bufferCommands', false);
  let closed = false;
  let kind: ServerKind = 'unknown';
  let connecting: Promise<void> | null = null;

  connection.on('disconnected', () => {
    if (!closed) logger.warn('MongoDB disconnected; the driver keeps retrying');
  });
  connection.on('reconnected', () => logger.info('MongoDB reconnected'));

  async function detectKind(): Promise<void> {
    try {
      const info = (await connection.db?.admin().command({ buildInfo: 1 })) as Record<string, unknown> | undefined;
      kind = info && 'ferretdbVersion' in info ? 'ferretdb' : 'mongodb';
    } catch {
      kind = 'unknown';
    }
  }

  async function attempt(): Promise<void> {
    for (let tries = 1; !closed; tries++) {
      try {
        await connection.openUri(options.uri, {
          serverSelectionTimeoutMS: options.timeoutMs,
          connectTimeoutMS: options.timeoutMs,
          socketTimeoutMS: 45_000,
          maxPoolSize: options.poolSize,
          heartbeatFrequencyMS: 2_000,
          autoIndex: false,
          autoCreate: false,
          // `connection.set('bufferCommands', false)` alone does not stop buffering before the first
          // connection (mongoose 8): without this, requests wait 10 s while MongoDB is unreachable.
          bufferCommands: false,
        });
        await detectKind();
        logger.info({ server: kind, target: redactUri(options.uri) }, 'MongoDB connected');
        return;
      } catch (err) {
        if (closed) return;
        if (tries === 1 || tries % 15 === 0) {
          logger.warn({ err: { message: (err as Error).message } }, 'MongoDB not reachable yet; retrying every 2 s');
        }
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  }

  return {
    connection,
    connect() {
      connecting ??= attempt();
      return connecting;
    },
    isConnected: () => connection.readyState === 1,
    async ping(timeoutMs = 1000) {
      if (connection.readyState !== 1 || !connection.db) return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        const ping = connection.db
          .admin()
          .ping({ maxTimeMS: timeoutMs })
          .then(() => true as const);
        return await Promise.race([ping, timeout]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    serverKind: () => kind,
    tenantDbName: (projectId) => `${prefix}${projectId}`,
    tenantDb(projectId) {
      return connection.useDb(`${prefix}${projectId}`, { useCache: true });
    },
    async close() {
      if (closed) return;
      closed = true;
      await connection.close(true).catch(() => undefined);
    },
  };
}
export { findPage, type Page, type PageOptions } from './paging.js';
export { deleteInBatches } from './batches.js';
