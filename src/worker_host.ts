/**
 * The worker thread's side (see threads.ts): starts each service the main thread asks for, on the
 * port it sent, loading only that service's module: no web server, no emulator, no configuration
 * schema. Importing this module inside the worker starts listening.
 *
 * @module
 */
import type { FromHost, ToHost } from "./threads.ts";

/** This thread's side of the worker (Deno's window-scope typings do not know it). */
const scope = globalThis as unknown as {
  postMessage(m: FromHost): void;
  onmessage: ((e: MessageEvent<ToHost>) => void) | null;
};

scope.onmessage = async (e) => {
  const m = e.data;
  if (m.type !== "serve") return;
  if (m.service === "generator") {
    (await import("./generator/worker.ts")).serveGenerator(m.port);
  } else if (m.service === "queue-deleter") {
    (await import("./queue/deleter_worker.ts")).serveDeletes(m.port);
  }
};
scope.postMessage({ type: "ready" });
