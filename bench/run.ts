/**
 * Bench group "run": memory and throughput of the whole program at full speed.
 *
 * Starts `liftline run --speed MAX` (generator, streamer, embedded emulator with its dynamic
 * tables, web server: one process, local target) as a child process in a fresh data folder, with
 * the environment and V8 flags of `deno task start` (start_task.ts), lets
 * it run for {@link RUN_SECONDS} s, then stops it with SIGTERM. Printed:
 *
 * - `run_max_peak_rss_mb`: the child's peak resident memory: the kernel's high-water mark
 *   (`VmHWM` in `/proc/<pid>/status`) read just before the stop, or the highest `VmRSS` sampled
 *   every 100 ms when that is higher (it cannot be, but both are in the note).
 * - `run_max_rows_per_s`: rows committed per second by that same run: the change of
 *   `liftline_rows_committed_total` (summed over the tables, from its `/metrics`) between its
 *   first answer and the end, divided by the time in between.
 *
 * - `start_to_first_rides_ms`: see {@link measureFirstRides}.
 *
 * Run alone: `deno task bench run`, or `deno run -A bench/run.ts [seconds]`.
 */
import type { BenchGroup, BenchResult } from "./main.ts";
import { freePort } from "./free_port.ts";
import { liftlineCommand, startRuntime } from "./start_task.ts";

/** How long the run lasts (the issue's figure is over 90 s). */
const RUN_SECONDS = 90;
const SAMPLE_MS = 100;

/** `VmRSS` and `VmHWM` of a process in MB, or undefined once it is gone. */
async function memoryOf(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`/proc/${pid}/status`);
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** Rows committed so far, summed over the tables, from `/metrics`; undefined if not answering. */
async function rowsCommitted(port: number): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok) return undefined;
    let sum = 0;
    for (const m of text.matchAll(/^liftline_rows_committed_total(?:\{[^}]*\})? (\S+)$/gm)) {
      sum += Number(m[1]);
    }
    return sum;
  } catch {
    return undefined;
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** One MAX run of `seconds`; reports both figures. */
export async function measureRun(
  report: (r: BenchResult) => void,
  seconds = RUN_SECONDS,
  extraArgs: readonly string[] = [],
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bench-run-" });
  const port = freePort();
  const runtime = await startRuntime();
  const child = liftlineCommand(runtime, [
    "run",
    "--speed",
    "MAX",
    "--data-dir",
    dir,
    "--port",
    String(port),
    "--quiet",
    ...extraArgs,
  ], {
    env: { SEED: "bench", START_TIME: "2026-11-25T14:00:00Z" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Keep the last few KB of stderr to explain a failure; draining it keeps the child unblocked.
  let stderrTail = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(chunk) {
        stderrTail = (stderrTail + chunk).slice(-4000);
      },
    }),
  ).catch(() => {});
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const started = performance.now();
  let peakSampled = 0;
  let hwm = 0;
  let first: { at: number; rows: number } | undefined;
  let last: { at: number; rows: number } | undefined;
  try {
    const end = started + seconds * 1000;
    let nextPoll = started;
    while (performance.now() < end && !exited) {
      const m = await memoryOf(child.pid);
      if (m) {
        peakSampled = Math.max(peakSampled, m.rss);
        hwm = Math.max(hwm, m.hwm);
      }
      if (first === undefined && performance.now() >= nextPoll) {
        // Until the web server answers (a second or two), the run has not started streaming.
        nextPoll = performance.now() + 250;
        const rows = await rowsCommitted(port);
        if (rows !== undefined) first = { at: performance.now(), rows };
      }
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    if (exited) throw new Error(`liftline run exited early:\n${stderrTail}`);
    const rows = await rowsCommitted(port);
    if (rows !== undefined) last = { at: performance.now(), rows };
    const m = await memoryOf(child.pid);
    if (m) hwm = Math.max(hwm, m.hwm);
  } finally {
    if (!exited) child.kill("SIGTERM");
    const killer = setTimeout(() => {
      if (!exited) child.kill("SIGKILL");
    }, 30_000);
    await status;
    clearTimeout(killer);
    await stderrDone;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (!first || !last) throw new Error(`liftline run never answered /metrics:\n${stderrTail}`);
  const span = (last.at - first.at) / 1000;
  const committed = last.rows - first.rows;
  const settings = `SPEED=MAX, local target (embedded emulator with dynamic tables, default ` +
    `commit delay), web server; ${seconds} s in a fresh data folder${
      extraArgs.length ? `, ${extraArgs.join(" ")}` : ""
    }`;
  report({
    name: "run_max_peak_rss_mb",
    value: round1(Math.max(hwm, peakSampled)),
    unit: "MB",
    note: `${settings}; VmHWM ${round1(hwm)} MB, highest VmRSS sampled every ${SAMPLE_MS} ms ` +
      `${round1(peakSampled)} MB (target ≤ 384)`,
  });
  report({
    name: "run_max_rows_per_s",
    value: Math.round(committed / span),
    unit: "rows/s",
    note: `${settings}; ${committed} rows committed in ${span.toFixed(1)} s (from the first ` +
      "/metrics answer to the end)",
  });
}

/**
 * `start_to_first_rides_ms`: from starting `liftline run` with the defaults (as `deno task start`
 * does, in a fresh data folder) to the overview page showing a non-zero lift-ride count: what a
 * new user waits for (the default START_TIME is chosen so that lifts open soon after the start).
 */
export async function measureFirstRides(report: (r: BenchResult) => void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bench-first-" });
  const port = freePort();
  const runtime = await startRuntime();
  const t0 = performance.now();
  const child = liftlineCommand(runtime, [
    "run",
    "--data-dir",
    dir,
    "--port",
    String(port),
  ], { stdout: "null", stderr: "null" }).spawn();
  let firstPage: number | undefined;
  let rides: string | undefined;
  try {
    while (performance.now() - t0 < 180_000) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
        const html = await res.text();
        firstPage ??= performance.now() - t0;
        const shown = /Lift rides<\/div><div class="value">([\d,]+)</.exec(html)?.[1];
        if (shown && shown !== "0") {
          rides = shown;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (rides === undefined) throw new Error("the overview showed no rides within 180 s");
  report({
    name: "start_to_first_rides_ms",
    value: Math.round(performance.now() - t0),
    unit: "ms",
    note: `\`liftline run\` with the defaults in a fresh data folder, polling / every 100 ms; ` +
      `first page after ${Math.round(firstPage ?? 0)} ms, ${rides} rides shown (target ≤ 90,000)`,
  });
}

/** The run group. */
const run: BenchGroup = async (report) => {
  await measureFirstRides(report);
  await measureRun(report);
};

export default run;

if (import.meta.main) {
  const seconds = Deno.args[0] ? Number(Deno.args[0]) : RUN_SECONDS;
  await measureRun((r) => console.log(JSON.stringify(r)), seconds, Deno.args.slice(1));
}
