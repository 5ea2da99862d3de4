/**
 * Query results, kept as tables of the in-memory `results` database: the first rows go back with
 * the query's answer, the rest in chunks the driver fetches, and `RESULT_SCAN` reads them again.
 * A result of any size is read a chunk at a time, so memory stays bounded by DuckDB's limit.
 *
 * Values leave as the JSON result format's text (snowflake-sdk parses them back): numbers as
 * decimal text, dates as days since the epoch, timestamps as seconds since the epoch with nine
 * fractional digits, booleans as 1/0, VARIANT as JSON text. DuckDB encodes them, so that a
 * decimal is never a JavaScript number on the way.
 *
 * @module
 */
import { QueryHistory } from "./query_history.ts";
import type { LaneSession } from "../warehouse/duckdb.ts";
import { duckType, type SfType } from "../warehouse/types.ts";
import { qi } from "./translate/quote.ts";
import { offsetMinutesSql, zoneOf } from "./translate/datetime.ts";

/** One result column as the driver sees it. */
export interface ResultColumn {
  readonly name: string;
  readonly type: SfType;
}

/** A stored result. */
export interface StoredResult {
  readonly queryId: string;
  /** The table in the `results` database. */
  readonly table: string;
  readonly columns: readonly ResultColumn[];
  readonly rowCount: number;
  /** When it was made (results older than a day are dropped, as Snowflake keeps them a day). */
  readonly createdAt: number;
  /** Who may RESULT_SCAN it. */
  readonly user: string;
  /** The session that ran it. */
  readonly session: string;
}

/** Who a result belongs to: the user who may read it, and the session that ran it. */
export interface ResultOwner {
  readonly user: string;
  readonly session: string;
}

/**
 * How many of its latest results each session keeps, however many other sessions run (the
 * dashboard alone makes thousands of results a minute, and would otherwise push another client's
 * results out within seconds), and how far back `LAST_QUERY_ID(-n)` reaches.
 */
export const SESSION_RESULTS = 100;
/**
 * How many results are kept in all (oldest dropped first). Each takes DuckDB memory, within the
 * emulator's memory limit, about 20 KB a column even when it holds one row: 500 of them held half
 * of the limit, and refreshes ran out of what was left.
 */
const MAX_RESULTS = 200;
/** How many rows the kept results hold at most (oldest dropped first). */
const MAX_RESULT_ROWS = 200_000;
const DAY_MS = 86_400_000;

/**
 * How long a result with chunks still to fetch stays safe from the row and count bounds after its
 * creation or its last chunk read: a driver reads its chunks within seconds, but the dashboard's
 * many small results would otherwise push a large one out while it is being downloaded.
 */
const IN_USE_MS = 10 * 60_000;

/**
 * Rows the results in use may hold together before even they are dropped (oldest first): a
 * bound on the disk a burst of huge results can take.
 */
const MAX_IN_USE_ROWS = 5_000_000;

/** The `results` table name of a query. */
function tableName(queryId: string): string {
  return `results.main.${qi(`q_${queryId}`)}`;
}

/** DuckDB SQL that encodes column `c` (DuckDB type `duck`) as the wire's text. */
export function encodeColumn(c: string, type: SfType): string {
  switch (type.kind) {
    case "NUMBER":
      // DuckDB prints DECIMAL(3,3) 0.001 as ".001"; Snowflake as "0.001".
      if (type.precision === type.scale) {
        return `regexp_replace(CAST(${c} AS VARCHAR), '^(-?)[.]', '\\10.')`;
      }
      return `CAST(${c} AS VARCHAR)`;
    case "VARCHAR":
    case "NULL":
      return `CAST(${c} AS VARCHAR)`;
    case "FLOAT":
      return `CASE WHEN isnan(${c}) THEN 'NaN' WHEN isinf(${c}) AND ${c} > 0 THEN 'inf' WHEN isinf(${c}) THEN '-inf' ELSE CAST(${c} AS VARCHAR) END`;
    case "BOOLEAN":
      return `CASE WHEN ${c} THEN '1' WHEN NOT ${c} THEN '0' END`;
    case "DATE":
      return `CAST(${c} - DATE '1970-01-01' AS VARCHAR)`;
    case "TIME": {
      const us = `epoch_us(DATE '1970-01-01' + ${c})`;
      return `CAST(${us} // 1000000 AS VARCHAR) || '.' || lpad(CAST(${us} % 1000000 AS VARCHAR), 6, '0') || '000'`;
    }
    case "TIMESTAMP_NTZ":
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ": {
      const us = `epoch_us(${c})`;
      const frac = `((${us} % 1000000) + 1000000) % 1000000`;
      const secs = `(${us} - ${frac}) // 1000000`;
      const base =
        `CAST(${secs} AS VARCHAR) || '.' || lpad(CAST(${frac} AS VARCHAR), 6, '0') || '000'`;
      if (type.kind !== "TIMESTAMP_TZ") return base;
      // TIMESTAMP_TZ carries its offset: minutes east of UTC plus 1440. DuckDB keeps only the
      // instant, so the offset is the zone the expression's type carries (UTC when it has none,
      // as a stored TIMESTAMP_TZ column), never the reading connection's TimeZone.
      return `${base} || ' ' || CAST(1440 + ${
        offsetMinutesSql(c, zoneOf(type) ?? "UTC")
      } AS VARCHAR)`;
    }
    case "VARIANT":
    case "OBJECT":
    case "ARRAY":
      // Snowflake sends semi-structured values pretty-printed (two-space indents, `"key": value`);
      // DuckDB indents by four, which {@link ResultStore.read} halves.
      return `json_pretty(CAST(${c} AS JSON))`;
    case "BINARY":
      return `hex(${c})`;
  }
}

const SEMI_STRUCTURED = new Set(["VARIANT", "OBJECT", "ARRAY"]);

/**
 * Pretty-printed JSON with its indents halved (four spaces a level to two). A string value holds
 * no raw line break (JSON escapes it), so every space at the start of a line is indentation.
 */
function twoSpaceIndents(json: string): string {
  if (!json.includes("\n")) return json;
  return json.replace(/\n( +)/g, (_, spaces: string) => "\n" + " ".repeat(spaces.length >> 1));
}

/** Results of every session. */
export class ResultStore {
  readonly #results = new Map<string, StoredResult>();
  /** The statements that ran, for QUERY_HISTORY (kept beside the results every session reads). */
  readonly history = new QueryHistory();

  /** Stores the rows of a DuckDB query as query `queryId`'s result. */
  async fromQuery(
    s: LaneSession,
    queryId: string,
    owner: ResultOwner,
    sql: string,
    columns: readonly ResultColumn[],
  ): Promise<StoredResult> {
    const table = tableName(queryId);
    // Positional names: Snowflake allows duplicate column names, a table does not.
    const names = columns.map((_, i) => qi(`c${i}`)).join(", ");
    await s.run(`CREATE TABLE ${table} AS SELECT * FROM (${sql}) AS "q"(${names})`);
    return await this.#register(s, queryId, owner, table, columns);
  }

  /**
   * Stores rows computed here (SHOW, DESCRIBE, DML counts) as a result; with `asText`, the values
   * are DuckDB's text of values of the columns' types (a query read in a session's transaction).
   */
  async fromRows(
    s: LaneSession,
    queryId: string,
    owner: ResultOwner,
    columns: readonly ResultColumn[],
    rows: readonly (readonly unknown[])[],
    asText = false,
  ): Promise<StoredResult> {
    const table = tableName(queryId);
    await s.run(
      `CREATE TABLE ${table} (${
        columns.map((c, i) => `${qi(`c${i}`)} ${duckType(c.type)}`).join(", ")
      })`,
    );
    if (rows.length) {
      const appender = await s.conn.createAppender(`q_${queryId}`, "main", "results");
      try {
        for (const row of rows) {
          for (let i = 0; i < columns.length; i++) {
            if (asText && row[i] !== null) appender.appendVarchar(String(row[i]));
            else appendValue(appender, columns[i].type, row[i]);
          }
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    }
    return await this.#register(s, queryId, owner, table, columns);
  }

  async #register(
    s: LaneSession,
    queryId: string,
    owner: ResultOwner,
    table: string,
    columns: readonly ResultColumn[],
  ): Promise<StoredResult> {
    const count = Number((await s.all(`SELECT count(*) FROM ${table}`)).rows[0][0]);
    const r: StoredResult = {
      queryId,
      table,
      columns,
      rowCount: count,
      createdAt: Date.now(),
      user: owner.user,
      session: owner.session,
    };
    this.#results.set(queryId, r);
    await this.#evict(s);
    return r;
  }

  /**
   * When each result a client fetches from was last handed out or read (its chunks announced, a
   * chunk read). Only those are held: an in-process reader reads a result whole at once.
   */
  readonly #usedAt = new Map<string, number>();

  /** True for a result whose chunks a client may still be fetching. */
  #inUse(r: StoredResult, now: number): boolean {
    return now - (this.#usedAt.get(r.queryId) ?? -Infinity) < IN_USE_MS;
  }

  /**
   * Drops results, oldest first: those a day old; those not in use that their session has
   * {@link SESSION_RESULTS} newer ones of; then, while the kept results are too many or hold too
   * many rows, those not in use; results in use go only past their own row bound. The newest
   * result always stays: its client has yet to read it.
   */
  async #evict(s: LaneSession): Promise<void> {
    const now = Date.now();
    let rows = 0, inUseRows = 0;
    const perSession = new Map<string, number>();
    for (const r of this.#results.values()) {
      rows += r.rowCount;
      if (this.#inUse(r, now)) inUseRows += r.rowCount;
      perSession.set(r.session, (perSession.get(r.session) ?? 0) + 1);
    }
    const newest = [...this.#results.keys()].at(-1);
    for (const [id, r] of this.#results) {
      if (id === newest) break;
      const inUse = this.#inUse(r, now);
      const sessionCount = perSession.get(r.session)!;
      const drop = now - r.createdAt >= DAY_MS ||
        (inUse
          ? inUseRows > MAX_IN_USE_ROWS
          : sessionCount > SESSION_RESULTS || this.#results.size > MAX_RESULTS ||
            rows - inUseRows > MAX_RESULT_ROWS);
      if (!drop) continue;
      perSession.set(r.session, sessionCount - 1);
      rows -= r.rowCount;
      if (inUse) inUseRows -= r.rowCount;
      await this.#remove(s, r);
    }
  }

  /** Drops the result of a query. */
  async drop(s: LaneSession, queryId: string): Promise<void> {
    const r = this.#results.get(queryId);
    if (r) await this.#remove(s, r);
  }

  /** Forgets a result and drops its table. */
  async #remove(s: LaneSession, r: StoredResult): Promise<void> {
    this.#results.delete(r.queryId);
    this.#usedAt.delete(r.queryId);
    await s.run(`DROP TABLE IF EXISTS ${r.table}`).catch(() => {});
  }

  get(queryId: string): StoredResult | undefined {
    return this.#results.get(queryId);
  }

  /**
   * Holds a result a client will fetch from (its chunks were announced, or a multi-statement
   * request named it) or is fetching from: it stays while in use.
   */
  touch(queryId: string): void {
    if (this.#results.has(queryId)) this.#usedAt.set(queryId, Date.now());
  }

  /** Rows `[from, to)` encoded for the wire. */
  async read(
    s: LaneSession,
    r: StoredResult,
    from: number,
    to: number,
  ): Promise<(string | null)[][]> {
    if (to <= from || !r.columns.length) return [];
    const cols = r.columns.map((c, i) => encodeColumn(qi(`c${i}`), c.type)).join(", ");
    const out = await s.all(
      `SELECT ${cols} FROM ${r.table} WHERE rowid >= ${from} AND rowid < ${to} ORDER BY rowid`,
    );
    const rows = out.rows as (string | null)[][];
    const json = r.columns.flatMap((c, i) => SEMI_STRUCTURED.has(c.type.kind) ? [i] : []);
    if (json.length) {
      for (const row of rows) {
        for (const i of json) if (row[i] !== null) row[i] = twoSpaceIndents(row[i]!);
      }
    }
    return rows;
  }

  /** A relation over a stored result, for RESULT_SCAN: columns named as the query named them. */
  scanSql(r: StoredResult, names: readonly string[]): string {
    return `(SELECT ${
      names.map((name, i) => `${qi(`c${i}`)} AS ${qi(name)}`).join(", ")
    } FROM ${r.table})`;
  }

  /** Drops every stored result. */
  async clear(s: LaneSession): Promise<void> {
    for (const r of this.#results.values()) {
      await s.run(`DROP TABLE IF EXISTS ${r.table}`).catch(() => {});
    }
    this.#results.clear();
  }
}

/** Appends one JavaScript value to an appender column of Snowflake type `t`. */
// deno-lint-ignore no-explicit-any
function appendValue(a: any, t: SfType, v: unknown): void {
  if (v === null || v === undefined) {
    a.appendNull();
    return;
  }
  switch (t.kind) {
    case "BOOLEAN":
      a.appendBoolean(Boolean(v));
      return;
    case "FLOAT":
      a.appendDouble(Number(v));
      return;
    case "VARIANT":
    case "OBJECT":
    case "ARRAY":
      a.appendVarchar(typeof v === "string" ? v : JSON.stringify(v));
      return;
    case "TIMESTAMP_NTZ":
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ":
    case "DATE":
      a.appendVarchar(v instanceof Date ? v.toISOString() : String(v));
      return;
    default:
      a.appendVarchar(String(v));
  }
}
