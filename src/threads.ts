/**
 * liftline's worker thread: one thread beside the main one, hosting the jobs that would otherwise
 * take the main thread's time: in `run` the generator, and wherever the streamer runs, the deletes
 * of committed rows from the queue. One thread for both (each talks over a port of its own): a
 * thread costs about 20 MB of memory for its JavaScript engine alone, and the two jobs share a
 * core well (the generator yields every 20 ms; the deletes are short).
 *
 * The worker starts from `main.ts`, which turns into the worker host (worker_host.ts) on a thread
 * of that name. So it needs no file of its own beside the program: from source (and in a
 * `deno compile` binary, which embeds it) that is `main.ts` beside this folder; in the one-file
 * bundle it is the bundle itself, whose code begins as `main.ts` does. The threads share no
 * mutable state: each job has its own connection to the outbox and talks to the main thread in
 * messages.
 *
 * @module
 */

/** A job the worker thread can host. */
export type Service = "generator" | "queue-deleter";

/** The name the worker thread is started with. */
const WORKER_NAME = "liftline-worker";

/** Messages of the thread itself (each service then talks over its own port). */
export type ToHost = { type: "serve"; service: Service; port: MessagePort };
export type FromHost = { type: "ready" };

/** True inside liftline's worker thread. */
export function isLiftlineWorker(): boolean {
  const scope = (globalThis as { WorkerGlobalScope?: abstract new () => unknown })
    .WorkerGlobalScope;
  return scope !== undefined && globalThis instanceof scope &&
    (globalThis as unknown as { name?: string }).name === WORKER_NAME;
}

/** The module the worker thread starts from (see the module doc). */
export function workerEntry(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith("/src/threads.ts") ? new URL("../main.ts", here) : here;
}

/** The worker thread, as the main thread holds it. */
export class WorkerThread {
  readonly #worker: Worker;
  /** Services asked for before the thread listens (a message posted earlier could be lost). */
  #queued: ToHost[] | undefined = [];
  readonly #onError = new Set<(message: string) => void>();
  #failed: string | undefined;
  #terminated = false;

  /** Starts the thread (from `entry`, default {@link workerEntry}). */
  constructor(entry: URL = workerEntry()) {
    this.#worker = new Worker(entry, { type: "module", name: WORKER_NAME });
    this.#worker.onmessage = (e: MessageEvent<FromHost>) => {
      if (e.data.type !== "ready") return;
      const queued = this.#queued ?? [];
      this.#queued = undefined;
      for (const m of queued) this.#worker.postMessage(m, [m.port]);
    };
    this.#worker.onerror = (e) => {
      // Uncaught in the thread, or its module failed to load: every service on it is gone.
      e.preventDefault();
      this.#failed = e.message;
      for (const f of this.#onError) f(e.message);
    };
  }

  /** Starts `service` on the thread; returns the main thread's end of its port. */
  serve(service: Service): MessagePort {
    const { port1, port2 } = new MessageChannel();
    const m: ToHost = { type: "serve", service, port: port2 };
    if (this.#queued) this.#queued.push(m);
    else this.#worker.postMessage(m, [port2]);
    return port1;
  }

  /** Calls `f` when the thread fails (at once if it already did); returns the unsubscribe. */
  onError(f: (message: string) => void): () => void {
    if (this.#failed !== undefined) f(this.#failed);
    this.#onError.add(f);
    return () => this.#onError.delete(f);
  }

  /** Ends the thread and whatever still runs on it. */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#worker.terminate();
  }
}
