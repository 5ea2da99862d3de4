/**
 * The messages between the main thread and the generator's worker thread (src/threads.ts starts
 * it). Nothing is shared but these messages: the worker has its own outbox connection, model and
 * logger.
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import type { QueueWriteErrorReason } from "../queue/write_error.ts";
import type { GeneratorStatus } from "../status/store.ts";

/** Main thread → worker. */
export type ToGenerator =
  | {
    type: "start";
    /** The configuration, without secrets (the generator needs none). */
    config: Config;
    /** Debug lines on (LIFTLINE_DEBUG). */
    debug: boolean;
    batchRows?: number;
    summaryEveryMs?: number;
  }
  /** Stop: write the rows already made, then answer `done`. */
  | { type: "stop" };

/** Worker → main thread. */
export type FromGenerator =
  /**
   * Listening: sent once the worker's module is loaded. A message posted to a worker before its
   * handler is set can be lost (its entry awaits the import that sets it), so the main thread
   * sends nothing before this.
   */
  | { type: "ready" }
  | {
    type: "progress";
    /** The generator's status as it is now (null before it starts). */
    generator: GeneratorStatus | null;
    /** Rows written to the queue since the last message, by table. */
    generated: Record<string, number>;
    /** Failed queue writes since the last message. */
    writeErrors: QueueWriteErrorReason[];
    /** The generator's not-ready reasons, when they changed. */
    notReady?: string[];
  }
  /** Finished (UNTIL reached, or stopped), every row made is in the queue. */
  | { type: "done" }
  /** Failed; `variable` is set for a configuration error (exit 2). */
  | { type: "failed"; error: { name: string; message: string; variable?: string } };
