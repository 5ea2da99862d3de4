/**
 * Waiting primitives for the per-table loops: a wake-up call between two tasks, and a sleep that
 * ends early (without throwing) when a signal aborts.
 *
 * @module
 */

/** Lets one task wake another that waits with a timeout. Wake-ups are not stored. */
export class Wakeup {
  readonly #waiters = new Set<(notified: boolean) => void>();

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
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#waiters.delete(finish);
        resolve(notified);
      };
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), Math.max(0, ms));
      this.#waiters.add(finish);
      if (signal?.aborted) finish(false);
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** Sleeps `ms`, ending early when `signal` aborts; never rejects. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
