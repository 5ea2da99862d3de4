/**
 * The local warehouse's side of the report chain: the dynamic tables (same names and columns as
 * `sql/dynamic_tables.sql`), RESORT_CAPACITY, the two views, and the engine's own bookkeeping
 * tables (definitions with target lags, refresh history, source marks, pending groups, and the
 * per-rider-hour state that makes refreshes cost what the new rows cost).
 *
 * Storage follows the warehouse's conventions: DATE → TEXT `YYYY-MM-DD`, timestamps → TEXT
 * `YYYY-MM-DD HH:MM:SS.SSS` (UTC), BOOLEAN → INTEGER 0/1, money → REAL holding whole cents,
 * percentages → REAL holding one decimal.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { ResortCapacityRow } from "../../../sql/render.ts";
import { DYNAMIC_TABLE_NAMES } from "../../../sql/mod.ts";

/** The dynamic tables, upstream first (named once, in sql/mod.ts). */
export const DYNAMIC_TABLES = DYNAMIC_TABLE_NAMES;

/** One dynamic table's name. */
export type DynamicTableName = (typeof DYNAMIC_TABLES)[number];

/** How each table is defined: its target lag and the dynamic tables it reads. */
export interface DynamicTableDefinition {
  readonly name: DynamicTableName;
  /** `'1 minute'` style text, or `DOWNSTREAM`. */
  readonly targetLag: string;
  /** Seconds of target lag; null for DOWNSTREAM. */
  readonly targetLagSeconds: number | null;
  /** Dynamic tables read by this one. */
  readonly upstream: readonly DynamicTableName[];
}

/**
 * The chain as `sql/dynamic_tables.sql` declares it. DAILY_VISITS is DOWNSTREAM: the lab fills it
 * with a task every minute, but only the hourly tables read it, so refreshing it exactly when they
 * refresh keeps every layer at one data timestamp and never does work nobody reads.
 */
export const DEFINITIONS: readonly DynamicTableDefinition[] = [
  { name: "DAILY_VISITS", targetLag: "DOWNSTREAM", targetLagSeconds: null, upstream: [] },
  {
    name: "HOURLY_LIFT_ACTIVITY",
    targetLag: "DOWNSTREAM",
    targetLagSeconds: null,
    upstream: ["DAILY_VISITS"],
  },
  {
    name: "HOURLY_AMORTIZED_REVENUE",
    targetLag: "DOWNSTREAM",
    targetLagSeconds: null,
    upstream: ["DAILY_VISITS"],
  },
  {
    name: "HOURLY_RESORT_SUMMARY",
    targetLag: "1 minute",
    targetLagSeconds: 60,
    upstream: ["HOURLY_LIFT_ACTIVITY", "HOURLY_AMORTIZED_REVENUE"],
  },
  {
    name: "DAILY_RESORT_SUMMARY",
    targetLag: "1 minute",
    targetLagSeconds: 60,
    upstream: ["HOURLY_RESORT_SUMMARY"],
  },
  {
    name: "WEEKLY_RESORT_SUMMARY",
    targetLag: "1 minute",
    targetLagSeconds: 60,
    upstream: ["DAILY_RESORT_SUMMARY"],
  },
];

/** Bookkeeping table names (not Snowflake objects; a leading `_` keeps them apart). */
export const META = {
  definitions: "_DT_DEFINITION",
  history: "_DT_REFRESH_HISTORY",
  marks: "_DT_SOURCE_MARK",
  pending: "_DT_PENDING",
  riderHours: "_DT_RIDER_HOUR",
} as const;

/** Column lists of the dynamic tables in contract order (shared/spec/reports.md). */
export const COLUMNS: Readonly<Record<DynamicTableName, readonly string[]>> = {
  DAILY_VISITS: [
    "VISIT_DATE",
    "RESORT",
    "RFID",
    "NAME",
    "FIRST_RIDE_TIME",
    "FIRST_LIFT",
    "HAS_SEASON_PASS",
    "PURCHASE_PRICE_USD",
    "ACTIVATION_USAGE_COUNT",
    "TICKET_ORIGINAL_DURATION",
  ],
  HOURLY_LIFT_ACTIVITY: [
    "RIDE_DATE",
    "RIDE_HOUR",
    "RIDE_HOUR_TIMESTAMP",
    "RESORT",
    "TOTAL_RIDES",
    "VISITOR_COUNT",
    "ACTIVE_PASSES",
    "PASS_RIDES",
  ],
  HOURLY_AMORTIZED_REVENUE: [
    "RIDE_DATE",
    "RIDE_HOUR",
    "RESORT",
    "RECOGNIZED_TICKET_REVENUE",
    "TICKET_ACTIVATIONS",
    "RECOGNIZED_PASS_REVENUE",
    "PASS_ACTIVATIONS",
  ],
  HOURLY_RESORT_SUMMARY: [
    "RIDE_DATE",
    "RIDE_HOUR",
    "RIDE_HOUR_TIMESTAMP",
    "RESORT",
    "VISITOR_COUNT",
    "TOTAL_RIDES",
    "TICKET_ACTIVATIONS",
    "PASS_ACTIVATIONS",
    "ACTIVE_PASSES",
    "PASS_RIDES",
    "ACTIVE_TICKETS",
    "TICKET_RIDES",
    "RECOGNIZED_TICKET_REVENUE",
    "RECOGNIZED_PASS_REVENUE",
    "TOTAL_RECOGNIZED_REVENUE",
    "CAPACITY_PCT",
    "CAPACITY_STATUS",
  ],
  DAILY_RESORT_SUMMARY: [
    "RIDE_DATE",
    "RESORT",
    "PEAK_HOURLY_VISITORS",
    "TOTAL_VISITOR_HOURS",
    "TOTAL_RIDES",
    "TOTAL_TICKET_REVENUE",
    "TOTAL_PASS_REVENUE",
    "TOTAL_REVENUE",
    "TOTAL_TICKET_ACTIVATIONS",
    "TOTAL_PASS_ACTIVATIONS",
    "TOTAL_PASS_RIDES",
    "TOTAL_TICKET_RIDES",
    "AVG_CAPACITY_PCT",
    "PEAK_CAPACITY_PCT",
    "OPERATION_HOURS",
    "TOTAL_VISITORS",
  ],
  WEEKLY_RESORT_SUMMARY: [
    "WEEK_START_DATE",
    "RESORT",
    "MAX_DAILY_UNIQUE_VISITORS",
    "AVG_DAILY_UNIQUE_VISITORS",
    "WEEK_TOTAL_VISITORS",
    "WEEK_TOTAL_RIDES",
    "WEEK_TOTAL_PASS_RIDES",
    "WEEK_TOTAL_TICKET_RIDES",
    "WEEK_TOTAL_TICKET_REVENUE",
    "WEEK_TOTAL_PASS_REVENUE",
    "WEEK_TOTAL_REVENUE",
    "AVG_DAILY_REVENUE",
    "WEEK_TOTAL_TICKET_ACTIVATIONS",
    "WEEK_TOTAL_PASS_ACTIVATIONS",
    "AVG_WEEK_CAPACITY_PCT",
    "WEEK_PEAK_CAPACITY_PCT",
    "OPERATION_DAYS",
  ],
};

const DDL = `
CREATE TABLE IF NOT EXISTS RESORT_CAPACITY (
  RESORT TEXT PRIMARY KEY,
  MAX_CAPACITY INTEGER,
  HOURLY_CAPACITY INTEGER,
  BASE_LIFT_COUNT INTEGER,
  IANA_TIMEZONE TEXT
);

CREATE TABLE IF NOT EXISTS DAILY_VISITS (
  VISIT_DATE TEXT NOT NULL,
  RESORT TEXT NOT NULL,
  RFID TEXT NOT NULL,
  NAME TEXT,
  FIRST_RIDE_TIME TEXT,
  FIRST_LIFT TEXT,
  HAS_SEASON_PASS INTEGER,
  PURCHASE_PRICE_USD REAL,
  ACTIVATION_USAGE_COUNT INTEGER,
  TICKET_ORIGINAL_DURATION INTEGER,
  PRIMARY KEY (VISIT_DATE, RESORT, RFID)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS DAILY_VISITS_RFID ON DAILY_VISITS (RFID);
CREATE INDEX IF NOT EXISTS DAILY_VISITS_FIRST_RIDE
  ON DAILY_VISITS (VISIT_DATE, RESORT, FIRST_RIDE_TIME);

CREATE TABLE IF NOT EXISTS HOURLY_LIFT_ACTIVITY (
  RIDE_DATE TEXT NOT NULL,
  RIDE_HOUR INTEGER NOT NULL,
  RIDE_HOUR_TIMESTAMP TEXT NOT NULL,
  RESORT TEXT NOT NULL,
  TOTAL_RIDES INTEGER,
  VISITOR_COUNT INTEGER,
  ACTIVE_PASSES INTEGER,
  PASS_RIDES INTEGER,
  PRIMARY KEY (RIDE_DATE, RESORT, RIDE_HOUR)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS HOURLY_AMORTIZED_REVENUE (
  RIDE_DATE TEXT NOT NULL,
  RIDE_HOUR INTEGER NOT NULL,
  RESORT TEXT NOT NULL,
  RECOGNIZED_TICKET_REVENUE REAL,
  TICKET_ACTIVATIONS INTEGER,
  RECOGNIZED_PASS_REVENUE REAL,
  PASS_ACTIVATIONS INTEGER,
  PRIMARY KEY (RIDE_DATE, RESORT, RIDE_HOUR)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS HOURLY_RESORT_SUMMARY (
  RIDE_DATE TEXT NOT NULL,
  RIDE_HOUR INTEGER NOT NULL,
  RIDE_HOUR_TIMESTAMP TEXT NOT NULL,
  RESORT TEXT NOT NULL,
  VISITOR_COUNT INTEGER,
  TOTAL_RIDES INTEGER,
  TICKET_ACTIVATIONS INTEGER,
  PASS_ACTIVATIONS INTEGER,
  ACTIVE_PASSES INTEGER,
  PASS_RIDES INTEGER,
  ACTIVE_TICKETS INTEGER,
  TICKET_RIDES INTEGER,
  RECOGNIZED_TICKET_REVENUE REAL,
  RECOGNIZED_PASS_REVENUE REAL,
  TOTAL_RECOGNIZED_REVENUE REAL,
  CAPACITY_PCT REAL,
  CAPACITY_STATUS TEXT,
  PRIMARY KEY (RIDE_DATE, RESORT, RIDE_HOUR)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS HOURLY_RESORT_SUMMARY_TIMESTAMP
  ON HOURLY_RESORT_SUMMARY (RESORT, RIDE_HOUR_TIMESTAMP);
CREATE INDEX IF NOT EXISTS HOURLY_RESORT_SUMMARY_HOUR ON HOURLY_RESORT_SUMMARY (RIDE_HOUR_TIMESTAMP);

CREATE TABLE IF NOT EXISTS DAILY_RESORT_SUMMARY (
  RIDE_DATE TEXT NOT NULL,
  RESORT TEXT NOT NULL,
  PEAK_HOURLY_VISITORS INTEGER,
  TOTAL_VISITOR_HOURS INTEGER,
  TOTAL_RIDES INTEGER,
  TOTAL_TICKET_REVENUE REAL,
  TOTAL_PASS_REVENUE REAL,
  TOTAL_REVENUE REAL,
  TOTAL_TICKET_ACTIVATIONS INTEGER,
  TOTAL_PASS_ACTIVATIONS INTEGER,
  TOTAL_PASS_RIDES INTEGER,
  TOTAL_TICKET_RIDES INTEGER,
  AVG_CAPACITY_PCT REAL,
  PEAK_CAPACITY_PCT REAL,
  OPERATION_HOURS INTEGER,
  TOTAL_VISITORS INTEGER,
  PRIMARY KEY (RIDE_DATE, RESORT)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS WEEKLY_RESORT_SUMMARY (
  WEEK_START_DATE TEXT NOT NULL,
  RESORT TEXT NOT NULL,
  MAX_DAILY_UNIQUE_VISITORS INTEGER,
  AVG_DAILY_UNIQUE_VISITORS INTEGER,
  WEEK_TOTAL_VISITORS INTEGER,
  WEEK_TOTAL_RIDES INTEGER,
  WEEK_TOTAL_PASS_RIDES INTEGER,
  WEEK_TOTAL_TICKET_RIDES INTEGER,
  WEEK_TOTAL_TICKET_REVENUE REAL,
  WEEK_TOTAL_PASS_REVENUE REAL,
  WEEK_TOTAL_REVENUE REAL,
  AVG_DAILY_REVENUE INTEGER,
  WEEK_TOTAL_TICKET_ACTIVATIONS INTEGER,
  WEEK_TOTAL_PASS_ACTIVATIONS INTEGER,
  AVG_WEEK_CAPACITY_PCT REAL,
  WEEK_PEAK_CAPACITY_PCT REAL,
  OPERATION_DAYS INTEGER,
  PRIMARY KEY (WEEK_START_DATE, RESORT)
) WITHOUT ROWID;

-- Views: the same columns as sql/views.sql; percentages and averages are computed in whole
-- cents and tenths so that halves round up exactly as Snowflake's decimals do.
CREATE VIEW IF NOT EXISTS V_DAILY_REVENUE_PERFORMANCE AS
SELECT
  D.RIDE_DATE,
  D.RESORT,
  D.TOTAL_REVENUE,
  C.MAX_CAPACITY * 70 AS REVENUE_TARGET_USD,
  ((2 * CAST(ROUND(D.TOTAL_REVENUE * 100) AS INTEGER) + 7 * C.MAX_CAPACITY)
    / (14 * C.MAX_CAPACITY)) / 10.0 AS REVENUE_TARGET_PCT,
  CASE
    WHEN CAST(ROUND(D.TOTAL_REVENUE * 100) AS INTEGER) >= C.MAX_CAPACITY * 7000 THEN 'ABOVE_TARGET'
    WHEN CAST(ROUND(D.TOTAL_REVENUE * 100) AS INTEGER) >= C.MAX_CAPACITY * 6300 THEN 'NEAR_TARGET'
    ELSE 'BELOW_TARGET'
  END AS PERFORMANCE_STATUS
FROM DAILY_RESORT_SUMMARY AS D
JOIN RESORT_CAPACITY AS C ON C.RESORT = D.RESORT;

CREATE VIEW IF NOT EXISTS V_DAILY_NETWORK_METRICS AS
SELECT
  RIDE_DATE,
  SUM(TOTAL_VISITORS) AS TOTAL_NETWORK_VISITORS,
  SUM(CAST(ROUND(TOTAL_REVENUE * 100) AS INTEGER)) / 100.0 AS TOTAL_NETWORK_REVENUE,
  ((2 * SUM(CAST(ROUND(AVG_CAPACITY_PCT * 10) AS INTEGER)) + COUNT(AVG_CAPACITY_PCT))
    / (2 * COUNT(AVG_CAPACITY_PCT))) / 10.0 AS AVG_NETWORK_CAPACITY_PCT,
  SUM(TOTAL_RIDES) AS TOTAL_NETWORK_RIDES,
  COUNT(DISTINCT RESORT) AS ACTIVE_RESORTS
FROM DAILY_RESORT_SUMMARY
GROUP BY RIDE_DATE;

CREATE TABLE IF NOT EXISTS ${META.definitions} (
  NAME TEXT PRIMARY KEY,
  TARGET_LAG TEXT NOT NULL,
  TARGET_LAG_SECONDS INTEGER,
  UPSTREAM TEXT NOT NULL,
  REFRESH_MODE TEXT NOT NULL,
  SCHEDULING_STATE TEXT NOT NULL,
  DATA_TIMESTAMP TEXT,
  CREATED_ON TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS ${META.history} (
  ID INTEGER PRIMARY KEY AUTOINCREMENT,
  NAME TEXT NOT NULL,
  STATE TEXT NOT NULL,
  STATE_CODE TEXT,
  STATE_MESSAGE TEXT,
  DATA_TIMESTAMP TEXT NOT NULL,
  REFRESH_START_TIME TEXT NOT NULL,
  REFRESH_END_TIME TEXT,
  REFRESH_ACTION TEXT NOT NULL,
  REFRESH_TRIGGER TEXT NOT NULL,
  ROWS_INSERTED INTEGER NOT NULL DEFAULT 0,
  ROWS_UPDATED INTEGER NOT NULL DEFAULT 0,
  ROWS_DELETED INTEGER NOT NULL DEFAULT 0,
  TARGET_LAG_SEC INTEGER
);
CREATE INDEX IF NOT EXISTS ${META.history}_NAME ON ${META.history} (NAME, DATA_TIMESTAMP);

CREATE TABLE IF NOT EXISTS ${META.marks} (
  SOURCE TEXT PRIMARY KEY,
  LAST_ROWID INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS ${META.pending} (
  TARGET TEXT NOT NULL,
  K_DATE TEXT NOT NULL,
  K_RESORT TEXT NOT NULL,
  K_HOUR INTEGER NOT NULL,
  PRIMARY KEY (TARGET, K_DATE, K_RESORT, K_HOUR)
) WITHOUT ROWID;

-- Per rider, resort, date and hour: rides and the first ride. Rebuilt from nothing but LIFT_RIDE,
-- it is what lets a refresh recount an hour's distinct visitors, or find a visit's first ride,
-- without scanning the raw table.
CREATE TABLE IF NOT EXISTS ${META.riderHours} (
  RFID TEXT NOT NULL,
  RESORT TEXT NOT NULL,
  RIDE_DATE TEXT NOT NULL,
  RIDE_HOUR INTEGER NOT NULL,
  RIDES INTEGER NOT NULL,
  FIRST_TIME TEXT NOT NULL,
  FIRST_TXID TEXT NOT NULL,
  FIRST_LIFT TEXT,
  FIRST_ADC INTEGER,
  PRIMARY KEY (RFID, RESORT, RIDE_DATE, RIDE_HOUR)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${META.riderHours}_GROUP
  ON ${META.riderHours} (RIDE_DATE, RESORT, RIDE_HOUR);
`;

/**
 * Indexes on the raw tables that the dashboard's clock query needs (latest purchase time). They
 * are cheap to keep: purchase times arrive almost in order, so inserts append to the index.
 */
const RAW_INDEXES = [
  ["RESORT_TICKET", "PURCHASE_TIME"],
  ["SEASON_PASS", "PURCHASE_TIME"],
] as const;

function tableExists(db: DatabaseSync, name: string): boolean {
  return db.prepare(
    "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?",
  ).get(name) !== undefined;
}

/**
 * Creates (if missing) every table, view and index of the report chain in `db`, fills
 * RESORT_CAPACITY from `resorts`, and records each dynamic table's definition. Existing
 * definitions keep their target lag (it is state: ALTER … SET TARGET_LAG changes it).
 */
export function ensureSchema(
  db: DatabaseSync,
  resorts: readonly ResortCapacityRow[],
  now: Date = new Date(),
): void {
  db.exec(DDL);
  for (const [table, column] of RAW_INDEXES) {
    if (tableExists(db, table)) {
      db.exec(`CREATE INDEX IF NOT EXISTS ${table}_${column} ON ${table} (${column})`);
    }
  }
  const upsertResort = db.prepare(
    `INSERT INTO RESORT_CAPACITY (RESORT, MAX_CAPACITY, HOURLY_CAPACITY, BASE_LIFT_COUNT,
       IANA_TIMEZONE) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (RESORT) DO UPDATE SET MAX_CAPACITY = excluded.MAX_CAPACITY,
       HOURLY_CAPACITY = excluded.HOURLY_CAPACITY, BASE_LIFT_COUNT = excluded.BASE_LIFT_COUNT,
       IANA_TIMEZONE = excluded.IANA_TIMEZONE`,
  );
  const insertDefinition = db.prepare(
    `INSERT OR IGNORE INTO ${META.definitions} (NAME, TARGET_LAG, TARGET_LAG_SECONDS, UPSTREAM,
       REFRESH_MODE, SCHEDULING_STATE, DATA_TIMESTAMP, CREATED_ON)
     VALUES (?, ?, ?, ?, 'INCREMENTAL', 'RUNNING', NULL, ?)`,
  );
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const r of resorts) {
      upsertResort.run(r.resort, r.maxCapacity, r.hourlyCapacity, r.baseLiftCount, r.ianaTimezone);
    }
    for (const d of DEFINITIONS) {
      insertDefinition.run(
        d.name,
        d.targetLag,
        d.targetLagSeconds,
        JSON.stringify(d.upstream),
        formatTimestamp(now),
      );
    }
    db.exec("COMMIT");
  } catch (e) {
    db.exec("ROLLBACK");
    throw e;
  }
}

/** A time as the warehouse stores timestamps: `YYYY-MM-DD HH:MM:SS.SSS` in UTC. */
export function formatTimestamp(t: Date | number): string {
  const d = typeof t === "number" ? new Date(t) : t;
  return d.toISOString().replace("T", " ").slice(0, 23);
}

/** Parses a stored timestamp (`YYYY-MM-DD HH:MM:SS.SSS`, UTC) into ms since the epoch. */
export function parseTimestamp(text: string): number {
  return Date.parse(`${text.replace(" ", "T")}Z`);
}
