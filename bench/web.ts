/**
 * Bench group "web": how fast a fresh `liftline run` (local mode, embedded emulator) answers its
 * first `/healthz`.
 */
import { fileURLToPath } from "node:url";
import type { BenchGroup } from "./main.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function startupToHealthz(): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bench-web-" });
  const port = freePort();
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "run", "--quiet"],
    env: { DATA_DIR: dir, PORT: String(port), RUST_BACKTRACE: "0", SEED: "bench" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const deadline = started + 30_000;
    while (performance.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.body?.cancel();
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("liftline run did not answer /healthz within 30 s");
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
}

const web: BenchGroup = async (report) => {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) runs.push(await startupToHealthz());
  runs.sort((a, b) => a - b);
  report({
    name: "startup_to_healthz_ms",
    value: Math.round(runs[Math.floor(runs.length / 2)]),
    unit: "ms",
    note: `median of ${runs.length} starts (deno run, module graph cached); min ${
      Math.round(runs[0])
    }, max ${Math.round(runs[runs.length - 1])}`,
  });
};

export default web;
