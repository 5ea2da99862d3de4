/**
 * Generator benchmarks (names listed in the README's Benchmarks table):
 *
 * - `generator_rows_per_s`: SPEED=MAX from a cold start over twelve simulated days into a fresh
 *   outbox, beside `sqlite_insert_ceiling_rows_per_s`: the same number of rows of the same average
 *   size appended through `Outbox.append` in batches of the same size, in the same run.
 * - `generator_rss_mb_day7`, `generator_rss_mb_day60`: process RSS when one MAX run reaches
 *   simulated day 7 and day 60. The queue is drained as the run goes (as the streamer would),
 *   so the figure is the generator's own memory, not a backlog.
 */
import { DatabaseSync } from "node:sqlite";
import type { BenchResult } from "./main.ts";
import { buildConfig, TABLES } from "../src/config/load.ts";
import { DEFAULT_BATCH_ROWS, runGenerator } from "../src/generator/runner.ts";
import { silentLogger } from "../src/log.ts";
import { Outbox } from "../src/queue/outbox.ts";
import { Metrics } from "../src/status/metrics.ts";
import { StatusStore } from "../src/status/store.ts";

const START = "2026-11-25T14:00:00Z";
const DAY_MS = 86_400_000;
const THROUGHPUT_DAYS = 12;
const RSS_DAYS = 60;
/** Ticket sales per day for the 60-day run (the default). */
const RSS_TICKETS_PER_DAY = 8500;

function config(dir: string, days: number, ticketsPerDay: number) {
  return buildConfig({
    SPEED: "MAX",
    SEED: "bench",
    START_TIME: START,
    UNTIL: new Date(Date.parse(START) + days * DAY_MS).toISOString(),
    TICKETS_PER_DAY: String(ticketsPerDay),
    QUEUE_MAX_ROWS: "100000000",
    DATA_DIR: dir,
    QUIET: "true",
  });
}

const rssMb = () => Math.round((Deno.memoryUsage().rss / 1_048_576) * 10) / 10;

/** Generator rows/s at MAX; returns the row count, average row length and batch size used. */
async function throughput(dir: string, report: (r: BenchResult) => void) {
  const path = `${dir}/queue.db`;
  const outbox = new Outbox(path, TABLES);
  const t0 = performance.now();
  await runGenerator({
    config: config(dir, THROUGHPUT_DAYS, 8500),
    outbox,
    metrics: new Metrics(),
    status: new StatusStore(),
    log: silentLogger,
    signal: new AbortController().signal,
  });
  const seconds = (performance.now() - t0) / 1000;
  outbox.close();
  const db = new DatabaseSync(path, { readOnly: true });
  let rows = 0, bytes = 0;
  for (const t of TABLES) {
    const r = db.prepare(`SELECT count(*) AS n, sum(length(json)) AS b FROM ${t}`).get() as {
      n: number;
      b: number;
    };
    rows += Number(r.n);
    bytes += Number(r.b);
  }
  db.close();
  const avgLength = Math.round(bytes / rows);
  report({
    name: "generator_rows_per_s",
    value: Math.round(rows / seconds),
    unit: "rows/s",
    note: `SPEED=MAX, TICKETS_PER_DAY=8500, ${THROUGHPUT_DAYS} simulated days from a cold start: ` +
      `${rows} rows (avg ${avgLength} bytes) in ${seconds.toFixed(1)} s, batches of up to ` +
      `${DEFAULT_BATCH_ROWS}`,
  });
  return { rows, avgLength, seconds };
}

/** Raw batched Outbox.append of `rows` rows of `avgLength` bytes. */
function ceiling(dir: string, rows: number, avgLength: number, report: (r: BenchResult) => void) {
  const outbox = new Outbox(`${dir}/ceiling.db`, ["LIFT_RIDE"]);
  // Distinct flat strings of exactly the average length, built before timing: the ceiling is
  // the queue's insert path alone.
  const batch = Array.from({ length: DEFAULT_BATCH_ROWS }, (_, i) => {
    const head = `{"I":${i},"PAD":"`;
    return head + "x".repeat(Math.max(0, avgLength - head.length - 2)) + '"}';
  });
  const t0 = performance.now();
  let done = 0;
  while (done < rows) {
    const n = Math.min(batch.length, rows - done);
    outbox.append({ LIFT_RIDE: n === batch.length ? batch : batch.slice(0, n) });
    done += n;
  }
  const seconds = (performance.now() - t0) / 1000;
  outbox.close();
  const value = Math.round(done / seconds);
  report({
    name: "sqlite_insert_ceiling_rows_per_s",
    value,
    unit: "rows/s",
    note: `${done} rows of ${avgLength} bytes through Outbox.append in batches of ` +
      `${DEFAULT_BATCH_ROWS}, fresh outbox, same run`,
  });
  return value;
}

/**
 * One MAX run to day 60. RSS is sampled every 50 ms; the figure for day N is the highest sample
 * while world time is within simulated day N (a single sample would mostly say where the garbage
 * collector happened to be in its cycle).
 */
async function rss(dir: string, report: (r: BenchResult) => void) {
  const outbox = new Outbox(`${dir}/rss.db`, TABLES);
  const status = new StatusStore();
  const start = Date.parse(START);
  const peak = new Map<number, number>();
  const sample = () => {
    // Drain as the streamer would, so that the queue (and SQLite's cache of it) stays small.
    for (const t of TABLES) for (const s of outbox.shards(t)) s.deleteThrough(s.maxId());
    const world = status.generator ? Date.parse(status.generator.worldTime) : start;
    const day = Math.min(RSS_DAYS, Math.floor((world - start) / DAY_MS) + 1);
    peak.set(day, Math.max(peak.get(day) ?? 0, rssMb()));
  };
  const timer = setInterval(sample, 50);
  const t0 = performance.now();
  try {
    await runGenerator({
      config: config(dir, RSS_DAYS, RSS_TICKETS_PER_DAY),
      outbox,
      metrics: new Metrics(),
      status,
      log: silentLogger,
      signal: new AbortController().signal,
    });
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  sample();
  outbox.close();
  const day7 = peak.get(7) ?? NaN;
  const day60 = peak.get(RSS_DAYS) ?? NaN;
  const note = `one SPEED=MAX run, TICKETS_PER_DAY=${RSS_TICKETS_PER_DAY}, queue drained ` +
    `every 50 ms as a streamer would; highest RSS sampled during that simulated day; ` +
    `${seconds.toFixed(0)} s`;
  report({ name: "generator_rss_mb_day7", value: day7, unit: "MB", note });
  report({
    name: "generator_rss_mb_day60",
    value: day60,
    unit: "MB",
    note: `${note}; growth since day 7: ${(((day60 - day7) / day7) * 100).toFixed(1)}%`,
  });
}

/** The generator group. */
export default async function (report: (r: BenchResult) => void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bench-generator-" });
  try {
    // The memory run goes first, while the process holds nothing else.
    await rss(dir, report);
    const gen = await throughput(dir, report);
    const ceil = ceiling(dir, gen.rows, gen.avgLength, report);
    report({
      name: "generator_share_of_insert_ceiling_pct",
      value: Math.round(((gen.rows / gen.seconds) / ceil) * 1000) / 10,
      unit: "%",
      note: "generator_rows_per_s / sqlite_insert_ceiling_rows_per_s (target ≥ 40%)",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
