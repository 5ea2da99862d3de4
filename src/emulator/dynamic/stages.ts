/**
 * The incremental refresh of each dynamic table, as SQL over the warehouse.
 *
 * Raw tables only grow, so DAILY_VISITS reads the rows past its last seen rowid per source. Every
 * other table is recomputed only for the groups (date, resort[, hour]) that something upstream
 * changed: each stage records those groups as pending for the next table down, and a table's
 * refresh recomputes its pending groups, writes only the rows whose values changed, and hands the
 * changed groups on. So a refresh costs what the new rows touch, however much history there is,
 * and a ride that arrives after its hour was reported simply makes that hour pending again.
 *
 * Exactness: money is summed in whole cents (ticket prices over their days as multiples of
 * 1/420 cent, since 420 is divisible by 1…7 and by 20), and averages and percentages are rounded
 * half up with integer arithmetic, which is what Snowflake's decimal ROUND does.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { COLUMNS, type DynamicTableName, META } from "./schema.ts";

/** Row counts a refresh step changed. */
export interface RefreshStats {
  inserted: number;
  updated: number;
  deleted: number;
}

/** Rowid marks per raw table: rows with a larger rowid are new. */
export type SourceMarks = Record<"LIFT_RIDE" | "RESORT_TICKET" | "SEASON_PASS", number>;

/** An order key that sorts NULL last, as Snowflake's ascending ORDER BY does. */
const TXID_KEY = "COALESCE(TXID, char(1114111))";
/** Whole cents of a stored money value. */
const cents = (x: string) => `CAST(ROUND(${x} * 100) AS INTEGER)`;
/** Whole tenths of a stored one-decimal percentage. */
const tenths = (x: string) => `CAST(ROUND(${x} * 10) AS INTEGER)`;
/** `p / q` rounded half up, for non-negative integers p and positive q. */
const halfUp = (p: string, q: string) => `CAST((2 * (${p}) + (${q})) / (2 * (${q})) AS INTEGER)`;
/** `YYYY-MM-DD HH:00:00.000` of a date and an hour. */
const hourStamp = (d: string, h: string) => `${d} || ' ' || printf('%02d', ${h}) || ':00:00.000'`;
/** Monday of a `YYYY-MM-DD` date's week. */
export const mondayOf = (d: string) =>
  `date(${d}, '-' || ((CAST(strftime('%w', ${d}) AS INTEGER) + 6) % 7) || ' days')`;

// Joins are written driving table first with CROSS JOIN, which fixes SQLite's join order: the
// planner has no statistics for the small temp and pending tables and would otherwise scan the
// big tables, making a refresh cost what the history costs.

/** How one aggregate table is recomputed for its pending groups. */
interface GroupStage {
  table: Exclude<DynamicTableName, "DAILY_VISITS">;
  /** Its key columns as (date, resort, hour) — hour is absent for daily and weekly tables. */
  keys: readonly [string, string, string?];
  /** SELECT producing the new rows (all columns, contract order) of the pending groups. */
  compute: string;
  /** Where its changed groups become pending: target and the expressions of (date, resort, hour). */
  downstream: readonly { target: DynamicTableName; date: string; hour: string }[];
}

const pendingOf = (t: string) => `P.TARGET = '${t}'`;

const GROUP_STAGES: readonly GroupStage[] = [
  {
    table: "HOURLY_LIFT_ACTIVITY",
    keys: ["RIDE_DATE", "RESORT", "RIDE_HOUR"],
    compute: `
      SELECT H.RIDE_DATE, H.RIDE_HOUR, ${hourStamp("H.RIDE_DATE", "H.RIDE_HOUR")}, H.RESORT,
        SUM(H.RIDES), COUNT(*),
        SUM(CASE WHEN V.HAS_SEASON_PASS = 1 THEN 1 ELSE 0 END),
        SUM(CASE WHEN V.HAS_SEASON_PASS = 1 THEN H.RIDES ELSE 0 END)
      FROM ${META.pending} AS P
      CROSS JOIN ${META.riderHours} AS H
        ON H.RIDE_DATE = P.K_DATE AND H.RESORT = P.K_RESORT AND H.RIDE_HOUR = P.K_HOUR
      LEFT JOIN DAILY_VISITS AS V
        ON V.VISIT_DATE = H.RIDE_DATE AND V.RESORT = H.RESORT AND V.RFID = H.RFID
      WHERE ${pendingOf("HOURLY_LIFT_ACTIVITY")}
      GROUP BY H.RIDE_DATE, H.RESORT, H.RIDE_HOUR`,
    downstream: [{ target: "HOURLY_RESORT_SUMMARY", date: "RIDE_DATE", hour: "RIDE_HOUR" }],
  },
  {
    table: "HOURLY_AMORTIZED_REVENUE",
    keys: ["RIDE_DATE", "RESORT", "RIDE_HOUR"],
    // A ticket visit recognises price / max(days, 1); a pass visit within its first 20 days of
    // use recognises price / 20. Both summed as multiples of 1/420 cent, then rounded half up.
    compute: `
      SELECT RIDE_DATE, RIDE_HOUR, RESORT,
        CASE WHEN TICKET_NUM IS NOT NULL THEN ${halfUp("TICKET_NUM", "420")} / 100.0 END,
        TICKET_ACTIVATIONS,
        CASE WHEN PASS_NUM IS NOT NULL THEN ${halfUp("PASS_NUM", "420")} / 100.0 END,
        PASS_ACTIVATIONS
      FROM (
        SELECT P.K_DATE AS RIDE_DATE, P.K_HOUR AS RIDE_HOUR, P.K_RESORT AS RESORT,
          SUM(CASE WHEN V.HAS_SEASON_PASS = 0 AND V.PURCHASE_PRICE_USD IS NOT NULL THEN
            CASE WHEN 420 % max(coalesce(V.TICKET_ORIGINAL_DURATION, 1), 1) = 0
              THEN ${cents("V.PURCHASE_PRICE_USD")}
                * (420 / max(coalesce(V.TICKET_ORIGINAL_DURATION, 1), 1))
              ELSE ${cents("V.PURCHASE_PRICE_USD")} * 420.0
                / max(coalesce(V.TICKET_ORIGINAL_DURATION, 1), 1)
            END END) AS TICKET_NUM,
          COUNT(DISTINCT CASE WHEN V.HAS_SEASON_PASS = 0 THEN V.RFID END) AS TICKET_ACTIVATIONS,
          SUM(CASE WHEN V.HAS_SEASON_PASS = 1 AND V.ACTIVATION_USAGE_COUNT <= 20
            AND V.PURCHASE_PRICE_USD IS NOT NULL
            THEN ${cents("V.PURCHASE_PRICE_USD")} * 21 END) AS PASS_NUM,
          COUNT(DISTINCT CASE WHEN V.HAS_SEASON_PASS = 1 THEN V.RFID END) AS PASS_ACTIVATIONS
        FROM ${META.pending} AS P
        CROSS JOIN DAILY_VISITS AS V
          ON V.VISIT_DATE = P.K_DATE AND V.RESORT = P.K_RESORT
          AND V.FIRST_RIDE_TIME >= ${hourStamp("P.K_DATE", "P.K_HOUR")}
          AND V.FIRST_RIDE_TIME < ${hourStamp("P.K_DATE", "P.K_HOUR + 1")}
        WHERE ${pendingOf("HOURLY_AMORTIZED_REVENUE")}
        GROUP BY P.K_DATE, P.K_RESORT, P.K_HOUR
      )`,
    downstream: [{ target: "HOURLY_RESORT_SUMMARY", date: "RIDE_DATE", hour: "RIDE_HOUR" }],
  },
  {
    table: "HOURLY_RESORT_SUMMARY",
    keys: ["RIDE_DATE", "RESORT", "RIDE_HOUR"],
    compute: `
      SELECT RIDE_DATE, RIDE_HOUR, RIDE_HOUR_TIMESTAMP, RESORT, VISITOR_COUNT, TOTAL_RIDES,
        TICKET_ACTIVATIONS, PASS_ACTIVATIONS, ACTIVE_PASSES, PASS_RIDES, ACTIVE_TICKETS,
        TICKET_RIDES, TICKET_CENTS / 100.0, PASS_CENTS / 100.0, (TICKET_CENTS + PASS_CENTS) / 100.0,
        PCT10 / 10.0,
        CASE WHEN PCT10 > 900 THEN 'HIGH' WHEN PCT10 > 700 THEN 'MODERATE' ELSE 'NORMAL' END
      FROM (
        SELECT A.RIDE_DATE, A.RIDE_HOUR, A.RIDE_HOUR_TIMESTAMP, A.RESORT, A.VISITOR_COUNT,
          A.TOTAL_RIDES,
          coalesce(R.TICKET_ACTIVATIONS, 0) AS TICKET_ACTIVATIONS,
          coalesce(R.PASS_ACTIVATIONS, 0) AS PASS_ACTIVATIONS,
          A.ACTIVE_PASSES, A.PASS_RIDES,
          A.VISITOR_COUNT - A.ACTIVE_PASSES AS ACTIVE_TICKETS,
          A.TOTAL_RIDES - A.PASS_RIDES AS TICKET_RIDES,
          coalesce(${cents("R.RECOGNIZED_TICKET_REVENUE")}, 0) AS TICKET_CENTS,
          coalesce(${cents("R.RECOGNIZED_PASS_REVENUE")}, 0) AS PASS_CENTS,
          ${halfUp("A.VISITOR_COUNT * 1000", "C.MAX_CAPACITY")} AS PCT10
        FROM ${META.pending} AS P
        CROSS JOIN HOURLY_LIFT_ACTIVITY AS A
          ON A.RIDE_DATE = P.K_DATE AND A.RESORT = P.K_RESORT AND A.RIDE_HOUR = P.K_HOUR
        LEFT JOIN HOURLY_AMORTIZED_REVENUE AS R
          ON R.RIDE_DATE = A.RIDE_DATE AND R.RESORT = A.RESORT AND R.RIDE_HOUR = A.RIDE_HOUR
        JOIN RESORT_CAPACITY AS C ON C.RESORT = A.RESORT
        WHERE ${pendingOf("HOURLY_RESORT_SUMMARY")}
      )`,
    downstream: [{ target: "DAILY_RESORT_SUMMARY", date: "RIDE_DATE", hour: "-1" }],
  },
  {
    table: "DAILY_RESORT_SUMMARY",
    keys: ["RIDE_DATE", "RESORT"],
    compute: `
      SELECT S.RIDE_DATE, S.RESORT,
        MAX(S.VISITOR_COUNT), SUM(S.VISITOR_COUNT), SUM(S.TOTAL_RIDES),
        SUM(${cents("S.RECOGNIZED_TICKET_REVENUE")}) / 100.0,
        SUM(${cents("S.RECOGNIZED_PASS_REVENUE")}) / 100.0,
        SUM(${cents("S.TOTAL_RECOGNIZED_REVENUE")}) / 100.0,
        SUM(S.TICKET_ACTIVATIONS), SUM(S.PASS_ACTIVATIONS), SUM(S.PASS_RIDES), SUM(S.TICKET_RIDES),
        ${halfUp(`SUM(${tenths("S.CAPACITY_PCT")})`, "COUNT(S.CAPACITY_PCT)")} / 10.0,
        MAX(S.CAPACITY_PCT),
        COUNT(*),
        SUM(S.TICKET_ACTIVATIONS) + SUM(S.PASS_ACTIVATIONS)
      FROM ${META.pending} AS P
      CROSS JOIN HOURLY_RESORT_SUMMARY AS S ON S.RIDE_DATE = P.K_DATE AND S.RESORT = P.K_RESORT
      WHERE ${pendingOf("DAILY_RESORT_SUMMARY")}
      GROUP BY S.RIDE_DATE, S.RESORT`,
    downstream: [{ target: "WEEKLY_RESORT_SUMMARY", date: mondayOf("RIDE_DATE"), hour: "-1" }],
  },
  {
    table: "WEEKLY_RESORT_SUMMARY",
    keys: ["WEEK_START_DATE", "RESORT"],
    compute: `
      SELECT P.K_DATE, D.RESORT,
        MAX(D.TOTAL_VISITORS),
        ${halfUp("SUM(D.TOTAL_VISITORS)", "COUNT(D.TOTAL_VISITORS)")},
        SUM(D.TOTAL_VISITORS), SUM(D.TOTAL_RIDES), SUM(D.TOTAL_PASS_RIDES),
        SUM(D.TOTAL_TICKET_RIDES),
        SUM(${cents("D.TOTAL_TICKET_REVENUE")}) / 100.0,
        SUM(${cents("D.TOTAL_PASS_REVENUE")}) / 100.0,
        SUM(${cents("D.TOTAL_REVENUE")}) / 100.0,
        ${halfUp(`SUM(${cents("D.TOTAL_REVENUE")})`, "100 * COUNT(D.TOTAL_REVENUE)")},
        SUM(D.TOTAL_TICKET_ACTIVATIONS), SUM(D.TOTAL_PASS_ACTIVATIONS),
        ${halfUp(`SUM(${tenths("D.AVG_CAPACITY_PCT")})`, "COUNT(D.AVG_CAPACITY_PCT)")} / 10.0,
        MAX(D.PEAK_CAPACITY_PCT),
        COUNT(DISTINCT D.RIDE_DATE)
      FROM ${META.pending} AS P
      CROSS JOIN DAILY_RESORT_SUMMARY AS D
        ON D.RESORT = P.K_RESORT AND D.RIDE_DATE >= P.K_DATE
        AND D.RIDE_DATE < date(P.K_DATE, '+7 days')
      WHERE ${pendingOf("WEEKLY_RESORT_SUMMARY")}
      GROUP BY P.K_DATE, D.RESORT`,
    downstream: [],
  },
];

/** Prepared statements of one group stage. */
interface PreparedGroupStage {
  stage: GroupStage;
  clear: StatementSync;
  fill: StatementSync;
  deleteGone: StatementSync;
  changed: StatementSync;
  countChanged: StatementSync;
  apply: StatementSync;
  push: StatementSync[];
  done: StatementSync;
  clearChanged: StatementSync;
}

/** The SQL of every stage, prepared once per connection. */
export class Stages {
  readonly #db: DatabaseSync;
  readonly #groups = new Map<string, PreparedGroupStage>();
  readonly #visits: Record<string, StatementSync>;
  readonly #maxRowid: Record<string, StatementSync>;
  readonly #getMark: StatementSync;
  readonly #setMark: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS _dt_new_rides (
        RFID TEXT, RESORT TEXT, RIDE_DATE TEXT, RIDE_HOUR INTEGER, RIDE_TIME TEXT, TXID TEXT,
        LIFT TEXT, ADC INTEGER);
      CREATE TEMP TABLE IF NOT EXISTS _dt_affected_visits (
        VISIT_DATE TEXT, RESORT TEXT, RFID TEXT, PRIMARY KEY (VISIT_DATE, RESORT, RFID))
        WITHOUT ROWID;
      CREATE TEMP TABLE IF NOT EXISTS _dt_new_visits AS SELECT * FROM DAILY_VISITS WHERE 0;
      CREATE TEMP TABLE IF NOT EXISTS _dt_visit_delta (
        VISIT_DATE TEXT, RESORT TEXT, RFID TEXT, OLD_TIME TEXT, NEW_TIME TEXT, OLD_PASS INTEGER,
        NEW_PASS INTEGER, IS_NEW INTEGER);
      CREATE TEMP TABLE IF NOT EXISTS _dt_changed (
        K_DATE TEXT, K_RESORT TEXT, K_HOUR INTEGER, IS_NEW INTEGER);
    `);
    this.#maxRowid = Object.fromEntries(
      ["LIFT_RIDE", "RESORT_TICKET", "SEASON_PASS"].map((t) => [
        t,
        db.prepare(`SELECT coalesce(max(rowid), 0) AS m FROM ${t}`),
      ]),
    );
    this.#getMark = db.prepare(`SELECT LAST_ROWID AS m FROM ${META.marks} WHERE SOURCE = ?`);
    this.#setMark = db.prepare(
      `INSERT INTO ${META.marks} (SOURCE, LAST_ROWID) VALUES (?, ?)
       ON CONFLICT (SOURCE) DO UPDATE SET LAST_ROWID = excluded.LAST_ROWID`,
    );
    this.#visits = this.#prepareVisits();
    for (const stage of GROUP_STAGES) this.#groups.set(stage.table, this.#prepareGroup(stage));
  }

  /** Rowid marks consumed so far. */
  marks(): SourceMarks {
    const get = (s: string) => Number((this.#getMark.get(s) as { m: number } | undefined)?.m ?? 0);
    return {
      LIFT_RIDE: get("LIFT_RIDE"),
      RESORT_TICKET: get("RESORT_TICKET"),
      SEASON_PASS: get("SEASON_PASS"),
    };
  }

  /** The highest rowid of each raw table now. */
  heads(): SourceMarks {
    const get = (t: string) => Number((this.#maxRowid[t].get() as { m: number }).m);
    return {
      LIFT_RIDE: get("LIFT_RIDE"),
      RESORT_TICKET: get("RESORT_TICKET"),
      SEASON_PASS: get("SEASON_PASS"),
    };
  }

  #prepareVisits(): Record<string, StatementSync> {
    const db = this.#db;
    const cols = COLUMNS.DAILY_VISITS.join(", ");
    const differs = COLUMNS.DAILY_VISITS.slice(3).map((c) => `O.${c} IS NOT N.${c}`).join(" OR ");
    return {
      clearRides: db.prepare("DELETE FROM _dt_new_rides"),
      loadRides: db.prepare(
        `INSERT INTO _dt_new_rides
         SELECT RFID, RESORT, substr(RIDE_TIME, 1, 10), CAST(substr(RIDE_TIME, 12, 2) AS INTEGER),
           RIDE_TIME, ${TXID_KEY}, LIFT, ACTIVATION_DAY_COUNT
         FROM LIFT_RIDE
         WHERE rowid > ? AND rowid <= ?
           AND RIDE_TIME IS NOT NULL AND RESORT IS NOT NULL AND RFID IS NOT NULL`,
      ),
      // Per (rider, resort, date, hour): add the new rides, and keep the earlier first ride.
      mergeRiderHours: db.prepare(
        `INSERT INTO ${META.riderHours} (RFID, RESORT, RIDE_DATE, RIDE_HOUR, RIDES, FIRST_TIME,
           FIRST_TXID, FIRST_LIFT, FIRST_ADC)
         SELECT RFID, RESORT, RIDE_DATE, RIDE_HOUR, N, RIDE_TIME, TXID, LIFT, ADC FROM (
           SELECT *, COUNT(*) OVER W AS N, ROW_NUMBER() OVER (W ORDER BY RIDE_TIME, TXID) AS RN
           FROM _dt_new_rides
           WINDOW W AS (PARTITION BY RFID, RESORT, RIDE_DATE, RIDE_HOUR)
         ) WHERE RN = 1
         ON CONFLICT (RFID, RESORT, RIDE_DATE, RIDE_HOUR) DO UPDATE SET
           RIDES = RIDES + excluded.RIDES,
           FIRST_TIME = CASE WHEN (excluded.FIRST_TIME, excluded.FIRST_TXID) < (FIRST_TIME, FIRST_TXID)
             THEN excluded.FIRST_TIME ELSE FIRST_TIME END,
           FIRST_TXID = CASE WHEN (excluded.FIRST_TIME, excluded.FIRST_TXID) < (FIRST_TIME, FIRST_TXID)
             THEN excluded.FIRST_TXID ELSE FIRST_TXID END,
           FIRST_LIFT = CASE WHEN (excluded.FIRST_TIME, excluded.FIRST_TXID) < (FIRST_TIME, FIRST_TXID)
             THEN excluded.FIRST_LIFT ELSE FIRST_LIFT END,
           FIRST_ADC = CASE WHEN (excluded.FIRST_TIME, excluded.FIRST_TXID) < (FIRST_TIME, FIRST_TXID)
             THEN excluded.FIRST_ADC ELSE FIRST_ADC END`,
      ),
      pendRideHours: db.prepare(
        `INSERT OR IGNORE INTO ${META.pending} (TARGET, K_DATE, K_RESORT, K_HOUR)
         SELECT DISTINCT 'HOURLY_LIFT_ACTIVITY', RIDE_DATE, RESORT, RIDE_HOUR FROM _dt_new_rides`,
      ),
      clearAffected: db.prepare("DELETE FROM _dt_affected_visits"),
      affectedByRides: db.prepare(
        `INSERT OR IGNORE INTO _dt_affected_visits
         SELECT DISTINCT RIDE_DATE, RESORT, RFID FROM _dt_new_rides`,
      ),
      affectedByCards: db.prepare(
        `INSERT OR IGNORE INTO _dt_affected_visits
         SELECT V.VISIT_DATE, V.RESORT, V.RFID FROM DAILY_VISITS AS V
         WHERE V.RFID IN (
           SELECT RFID FROM SEASON_PASS WHERE rowid > ? AND rowid <= ? AND RFID IS NOT NULL
           UNION
           SELECT RFID FROM RESORT_TICKET WHERE rowid > ? AND rowid <= ? AND RFID IS NOT NULL)`,
      ),
      clearNew: db.prepare("DELETE FROM _dt_new_visits"),
      // The first ride comes from the rider-hour state; the card from SEASON_PASS, else
      // RESORT_TICKET, earliest sale first (Snowflake's NULLS LAST order).
      computeVisits: db.prepare(
        `INSERT INTO _dt_new_visits (${cols})
         WITH FIRSTS AS (
           SELECT H.RIDE_DATE, H.RESORT, H.RFID, H.FIRST_TIME, H.FIRST_LIFT, H.FIRST_ADC,
             ROW_NUMBER() OVER (PARTITION BY H.RFID, H.RESORT, H.RIDE_DATE
               ORDER BY H.FIRST_TIME, H.FIRST_TXID) AS RN
           FROM _dt_affected_visits AS A
           CROSS JOIN ${META.riderHours} AS H
             ON H.RFID = A.RFID AND H.RESORT = A.RESORT AND H.RIDE_DATE = A.VISIT_DATE
         ),
         CARDS AS (
           SELECT RFID, IS_PASS, NAME, PRICE_USD, DAYS,
             ROW_NUMBER() OVER (PARTITION BY RFID
               ORDER BY IS_PASS DESC, PURCHASE_TIME NULLS LAST, TXID NULLS LAST) AS RN
           FROM (
             SELECT RFID, 1 AS IS_PASS, NAME, PRICE_USD, NULL AS DAYS, PURCHASE_TIME, TXID
             FROM SEASON_PASS WHERE RFID IN (SELECT RFID FROM _dt_affected_visits)
             UNION ALL
             SELECT RFID, 0, NAME, PRICE_USD, DAYS, PURCHASE_TIME, TXID
             FROM RESORT_TICKET WHERE RFID IN (SELECT RFID FROM _dt_affected_visits)
           )
         )
         SELECT F.RIDE_DATE, F.RESORT, F.RFID, C.NAME, F.FIRST_TIME, F.FIRST_LIFT,
           coalesce(C.IS_PASS, 0), C.PRICE_USD, F.FIRST_ADC,
           CASE WHEN C.IS_PASS = 1 THEN NULL ELSE C.DAYS END
         FROM FIRSTS AS F
         LEFT JOIN CARDS AS C ON C.RFID = F.RFID AND C.RN = 1
         WHERE F.RN = 1`,
      ),
      clearDelta: db.prepare("DELETE FROM _dt_visit_delta"),
      delta: db.prepare(
        `INSERT INTO _dt_visit_delta
         SELECT N.VISIT_DATE, N.RESORT, N.RFID, O.FIRST_RIDE_TIME, N.FIRST_RIDE_TIME,
           O.HAS_SEASON_PASS, N.HAS_SEASON_PASS, O.VISIT_DATE IS NULL
         FROM _dt_new_visits AS N
         LEFT JOIN DAILY_VISITS AS O
           ON O.VISIT_DATE = N.VISIT_DATE AND O.RESORT = N.RESORT AND O.RFID = N.RFID
         WHERE O.VISIT_DATE IS NULL OR ${differs}`,
      ),
      countDelta: db.prepare(
        `SELECT coalesce(sum(IS_NEW), 0) AS inserted, count(*) - coalesce(sum(IS_NEW), 0) AS updated
         FROM _dt_visit_delta`,
      ),
      applyVisits: db.prepare(
        `INSERT OR REPLACE INTO DAILY_VISITS (${cols})
         SELECT ${cols.split(", ").map((c) => `N.${c}`).join(", ")}
         FROM _dt_new_visits AS N
         JOIN _dt_visit_delta AS D
           ON D.VISIT_DATE = N.VISIT_DATE AND D.RESORT = N.RESORT AND D.RFID = N.RFID`,
      ),
      // A visit's revenue lands in the hour of its first ride: both the old and the new hour
      // change when an earlier ride arrives late.
      pendRevenue: db.prepare(
        `INSERT OR IGNORE INTO ${META.pending} (TARGET, K_DATE, K_RESORT, K_HOUR)
         SELECT 'HOURLY_AMORTIZED_REVENUE', VISIT_DATE, RESORT,
           CAST(substr(NEW_TIME, 12, 2) AS INTEGER) FROM _dt_visit_delta
         UNION
         SELECT 'HOURLY_AMORTIZED_REVENUE', VISIT_DATE, RESORT,
           CAST(substr(OLD_TIME, 12, 2) AS INTEGER) FROM _dt_visit_delta WHERE OLD_TIME IS NOT NULL`,
      ),
      // A card that turned out to be a pass changes the pass counts of every hour its holder rode.
      pendPassChange: db.prepare(
        `INSERT OR IGNORE INTO ${META.pending} (TARGET, K_DATE, K_RESORT, K_HOUR)
         SELECT 'HOURLY_LIFT_ACTIVITY', H.RIDE_DATE, H.RESORT, H.RIDE_HOUR
         FROM _dt_visit_delta AS D
         CROSS JOIN ${META.riderHours} AS H
           ON H.RFID = D.RFID AND H.RESORT = D.RESORT AND H.RIDE_DATE = D.VISIT_DATE
         WHERE D.IS_NEW = 0 AND D.OLD_PASS IS NOT D.NEW_PASS`,
      ),
    };
  }

  #prepareGroup(stage: GroupStage): PreparedGroupStage {
    const db = this.#db;
    const t = stage.table;
    const cols = COLUMNS[t];
    const temp = `_dt_new_${t.toLowerCase()}`;
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${temp} AS SELECT * FROM ${t} WHERE 0`);
    const [kd, kr, kh] = stage.keys;
    const hourOf = (alias: string) => (kh ? `${alias}.${kh}` : "-1");
    const keyMatch = (a: string, b: string) =>
      `${a}.${kd} = ${b}.${kd} AND ${a}.${kr} = ${b}.${kr}` +
      (kh ? ` AND ${a}.${kh} = ${b}.${kh}` : "");
    const pendingMatch = (a: string) =>
      `${a}.${kd} = P.K_DATE AND ${a}.${kr} = P.K_RESORT` +
      (kh ? ` AND ${a}.${kh} = P.K_HOUR` : "");
    const differs = cols.map((c) => `O.${c} IS NOT N.${c}`).join(" OR ");
    return {
      stage,
      clear: db.prepare(`DELETE FROM ${temp}`),
      fill: db.prepare(`INSERT INTO ${temp} (${cols.join(", ")}) ${stage.compute}`),
      // Pending groups that no longer have any row (only revenue hours can move away).
      deleteGone: db.prepare(
        `DELETE FROM ${t} WHERE EXISTS (
           SELECT 1 FROM ${META.pending} AS P WHERE ${pendingOf(t)} AND ${pendingMatch(t)})
         AND NOT EXISTS (SELECT 1 FROM ${temp} AS N WHERE ${keyMatch("N", t)})
         RETURNING ${kd} AS K_DATE, ${kr} AS K_RESORT, ${hourOf(t)} AS K_HOUR`,
      ),
      changed: db.prepare(
        `INSERT INTO _dt_changed
         SELECT N.${kd}, N.${kr}, ${hourOf("N")}, O.${kd} IS NULL
         FROM ${temp} AS N LEFT JOIN ${t} AS O ON ${keyMatch("O", "N")}
         WHERE O.${kd} IS NULL OR ${differs}`,
      ),
      countChanged: db.prepare(
        `SELECT coalesce(sum(IS_NEW), 0) AS inserted, count(*) - coalesce(sum(IS_NEW), 0) AS updated
         FROM _dt_changed`,
      ),
      apply: db.prepare(
        `INSERT OR REPLACE INTO ${t} (${cols.join(", ")})
         SELECT ${cols.map((c) => `N.${c}`).join(", ")} FROM ${temp} AS N
         JOIN _dt_changed AS C
           ON C.K_DATE = N.${kd} AND C.K_RESORT = N.${kr} AND C.K_HOUR = ${hourOf("N")}`,
      ),
      push: stage.downstream.map((d) =>
        db.prepare(
          `INSERT OR IGNORE INTO ${META.pending} (TARGET, K_DATE, K_RESORT, K_HOUR)
           SELECT '${d.target}', ${d.date.replaceAll("RIDE_DATE", "K_DATE")}, K_RESORT,
             ${d.hour === "-1" ? "-1" : "K_HOUR"}
           FROM _dt_changed`,
        )
      ),
      done: db.prepare(`DELETE FROM ${META.pending} WHERE TARGET = '${t}'`),
      clearChanged: db.prepare("DELETE FROM _dt_changed"),
    };
  }

  /**
   * DAILY_VISITS over raw rows with rowid in (from, to] per source; records what it changed as
   * pending for the two hourly tables and advances the marks. Runs inside the caller's
   * transaction.
   */
  refreshVisits(from: SourceMarks, to: SourceMarks): RefreshStats {
    const s = this.#visits;
    s.clearRides.run();
    s.clearAffected.run();
    s.clearNew.run();
    s.clearDelta.run();
    if (to.LIFT_RIDE > from.LIFT_RIDE) {
      s.loadRides.run(from.LIFT_RIDE, to.LIFT_RIDE);
      s.mergeRiderHours.run();
      s.pendRideHours.run();
      s.affectedByRides.run();
    }
    if (to.SEASON_PASS > from.SEASON_PASS || to.RESORT_TICKET > from.RESORT_TICKET) {
      s.affectedByCards.run(from.SEASON_PASS, to.SEASON_PASS, from.RESORT_TICKET, to.RESORT_TICKET);
    }
    s.computeVisits.run();
    s.delta.run();
    const counts = s.countDelta.get() as { inserted: number; updated: number };
    s.applyVisits.run();
    s.pendRevenue.run();
    s.pendPassChange.run();
    s.clearRides.run();
    for (const source of ["LIFT_RIDE", "RESORT_TICKET", "SEASON_PASS"] as const) {
      if (to[source] !== from[source]) this.#setMark.run(source, to[source]);
    }
    return { inserted: Number(counts.inserted), updated: Number(counts.updated), deleted: 0 };
  }

  /**
   * Recomputes the pending groups of one aggregate table, writes the rows that changed, and makes
   * their groups pending downstream. Runs inside the caller's transaction.
   */
  refreshGroups(table: Exclude<DynamicTableName, "DAILY_VISITS">): RefreshStats {
    const g = this.#groups.get(table);
    if (!g) throw new Error(`no refresh stage for ${table}`);
    g.clear.run();
    g.clearChanged.run();
    g.fill.run();
    const gone = g.deleteGone.all() as { K_DATE: string; K_RESORT: string; K_HOUR: number }[];
    g.changed.run();
    const counts = g.countChanged.get() as { inserted: number; updated: number };
    g.apply.run();
    if (gone.length) {
      const insert = this.#db.prepare(
        "INSERT INTO _dt_changed (K_DATE, K_RESORT, K_HOUR, IS_NEW) VALUES (?, ?, ?, 0)",
      );
      for (const k of gone) insert.run(k.K_DATE, k.K_RESORT, k.K_HOUR);
    }
    for (const p of g.push) p.run();
    g.done.run();
    g.clear.run();
    g.clearChanged.run();
    return {
      inserted: Number(counts.inserted),
      updated: Number(counts.updated),
      deleted: gone.length,
    };
  }
}
