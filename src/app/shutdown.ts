/**
 * SIGINT/SIGTERM → one AbortSignal for a clean shutdown, bounded in time; a second signal exits
 * at once.
 *
 * The promise (README, "Commands"; docs/architecture.md) is that a signal ends any role within 10 s
 * with exit 0. Each step of a role's shutdown is quick on its own (the streamer waits at most its
 * grace period for commits in flight, a dynamic-table refresh stops at its next chunk), but some
 * wait on others: an HTTP server's shutdown waits for the requests in flight, a `setup --apply`
 * for the account's answers. So the first signal also arms a deadline: if the role has not
 * finished by then, the process exits anyway, with exit 0, because nothing it stops there is
 * lost. The queue keeps every row until its commit is confirmed and SQLite keeps every
 * transaction atomic, so the next start simply carries on.
 *
 * @module
 */
import { handOverSignals } from "./early_stop.ts";
import type { Logger } from "../log.ts";

/** A shutdown signal wired to the process's SIGINT and SIGTERM. */
export interface Shutdown {
  /** Aborts on the first SIGINT/SIGTERM or {@link Shutdown.request}. */
  readonly signal: AbortSignal;
  /** Asks for a shutdown from inside the program. */
  request(reason: string): void;
  /** Removes the signal listeners and disarms the deadline (the role has finished). */
  dispose(): void;
}

/** Options of {@link listenForShutdown}. */
export interface ShutdownOptions {
  /**
   * After the first signal, how long the role may take to finish before the process exits anyway
   * (default {@link SHUTDOWN_DEADLINE_MS}).
   */
  deadlineMs?: number;
  /** How the process ends (default `Deno.exit`); tests replace it. */
  exit?: (code: number) => void;
}

/**
 * 7.5 s: the contract allows 10 s from the signal to the end of the process; the rest is margin
 * for a signal handled late and a timer fired late on a busy machine, and for the runtime's exit.
 * A normal shutdown needs less: the streamer's grace (5 s) plus about a second.
 */
export const SHUTDOWN_DEADLINE_MS = 7_500;

/**
 * The same signal again within this many milliseconds of the first is the first one's copy (a
 * process group's signal forwarded by `deno task`), not a second request. A person pressing
 * Ctrl-C twice takes longer.
 */
export const DUPLICATE_SIGNAL_MS = 100;

/** Listens for SIGINT and SIGTERM. */
export function listenForShutdown(log: Logger, options: ShutdownOptions = {}): Shutdown {
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const exit = options.exit ?? ((code: number) => Deno.exit(code));
  const controller = new AbortController();
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  let first: { signal: Deno.Signal; at: number } | undefined;
  const handler = (sig: Deno.Signal) => () => {
    // A signal sent to the whole process group reaches this process twice when `deno task`
    // forwards its own copy: milliseconds apart, the same signal. That is one request.
    if (first && first.signal === sig && performance.now() - first.at < DUPLICATE_SIGNAL_MS) {
      return;
    }
    // A shutdown the program asked for itself (a failed role) still counts as no signal yet.
    if (deadline !== undefined) {
      log.warn("second signal: exiting now", { signal: sig });
      exit(130);
      return;
    }
    first = { signal: sig, at: performance.now() };
    log.info("shutting down", { signal: sig });
    if (!controller.signal.aborted) controller.abort(new Error(`received ${sig}`));
    // Not unref'd: a role stuck on a promise nothing will settle must still end here.
    deadline = setTimeout(() => {
      log.warn("shutdown took too long: exiting now", { after_ms: deadlineMs });
      exit(0);
    }, deadlineMs);
  };
  const listeners = signals.map((s) => [s, handler(s)] as const);
  for (const [s, h] of listeners) Deno.addSignalListener(s, h);
  handOverSignals();
  return {
    signal: controller.signal,
    request(reason) {
      if (!controller.signal.aborted) controller.abort(new Error(reason));
    },
    dispose() {
      for (const [s, h] of listeners) Deno.removeSignalListener(s, h);
      clearTimeout(deadline);
    },
  };
}
