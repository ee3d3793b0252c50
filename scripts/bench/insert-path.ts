/**
 * Insert-path breakdown: `POST /api/data/items` with the secret key of a quota-charged project on
 * the real public-api app (in process). Prints, per request, the platform-database commands, the
 * tenant-database commands and the Redis commands the product sends, by name (the driver's command
 * monitoring and Redis MONITOR). Its speed against the bare baseline is the `insert` row of the
 * side-by-side table (hot-paths.ts).
 *
 * Run: `pnpm bench` (all) or `tsx --conditions=development scripts/bench/insert-path.ts`.
 * Env: BENCH_INSERTS (warm-up inserts, 400), BENCH_CONCURRENCY (10). Uses MONGODB_URI / REDIS_URL
 * when set, else starts the embedded servers like `pnpm dev`.
 */
import { Redis } from 'ioredis';
import { createApp } from '../../apps/public-api/src/app.js';
import { listen, startBenchProduct } from './product.js';

const inserts = Number(process.env.BENCH_INSERTS ?? 400);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);

async function load(url: string, headers: Record<string, string>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < inserts) {
      const i = next++;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ title: `item ${i}`, views: i }),
      });
      if (res.status !== 201) throw new Error(`insert answered ${res.status}: ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Runs the benchmark and prints its lines with `log`. */
export async function runInsertPathBench(log: (line: string) => void): Promise<void> {
  const run = await startBenchProduct({
    label: 'bench',
    planLimits: { reqPerMinute: -1, reqPerDay: -1, mongoBytes: 50_000_000 },
    collections: [
      {
        name: 'items',
        model: [
          { key: 'title', type: 'String' },
          { key: 'views', type: 'Number' },
        ],
      },
    ],
  });
  const { deps, project, prefix, platformDbName } = run;
  const product = await listen(createApp(deps));

  try {
    const key = { 'x-api-key': project.secretKey };
    const url = `${product.url}/api/data/items`;
    await load(url, key); // warm: key cache, model compile, usage counter
    // Count what one insert costs, on a quiet server.
    const client = deps.db.connection.getClient();
    const commands: { db: string; name: string }[] = [];
    const onCommand = (e: { databaseName: string; commandName: string; command: Record<string, unknown> }) =>
      commands.push({ db: e.databaseName, name: `${e.commandName} ${String(e.command[e.commandName])}` });
    client.on('commandStarted', onCommand);
    const monitor = new Redis(run.redisUrl);
    // MONITOR sees every client of the server: keep the connections that touched this run's keys.
    const seen: { source: string; name: string }[] = [];
    const ours = new Set<string>();
    const m = await monitor.monitor();
    m.on('monitor', (_time: string, args: string[], source: string) => {
      if (args.some((a) => a.startsWith(prefix) || a.includes(`{${prefix}`))) ours.add(source);
      if (args[0]?.toLowerCase() !== 'ping') seen.push({ source, name: args[0] ?? '' });
    });
    const sampled = 20;
    for (let i = 0; i < sampled; i++) {
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...key },
        body: '{"title":"x","views":1}',
      });
    }
    await new Promise((r) => setTimeout(r, 200)); // MONITOR lines arrive asynchronously
    client.off('commandStarted', onCommand);
    m.disconnect();
    monitor.disconnect();
    const redisCommands = seen.filter((c) => ours.has(c.source)).map((c) => c.name);
    const platform = commands.filter((c) => c.db === platformDbName);
    const tenant = commands.filter((c) => c.db !== platformDbName);
    const per = (n: number) => (n / sampled).toFixed(2);
    log(`insert path, per request (${sampled} sampled, quota-charged project, secret key):`);
    log(
      `  platform database commands: ${per(platform.length)} (${[...new Set(platform.map((c) => c.name))].join(', ') || 'none'})`,
    );
    log(`  tenant database commands:   ${per(tenant.length)} (${[...new Set(tenant.map((c) => c.name))].join(', ')})`);
    log(
      `  Redis commands:             ${per(redisCommands.length)} (${[...new Set(redisCommands.map((c) => c.toLowerCase()))].join(', ')})`,
    );
  } finally {
    product.server.close();
    await run.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runInsertPathBench((line) => process.stdout.write(`${line}\n`));
}
