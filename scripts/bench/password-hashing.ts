/**
 * Login-burst benchmark for password hashing: a real HTTP server whose `POST /login` checks a
 * bcrypt hash and whose `GET /ping` is a cheap request. For each engine it fires a burst of
 * concurrent logins while a probe sends pings one after another, then prints logins/s and the
 * ping latency (p50/p99). `bcryptjs` (pure JS on the event loop, the original product's choice)
 * is the "before"; `native` (bcrypt binding on libuv's thread pool) is the "after".
 *
 * Run: `pnpm bench` (all) or `tsx scripts/bench/password-hashing.ts`. Env: BCRYPT_COST (10),
 * BENCH_LOGINS (200), BENCH_CONCURRENCY (50).
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PasswordHasherEngine, createPasswordHasher } from '../../packages/common/src/user-auth/password-hasher.js';

const cost = Number(process.env.BCRYPT_COST ?? 10);
const logins = Number(process.env.BENCH_LOGINS ?? 200);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);

export interface HashingBenchResult {
  engine: PasswordHasherEngine;
  loginsPerSecond: number;
  pingP50Ms: number;
  pingP99Ms: number;
  idleP99Ms: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function startServer(engine: PasswordHasherEngine): Promise<{ server: Server; url: string }> {
  const hasher = createPasswordHasher({ cost, engine });
  const stored = await hasher.hash('correct horse battery');
  const server = createServer((req, res) => {
    if (req.url === '/ping') return void res.end('{"ok":true}');
    void hasher.verify('correct horse battery', stored).then((ok) => res.end(JSON.stringify({ ok })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function probe(url: string, until: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  while (!until()) {
    const t = performance.now();
    await fetch(`${url}/ping`).then((r) => r.text());
    samples.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 2));
  }
  return samples;
}

async function burst(url: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < logins) {
      next++;
      await fetch(`${url}/login`, { method: 'POST' }).then((r) => r.text());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (logins / (performance.now() - started)) * 1000;
}

/** Runs the burst for one engine. */
export async function benchEngine(engine: PasswordHasherEngine): Promise<HashingBenchResult> {
  const { server, url } = await startServer(engine);
  try {
    let idleDone = false;
    setTimeout(() => {
      idleDone = true;
    }, 300);
    const idle = await probe(url, () => idleDone);
    let done = false;
    const pings = probe(url, () => done);
    const loginsPerSecond = await burst(url);
    done = true;
    const samples = await pings;
    return {
      engine,
      loginsPerSecond: Math.round(loginsPerSecond),
      pingP50Ms: Math.round(percentile(samples, 50) * 10) / 10,
      pingP99Ms: Math.round(percentile(samples, 99) * 10) / 10,
      idleP99Ms: Math.round(percentile(idle, 99) * 10) / 10,
    };
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/** Runs both engines and prints a table with the before/after ratios. */
export async function runPasswordHashingBench(log: (line: string) => void): Promise<HashingBenchResult[]> {
  log(
    `password hashing: bcrypt cost ${cost}, ${logins} logins, concurrency ${concurrency}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}`,
  );
  const before = await benchEngine('bcryptjs');
  const after = await benchEngine('native');
  for (const r of [before, after]) {
    log(
      `  ${r.engine.padEnd(9)} logins/s=${String(r.loginsPerSecond).padStart(5)}  ping p50=${r.pingP50Ms}ms p99=${r.pingP99Ms}ms (idle p99=${r.idleP99Ms}ms)`,
    );
  }
  log(
    `  ratio native/bcryptjs: throughput x${(after.loginsPerSecond / before.loginsPerSecond).toFixed(2)}, ping p99 x${(after.pingP99Ms / Math.max(0.1, before.pingP99Ms)).toFixed(3)}`,
  );
  return [before, after];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runPasswordHashingBench((line) => process.stdout.write(`${line}\n`));
}
