/**
 * Streamer benchmarks:
 *
 * - `streamer_rows_per_s`: a pre-filled outbox drained into an in-process emulator with commit
 *   delay 0, with the default channels per table (STREAM_CHANNELS), timed from start to the last
 *   row confirmed committed and deleted from the outbox; printed beside
 *   `emulator_insert_ceiling_rows_per_s` (the emulator's own insert path without HTTP, same run).
 * - `streamer_rows_per_s_by_channels`: the same drain with 1, 2, 4 and 8 channels per table, one
 *   line each, with where the time went: the main thread's CPU (this process's JavaScript: the
 *   streamer and the emulator's HTTP, parsing and coercion) and the other threads' (DuckDB's
 *   appends and commits, I/O), and how fast Snowflake's pacing (ten appends a second per channel)
 *   would let rides go.
 * - `ingest_lag_p99_minus_commit_delay_ms`: rows enqueued at CHEETAH-like rates (about 3,000
 *   rows/s over the three tables, in small batches every 5 ms) for 25 s while the streamer runs
 *   against the emulator with the default 1000 ms commit delay; the p99 of per-row lag (enqueue to
 *   confirmed commit) minus 1000 ms. The emulator is the default one, as in `liftline run`: its
 *   dynamic tables refresh on the same thread while rows stream. Also printed:
 *   `ingest_lag_p99_minus_commit_delay_ms_streaming_only`, the same without the dynamic tables,
 *   which isolates the streamer's own share.
 *
 * Run alone: `deno task bench streamer`.
 */
import type { BenchResult } from "./main.ts";
import { buildConfig, type TableName, TABLES } from "../src/config/load.ts";
import { Outbox } from "../src/queue/outbox.ts";
import { Metrics } from "../src/status/metrics.ts";
import { StatusStore } from "../src/status/store.ts";
import { silentLogger } from "../src/log.ts";
import { ensureKeyPair } from "../src/snowflake/key_files.ts";
import { startLiftlineEmulator } from "../tests/helpers/liftline_emulator.ts";
import { createStreamingClient } from "../src/snowflake/streaming.ts";
import { runStreamer } from "../src/streamer/mod.ts";
import { DEFAULT_STREAM_CHANNELS } from "../src/config/schema.ts";

const THROUGHPUT_ROWS = 400_000;
const LAG_SECONDS = 25;
const LAG_ROWS_PER_S = 3000;
const COMMIT_DELAY_MS = 1000;
/** Volume shares of the three streams (rides dominate, as in the generator's output). */
const SHARES: readonly [TableName, number][] = [
  ["LIFT_RIDE", 0.9],
  ["RESORT_TICKET", 0.08],
  ["SEASON_PASS", 0.02],
];

const RESORTS = ["Vail", "Beaver Creek", "Breckenridge", "Keystone", "Crested Butte", "Park City"];
const LIFTS = [
  "Gondola One",
  "Eagle Bahn",
  "Riva Bahn Express",
  "Skyline Express",
  "Peak 8 SuperConnect",
];

function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** A row of `table` of the generator's shape and size. */
function row(table: TableName, i: number): string {
  const t = Date.UTC(2026, 10, 25, 15) + i * 37;
  const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "+00:00");
  const base = { TXID: crypto.randomUUID(), RFID: `0x${hex(12)}` };
  if (table === "LIFT_RIDE") {
    return JSON.stringify({
      ...base,
      RESORT: RESORTS[i % RESORTS.length],
      LIFT: LIFTS[i % LIFTS.length],
      RIDE_TIME: iso(t),
      ACTIVATION_DAY_COUNT: 1 + (i % 4),
    });
  }
  const person = {
    NAME: "Alex Example",
    ADDRESS: i % 5 === 0
      ? null
      : { STREET_ADDRESS: "1234 Main Street", CITY: "Denver", STATE: "CO", POSTALCODE: "80202" },
    PHONE: i % 5 === 1 ? null : "+1 303-555-0100",
    EMAIL: i % 5 === 2 ? null : "alex.example@example.com",
    EMERGENCY_CONTACT: i % 5 === 3 ? null : { NAME: "Sam Example", PHONE: "+1 303-555-0199" },
  };
  if (table === "RESORT_TICKET") {
    return JSON.stringify({
      ...base,
      RESORT: RESORTS[i % RESORTS.length],
      PURCHASE_TIME: iso(t),
      PRICE_USD: 219,
      EXPIRATION_TIME: iso(t + 4 * 86_400_000).slice(0, 10),
      DAYS: 2,
      ...person,
    });
  }
  return JSON.stringify({
    ...base,
    PURCHASE_TIME: iso(t),
    PRICE_USD: 1051,
    EXPIRATION_TIME: iso(t + 365 * 86_400_000).slice(0, 10),
    ...person,
  });
}

/** `n` rows split over the tables by {@link SHARES}. */
function rowsFor(n: number, offset: number): Record<TableName, string[]> {
  const out = { LIFT_RIDE: [], RESORT_TICKET: [], SEASON_PASS: [] } as Record<TableName, string[]>;
  for (let i = 0; i < n; i++) {
    // Deterministic spread: the fractional position picks the table.
    const x = ((offset + i) * 0.6180339887) % 1;
    let acc = 0;
    for (const [table, share] of SHARES) {
      acc += share;
      if (x < acc || table === "SEASON_PASS") {
        out[table].push(row(table, offset + i));
        break;
      }
    }
  }
  return out;
}

/**
 * An emulator set up with liftline's objects (through SQL, as `run` sets up its own), an outbox
 * and a client in `dir`. `withDynamicTables` lets the dynamic tables refresh on their schedule as
 * rows land, as in `liftline run`; without it they never refresh and only the streaming path
 * runs, like the insert ceiling it is compared with.
 */
async function pipeline(
  dir: string,
  commitDelayMs: number,
  withDynamicTables: boolean,
  channels = DEFAULT_STREAM_CHANNELS,
) {
  const keys = await ensureKeyPair(dir);
  const liftline = await startLiftlineEmulator({
    dataDir: dir,
    commitDelayMs,
    dynamic: { autoRefresh: withDynamicTables },
  });
  const emu = liftline.emu;
  const config = buildConfig({
    DATA_DIR: dir,
    TARGET: "local",
    EMULATOR_URL: emu.url,
    STREAM_CHANNELS: String(channels),
  });
  const outbox = new Outbox(`${dir}/queue.db`, TABLES, { channels });
  const metrics = new Metrics();
  const client = await createStreamingClient(config, { privateKeyPem: keys.privateKeyPem });
  return { emu, liftline, config, outbox, metrics, client };
}

/** CPU ticks (1/100 s) of this process's threads since they started: the main thread's, the rest. */
function threadTicks(): { main: number; others: number } {
  let main = 0, others = 0;
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      const stat = Deno.readTextFileSync(`/proc/self/task/${e.name}/stat`);
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(f[11]) + Number(f[12]);
      if (e.name === String(Deno.pid)) main += ticks;
      else others += ticks;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return { main, others };
}

/** One drain of {@link THROUGHPUT_ROWS} queued rows over `channels` channels per table. */
async function drain(channels: number) {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bench-st-" });
  const p = await pipeline(dir, 0, false, channels);
  try {
    for (let made = 0; made < THROUGHPUT_ROWS; made += 10_000) {
      p.outbox.append(rowsFor(10_000, made));
    }
    const queued = TABLES.reduce((n, t) => n + p.outbox.depth(t).rows, 0);
    const rides = p.outbox.depth("LIFT_RIDE").rows;
    const cpu0 = threadTicks();
    const t0 = performance.now();
    await runStreamer({
      config: p.config,
      outbox: p.outbox,
      client: p.client,
      metrics: p.metrics,
      status: new StatusStore(),
      log: silentLogger,
      signal: new AbortController().signal,
      drain: true,
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = threadTicks();
    let landed = 0;
    for (const t of TABLES) landed += await p.liftline.count(t);
    if (landed !== queued) throw new Error(`only ${landed} of ${queued} rows landed`);
    return {
      rowsPerSecond: Math.round(THROUGHPUT_ROWS / seconds),
      seconds,
      /** Share of the wall time the main thread was on a CPU. */
      mainBusy: (cpu1.main - cpu0.main) / 100 / seconds,
      /** CPUs' worth of the other threads (DuckDB, I/O) over the drain. */
      othersBusy: (cpu1.others - cpu0.others) / 100 / seconds,
      /** The drain's least time under Snowflake's pacing alone: rides per channel at 10 appends/s. */
      pacedSeconds: rides / (channels * 10 * p.config.STREAM_BATCH_ROWS),
    };
  } finally {
    p.outbox.close();
    await p.liftline.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const SETTINGS = `${THROUGHPUT_ROWS} rows (90% rides) outbox → in-process emulator over HTTP, ` +
  `commit delay 0, until committed and deleted (the emulator's dynamic tables not refreshing, ` +
  "as for the ceiling)";

/** `streamer_rows_per_s`: the drain with the default channels per table. */
export async function throughput(report: (r: BenchResult) => void): Promise<void> {
  const d = await drain(DEFAULT_STREAM_CHANNELS);
  report({
    name: "streamer_rows_per_s",
    value: d.rowsPerSecond,
    unit: "rows/s",
    note: `${SETTINGS}, ${DEFAULT_STREAM_CHANNELS} channels per table (the default); ` +
      `${d.seconds.toFixed(2)} s, main thread on a CPU ${Math.round(d.mainBusy * 100)}% of it, ` +
      `other threads ${d.othersBusy.toFixed(2)} CPUs`,
  });
}

/** `streamer_rows_per_s_by_channels`: the drain with 1, 2, 4 and 8 channels per table. */
export async function byChannels(report: (r: BenchResult) => void): Promise<void> {
  for (const channels of [1, 2, 4, 8]) {
    const d = await drain(channels);
    report({
      name: "streamer_rows_per_s_by_channels",
      value: d.rowsPerSecond,
      unit: "rows/s",
      note: `channels=${channels}: ${SETTINGS}; ${d.seconds.toFixed(2)} s (pacing alone: ` +
        `${d.pacedSeconds.toFixed(2)} s for the rides), main thread on a CPU ` +
        `${Math.round(d.mainBusy * 100)}% of it, other threads ${d.othersBusy.toFixed(2)} CPUs`,
    });
  }
}

async function ceiling(report: (r: BenchResult) => void): Promise<void> {
  let measure: (() => Promise<number>) | undefined;
  try {
    ({ measureEmulatorInsertCeiling: measure } = await import("./emulator_ceiling.ts"));
  } catch (e) {
    console.error(`emulator ceiling unavailable: ${(e as Error).message}`);
    return;
  }
  report({
    name: "emulator_insert_ceiling_rows_per_s",
    value: await measure!(),
    unit: "rows/s",
    note: "the emulator's parse + coerce + commit without HTTP, same run",
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

export async function lag(
  report: (r: BenchResult) => void,
  withDynamicTables: boolean,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bench-lag-" });
  const p = await pipeline(dir, COMMIT_DELAY_MS, withDynamicTables);
  // Keep every observation: the histogram's buckets are too coarse for a p99.
  const samples: number[] = [];
  const observe = p.metrics.ingestLag.observe.bind(p.metrics.ingestLag);
  p.metrics.ingestLag.observe = ((labels: { table: string }, v: number) => {
    samples.push(v * 1000);
    observe(labels, v);
  }) as typeof p.metrics.ingestLag.observe;
  let produced = 0;
  let done = false;
  try {
    const streaming = runStreamer({
      config: p.config,
      outbox: p.outbox,
      client: p.client,
      metrics: p.metrics,
      status: new StatusStore(),
      log: silentLogger,
      signal: new AbortController().signal,
      drain: () => done,
    });
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = (performance.now() - t0) / 1000;
        const due = Math.floor(Math.min(elapsed, LAG_SECONDS) * LAG_ROWS_PER_S) - produced;
        if (due > 0) {
          p.outbox.append(rowsFor(due, produced));
          produced += due;
        }
        if (elapsed >= LAG_SECONDS) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    done = true;
    await streaming;
    if (samples.length !== produced) throw new Error(`${samples.length} of ${produced} rows seen`);
    samples.sort((a, b) => a - b);
    const p99 = percentile(samples, 0.99);
    report({
      name: withDynamicTables
        ? "ingest_lag_p99_minus_commit_delay_ms"
        : "ingest_lag_p99_minus_commit_delay_ms_streaming_only",
      value: Math.round(p99 - COMMIT_DELAY_MS),
      unit: "ms",
      note: `${produced} rows at ${LAG_ROWS_PER_S} rows/s for ${LAG_SECONDS} s, commit delay ` +
        `${COMMIT_DELAY_MS} ms${
          withDynamicTables
            ? ", emulator as in `liftline run` (dynamic tables refreshing on the same thread)"
            : ", the emulator's dynamic tables not refreshing"
        }; lag p50 ${Math.round(percentile(samples, 0.5))} ms, p99 ${Math.round(p99)} ms, max ${
          Math.round(samples[samples.length - 1])
        } ms`,
    });
  } finally {
    p.outbox.close();
    await p.liftline.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The streamer group. */
export default async function streamer(report: (r: BenchResult) => void): Promise<void> {
  await throughput(report);
  await ceiling(report);
  await byChannels(report);
  await lag(report, true);
  await lag(report, false);
}

if (import.meta.main) {
  const only = Deno.args[0];
  const log = (r: BenchResult) => console.log(JSON.stringify(r));
  if (only === "throughput") await throughput(log);
  else if (only === "channels") await byChannels(log);
  else if (only === "ceiling") await ceiling(log);
  else if (only === "lag") {
    await lag(log, true);
    await lag(log, false);
  } else await streamer(log);
}
