/**
 * Dynamic tables' durable state: the refresh history (what DYNAMIC_TABLE_REFRESH_HISTORY
 * returns) and each table's refresh state (data timestamp, the source positions it has
 * consumed), in the warehouse's `_liftline` schema.
 *
 * @module
 */
import type { LaneSession } from "../warehouse/duckdb.ts";
import { META } from "../warehouse/catalog.ts";

/** The refresh history table. */
export const HISTORY_TABLE = `${META}.dt_history`;
/** One row per dynamic table: data timestamp and consumed source positions. */
export const STATE_TABLE = `${META}.dt_state`;

/** How much history is kept per dynamic table (Snowflake keeps 7 days; this many rows here). */
export const HISTORY_KEEP = 2000;

/** Creates the tables if needed. */
export async function ensureHistoryTables(s: LaneSession): Promise<void> {
  await s.run(`CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
    seq BIGINT, id BIGINT, database VARCHAR, schema VARCHAR, name VARCHAR, state VARCHAR,
    state_code VARCHAR, state_message VARCHAR, query_id VARCHAR, data_timestamp TIMESTAMPTZ,
    refresh_start_time TIMESTAMPTZ, refresh_end_time TIMESTAMPTZ, completion_target TIMESTAMPTZ,
    statistics VARCHAR, refresh_action VARCHAR, refresh_trigger VARCHAR, target_lag_sec BIGINT,
    graph_history_valid_from TIMESTAMPTZ)`);
  await s.run(`CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (
    id BIGINT, data_timestamp TIMESTAMPTZ, marks VARCHAR, epoch BIGINT)`);
}

/** One refresh, as recorded. */
export interface HistoryRow {
  readonly id: number;
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  /** SUCCEEDED, FAILED, UPSTREAM_FAILED, CANCELLED, SKIPPED. */
  readonly state: string;
  readonly stateCode: string | null;
  readonly stateMessage: string | null;
  readonly queryId: string | null;
  readonly dataTimestamp: Date;
  readonly start: Date;
  readonly end: Date | null;
  readonly completionTarget: Date | null;
  readonly statistics: Record<string, number>;
  /** NO_DATA, INCREMENTAL, FULL, REINITIALIZE. */
  readonly action: string;
  /** SCHEDULED, MANUAL, CREATION. */
  readonly trigger: string;
  readonly targetLagSec: number | null;
}

/** Appends history rows, numbering them, and trims each table's history. */
export class HistoryWriter {
  #lastSeq = 0;

  /** Appends rows (each table's history is kept to {@link HISTORY_KEEP} rows). */
  async record(s: LaneSession, rows: readonly HistoryRow[]): Promise<void> {
    if (!rows.length) return;
    if (this.#lastSeq === 0) {
      this.#lastSeq = Number(
        (await s.all(`SELECT coalesce(max(seq), 0) FROM ${HISTORY_TABLE}`)).rows[0][0],
      );
    }
    for (const r of rows) {
      await s.run(
        `INSERT INTO ${HISTORY_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          ++this.#lastSeq,
          r.id,
          r.database,
          r.schema,
          r.name,
          r.state,
          r.stateCode,
          r.stateMessage,
          r.queryId,
          r.dataTimestamp.toISOString(),
          r.start.toISOString(),
          r.end?.toISOString() ?? null,
          r.completionTarget?.toISOString() ?? null,
          JSON.stringify(r.statistics),
          r.action,
          r.trigger,
          r.targetLagSec,
          r.dataTimestamp.toISOString(),
        ],
      );
    }
    if (this.#lastSeq % 200 < rows.length) {
      await s.run(`DELETE FROM ${HISTORY_TABLE} WHERE seq IN (
        SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY id ORDER BY seq DESC) AS n
          FROM ${HISTORY_TABLE}) WHERE n > ${HISTORY_KEEP})`);
    }
  }
}

/** Forgets a dropped table's history and state. */
export async function forgetHistory(s: LaneSession, id: number): Promise<void> {
  await s.run(`DELETE FROM ${HISTORY_TABLE} WHERE id = ?`, [id]);
  await s.run(`DELETE FROM ${STATE_TABLE} WHERE id = ?`, [id]);
}
