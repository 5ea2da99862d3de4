/**
 * Time as the streamer sees it: the wall clock, and timers. The program uses the system's
 * ({@link systemClock}); a test passes a clock it moves itself (tests/helpers/fake_clock.ts), so
 * that backoffs, takeover pauses and commit timeouts are checked by the delays the streamer asks
 * for, in milliseconds of real time, instead of by sleeping through them.
 *
 * @module
 */

/** A source of time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once, `ms` from now (never before returning); the function returned cancels it. */
  timer(ms: number, fn: () => void): () => void;
}

/** The system's clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  timer: (ms, fn) => {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** Waits `ms` on `clock`, ending early when `signal` aborts; never rejects. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      cancel();
      resolve();
    };
    const cancel = clock.timer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
