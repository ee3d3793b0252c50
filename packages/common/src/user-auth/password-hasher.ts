import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import bcryptjs from 'bcryptjs';
import pLimit from 'p-limit';
import { AppError } from '../errors/index.js';

/** Which bcrypt implementation a hasher runs on. */
export type PasswordHasherEngine = 'native' | 'bcryptjs';

/**
 * Hashes and checks end-user passwords in bcrypt's `$2b$` format. Both engines read each
 * other's hashes (and `$2a$` ones from older data).
 */
export interface PasswordHasher {
  readonly engine: PasswordHasherEngine;
  readonly cost: number;
  /** A fresh `$2b$<cost>$…` hash of `password`. */
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches `hash`. A missing or malformed hash is `false` (never throws)
   * and still costs one full hash, so callers need no separate "unknown user" timing path.
   */
  verify(password: string, hash: string | null | undefined): Promise<boolean>;
}

interface NativeBcrypt {
  hash(data: string, rounds: number): Promise<string>;
  compare(data: string, encrypted: string): Promise<boolean>;
}

export interface PasswordHasherOptions {
  /** bcrypt cost factor (4–15). */
  cost: number;
  /**
   * `native` (default): the `bcrypt` binding, which hashes on libuv's thread pool so the event
   * loop stays free during a login burst. `bcryptjs`: pure JS on the main thread (the original
   * product's choice; used only as a fallback when the binding cannot load, and by the benchmark).
   */
  engine?: PasswordHasherEngine;
  /**
   * Hashes running at once (default: the machine's cores, at least 2). The rest wait in a queue,
   * so a login burst never takes every core from cheap requests.
   */
  maxConcurrent?: number;
  /**
   * Hashes allowed to wait (default 200): beyond that `hash`/`verify` refuse at once with 503
   * and `Retry-After: 1` instead of queueing work nobody will wait for.
   */
  maxQueued?: number;
}

/** The answer when the hashing queue is full. */
export const HASHING_BUSY = 'Too many sign-ins are being processed right now. Please retry in a moment.';

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

function loadNative(): NativeBcrypt | null {
  try {
    return createRequire(import.meta.url)('bcrypt') as NativeBcrypt;
  } catch {
    return null;
  }
}

/**
 * Creates a password hasher. With `engine: 'native'` and no loadable binding (an unsupported
 * platform), it falls back to bcryptjs; `engine` on the result says which one runs.
 */
export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const { cost } = options;
  if (!Number.isInteger(cost) || cost < 4 || cost > 15) throw new Error('bcrypt cost must be an integer from 4 to 15');
  const native = options.engine === 'bcryptjs' ? null : loadNative();
  const impl: NativeBcrypt = native ?? { hash: (d, r) => bcryptjs.hash(d, r), compare: (d, e) => bcryptjs.compare(d, e) };
  // A real hash of a random value: checking against it costs what a real check costs.
  let dummy: Promise<string> | null = null;
  // One core is left to everything else (the cores this process may run on: CPU affinity counts),
  // so a login burst never takes the core cheap requests need.
  const concurrent = Math.max(1, options.maxConcurrent ?? availableParallelism() - 1);
  const limit = pLimit(concurrent);
  // p-limit counts a call as pending until it starts (a microtask later): bound the total.
  const maxInFlight = concurrent + (options.maxQueued ?? 200);
  /** Runs one bcrypt operation within the concurrency limit, or refuses when the queue is full. */
  function bounded<T>(work: () => Promise<T>): Promise<T> {
    if (limit.activeCount + limit.pendingCount >= maxInFlight) {
      return Promise.reject(new AppError('UNAVAILABLE', HASHING_BUSY, undefined, { headers: { 'Retry-After': '1' } }));
    }
    return limit(work);
  }
  const dummyHash = () => {
    dummy ??= bounded(() => impl.hash(`dummy-${Math.random()}`, cost)).catch((err: unknown) => {
      dummy = null;
      throw err;
    });
    return dummy;
  };

  return {
    engine: native ? 'native' : 'bcryptjs',
    cost,
    hash: (password) => bounded(() => impl.hash(password, cost)),
    async verify(password, hash) {
      if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
        const fake = await dummyHash();
        await bounded(() => impl.compare(password, fake));
        return false;
      }
      return bounded(async () => {
        try {
          return await impl.compare(password, hash);
        } catch {
          return false;
        }
      });
    },
  };
}
