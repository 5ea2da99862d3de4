/**
 * The generator's periodic one-line summary: world time, rows per table, rate, queue depth,
 * memory, and whether backpressure holds the clock.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import type { TableName } from "../config/load.ts";

/** What one summary line reports. */
export interface ProgressFacts {
  /** World time reached (ms since epoch). */
  worldTime: number;
  /** Rows written to the queue since start, per table. */
  rows: Record<TableName, number>;
  /** Rows per second since the previous line. */
  rowsPerSecond: number;
  /** Rows queued per table. */
  queue: Record<TableName, number>;
  /** True while the world clock is paused because a queue is full. */
  paused: boolean;
  /** True once UNTIL is reached. */
  finished: boolean;
  /** True once the generator was told to stop before UNTIL. */
  stopped?: boolean;
}

/** Resident set size of this process in MB, or undefined where the platform will not say. */
export function rssMb(): number | undefined {
  try {
    return Math.round(Deno.memoryUsage().rss / 1_048_576);
  } catch {
    return undefined;
  }
}

/** Writes one summary line (fields for JSON logs; the text form reads as a sentence). */
export function logProgress(log: Logger, facts: ProgressFacts): void {
  const state = facts.finished
    ? "finished"
    : facts.stopped
    ? "stopped"
    : facts.paused
    ? "paused (queue full)"
    : "running";
  log.info(`generator ${state}`, {
    world: new Date(facts.worldTime).toISOString(),
    tickets: facts.rows.RESORT_TICKET,
    passes: facts.rows.SEASON_PASS,
    rides: facts.rows.LIFT_RIDE,
    rows_per_s: Math.round(facts.rowsPerSecond),
    queue: facts.queue.RESORT_TICKET + facts.queue.SEASON_PASS + facts.queue.LIFT_RIDE,
    rss_mb: rssMb(),
    state,
  });
}
