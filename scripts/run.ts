/**
 * One entry point for running the product locally:
 *   tsx scripts/run.ts dev [--only <app>]   embedded services + APIs (+ web dashboard) in watch mode
 *   tsx scripts/run.ts start [--only <app>] embedded services + built APIs (run `pnpm build` first)
 *   tsx scripts/run.ts services             only the embedded services; prints their URLs
 * Services come from scripts/services (the same code the test global setup uses).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { concurrently } from 'concurrently';
import { ensureMongo } from './services/mongo.js';
import { ensureRedis } from './services/redis.js';
import { loadDevSecrets } from './services/secrets.js';
import { say } from './services/util.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, '.data');
const [mode = 'dev', ...rest] = process.argv.slice(2);
const onlyIndex = rest.indexOf('--only');
const only = onlyIndex >= 0 ? rest[onlyIndex + 1] : undefined;

const apps = [
  { name: 'dashboard-api', color: 'cyan' },
  { name: 'public-api', color: 'magenta' },
  { name: 'web-dashboard', color: 'green' },
] as const;

async function main(): Promise<void> {
  if (!['dev', 'start', 'services'].includes(mode)) {
    say(`unknown mode "${mode}": use dev, start or services`);
    process.exit(2);
  }
  const mongo = await ensureMongo({ dataDir });
  // A Sentinel or Cluster deployment from the environment is used as is (ensureRedis provides one node).
  const redisDeployment = process.env.REDIS_SENTINELS
    ? 'REDIS_SENTINELS'
    : process.env.REDIS_CLUSTER_NODES
      ? 'REDIS_CLUSTER_NODES'
      : null;
  const redis = redisDeployment
    ? { url: null, stop: async () => {} }
    : await ensureRedis({ dataDir: path.join(dataDir, 'redis'), requireReal: false });
  const isProduction = process.env.NODE_ENV === 'production';
  const secrets = isProduction ? {} : await loadDevSecrets(dataDir);
  const env: NodeJS.ProcessEnv = {
    ...secrets,
    ALLOW_PRIVATE_TARGETS: isProduction ? undefined : 'true',
    // Both APIs run in their own folders: give them one absolute storage directory.
    STORAGE_DIR: path.join(dataDir, 'storage'),
    ...process.env,
    MONGODB_URI: mongo.uri,
    ...(redis.url ? { REDIS_URL: redis.url } : {}),
  };
  const stopServices = async () => {
    await Promise.allSettled([mongo.stop(), redis.stop()]);
  };

  if (mode === 'services') {
    say(`MONGODB_URI=${mongo.uri}`);
    say(
      redisDeployment
        ? `Redis: ${redisDeployment} from the environment`
        : `REDIS_URL=${redis.url ?? '(none: single-process mode)'}`,
    );
    say('services running; press Ctrl+C to stop');
    const stop = async () => {
      await stopServices();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }

  const selected = apps.filter((a) => (only ? a.name === only : true)).filter((a) => existsSync(path.join(root, 'apps', a.name)));
  const commands = selected.map((a) => {
    const cwd = path.join(root, 'apps', a.name);
    let command: string;
    if (a.name === 'web-dashboard') command = mode === 'dev' ? 'pnpm exec vite' : 'pnpm exec vite preview';
    else if (mode === 'dev') command = 'pnpm exec tsx watch --conditions=development --clear-screen=false src/main.ts';
    else {
      if (!existsSync(path.join(cwd, 'dist', 'main.js'))) {
        say(`apps/${a.name} is not built: run "pnpm build" first`);
        process.exit(1);
      }
      command = 'node --enable-source-maps dist/main.js';
    }
    return { command, name: a.name, cwd, env, prefixColor: a.color };
  });
  say(`starting ${selected.map((a) => a.name).join(', ')} (${mode}); Ctrl+C stops everything`);
  const { result, commands: running } = concurrently(commands, { prefix: 'name', killOthersOn: ['failure'], restartTries: 0 });
  const shutdown = () => {
    for (const c of running) c.kill('SIGTERM');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  try {
    await result;
  } catch {
    process.exitCode = 1;
  } finally {
    await stopServices();
  }
}

main().catch((err: unknown) => {
  say((err as Error).message);
  process.exit(1);
});
