/**
 * liftline's worker threads: their names, how a module knows it runs as one, and the module they
 * start from. Nothing else here, so that `main.ts` can ask before it loads anything.
 *
 * Every worker starts from `main.ts`, which turns into the worker its thread's name asks for
 * (src/generator/worker.ts, src/queue/deleter_worker.ts). So a worker needs no file of its own
 * beside the program: from source (and in a `deno compile` binary, which embeds it) that is
 * `main.ts` beside this folder; in the one-file bundle it is the bundle itself, whose code begins
 * as `main.ts` does. The threads share no mutable state: each has its own connection to the
 * outbox and talks to the main thread in messages.
 *
 * @module
 */

/** What a worker thread does. */
export type WorkerRole = "generator" | "queue-deleter";

const PREFIX = "liftline-";

/** The name a worker of `role` is started with. */
export function workerName(role: WorkerRole): string {
  return `${PREFIX}${role}`;
}

/** The role of this thread when it is one of liftline's workers, else undefined. */
export function workerRole(): WorkerRole | undefined {
  const scope = (globalThis as { WorkerGlobalScope?: abstract new () => unknown })
    .WorkerGlobalScope;
  if (scope === undefined || !(globalThis instanceof scope)) return undefined;
  const name = (globalThis as unknown as { name?: string }).name ?? "";
  const role = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : "";
  return role === "generator" || role === "queue-deleter" ? role : undefined;
}

/** The module every worker starts from (see the module doc). */
export function workerEntry(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith("/src/threads.ts") ? new URL("../main.ts", here) : here;
}

/** Starts a worker of `role` (module type, the process's permissions). */
export function startWorker(role: WorkerRole, entry: URL = workerEntry()): Worker {
  return new Worker(entry, { type: "module", name: workerName(role) });
}
