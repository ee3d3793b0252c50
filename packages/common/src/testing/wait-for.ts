/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (default 5000). `check` always runs at least once. */
  timeoutMs?: number;
  /** Pause between two checks, in milliseconds (default 25). */
  intervalMs?: number;
  /**
   * What is awaited, for the timeout error: `"<message>: not within <timeoutMs> ms"`. A function is
   * called only on timeout, so it can add late details (a process's output, what was received).
   */
  message?: string | (() => string);
}

/** What {@link waitFor} treats as "not yet". */
type NotYet = undefined | null | false;

/**
 * Polls `check` until it returns something other than `undefined`, `null` or `false`, and resolves
 * with that value. Use it for an outcome another process, worker or subscriber produces in its own
 * time (a delivery row settling, a rotated key being refused): it returns as soon as the outcome is
 * observable instead of sleeping for a guessed duration.
 *
 * Rejects with `"<message>: not within <timeoutMs> ms"` on timeout. An error thrown by `check`
 * rejects at once (it is not retried), so a check can abort early, e.g. when a child process died.
 *
 * @example
 * const row = await waitFor(async () => {
 *   const d = await Delivery.findById(id).lean();
 *   return d?.status === 'sent' ? d : undefined;
 * }, { timeoutMs: 10_000, message: 'delivery sent' });
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<Awaited<T>, NotYet>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 25;
  const started = performance.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as Exclude<Awaited<T>, NotYet>;
    if (performance.now() - started >= timeoutMs) {
      const what = typeof options.message === 'function' ? options.message() : (options.message ?? 'condition');
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
