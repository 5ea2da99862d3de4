/**
 * A wake-up call between two tasks of the per-table loops (the sleep that a signal cuts short is
 * `sleep`, in `clock.ts`).
 *
 * @module
 */
import { type Clock, systemClock } from "./clock.ts";

/** Lets one task wake another that waits with a timeout. Wake-ups are not stored. */
export class Wakeup {
  readonly #waiters = new Set<(notified: boolean) => void>();
  readonly #clock: Clock;

  /** Timeouts run on `clock`. */
  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** Wakes every current waiter. */
  notify(): void {
    for (const w of [...this.#waiters]) w(true);
  }

  /**
   * Resolves true when notified, false after `ms` or when `signal` aborts. Callers re-check their
   * condition after waking, so a notification sent while nobody waits is not needed.
   */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (notified: boolean) => {
        if (done) return;
        done = true;
        cancel();
        signal?.removeEventListener("abort", onAbort);
        this.#waiters.delete(finish);
        resolve(notified);
      };
      const onAbort = () => finish(false);
      const cancel = this.#clock.timer(ms, () => finish(false));
      this.#waiters.add(finish);
      if (signal?.aborted) finish(false);
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
