/** `pnpm bench`: runs every benchmark under scripts/bench/ and prints its results. */
import { runHotPathsBench } from './bench/hot-paths.js';
import { runInsertPathBench } from './bench/insert-path.js';
import { runPasswordHashingBench } from './bench/password-hashing.js';
import { runRealtimeBench } from './bench/realtime.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

await runPasswordHashingBench(log);
await runInsertPathBench(log);
await runHotPathsBench(log);
await runRealtimeBench(log);
