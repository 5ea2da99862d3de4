/**
 * The report chain's state: each dynamic table's target lag, data timestamp and last refresh,
 * read from Snowflake's `DYNAMIC_TABLE_REFRESH_HISTORY` (a real account, or the emulator's SQL
 * API) or from the local engine. Its data timestamps are the version the report cache and the
 * live pages key on: nothing a page shows can change between two versions, except the raw-table
 * clock.
 *
 * @module
 */
import { normalizeValue } from "./queries.ts";
import type { ReportSource } from "./source.ts";
import type { DynamicTableStatus, FreshnessState, ReportsStatus } from "../status/store.ts";

/** The most recent refresh of one table. */
export interface LastRefresh {
  state: string;
  start: Date;
  end: Date | null;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  message: string | null;
}

/** One dynamic table as the chain reader sees it. */
export interface ChainTable {
  name: string;
  /** As declared: `1 minute`, `DOWNSTREAM`. */
  targetLag: string;
  /** Null for DOWNSTREAM. */
  targetLagSeconds: number | null;
  /** The dynamic tables it reads. */
  upstream: readonly string[];
  /** Data timestamp of the last successful refresh. */
  dataTimestamp: Date | null;
  lastRefresh: LastRefresh | null;
}

/** The whole chain at one reading. */
export interface ChainState {
  tables: ChainTable[];
  /** Rides the chain reflects against rides committed, when the reader can tell. */
  backlog: { reflectedRides: number; committedRides: number } | null;
}

/** Reads the chain's state. */
export interface ChainSource {
  read(): Promise<ChainState>;
}

/** The chain's version: its tables' data timestamps, in order. */
export function chainVersion(state: ChainState): string {
  return state.tables.map((t) => `${t.name}@${t.dataTimestamp?.getTime() ?? "-"}`).join(",");
}

/**
 * The lag each table is held to: its own, or for a DOWNSTREAM table the smallest effective lag
 * of the tables that read it (Snowflake refreshes it when they need it).
 */
export function effectiveLags(tables: readonly ChainTable[]): Map<string, number | null> {
  const readers = new Map<string, string[]>();
  for (const t of tables) {
    for (const u of t.upstream) readers.set(u, [...(readers.get(u) ?? []), t.name]);
  }
  const byName = new Map(tables.map((t) => [t.name, t]));
  const memo = new Map<string, number | null>();
  const lagOf = (name: string, seen: Set<string>): number | null => {
    if (memo.has(name)) return memo.get(name)!;
    const t = byName.get(name);
    if (!t || seen.has(name)) return null;
    seen.add(name);
    let lag = t.targetLagSeconds;
    if (lag === null) {
      for (const r of readers.get(name) ?? []) {
        const l = lagOf(r, seen);
        if (l !== null && (lag === null || l < lag)) lag = l;
      }
    }
    memo.set(name, lag);
    return lag;
  };
  return new Map(tables.map((t) => [t.name, lagOf(t.name, new Set())]));
}

/**
 * ok within the target lag (plus the scheduler's slack: a refresh starts once the lag has passed
 * and takes a moment, so a healthy table reads a little over its lag just before it refreshes),
 * late within twice the lag, stale beyond; waiting before any refresh.
 */
export function freshnessState(seconds: number | null, lagSeconds: number | null): FreshnessState {
  if (seconds === null) return "waiting";
  if (lagSeconds === null) return "ok";
  const slack = Math.max(10, lagSeconds / 4);
  if (seconds <= lagSeconds + slack) return "ok";
  return seconds <= 2 * lagSeconds ? "late" : "stale";
}

/** The chain's state as the status store shows it. */
export function chainStatus(
  state: ChainState,
  source: string,
  now: number = Date.now(),
): ReportsStatus {
  const lags = effectiveLags(state.tables);
  const dynamicTables: DynamicTableStatus[] = state.tables.map((t) => {
    const freshness = t.dataTimestamp === null
      ? null
      : Math.max(0, (now - t.dataTimestamp.getTime()) / 1000);
    const lag = lags.get(t.name) ?? null;
    const r = t.lastRefresh;
    return {
      name: t.name,
      targetLag: t.targetLag,
      effectiveLagSeconds: lag,
      dataTimestamp: t.dataTimestamp?.toISOString() ?? null,
      freshnessSeconds: freshness,
      state: freshnessState(freshness, lag),
      lastRefresh: r === null ? null : {
        state: r.state,
        start: r.start.toISOString(),
        durationMs: r.end === null ? null : Math.max(0, r.end.getTime() - r.start.getTime()),
        rowsInserted: r.rowsInserted,
        rowsUpdated: r.rowsUpdated,
        rowsDeleted: r.rowsDeleted,
        message: r.message,
      },
    };
  });
  // Between two refreshes the reports always trail the newest rides by up to the target lag:
  // that is their contract, not a backlog. They are catching up when rides wait and a table is
  // past its lag (or has not refreshed yet).
  const b = state.backlog;
  const behind = dynamicTables.some((t) => t.effectiveLagSeconds !== null && t.state !== "ok");
  return {
    source,
    checkedAt: new Date(now).toISOString(),
    dynamicTables,
    catchingUp: b && behind && b.reflectedRides < b.committedRides ? { ...b } : null,
    lastError: null,
  };
}

/** What the chain looks like as declared, for readers that cannot see the definitions. */
export interface DeclaredTable {
  name: string;
  targetLag: string;
  targetLagSeconds: number | null;
  upstream: readonly string[];
}

/** The history query: the newest refreshes of every table of one schema. */
export function refreshHistoryQuery(database: string, schema: string, limit = 200): string {
  for (const [what, v] of [["database", database], ["schema", schema]]) {
    if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(v)) throw new Error(`not a ${what} name: ${v}`);
  }
  const prefix = `${database}.${schema}.`.toUpperCase();
  return `SELECT NAME, STATE, STATE_MESSAGE, DATA_TIMESTAMP, REFRESH_START_TIME, REFRESH_END_TIME,
  STATISTICS, TARGET_LAG_SEC
FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME_PREFIX => '${prefix}', RESULT_LIMIT => ${limit}))
ORDER BY REFRESH_START_TIME DESC`;
}

function statistic(stats: unknown, key: string): number {
  let s = stats;
  if (typeof s === "string") {
    try {
      s = JSON.parse(s);
    } catch {
      return 0;
    }
  }
  const v = (s as Record<string, unknown> | null)?.[key];
  return typeof v === "number" ? v : Number(v ?? 0) || 0;
}

/**
 * Reads the chain from DYNAMIC_TABLE_REFRESH_HISTORY through a SQL source: one query for all
 * tables. The declared chain supplies what the history does not carry (upstream tables, and the
 * lag of a table that has not refreshed yet).
 */
export function sqlChainSource(
  source: ReportSource,
  names: { database: string; schema: string },
  declared: readonly DeclaredTable[],
  options: { backlog?: boolean } = {},
): ChainSource {
  const sql = refreshHistoryQuery(names.database, names.schema);
  return {
    async read() {
      const rows = await source.query(sql, []);
      const backlog = options.backlog ? await readBacklog(source) : null;
      const latest = new Map<string, Record<string, unknown>>();
      const succeeded = new Map<string, Date>();
      const lagSeen = new Map<string, number | null>();
      for (const r of rows) {
        const name = String(r.NAME ?? "").toUpperCase();
        if (!latest.has(name)) latest.set(name, r);
        if (!lagSeen.has(name) && r.TARGET_LAG_SEC !== undefined) {
          lagSeen.set(name, r.TARGET_LAG_SEC === null ? null : Number(r.TARGET_LAG_SEC));
        }
        if (r.STATE === "SUCCEEDED" && !succeeded.has(name)) {
          const at = normalizeValue("timestamp", r.DATA_TIMESTAMP) as Date | null;
          if (at) succeeded.set(name, at);
        }
      }
      const tables: ChainTable[] = declared.map((d) => {
        const r = latest.get(d.name);
        const seen = lagSeen.get(d.name);
        return {
          name: d.name,
          targetLag: seen === undefined || seen === d.targetLagSeconds
            ? d.targetLag
            : seen === null
            ? "DOWNSTREAM"
            : `${seen} seconds`,
          targetLagSeconds: seen === undefined ? d.targetLagSeconds : seen,
          upstream: d.upstream,
          dataTimestamp: succeeded.get(d.name) ?? null,
          lastRefresh: r
            ? {
              state: String(r.STATE),
              start: normalizeValue("timestamp", r.REFRESH_START_TIME) as Date,
              end: normalizeValue("timestamp", r.REFRESH_END_TIME) as Date | null,
              rowsInserted: statistic(r.STATISTICS, "numInsertedRows"),
              rowsUpdated: 0,
              rowsDeleted: statistic(r.STATISTICS, "numDeletedRows"),
              message: r.STATE_MESSAGE === null || r.STATE_MESSAGE === undefined
                ? null
                : String(r.STATE_MESSAGE),
            }
            : null,
        };
      });
      return { tables, backlog };
    },
  };
}

/**
 * Rides the chain reflects (HOURLY_LIFT_ACTIVITY counts every ride it has seen) against rides
 * committed. Two aggregates over the whole ride table: cheap locally, not worth a warehouse's time
 * every half minute on a real account, so only local targets ask.
 */
export const BACKLOG_QUERY = `SELECT
  (SELECT COALESCE(SUM(TOTAL_RIDES), 0) FROM HOURLY_LIFT_ACTIVITY) AS REFLECTED_RIDES,
  (SELECT COUNT(*) FROM LIFT_RIDE
    WHERE RIDE_TIME IS NOT NULL AND RESORT IS NOT NULL AND RFID IS NOT NULL) AS COMMITTED_RIDES`;

async function readBacklog(
  source: ReportSource,
): Promise<{ reflectedRides: number; committedRides: number } | null> {
  try {
    const [r] = await source.query(BACKLOG_QUERY, []);
    return { reflectedRides: Number(r.REFLECTED_RIDES), committedRides: Number(r.COMMITTED_RIDES) };
  } catch {
    // Before setup created the tables there is no backlog to tell.
    return null;
  }
}
