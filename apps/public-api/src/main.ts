import { RedisDeploymentError } from '@urbackend/common/cache';
import { ConfigError } from '@urbackend/common/config';
import { gracefulShutdown } from '@urbackend/common/http';
import { createLogger } from '@urbackend/common/logger';
import { DEFAULT_REALTIME_SERVER } from '@urbackend/common/realtime';
import { createApp } from './app.js';
import { loadPublicConfig } from './config.js';
import { createDeps } from './deps.js';
import { attachRealtimeWebSocket } from './modules/realtime/realtime.ws.js';

/** Process entry: the only place that reads the environment, connects, listens and handles signals. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadPublicConfig>;
  try {
    config = loadPublicConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({
    name: 'public-api',
    level: config.logLevel,
    pretty: config.env === 'development',
    stacks: config.env === 'development',
  });
  const deps = createDeps(config, logger);
  try {
    // Refuse to start against Redis servers that contradict the configuration (a cluster behind REDIS_URL).
    await deps.cache.assertDeployment(Math.max(config.redis.commandTimeoutMs * 3, 3000));
  } catch (err) {
    if (err instanceof RedisDeploymentError) {
      process.stderr.write(`Invalid Redis deployment: ${err.message}\nSee .env.example (Redis).\n`);
      await deps.close().catch(() => undefined);
      process.exit(1);
    }
    throw err;
  }
  const app = createApp(deps);
  const server = app.listen(config.port, () => logger.info(`Public API listening on :${config.port}`));
  server.on('error', (err) => {
    logger.fatal({ err }, 'could not listen');
    process.exit(1);
  });
  // WebSocket realtime (`/api/realtime`) on the same server: docs/realtime.md.
  attachRealtimeWebSocket(server, {
    hub: deps.realtimeHub,
    settings: config.realtimeServer ?? DEFAULT_REALTIME_SERVER,
    logger,
    charge: deps.usageCharge,
  });
  // Workers, sweeps, then (once MongoDB answers) the platform indexes and system mail templates.
  deps.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'signal received');
    await gracefulShutdown({ server, logger, graceMs: config.shutdownGraceMs, closers: [() => deps.close()] });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
