import type { Server } from 'node:http';
import type { Logger } from '../logger/index.js';

export interface ShutdownOptions {
  server: Server;
  logger: Logger;
  /** Longest wait for in-flight requests before open sockets are cut. */
  graceMs: number;
  /** Called after the server stopped, in order (close pools, queues...). Errors are logged. */
  closers: Array<() => Promise<unknown>>;
}

/**
 * Graceful stop: refuse new connections, let in-flight requests finish (idle keep-alive sockets
 * are closed at once), cut the rest after `graceMs`, then run the closers. Resolves when done;
 * the caller exits.
 */
export async function gracefulShutdown(options: ShutdownOptions): Promise<void> {
  const { server, logger } = options;
  logger.info('shutting down: finishing in-flight requests');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn('grace period over: closing remaining connections');
      server.closeAllConnections();
      resolve();
    }, options.graceMs);
  });
  await Promise.race([closed, timeout]);
  clearInterval(idleSweep);
  clearTimeout(timer);
  for (const close of options.closers) {
    try {
      await close();
    } catch (err) {
      logger.error({ err }, 'error while closing a resource');
    }
  }
  logger.info('shutdown complete');
}
