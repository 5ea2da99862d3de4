/**
 * The generator as a service of the worker thread (src/threads.ts; thread.ts asks for it): runs
 * the generator on its own outbox connection and forwards what it reports, as messages on its
 * port, to the main thread.
 *
 * It imports only what the generator needs (the model, the outbox, the logger): no web server,
 * no emulator, no metric registry, no configuration schema.
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError } from "../config/error.ts";
import { TABLES } from "../config/tables.ts";
import { createLogger } from "../log.ts";
import { Outbox } from "../queue/outbox.ts";
import type { QueueWriteErrorReason } from "../queue/write_error.ts";
import type { GeneratorStatus } from "../status/store.ts";
import { type GeneratorMetrics, type GeneratorStatusSink, runGenerator } from "./runner.ts";
import type { FromGenerator, ToGenerator } from "./thread_protocol.ts";

/** How often progress goes to the main thread (and the dashboard's numbers move). */
const FORWARD_EVERY_MS = 100;

/** The generator's metrics and status, gathered and sent to the main thread in one message. */
class Forwarder implements GeneratorMetrics, GeneratorStatusSink {
  generator: GeneratorStatus | null = null;
  readonly #post: (m: FromGenerator) => void;
  #generated: Record<string, number> = {};
  #writeErrors: QueueWriteErrorReason[] = [];
  #notReady: string[] | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(post: (m: FromGenerator) => void) {
    this.#post = post;
  }

  readonly rowsGenerated = {
    inc: (labels: { table: string }, value: number) => {
      this.#generated[labels.table] = (this.#generated[labels.table] ?? 0) + value;
    },
  };

  countQueueWriteError(reason: QueueWriteErrorReason): void {
    this.#writeErrors.push(reason);
  }

  setNotReady(_role: string, reasons: string[]): void {
    this.#notReady = reasons;
  }

  start(): void {
    this.#timer = setInterval(() => this.flush(), FORWARD_EVERY_MS);
  }

  /** Sends what changed since the last message. */
  flush(): void {
    this.#post({
      type: "progress",
      generator: this.generator,
      generated: this.#generated,
      writeErrors: this.#writeErrors,
      notReady: this.#notReady,
    });
    this.#generated = {};
    this.#writeErrors = [];
    this.#notReady = undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Serves one generator run on `port`: waits for its start, runs it, answers done or failed; a
 * stop message ends it after the rows already made are written.
 */
export function serveGenerator(port: MessagePort): void {
  const post = (m: FromGenerator) => port.postMessage(m);
  let stop: AbortController | undefined;

  async function run(m: Extract<ToGenerator, { type: "start" }>): Promise<void> {
    const { config } = m;
    const log = createLogger({ format: config.LOG_FORMAT, quiet: config.QUIET, debug: m.debug });
    const sink = new Forwarder(post);
    let outbox: Outbox | undefined;
    /** The last progress, the connection closed, then the end. */
    const finish = (last: FromGenerator) => {
      sink.stop();
      sink.flush();
      outbox?.close();
      post(last);
    };
    try {
      outbox = new Outbox(join(config.dataDir, "queue.db"), TABLES, {
        channels: config.STREAM_CHANNELS,
      });
      sink.start();
      await runGenerator({
        config,
        outbox,
        metrics: sink,
        status: sink,
        log,
        signal: stop!.signal,
        batchRows: m.batchRows,
        summaryEveryMs: m.summaryEveryMs,
      });
      finish({ type: "done" });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      finish({
        type: "failed",
        error: {
          name: error.name,
          message: error.message,
          variable: e instanceof ConfigError ? e.variable : undefined,
        },
      });
    }
  }

  port.onmessage = (e: MessageEvent<ToGenerator>) => {
    const m = e.data;
    if (m.type === "start" && stop === undefined) {
      stop = new AbortController();
      void run(m);
    } else if (m.type === "stop") {
      stop?.abort();
    }
  };
  post({ type: "ready" });
}
