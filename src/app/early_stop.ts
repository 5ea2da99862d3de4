/**
 * A signal in the first moments of the process, before a role has installed its shutdown
 * (src/app/shutdown.ts): nothing has started that a stop could cut short, so the process ends at
 * once with exit 0, as a signal later does after its shutdown. Without this, a SIGTERM while the
 * program was still loading ended it with the runtime's default, 143.
 *
 * @module
 */

let handedOver = false;

/** Listens for SIGINT and SIGTERM until {@link handOverSignals}. Main thread only. */
export function stopEarlyOnSignal(): void {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(sig, () => {
        if (!handedOver) Deno.exit(0);
      });
    } catch {
      // A platform without these signals: nothing to do.
    }
  }
}

/** The role's own shutdown handles signals from now on. */
export function handOverSignals(): void {
  handedOver = true;
}
