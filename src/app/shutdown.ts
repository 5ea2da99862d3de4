/**
 * SIGINT/SIGTERM → one AbortSignal for a clean shutdown; a second signal exits at once.
 *
 * @module
 */
import type { Logger } from "../log.ts";

/** A shutdown signal wired to the process's SIGINT and SIGTERM. */
export interface Shutdown {
  /** Aborts on the first SIGINT/SIGTERM or {@link Shutdown.request}. */
  readonly signal: AbortSignal;
  /** Asks for a shutdown from inside the program. */
  request(reason: string): void;
  /** Removes the signal listeners. */
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM. */
export function listenForShutdown(log: Logger): Shutdown {
  const controller = new AbortController();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const handler = (sig: Deno.Signal) => () => {
    if (controller.signal.aborted) {
      log.warn("second signal: exiting now", { signal: sig });
      Deno.exit(130);
    }
    log.info("shutting down", { signal: sig });
    controller.abort(new Error(`received ${sig}`));
  };
  const listeners = signals.map((s) => [s, handler(s)] as const);
  for (const [s, h] of listeners) Deno.addSignalListener(s, h);
  return {
    signal: controller.signal,
    request(reason) {
      if (!controller.signal.aborted) controller.abort(new Error(reason));
    },
    dispose() {
      for (const [s, h] of listeners) Deno.removeSignalListener(s, h);
    },
  };
}
