/**
 * The generator role: advances the world clock, lets the model produce every row up to the new
 * world time, and writes the rows to the outbox in batched transactions.
 *
 * Backpressure: when any table's queue holds QUEUE_MAX_ROWS rows, the world clock pauses until
 * the queue drains; nothing is dropped and nothing grows. The streamer deletes through another
 * connection (in `run`, on another thread), so the real depth is read again every
 * {@link DEPTH_EVERY_MS}. A row counts as generated only once it is in the outbox, so stopping
 * (abort or UNTIL) first writes the rows already made.
 *
 * It reports through two narrow seams, {@link GeneratorMetrics} and {@link GeneratorStatusSink}:
 * in one process the metric registry and the status store themselves, in `run` the generator's
 * worker thread forwards them to the main thread (thread.ts).
 *
 * @module
 */
import { ConfigError } from "../config/error.ts";
import type { Config } from "../config/load.ts";
import { type TableName, TABLES } from "../config/tables.ts";
import type { Logger } from "../log.ts";
import type { Outbox } from "../queue/outbox.ts";
import {
  classifyQueueWriteError,
  queueNotWritableReason,
  type QueueWriteErrorReason,
} from "../queue/write_error.ts";
import type { GeneratorStatus } from "../status/store.ts";
import { WorldClock } from "./clock.ts";
import { RowBatch, Simulation } from "./model.ts";
import { logProgress } from "./progress.ts";
import { seedOf, startOf } from "./settings.ts";
import { pause } from "../pause.ts";

export { seedOf, startOf } from "./settings.ts";

/** Rows per transaction at most (fewer when QUEUE_MAX_ROWS is small). */
export const DEFAULT_BATCH_ROWS = 5000;
/** Real time between ticks at the paced speeds. */
const TICK_MS = 100;
/** World time produced per chunk; backpressure is checked between chunks. */
const CHUNK_WORLD_MS = 60_000;
/** At MAX, the event loop gets a turn at least this often (ms of real time). */
const YIELD_EVERY_MS = 20;
/** At MAX, a partial batch is written at least this often (ms of real time). */
const FLUSH_EVERY_MS = 250;
/** While paused, how often the queue is looked at again. */
const PAUSE_POLL_MS = 100;
/**
 * At full speed the queue fills and drains many times a second; the pause and resume are logged
 * at most this often, the first time with how many pauses went unlogged before it.
 */
const BACKPRESSURE_LOG_EVERY_MS = 60_000;
/** How often the queue's real depth is read while running (deletes come from elsewhere). */
const DEPTH_EVERY_MS = 50;

/** The metrics the generator counts into (the process's `Metrics` has them). */
export interface GeneratorMetrics {
  /** Rows written to the queue, by table. */
  readonly rowsGenerated: { inc(labels: { table: string }, value: number): void };
  /** One failed queue write. */
  countQueueWriteError(reason: QueueWriteErrorReason): void;
}

/** Where the generator reports its state (the process's `StatusStore` is one). */
export interface GeneratorStatusSink {
  /** The generator's status, set once and then updated in place. */
  generator: GeneratorStatus | null;
  /** Sets (or with an empty list clears) a role's not-ready reasons. */
  setNotReady(role: string, reasons: string[]): void;
}

/** What the generator needs from the process. */
export interface GeneratorDeps {
  config: Config;
  outbox: Outbox;
  metrics: GeneratorMetrics;
  status: GeneratorStatusSink;
  log: Logger;
  /** Aborting stops the generator after the rows already made are written. */
  signal: AbortSignal;
  /** Rows per transaction at most (tests, benches); default {@link DEFAULT_BATCH_ROWS}. */
  batchRows?: number;
  /** Real time between summary lines, ms (default 10 s). */
  summaryEveryMs?: number;
}

/**
 * Lets timers, network I/O and signals of the process run. Deno's setImmediate runs before the
 * event loop polls for I/O, so a loop yielding only that way starves HTTP requests (the streamer,
 * the dashboard, health probes) and signal handling for seconds; a zero-delay timer lets the poll
 * happen.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const zeroCounts = (): Record<TableName, number> => ({
  RESORT_TICKET: 0,
  SEASON_PASS: 0,
  LIFT_RIDE: 0,
});

/**
 * Where the world starts: at its start, or, when the outbox says an earlier run of the same world
 * (seed, start, rate) wrote its rows up to some world time, at that time, the simulation replayed
 * up to it without writing (the rows depend only on the world, so the replay rebuilds exactly
 * the skiers and tickets of that moment). A restart then writes no row twice: the ticket sales
 * and rides of the hours already queued or streamed are not made again with the same ids.
 * Undefined when stopped during the replay.
 */
async function resumeWorld(
  sim: Simulation,
  outbox: GeneratorDeps["outbox"],
  world: string,
  start: number,
  until: number | undefined,
  signal: AbortSignal,
  log: Logger,
): Promise<number | undefined> {
  const progress = outbox.generatorProgress();
  if (!progress || progress.world !== world || progress.generatedTo <= start) return start;
  const to = until === undefined ? progress.generatedTo : Math.min(progress.generatedTo, until);
  const t0 = performance.now();
  const discard = new RowBatch();
  let lastYield = t0;
  for (let at = start; at < to && !signal.aborted;) {
    at = Math.min(to, at + CHUNK_WORLD_MS);
    sim.runUntil(at, discard);
    discard.take();
    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      lastYield = performance.now();
      await yieldToEventLoop();
    }
  }
  if (signal.aborted) return undefined;
  log.info("resuming the world where the last run's rows end", {
    world_time: new Date(to).toISOString(),
    replay_ms: Math.round(performance.now() - t0),
  });
  return to;
}

/**
 * Runs the generator until UNTIL is reached (every row written) or `signal` aborts. Throws
 * {@link ConfigError} when UNTIL is not after the start, and rethrows a queue write error only
 * when aborted while the queue still refuses the batch (the rows of that batch are then lost).
 */
export async function runGenerator(deps: GeneratorDeps): Promise<void> {
  const { config, outbox, metrics, status, signal } = deps;
  const log = deps.log.child("generator");
  const start = startOf(config);
  const until = config.UNTIL?.getTime();
  if (until !== undefined && until <= start) {
    throw new ConfigError(
      "UNTIL",
      `must be later than the world start ${new Date(start).toISOString()}`,
    );
  }
  const sim = new Simulation({
    seed: seedOf(config),
    start,
    ticketsPerDay: config.TICKETS_PER_DAY,
  });
  // The rows depend on these three only (model.ts): the same three are the same world.
  const world = JSON.stringify({
    seed: seedOf(config),
    start: new Date(start).toISOString(),
    ticketsPerDay: config.TICKETS_PER_DAY,
  });
  const resumeAt = await resumeWorld(sim, outbox, world, start, until, signal, log);
  if (resumeAt === undefined) return;
  const clock = new WorldClock({ start: resumeAt, speed: config.SPEED, until });
  const isMax = clock.factor === undefined;
  const cap = config.QUEUE_MAX_ROWS;
  const batchRows = Math.max(
    1,
    deps.batchRows ?? Math.min(DEFAULT_BATCH_ROWS, Math.floor(cap / 4)),
  );
  const summaryEvery = deps.summaryEveryMs ?? 10_000;
  const quiet = config.QUIET;

  const totals = zeroCounts();
  const gs: GeneratorStatus = {
    worldTime: new Date(resumeAt).toISOString(),
    rows: { ...totals },
    rowsPerSecond: 0,
    speed: config.SPEED,
    paused: false,
    pausedReason: null,
    finished: false,
  };
  status.generator = gs;

  const batch = new RowBatch();
  let generatedTo = resumeAt;
  let lastFlush = performance.now();
  let lastYield = lastFlush;
  let rateAt = lastFlush;
  let rateRows = 0;
  let summaryAt = lastFlush;
  let summaryRows = 0;
  let writeFailures = 0;
  let depthAt = -Infinity;
  let depthCost = 0;

  const totalRows = () => totals.RESORT_TICKET + totals.SEASON_PASS + totals.LIFT_RIDE;
  const queueDepths = (): Record<TableName, number> => {
    const q = zeroCounts();
    for (const t of TABLES) q[t] = outbox.rows(t);
    return q;
  };
  /**
   * Reads the queue's real depth now and then (at once when `fresh`), else counts this process's
   * writes. Reading costs two index lookups per shard; with many channels it is done less often,
   * so that it stays under 2% of the time.
   */
  const backpressure = { pauses: 0, loggedAt: -Infinity, logged: false };
  const queueFull = (fresh = false) => {
    const now = performance.now();
    if (fresh || now - depthAt >= Math.max(DEPTH_EVERY_MS, 50 * depthCost)) {
      for (const t of TABLES) outbox.refreshRows(t);
      depthAt = performance.now();
      depthCost = depthAt - now;
    }
    return TABLES.some((t) => outbox.rows(t) >= cap);
  };

  const summary = (force = false) => {
    const now = performance.now();
    if (!force && now - summaryAt < summaryEvery) return;
    const rate = ((totalRows() - summaryRows) * 1000) / Math.max(1, now - summaryAt);
    summaryAt = now;
    summaryRows = totalRows();
    if (quiet) return;
    logProgress(log, {
      worldTime: generatedTo,
      rows: { ...totals },
      rowsPerSecond: rate,
      queue: queueDepths(),
      paused: gs.paused,
      finished: gs.finished,
      stopped: signal.aborted,
    });
  };

  /** Writes the batch, retrying while the queue refuses it (throws if aborted meanwhile). */
  const flush = async (): Promise<void> => {
    lastFlush = performance.now();
    if (batch.size === 0) {
      gs.worldTime = new Date(generatedTo).toISOString();
      return;
    }
    const tables = batch.take();
    const size = tables.RESORT_TICKET.length + tables.SEASON_PASS.length +
      tables.LIFT_RIDE.length;
    for (;;) {
      try {
        outbox.append(tables, Date.now(), { world, generatedTo });
        break;
      } catch (e) {
        writeFailures++;
        const problem = classifyQueueWriteError(e);
        metrics.countQueueWriteError(problem.reason);
        const reason = queueNotWritableReason(problem);
        status.setNotReady("generator", [reason]);
        gs.paused = true;
        gs.pausedReason = reason;
        gs.rowsPerSecond = 0;
        if (writeFailures === 1 || writeFailures % 20 === 0) {
          log.error("cannot write to the queue; holding the batch and retrying", {
            rows: size,
            error: problem.message,
            reason: problem.reason,
            attempts: writeFailures,
          });
        }
        if (signal.aborted) throw e;
        await pause(Math.min(5000, 100 * 2 ** Math.min(writeFailures, 6)), signal);
      }
    }
    if (writeFailures > 0) {
      writeFailures = 0;
      status.setNotReady("generator", []);
      gs.paused = false;
      gs.pausedReason = null;
      log.info("queue writable again");
    }
    for (const t of TABLES) {
      const n = tables[t].length;
      if (n === 0) continue;
      totals[t] += n;
      metrics.rowsGenerated.inc({ table: t }, n);
    }
    gs.rows = { ...totals };
    gs.worldTime = new Date(generatedTo).toISOString();
    const now = performance.now();
    if (now - rateAt >= 1000) {
      gs.rowsPerSecond = Math.round(((totalRows() - rateRows) * 1000) / (now - rateAt));
      rateAt = now;
      rateRows = totalRows();
    }
  };

  if (!quiet) {
    log.info("generator starting", {
      seed: seedOf(config),
      start: new Date(start).toISOString(),
      until: until === undefined ? "never" : new Date(until).toISOString(),
      speed: config.SPEED,
      tickets_per_day: config.TICKETS_PER_DAY,
    });
  }

  while (!signal.aborted && !(until !== undefined && generatedTo >= until)) {
    if (queueFull()) {
      // Rows already made stay in memory (not in the queue) until it drains.
      if (!gs.paused) {
        gs.paused = true;
        gs.pausedReason = "backpressure";
        gs.rowsPerSecond = 0;
        clock.pause();
        backpressure.pauses++;
        backpressure.logged = !quiet &&
          performance.now() - backpressure.loggedAt >= BACKPRESSURE_LOG_EVERY_MS;
        if (backpressure.logged) {
          backpressure.loggedAt = performance.now();
          log.info("queue full: world clock paused", {
            queue_max_rows: cap,
            pauses: backpressure.pauses,
          });
          backpressure.pauses = 0;
        }
      }
      await pause(PAUSE_POLL_MS, signal);
      // The streamer drains through its own connection: read the real depth again.
      queueFull(true);
      summary();
      continue;
    }
    if (gs.paused) {
      gs.paused = false;
      gs.pausedReason = null;
      clock.resume();
      if (backpressure.logged) log.info("queue below its cap: world clock running");
    }

    if (generatedTo >= clock.now) {
      if (!isMax) {
        // Caught up with the paced clock: write what this tick made (then look at the queue
        // again before making more), or wait for the next tick.
        if (batch.size > 0) {
          await flush();
          continue;
        }
        summary();
        await pause(TICK_MS, signal);
        if (signal.aborted) break;
      }
      clock.tick();
      if (generatedTo >= clock.now) continue;
    }

    const chunkEnd = Math.min(clock.now, generatedTo + CHUNK_WORLD_MS);
    sim.runUntil(chunkEnd, batch);
    generatedTo = chunkEnd;

    const now = performance.now();
    if (batch.size >= batchRows || now - lastFlush >= FLUSH_EVERY_MS) await flush();
    if (now - lastYield >= YIELD_EVERY_MS) {
      lastYield = now;
      summary();
      await yieldToEventLoop();
    }
  }

  await flush();
  gs.paused = false;
  gs.pausedReason = null;
  gs.finished = until !== undefined && generatedTo >= until;
  // Nothing more is generated: the rate of the last second would otherwise stand for ever.
  gs.rowsPerSecond = 0;
  summary(true);
}
