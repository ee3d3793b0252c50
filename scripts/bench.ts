/**
 * `pnpm bench`: the side-by-side hot-path benchmark (scripts/bench/hot-paths.ts), then password
 * hashing, the insert path's command breakdown, realtime and the engine's cost per lookup as a
 * collection grows. `--quick`: the side-by-side part only,
 * with short runs (about a minute). `--soak [--soak-minutes N]`: the mixed-workload soak (10 minutes
 * by default). docs/performance.md says how to read the output.
 */
import { runEngineGrowthBench } from './bench/engine-growth.js';
import { runHotPathsBench } from './bench/hot-paths.js';
import { runInsertPathBench } from './bench/insert-path.js';
import { runPasswordHashingBench } from './bench/password-hashing.js';
import { runRealtimeBench } from './bench/realtime.js';
import { runSoak } from './bench/soak.js';
import { parseBenchArgs } from './bench/stats.js';

const log = (line: string) => process.stdout.write(`${line}\n`);
const args = parseBenchArgs(process.argv.slice(2));

if (args.soak) {
  await runSoak(log, { minutes: args.soakMinutes });
} else {
  await runHotPathsBench(log, { quick: args.quick });
  if (!args.quick) {
    await runPasswordHashingBench(log);
    await runInsertPathBench(log);
    await runRealtimeBench(log);
    await runEngineGrowthBench(log);
  }
}
