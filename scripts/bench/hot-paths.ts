/**
 * The side-by-side benchmark (issue 12): every scenario of `scenarios.ts` against the built
 * public-api (production mode, its own process) and the bare Express + driver baseline (its own
 * process, same database server), alternating, `reps` times, after a warm-up; the login burst with a
 * concurrent cheap GET; and the RSS of public-api and dashboard-api idle and after N reads, each
 * read once the processes have settled (see `settledRss`).
 * Database and Redis commands per request are server counters: the MongoDB-compatible server's
 * `serverStatus().metrics.commands` and `INFO commandstats` of the benchmark's own Redis.
 *
 * Run: `pnpm bench` (or `--quick`); alone: `tsx --conditions=development scripts/bench/hot-paths.ts [--quick]`.
 * Env: BENCH_SECONDS (per run: 10, quick 1), BENCH_REPS (2), BENCH_CONCURRENCY (10), BENCH_DOCS (1000),
 * BENCH_RSS_REQUESTS (100000, quick 2000), BENCH_BURST_RATE (cheap GETs/s during the burst, 100),
 * BENCH_ONLY (scenario name prefixes, comma-separated), BENCH_CPU_PROF (a directory: the APIs write
 * V8 CPU profiles there when they stop), BENCH_SETTLE_SEC (idle seconds before an RSS reading: 30).
 */
import { loadavg } from 'node:os';
import { type LoadResult, runLoad } from './load.js';
import { rssMb } from './processes.js';
import {
  SCENARIOS,
  type Scenario,
  type ScenarioContext,
  createScenarioContext,
  loginRequests,
  ownerAccessToken,
  runLoginBurst,
} from './scenarios.js';
import { type BenchStack, IGNORED_MONGO, IGNORED_REDIS, startBenchStack } from './stack.js';
import { describeCounts, diffCounts, formatTable, total } from './stats.js';

export interface HotPathsOptions {
  quick: boolean;
}

interface SideRun extends LoadResult {
  mongoPerReq: number;
  redisPerReq: number;
  mongoTop: string;
  redisTop: string;
  load1: number;
}

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const range = (values: number[], fmt: (n: number) => string) => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return fmt(lo) === fmt(hi) ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`;
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type RssReading = { publicApi: number; dashboardApi: number; bare: number };

const readRss = async (stack: BenchStack): Promise<RssReading> => ({
  publicApi: await rssMb(stack.publicApi.pid),
  dashboardApi: await rssMb(stack.dashboardApi.pid),
  bare: await rssMb(stack.bare.pid),
});

/**
 * The RSS of each process when idle: the lowest reading, one a second, over `BENCH_SETTLE_SEC`
 * idle seconds. Right after start-up or load, V8's young generation is still at the size the
 * allocation burst grew it to (up to 2 × 16 MB); its memory reducer shrinks it after some seconds
 * without allocation (8–15 s measured here), so an earlier reading measures the burst, not the idle
 * process. Also returns the first reading (what a reading without waiting would have said).
 */
async function settledRss(stack: BenchStack): Promise<{ first: RssReading; settled: RssReading }> {
  const first = await readRss(stack);
  const settled = { ...first };
  const seconds = num('BENCH_SETTLE_SEC', 30);
  for (let i = 0; i < seconds; i++) {
    await pause(1000);
    const now = await readRss(stack);
    for (const k of Object.keys(settled) as (keyof RssReading)[]) settled[k] = Math.min(settled[k], now[k]);
  }
  return { first, settled };
}

/** The MongoDB counters once they stop moving (at most 1 command in 250 ms, or 5 s). */
async function settled(stack: BenchStack): Promise<Map<string, number>> {
  let last = await stack.mongoCommands();
  for (let i = 0; i < 20; i++) {
    await pause(250);
    const now = await stack.mongoCommands();
    const moved = total(diffCounts(last, now, IGNORED_MONGO));
    last = now;
    if (moved <= 1) break;
  }
  return last;
}

/** Commands per second the idle servers send (workers, sweeps, realtime): the noise under every count. */
async function background(stack: BenchStack, seconds: number): Promise<string> {
  const [redis0, mongo0] = [await stack.redisCalls(), await stack.mongoCommands()];
  await pause(seconds * 1000);
  const [redis1, mongo1] = [await stack.redisCalls(), await stack.mongoCommands()];
  const rate = (n: number) => (n / seconds).toFixed(1);
  return `${rate(total(diffCounts(mongo0, mongo1, IGNORED_MONGO)))} MongoDB and ${rate(total(diffCounts(redis0, redis1, IGNORED_REDIS)))} Redis commands/s`;
}

/** One load on one side with the server counters read before and after. */
async function measureSide(
  stack: BenchStack,
  url: string,
  request: () => ReturnType<Scenario['product']>,
  expect: number,
  seconds: number,
): Promise<SideRun> {
  const [redis0, mongo0] = [await stack.redisCalls(), await stack.mongoCommands()];
  const result = await runLoad({ url, request, connections: num('BENCH_CONCURRENCY', 10), seconds, expect });
  // Requests still in flight when the load stopped finish on the server: count them here, not in the next run.
  const mongo1 = await settled(stack);
  const redis1 = await stack.redisCalls();
  const redis = diffCounts(redis0, redis1, IGNORED_REDIS);
  const mongo = diffCounts(mongo0, mongo1, IGNORED_MONGO);
  if (result.errors > 0) throw new Error(`${url}: ${result.errors} errors (${result.unexpected})`);
  return {
    ...result,
    // Per request sent: a request cut off at the end has made its commands all the same.
    mongoPerReq: result.sent ? total(mongo) / result.sent : Number.NaN,
    redisPerReq: result.sent ? total(redis) / result.sent : Number.NaN,
    mongoTop: describeCounts(mongo, result.sent),
    redisTop: describeCounts(redis, result.sent, 6),
    load1: loadavg()[0] ?? Number.NaN,
  };
}

/** `BENCH_ONLY`'s comma-separated prefixes (none: everything runs). */
function onlyPrefixes(): string[] {
  return (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * The scenarios to run: all, or those whose name starts with one of `BENCH_ONLY`'s prefixes
 * (`BENCH_ONLY=insert,bulk`; the login burst and the RSS part are then left out unless `rss` is one
 * of them).
 */
function chosenScenarios(): readonly Scenario[] {
  const only = onlyPrefixes();
  return only.length ? SCENARIOS.filter((s) => only.some((p) => s.name.startsWith(p))) : SCENARIOS;
}

/** Runs every scenario on both sides `reps` times, alternating which side goes first. */
async function runScenarios(stack: BenchStack, c: ScenarioContext, seconds: number, reps: number, log: (l: string) => void) {
  const runs = new Map<string, { product: SideRun[]; bare: SideRun[] }>();
  for (let rep = 0; rep < reps; rep++) {
    for (const s of chosenScenarios()) {
      const entry = runs.get(s.name) ?? { product: [], bare: [] };
      runs.set(s.name, entry);
      const product = () => measureSide(stack, stack.publicApi.url, () => s.product(c), s.expect, seconds);
      const bare = s.bare
        ? () =>
            measureSide(
              stack,
              stack.bare.url,
              () => (s.bare as NonNullable<Scenario['bare']>)(c),
              s.bareExpect ?? s.expect,
              seconds,
            )
        : null;
      if (rep % 2 === 0 || !bare) entry.product.push(await product());
      if (bare) entry.bare.push(await bare());
      if (rep % 2 === 1 && bare) entry.product.push(await product());
    }
    log(`  repetition ${rep + 1}/${reps} done (load average ${loadavg().map(f2).join(' ')})`);
  }
  return runs;
}

function printScenarioTable(runs: Awaited<ReturnType<typeof runScenarios>>, log: (l: string) => void): void {
  const getOne = runs.get(SCENARIOS[0]?.name ?? '')?.product ?? [];
  const of = (list: SideRun[], pick: (r: SideRun) => number, fmt = f0) => (list.length ? range(list.map(pick), fmt) : '–');
  const latency = (list: SideRun[]) => (list.length ? `${of(list, (r) => r.p50)} / ${of(list, (r) => r.p99)}` : '–');
  const rows = [...runs].map(([name, { product: p, bare: b }]) => {
    // The forged-key flood has no baseline: its ratio is against GET one of the same repetition.
    const base = b.length ? b : getOne;
    const ratios = p.map((r, i) => r.rps / (base[i]?.rps ?? Number.NaN));
    const p99Ratios = b.map((r, i) => (p[i]?.p99 ?? Number.NaN) / r.p99);
    return [
      name,
      of(p, (r) => r.rps),
      latency(p),
      of(b, (r) => r.rps),
      latency(b),
      `${range(ratios, f2)}x${b.length ? '' : ' GET one'}`,
      p99Ratios.length ? `${range(p99Ratios, f2)}x` : '–',
      `${of(p, (r) => r.mongoPerReq, f2)} / ${of(p, (r) => r.redisPerReq, f2)}`,
      of(b, (r) => r.mongoPerReq, f2),
      range(
        [...p, ...b].map((r) => r.load1),
        f2,
      ),
    ];
  });
  const header = ['scenario', 'us req/s', 'us p50/p99 ms', 'bare req/s', 'bare p50/p99', 'req/s ratio', 'p99 ratio'];
  log(formatTable([...header, 'us Mongo / Redis per req', 'bare Mongo', 'load1'], rows));
  log('commands per request of the product (last repetition, largest first):');
  for (const [name, { product }] of runs) {
    const last = product[product.length - 1];
    if (last) log(`  ${name}: MongoDB ${last.mongoTop || 'none'}; Redis ${last.redisTop || 'none'}`);
  }
}

/** Runs the benchmark and prints its lines with `log`. */
export async function runHotPathsBench(log: (line: string) => void, options: HotPathsOptions = { quick: false }): Promise<void> {
  const seconds = num('BENCH_SECONDS', options.quick ? 1 : 10);
  const reps = Math.max(2, num('BENCH_REPS', 2));
  const rssRequests = num('BENCH_RSS_REQUESTS', options.quick ? 2000 : 100_000);
  const stack = await startBenchStack({ log });
  try {
    const all = chosenScenarios() === SCENARIOS;
    const idle = all || onlyPrefixes().includes('rss') ? await settledRss(stack) : null;
    log(
      `side by side: ${stack.mongoKind} MongoDB-compatible server, ${num('BENCH_DOCS', 1000)} documents, ${num('BENCH_CONCURRENCY', 10)} connections, ${seconds} s per run, ${reps} repetitions; ${
        stack.pinned ? 'servers on core 0, load generator on core 1 (taskset)' : 'not pinned (no taskset)'
      }; load average at start ${loadavg().map(f2).join(' ')}`,
    );
    const c = await createScenarioContext(stack);
    // First, on fresh processes: what the scenarios' bulk loads leave in the heap would otherwise
    // still be settling when the RSS is read.
    if (idle) await printRss(stack, c, idle, rssRequests, log);
    if (chosenScenarios().length === 0) return;
    const warm = options.quick ? 0.5 : 2;
    for (const s of chosenScenarios()) {
      await runLoad({ url: stack.publicApi.url, request: () => s.product(c), connections: 10, seconds: warm, expect: s.expect });
      const bare = s.bare;
      if (bare) await runLoad({ url: stack.bare.url, request: () => bare(c), connections: 10, seconds: warm, expect: s.expect });
    }
    log(`background of the idle servers (not subtracted below): ${await background(stack, options.quick ? 2 : 5)}`);
    const runs = await runScenarios(stack, c, seconds, reps, log);
    printScenarioTable(runs, log);
    if (!all) return;
    await printLoginBurst(stack, c, seconds, reps, log);
  } finally {
    await stack.close();
  }
}

async function printLoginBurst(stack: BenchStack, c: ScenarioContext, seconds: number, reps: number, log: (l: string) => void) {
  const rate = num('BENCH_BURST_RATE', 100);
  const logins = loginRequests(stack, c);
  const getOne = SCENARIOS[0] as Scenario;
  log(`login burst: 50 concurrent logins (bcrypt) for ${Math.max(2, seconds)} s, a cheap GET one at ${rate}/s beside it:`);
  const rows: string[][] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const side of rep % 2 ? (['bare', 'us'] as const) : (['us', 'bare'] as const)) {
      const r = await runLoginBurst({
        url: side === 'us' ? stack.publicApi.url : stack.bare.url,
        get: side === 'us' ? () => getOne.product(c) : () => (getOne.bare as NonNullable<Scenario['bare']>)(c),
        login: side === 'us' ? logins.product : logins.bare,
        seconds: Math.max(2, seconds),
        rate,
        burst: 50,
      });
      rows.push([
        side,
        `${f0(r.alone.p50)} / ${f0(r.alone.p99)}`,
        `${f0(r.during.p50)} / ${f0(r.during.p99)}`,
        `${f2(r.during.p99 / r.alone.p99)}x`,
        `${f0(r.during.rps)} of ${rate}`,
        f0(r.logins.rps),
        String(r.alone.errors + r.during.errors + r.logins.errors),
        f2(loadavg()[0] ?? Number.NaN),
      ]);
    }
  }
  log(
    formatTable(
      ['side', 'GET p50/p99 alone', 'GET p50/p99 in burst', 'p99 ratio', 'GET req/s in burst', 'logins/s', 'errors', 'load1'],
      rows,
    ),
  );
}

async function printRss(
  stack: BenchStack,
  c: ScenarioContext,
  idle: { first: RssReading; settled: RssReading },
  requests: number,
  log: (l: string) => void,
) {
  const token = await ownerAccessToken(stack);
  const getOne = SCENARIOS[0] as Scenario;
  const bareGetOne = getOne.bare as NonNullable<Scenario['bare']>;
  const projectRead = () => ({ path: `/api/projects/${stack.seed.projectId}`, headers: { authorization: `Bearer ${token}` } });
  // Warmed: each API has served a tenth of the requests below first
  // (optimised code, caches, pools and the allocator's arenas at their working size); what the
  // requests add on top of that is what a leak would show.
  const load = (amount: number) =>
    Promise.all([
      runLoad({ url: stack.publicApi.url, request: () => getOne.product(c), connections: 10, amount, expect: 200 }),
      runLoad({ url: stack.dashboardApi.url, request: projectRead, connections: 10, amount, expect: 200 }),
      runLoad({ url: stack.bare.url, request: () => bareGetOne(c), connections: 10, amount, expect: 200 }),
    ]);
  await load(Math.ceil(requests / 10));
  const warmed = await settledRss(stack);
  const [pub, dash, bare] = await load(requests);
  const after = await settledRss(stack);
  const pct = (from: number, to: number) => `${f0(((to - from) / from) * 100)} %`;
  const row = (name: string, k: keyof RssReading, note: string) => [
    name,
    f0(idle.first[k]),
    f0(idle.settled[k]),
    f0(warmed.settled[k]),
    f0(after.first[k]),
    f0(after.settled[k]),
    pct(idle.settled[k], after.settled[k]),
    pct(warmed.settled[k], after.settled[k]),
    note,
  ];
  log(
    `RSS per process (MB): after start, warmed (after ${Math.ceil(requests / 10)} requests each) and after ${requests} more requests each, read at once and settled (lowest over ${num('BENCH_SETTLE_SEC', 30)} idle s):`,
  );
  log(
    formatTable(
      [
        'process',
        'started',
        'idle (settled)',
        'warmed (settled)',
        'after load',
        'after (settled)',
        'growth from idle',
        `growth over the ${requests}`,
        'requests',
      ],
      [
        row('public-api', 'publicApi', `GET one, ${f0(pub.rps)} req/s, ${pub.errors} errors`),
        row('dashboard-api', 'dashboardApi', `GET /api/projects/:id, ${f0(dash.rps)} req/s, ${dash.errors} errors`),
        row('bare baseline', 'bare', `GET one, ${f0(bare.rps)} req/s, ${bare.errors} errors (runs under tsx)`),
      ],
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runHotPathsBench((line) => process.stdout.write(`${line}\n`), { quick: process.argv.includes('--quick') });
}
