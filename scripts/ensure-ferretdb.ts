/** Builds FerretDB into the cache if it is not there yet (used by .ci/run; tests start it themselves). */
import { ensureFerretBinary } from './services/ferretdb.js';
import { say } from './services/util.js';

ensureFerretBinary()
  .then((bin) => say(`FerretDB ready: ${bin}`))
  .catch((err: unknown) => {
    say(`FerretDB unavailable: ${(err as Error).message}`);
    process.exit(1);
  });
