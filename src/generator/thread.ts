/**
 * The generator on a thread of its own, for `run`: the simulation and its queue writes take one
 * core, and the main thread keeps the other for the streamer, the embedded emulator and the web
 * server.
 *
 * The worker shares no mutable state with the main thread: it gets a copy of the configuration
 * (without secrets), opens its own connection to the outbox, and sends its progress back as
 * messages (see thread_protocol.ts), which this side applies to the process's metrics and status
 * store. The streamer's deletes reach it through the database: the generator reads the queue's
 * real depth every few dozen milliseconds.
 *
 * @module
 */
import { ConfigError } from "../config/error.ts";
import type { Config } from "../config/load.ts";
import type { GeneratorDeps } from "./runner.ts";
import type { FromGenerator, ToGenerator } from "./thread_protocol.ts";
import { WorkerThread } from "../threads.ts";

/** LIFTLINE_DEBUG is set (false without permission to read the environment). */
function debugOn(): boolean {
  try {
    return Deno.env.get("LIFTLINE_DEBUG") !== undefined;
  } catch {
    return false;
  }
}

/** What {@link runGeneratorThread} needs: the generator's needs but the outbox (it has its own). */
export interface GeneratorThreadDeps extends Omit<GeneratorDeps, "outbox"> {
  /**
   * The worker thread to run on (it may host the queue's deletes too); by default one of its own,
   * ended with the generator.
   */
  thread?: WorkerThread;
}

/**
 * Runs the generator in a worker thread until UNTIL is reached or `signal` aborts (then it writes
 * the rows already made and stops). Rejects with the generator's failure ({@link ConfigError}
 * for a bad UNTIL), or when the thread itself fails.
 */
export function runGeneratorThread(deps: GeneratorThreadDeps): Promise<void> {
  const { metrics, status, signal } = deps;
  return new Promise((resolve, reject) => {
    let settled = false;
    const thread = deps.thread ?? new WorkerThread();
    const port = thread.serve("generator");
    let stopWatching = () => {};
    let ready = false;
    const send = (m: ToGenerator) => port.postMessage(m);
    // A stop asked before the worker listens is sent right after the start.
    const onAbort = () => {
      if (ready) send({ type: "stop" });
    };
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      stopWatching();
      port.close();
      if (!deps.thread) thread.terminate();
      if (error) reject(error);
      else resolve();
    };
    port.onmessage = (e: MessageEvent<FromGenerator>) => {
      const m = e.data;
      switch (m.type) {
        case "ready": {
          ready = true;
          const config: Config = { ...deps.config, PRIVATE_KEY: undefined };
          send({
            type: "start",
            config,
            debug: debugOn(),
            batchRows: deps.batchRows,
            summaryEveryMs: deps.summaryEveryMs,
          });
          if (signal.aborted) onAbort();
          break;
        }
        case "progress":
          for (const [table, n] of Object.entries(m.generated)) {
            metrics.rowsGenerated.inc({ table }, n);
          }
          for (const reason of m.writeErrors) metrics.countQueueWriteError(reason);
          if (m.generator) status.generator = m.generator;
          if (m.notReady) status.setNotReady("generator", m.notReady);
          break;
        case "done":
          finish();
          break;
        case "failed": {
          const { name, message, variable } = m.error;
          if (variable !== undefined) {
            finish(new ConfigError(variable, message.slice(variable.length + 1)));
          } else {
            const error = new Error(message);
            error.name = name;
            finish(error);
          }
          break;
        }
      }
    };
    // Uncaught in the worker (or its module failed to load): the thread is gone.
    stopWatching = thread.onError((message) =>
      finish(new Error(`the generator thread failed: ${message}`))
    );
    port.onmessageerror = () =>
      finish(new Error("the generator thread sent an unreadable message"));
    signal.addEventListener("abort", onAbort, { once: true });
    deps.log.debug("generator thread started");
  });
}
