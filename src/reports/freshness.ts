/**
 * `liftline_report_freshness_seconds{dynamic_table}`: now minus the data timestamp of each dynamic
 * table's last successful refresh, read from Snowflake's `DYNAMIC_TABLE_REFRESH_HISTORY` (through
 * snowflake-sdk, against a real account or the emulator) or from the local engine directly.
 *
 * @module
 */
import type { Metrics } from "../status/metrics.ts";
import { DYNAMIC_TABLE_NAMES } from "../../sql/mod.ts";
import { normalizeValue } from "./queries.ts";
import type { ReportSource } from "./source.ts";

/** The report chain's dynamic tables, upstream first (sql/dynamic_tables.sql). */
export const REPORT_DYNAMIC_TABLES = DYNAMIC_TABLE_NAMES;

/** Where the last refresh times come from. */
export interface RefreshHistorySource {
  /** Data timestamp of each table's last successful refresh (null: none yet). */
  lastDataTimestamps(): Promise<Map<string, Date | null>>;
}

/** The history query of one table, as Snowflake documents the table function. */
export function refreshHistorySql(table: string): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(table)) throw new Error(`not a dynamic table name: ${table}`);
  return `SELECT MAX(DATA_TIMESTAMP) AS DATA_TIMESTAMP
FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => '${table}'))
WHERE STATE = 'SUCCEEDED'`;
}

/**
 * Reads DYNAMIC_TABLE_REFRESH_HISTORY through a SQL source (a real account, or the emulator's SQL
 * API). The function shows the last 100 refreshes per name, plenty for the latest success.
 */
export function sqlHistorySource(
  source: ReportSource,
  tables: readonly string[] = REPORT_DYNAMIC_TABLES,
): RefreshHistorySource {
  return {
    async lastDataTimestamps() {
      const out = new Map<string, Date | null>();
      for (const t of tables) {
        const [row] = await source.query(refreshHistorySql(t), []);
        out.set(t, (normalizeValue("timestamp", row?.DATA_TIMESTAMP) as Date | null) ?? null);
      }
      return out;
    },
  };
}

/** Reads the local engine's state (anything with its `tables()` shape). */
export function engineHistorySource(
  engine: { tables(): { name: string; dataTimestamp: Date | null }[] },
): RefreshHistorySource {
  return {
    lastDataTimestamps() {
      return Promise.resolve(new Map(engine.tables().map((t) => [t.name, t.dataTimestamp])));
    },
  };
}

/**
 * Sets the freshness gauge of every table that has refreshed (tables that never did are left
 * unset rather than shown fresh). Returns the seconds per table, null where unknown, for the
 * pipeline page.
 */
export async function updateReportFreshness(
  metrics: Metrics,
  source: RefreshHistorySource,
  now: number = Date.now(),
): Promise<Map<string, number | null>> {
  const stamps = await source.lastDataTimestamps();
  const out = new Map<string, number | null>();
  for (const [table, at] of stamps) {
    if (at === null) {
      out.set(table, null);
      continue;
    }
    const seconds = Math.max(0, (now - at.getTime()) / 1000);
    metrics.reportFreshness.set({ dynamic_table: table }, seconds);
    out.set(table, seconds);
  }
  return out;
}
