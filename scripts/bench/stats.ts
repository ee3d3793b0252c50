/**
 * Pure helpers of the benchmark: parsing the server counters it reads (Redis `INFO commandstats`,
 * the MongoDB-compatible server's `serverStatus().metrics.commands`, `/proc` files), differencing
 * them, percentiles and the printed table. No I/O here, so `stats.test.ts` covers them.
 */

/** Command name → calls, from Redis `INFO commandstats` (`cmdstat_get:calls=3,usec=...`). */
export function parseRedisCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match?.[1] && match[2]) calls.set(match[1].toLowerCase(), Number(match[2]));
  }
  return calls;
}

/** A field (`connected_clients`) of a Redis `INFO` section as a number; null when absent. */
export function redisInfoField(info: string, field: string): number | null {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match?.[1] ? Number(match[1]) : null;
}

/**
 * Command name → total, from `serverStatus` (`metrics.commands.<name>.total`, which both mongod and
 * FerretDB report; FerretDB 1.24 has no `opcounters`). Unknown shapes give an empty map.
 */
export function parseMongoCommandMetrics(serverStatus: unknown): Map<string, number> {
  const totals = new Map<string, number>();
  const commands = (serverStatus as { metrics?: { commands?: Record<string, unknown> } } | null)?.metrics?.commands;
  for (const [name, value] of Object.entries(commands ?? {})) {
    const total = (value as { total?: unknown } | null)?.total;
    const n = typeof total === 'number' ? total : Number((total as { toString?: () => string } | undefined)?.toString?.());
    if (Number.isFinite(n)) totals.set(name.toLowerCase(), n);
  }
  return totals;
}

/** Counts that grew between two readings (`after - before`, positive only), minus ignored names. */
export function diffCounts(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  ignore: readonly string[] = [],
): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [name, value] of after) {
    if (ignore.includes(name)) continue;
    const grew = value - (before.get(name) ?? 0);
    if (grew > 0) diff.set(name, grew);
  }
  return diff;
}

/** The sum of a count map. */
export function total(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const v of counts.values()) sum += v;
  return sum;
}

/** `find 1.00, insert 0.50` for the `top` largest counts divided by `per`. */
export function describeCounts(counts: ReadonlyMap<string, number>, per: number, top = 4): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, n]) => `${name} ${(n / Math.max(1, per)).toFixed(2)}`)
    .join(', ');
}

/** The value at quantile `q` (0..1) of `values` (nearest rank); NaN for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Resident set size in MB from `/proc/<pid>/status` (`VmRSS:  123456 kB`); NaN when absent. */
export function rssMbFromStatus(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * Socket inodes of the established TCP connections to `remotePort` in a `/proc/net/tcp` or
 * `/proc/net/tcp6` table (columns: sl, local, remote `ADDR:PORT` in hex, state `01` = established,
 * ..., inode in the tenth column).
 */
export function establishedInodesTo(table: string, remotePort: number): Set<string> {
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const remote = cols[2];
    if (!remote || cols[3] !== '01' || !cols[9]) continue;
    const port = Number.parseInt(remote.slice(remote.lastIndexOf(':') + 1), 16);
    if (port === remotePort) inodes.add(cols[9]);
  }
  return inodes;
}

/** Inode of a `/proc/<pid>/fd/*` link target like `socket:[12345]`; null for anything else. */
export function socketInode(linkTarget: string): string | null {
  return /^socket:\[(\d+)\]$/.exec(linkTarget)?.[1] ?? null;
}

/** Left-aligned text table with a header row and a rule under it. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The options of `pnpm bench`: `--quick`, `--soak` and `--soak-minutes N` (default 10). */
export function parseBenchArgs(argv: readonly string[]): { quick: boolean; soak: boolean; soakMinutes: number } {
  const at = argv.indexOf('--soak-minutes');
  const minutes = at >= 0 ? Number(argv[at + 1]) : 10;
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error('--soak-minutes needs a positive number of minutes');
  return { quick: argv.includes('--quick'), soak: argv.includes('--soak'), soakMinutes: minutes };
}
