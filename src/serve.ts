/**
 * `Deno.serve` that outlives running out of file descriptors.
 *
 * When a flood of idle connections uses up the process's descriptors, Deno's accept loop fails
 * with "Too many open files" as an unhandled rejection: that ended the whole process (generator,
 * streamer and emulator with the web server), and even when kept alive, the listener accepts no
 * more. Here that rejection is caught, and once descriptors are free again each server this
 * module started that no longer accepts is started again on its port. Rows are never at stake
 * (they are in the queue); the dashboard and the emulator come back by themselves.
 *
 * @module
 */
import type { Logger } from "./log.ts";

/** A server {@link serveSupervised} keeps listening. */
export interface SupervisedServer {
  readonly addr: Deno.NetAddr;
  /** How many times it was started again after its listener died. */
  readonly restarts: number;
  shutdown(): Promise<void>;
}

interface Entry {
  options: Deno.ServeTcpOptions;
  handler: Deno.ServeHandler<Deno.NetAddr>;
  server: Deno.HttpServer<Deno.NetAddr>;
  stopped: boolean;
  restarts: number;
  log: Logger;
}

const servers = new Set<Entry>();
let recheck: ReturnType<typeof setTimeout> | undefined;

/** True for the errors of a process (or system) out of file descriptors. */
export function isOutOfDescriptors(error: unknown): boolean {
  return /Too many open files|os error 24|os error 23/i.test(
    String((error as Error | undefined)?.message ?? error),
  );
}

function installGuard(): void {
  if (installed) return;
  installed = true;
  globalThis.addEventListener("unhandledrejection", (e) => {
    if (!isOutOfDescriptors(e.reason)) return;
    // Deno's accept loop: not a failure of this program's logic, and not a reason to end it.
    e.preventDefault();
    for (const s of servers) {
      if (!s.stopped) {
        s.log.error("out of file descriptors: connections are refused until some close", {
          port: s.server.addr.port,
        });
        break;
      }
    }
    scheduleRecheck(1000);
  });
}
let installed = false;

function scheduleRecheck(ms: number): void {
  if (recheck !== undefined) return;
  recheck = setTimeout(() => {
    recheck = undefined;
    revive().catch(() => scheduleRecheck(2000));
  }, ms);
}

/**
 * Whether the server answers: a listener whose accept loop died may still complete connections
 * in the kernel's backlog, so only an answer tells.
 */
async function answers(addr: Deno.NetAddr): Promise<boolean> {
  const host = addr.hostname === "0.0.0.0"
    ? "127.0.0.1"
    : addr.hostname === "::"
    ? "[::1]"
    : addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  try {
    const res = await fetch(`http://${host}:${addr.port}/healthz`, {
      method: "HEAD",
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    return true;
  } catch (e) {
    if (isOutOfDescriptors(e)) throw e;
    return false;
  }
}

async function revive(): Promise<void> {
  let again = false;
  for (const s of servers) {
    if (s.stopped) continue;
    try {
      if (await answers(s.server.addr)) continue;
    } catch {
      // Still out of descriptors: try again later.
      again = true;
      continue;
    }
    const port = s.server.addr.port;
    await s.server.shutdown().catch(() => {});
    try {
      s.server = Deno.serve({ ...s.options, port, onListen: () => {} }, s.handler);
      s.restarts++;
      s.log.warn("listening again after running out of file descriptors", { port });
    } catch {
      again = true;
    }
  }
  if (again) scheduleRecheck(2000);
}

/** `Deno.serve(options, handler)`, started again should its listener die for want of descriptors. */
export function serveSupervised(
  options: Deno.ServeTcpOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
  log: Logger,
): SupervisedServer {
  installGuard();
  const entry: Entry = {
    options,
    handler,
    server: Deno.serve(options, handler),
    stopped: false,
    restarts: 0,
    log,
  };
  servers.add(entry);
  return {
    get addr() {
      return entry.server.addr;
    },
    get restarts() {
      return entry.restarts;
    },
    async shutdown() {
      entry.stopped = true;
      servers.delete(entry);
      await entry.server.shutdown();
    },
  };
}
