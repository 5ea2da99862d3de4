/**
 * Every query the dashboard runs, in one place. Each is portable SQL over the report tables (the
 * dynamic tables, the views, RESORT_CAPACITY and, for the clock and the lift ranking, LIFT_RIDE):
 * the same text runs on a real Snowflake account through snowflake-sdk, on the embedded
 * emulator's SQL API, and directly on the local warehouse. Anything the two dialects disagree on
 * (dates, time arithmetic, division) is computed in TypeScript and bound as a value instead.
 *
 * Each query declares its result columns and their kinds; {@link normalizeRow} turns whatever a
 * source returns into the same typed values.
 *
 * @module
 */

/** How a result column is typed. */
export type ColumnKind =
  | "text"
  /** Whole number. */
  | "int"
  /** USD, rounded to the cent. */
  | "money"
  /** A fraction (averages, percentages). */
  | "number"
  /** Calendar date, as `YYYY-MM-DD`. */
  | "date"
  /** UTC time, as a Date. */
  | "timestamp";

/** One report query. */
export interface ReportQuery {
  /** Stable name (for logs, metrics and the emulator's statement catalogue). */
  readonly name: string;
  /** The SQL text, with `?` binds. */
  readonly sql: string;
  /** What each bind is, in order (documentation and a count check). */
  readonly binds: readonly string[];
  /** Result columns in order, with their kinds. */
  readonly columns: Readonly<Record<string, ColumnKind>>;
}

function query(q: ReportQuery): ReportQuery {
  return Object.freeze(q);
}

/** The resorts and their capacity facts. */
export const RESORTS = query({
  name: "resorts",
  sql: `SELECT RESORT, MAX_CAPACITY, HOURLY_CAPACITY, BASE_LIFT_COUNT, IANA_TIMEZONE
FROM RESORT_CAPACITY
ORDER BY RESORT`,
  binds: [],
  columns: {
    RESORT: "text",
    MAX_CAPACITY: "int",
    HOURLY_CAPACITY: "int",
    BASE_LIFT_COUNT: "int",
    IANA_TIMEZONE: "text",
  },
});

/** Latest sale times and the latest reported hour: half of the simulation clock. */
export const CLOCK = query({
  name: "clock",
  sql: `SELECT
  (SELECT MAX(PURCHASE_TIME) FROM RESORT_TICKET) AS LATEST_TICKET_TIME,
  (SELECT MAX(PURCHASE_TIME) FROM SEASON_PASS) AS LATEST_PASS_TIME,
  (SELECT MAX(RIDE_HOUR_TIMESTAMP) FROM HOURLY_RESORT_SUMMARY) AS LATEST_REPORTED_HOUR`,
  binds: [],
  columns: {
    LATEST_TICKET_TIME: "timestamp",
    LATEST_PASS_TIME: "timestamp",
    LATEST_REPORTED_HOUR: "timestamp",
  },
});

/** Each resort's latest ride: the other half of the clock, and the end of the lift window. */
export const LATEST_RIDES = query({
  name: "latest_rides",
  sql: `SELECT C.RESORT,
  (SELECT MAX(R.RIDE_TIME) FROM LIFT_RIDE AS R WHERE R.RESORT = C.RESORT) AS LATEST_RIDE_TIME
FROM RESORT_CAPACITY AS C
ORDER BY C.RESORT`,
  binds: [],
  columns: { RESORT: "text", LATEST_RIDE_TIME: "timestamp" },
});

/** The columns of both network totals queries, read by one parser. */
const NETWORK_TOTALS_COLUMNS = {
  TOTAL_VISITORS: "int",
  TOTAL_REVENUE: "money",
  AVG_CAPACITY_PCT: "number",
  TOTAL_RIDES: "int",
  DAYS: "int",
} as const;

/** Network totals over a date range (run for the period and for the one before it). */
export const NETWORK_TOTALS = query({
  name: "network_totals",
  sql: `SELECT
  SUM(TOTAL_NETWORK_VISITORS) AS TOTAL_VISITORS,
  SUM(TOTAL_NETWORK_REVENUE) AS TOTAL_REVENUE,
  AVG(AVG_NETWORK_CAPACITY_PCT) AS AVG_CAPACITY_PCT,
  SUM(TOTAL_NETWORK_RIDES) AS TOTAL_RIDES,
  COUNT(*) AS DAYS
FROM V_DAILY_NETWORK_METRICS
WHERE RIDE_DATE >= ? AND RIDE_DATE <= ?`,
  binds: ["first date", "last date"],
  columns: NETWORK_TOTALS_COLUMNS,
});

/**
 * Network totals of one day up to an hour (its hourly rows starting at or before it), computed
 * as the daily reports compute them from their hours: the same day's figures "so far", to compare
 * a day in progress with.
 */
export const NETWORK_TOTALS_THROUGH = query({
  name: "network_totals_through",
  sql: `SELECT
  SUM(VISITORS) AS TOTAL_VISITORS,
  SUM(REVENUE) AS TOTAL_REVENUE,
  ROUND(AVG(CAPACITY_PCT), 1) AS AVG_CAPACITY_PCT,
  SUM(RIDES) AS TOTAL_RIDES,
  COUNT(DISTINCT RIDE_DATE) AS DAYS
FROM (
  SELECT
    RIDE_DATE,
    RESORT,
    SUM(TICKET_ACTIVATIONS) + SUM(PASS_ACTIVATIONS) AS VISITORS,
    SUM(TOTAL_RECOGNIZED_REVENUE) AS REVENUE,
    ROUND(AVG(CAPACITY_PCT), 1) AS CAPACITY_PCT,
    SUM(TOTAL_RIDES) AS RIDES
  FROM HOURLY_RESORT_SUMMARY
  WHERE RIDE_DATE = ? AND RIDE_HOUR_TIMESTAMP <= ?
  GROUP BY RIDE_DATE, RESORT
)`,
  binds: ["date", "last hour"],
  columns: NETWORK_TOTALS_COLUMNS,
});

/** Per resort over a date range: the status table and the comparison chart. */
export const RESORT_TOTALS = query({
  name: "resort_totals",
  sql: `SELECT
  RESORT,
  SUM(TOTAL_VISITORS) AS VISITORS,
  SUM(TOTAL_REVENUE) AS REVENUE,
  AVG(AVG_CAPACITY_PCT) AS CAPACITY_PCT,
  SUM(TOTAL_RIDES) AS RIDES
FROM DAILY_RESORT_SUMMARY
WHERE RIDE_DATE >= ? AND RIDE_DATE <= ?
GROUP BY RESORT
ORDER BY RESORT`,
  binds: ["first date", "last date"],
  columns: {
    RESORT: "text",
    VISITORS: "int",
    REVENUE: "money",
    CAPACITY_PCT: "number",
    RIDES: "int",
  },
});

/** Per day and resort over a date range: the trend chart. */
export const DAILY_TREND = query({
  name: "daily_trend",
  sql: `SELECT RIDE_DATE, RESORT, TOTAL_VISITORS, TOTAL_REVENUE, AVG_CAPACITY_PCT, TOTAL_RIDES
FROM DAILY_RESORT_SUMMARY
WHERE RIDE_DATE >= ? AND RIDE_DATE <= ?
ORDER BY RIDE_DATE, RESORT`,
  binds: ["first date", "last date"],
  columns: {
    RIDE_DATE: "date",
    RESORT: "text",
    TOTAL_VISITORS: "int",
    TOTAL_REVENUE: "money",
    AVG_CAPACITY_PCT: "number",
    TOTAL_RIDES: "int",
  },
});

/** A resort's latest reported hour ("this hour" of the operations center). */
export const RESORT_CURRENT_HOUR = query({
  name: "resort_current_hour",
  sql: `SELECT RIDE_DATE, RIDE_HOUR_TIMESTAMP, VISITOR_COUNT, CAPACITY_PCT, CAPACITY_STATUS,
  TOTAL_RIDES, TOTAL_RECOGNIZED_REVENUE
FROM HOURLY_RESORT_SUMMARY
WHERE RESORT = ?
ORDER BY RIDE_HOUR_TIMESTAMP DESC
LIMIT 1`,
  binds: ["resort"],
  columns: {
    RIDE_DATE: "date",
    RIDE_HOUR_TIMESTAMP: "timestamp",
    VISITOR_COUNT: "int",
    CAPACITY_PCT: "number",
    CAPACITY_STATUS: "text",
    TOTAL_RIDES: "int",
    TOTAL_RECOGNIZED_REVENUE: "money",
  },
});

/** A resort's hours in a UTC time range (its local reporting day). */
export const RESORT_HOURS = query({
  name: "resort_hours",
  sql: `SELECT RIDE_HOUR_TIMESTAMP, VISITOR_COUNT, CAPACITY_PCT, TOTAL_RIDES,
  TOTAL_RECOGNIZED_REVENUE
FROM HOURLY_RESORT_SUMMARY
WHERE RESORT = ? AND RIDE_HOUR_TIMESTAMP >= ? AND RIDE_HOUR_TIMESTAMP < ?
ORDER BY RIDE_HOUR_TIMESTAMP`,
  binds: ["resort", "from (inclusive)", "to (exclusive)"],
  columns: {
    RIDE_HOUR_TIMESTAMP: "timestamp",
    VISITOR_COUNT: "int",
    CAPACITY_PCT: "number",
    TOTAL_RIDES: "int",
    TOTAL_RECOGNIZED_REVENUE: "money",
  },
});

/** A resort's day against its revenue target. */
export const RESORT_REVENUE_TARGET = query({
  name: "resort_revenue_target",
  sql: `SELECT RIDE_DATE, TOTAL_REVENUE, REVENUE_TARGET_USD, REVENUE_TARGET_PCT, PERFORMANCE_STATUS
FROM V_DAILY_REVENUE_PERFORMANCE
WHERE RESORT = ? AND RIDE_DATE = ?`,
  binds: ["resort", "date"],
  columns: {
    RIDE_DATE: "date",
    TOTAL_REVENUE: "money",
    REVENUE_TARGET_USD: "money",
    REVENUE_TARGET_PCT: "number",
    PERFORMANCE_STATUS: "text",
  },
});

/** A resort's last four weeks. */
export const RESORT_WEEKS = query({
  name: "resort_weeks",
  sql: `SELECT WEEK_START_DATE, MAX_DAILY_UNIQUE_VISITORS, AVG_DAILY_UNIQUE_VISITORS,
  WEEK_TOTAL_VISITORS, WEEK_TOTAL_RIDES, WEEK_TOTAL_REVENUE, AVG_DAILY_REVENUE,
  AVG_WEEK_CAPACITY_PCT, WEEK_PEAK_CAPACITY_PCT, OPERATION_DAYS
FROM WEEKLY_RESORT_SUMMARY
WHERE RESORT = ?
ORDER BY WEEK_START_DATE DESC
LIMIT 4`,
  binds: ["resort"],
  columns: {
    WEEK_START_DATE: "date",
    MAX_DAILY_UNIQUE_VISITORS: "int",
    AVG_DAILY_UNIQUE_VISITORS: "int",
    WEEK_TOTAL_VISITORS: "int",
    WEEK_TOTAL_RIDES: "int",
    WEEK_TOTAL_REVENUE: "money",
    AVG_DAILY_REVENUE: "int",
    AVG_WEEK_CAPACITY_PCT: "number",
    WEEK_PEAK_CAPACITY_PCT: "number",
    OPERATION_DAYS: "int",
  },
});

/**
 * The lift ranking (sql/lift_performance.sql) over a bound 30-minute window: every known resort's
 * lifts are ranked overall, the resort's own within it; its top 10 are returned.
 */
export const LIFT_PERFORMANCE = query({
  name: "lift_performance",
  sql: `WITH PER_LIFT AS (
  SELECT R.RESORT, R.LIFT, COUNT(*) AS RIDES, COUNT(DISTINCT R.RFID) AS UNIQUE_VISITORS,
    MIN(R.RIDE_TIME) AS FIRST_ACTIVITY_TIME, MAX(R.RIDE_TIME) AS LAST_ACTIVITY_TIME
  FROM LIFT_RIDE AS R
  WHERE R.RESORT IN (SELECT RESORT FROM RESORT_CAPACITY)
    AND R.RIDE_TIME > ? AND R.RIDE_TIME <= ? AND R.LIFT IS NOT NULL
  GROUP BY R.RESORT, R.LIFT
),
RANKED AS (
  SELECT RESORT, LIFT, RIDES, UNIQUE_VISITORS, FIRST_ACTIVITY_TIME, LAST_ACTIVITY_TIME,
    RANK() OVER (PARTITION BY RESORT ORDER BY RIDES DESC) AS USAGE_RANK_IN_RESORT,
    RANK() OVER (ORDER BY RIDES DESC) AS OVERALL_USAGE_RANK
  FROM PER_LIFT
)
SELECT RESORT, LIFT, RIDES, UNIQUE_VISITORS, FIRST_ACTIVITY_TIME, LAST_ACTIVITY_TIME,
  USAGE_RANK_IN_RESORT, OVERALL_USAGE_RANK
FROM RANKED
WHERE RESORT = ?
ORDER BY USAGE_RANK_IN_RESORT, LIFT
LIMIT 10`,
  binds: ["window start (exclusive)", "window end (inclusive)", "resort"],
  columns: {
    RESORT: "text",
    LIFT: "text",
    RIDES: "int",
    UNIQUE_VISITORS: "int",
    FIRST_ACTIVITY_TIME: "timestamp",
    LAST_ACTIVITY_TIME: "timestamp",
    USAGE_RANK_IN_RESORT: "int",
    OVERALL_USAGE_RANK: "int",
  },
});

/** Every dashboard query. */
export const REPORT_QUERIES: readonly ReportQuery[] = [
  RESORTS,
  CLOCK,
  LATEST_RIDES,
  NETWORK_TOTALS,
  NETWORK_TOTALS_THROUGH,
  RESORT_TOTALS,
  DAILY_TREND,
  RESORT_CURRENT_HOUR,
  RESORT_HOURS,
  RESORT_REVENUE_TARGET,
  RESORT_WEEKS,
  LIFT_PERFORMANCE,
];

/** `YYYY-MM-DD HH:MM:SS.SSS` (UTC): how timestamps are bound, readable by both dialects. */
export function timestampBind(t: Date | number): string {
  return new Date(t).toISOString().replace("T", " ").slice(0, 23);
}

function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return new Date(v.getTime());
  if (typeof v === "number") return new Date(v);
  const s = String(v).trim();
  const iso = /^\d{4}-\d{2}-\d{2} /.test(s) ? s.replace(" ", "T") : s;
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(t)) throw new TypeError(`not a timestamp: ${JSON.stringify(s)}`);
  return new Date(t);
}

/** Turns one value from any source into its column kind's type. */
export function normalizeValue(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case "text":
      return String(v);
    case "int":
      return typeof v === "bigint" ? Number(v) : Math.round(Number(v));
    case "money":
      return Math.round(Number(v) * 100) / 100;
    case "number":
      return Number(v);
    case "date":
      return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
    case "timestamp":
      return toDate(v);
  }
}

/** Types one row by the query's column kinds (columns it does not declare are dropped). */
export function normalizeRow(
  q: ReportQuery,
  row: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(q.columns)) out[name] = normalizeValue(kind, row[name]);
  return out;
}
