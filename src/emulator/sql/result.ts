/**
 * The JSON result format of Snowflake's SQL endpoint as snowflake-sdk parses it (`rowtype` with
 * column types, `rowset` of strings), and its error shape (`success: false` with `code`,
 * `message` and `data.sqlState`).
 *
 * Raw value encodings (what the driver converts back): numbers as decimal text; DATE as days
 * since the epoch; TIMESTAMP_NTZ / TIMESTAMP_LTZ as seconds since the epoch with a fraction of
 * `scale` digits; BOOLEAN as "1"/"0"; VARIANT as JSON text.
 *
 * @module
 */

/** A Snowflake column type as the driver's `rowtype` names it. */
export type SfType =
  | "fixed"
  | "real"
  | "text"
  | "date"
  | "timestamp_ntz"
  | "timestamp_ltz"
  | "boolean"
  | "variant";

/** One result column. */
export interface ResultColumn {
  name: string;
  type: SfType;
  /** Digits after the point: NUMBER(p,s) scale, or fractional-second digits of timestamps. */
  scale?: number;
}

/** A statement's result: columns and rows of values as the warehouse holds them. */
export interface StatementResult {
  columns: ResultColumn[];
  rows: unknown[][];
  /** The driver's statement type: 0x1000 SELECT, 0x2000 session, 0x3xxx DML, 0x6000 DDL. */
  statementTypeId: number;
}

/** Statement type ids the driver knows. */
export const STATEMENT_TYPE = {
  select: 0x1000,
  session: 0x2000,
  merge: 0x3400,
  ddl: 0x6000,
} as const;

/** A Snowflake-shaped SQL error: the driver surfaces `code`, `sqlState` and `message`. */
export class SqlError extends Error {
  /** Six-digit Snowflake error code, e.g. `002003`. */
  readonly code: string;
  /** ANSI SQLSTATE, e.g. `42S02`. */
  readonly sqlState: string;
  constructor(code: string, sqlState: string, message: string) {
    super(message);
    this.name = "SqlError";
    this.code = code;
    this.sqlState = sqlState;
  }
}

/** Errors the emulator raises. */
export const SQL_ERRORS = {
  /** A table, view or other object the emulator does not have. */
  doesNotExist: (what: string) =>
    new SqlError(
      "002003",
      "42S02",
      `SQL compilation error:\n${what} does not exist or not authorized.`,
    ),
  syntax: (detail: string) =>
    new SqlError("001003", "42000", `SQL compilation error:\nsyntax error ${detail}`),
  unsupported: (detail?: string) =>
    new SqlError(
      "000002",
      "0A000",
      "liftline emulator: this statement is not supported. The emulator runs liftline's own " +
        "report queries, its setup statements, ALTER DYNAMIC TABLE … REFRESH, the dynamic table " +
        "refresh history, simple SELECTs from its tables and session statements (USE, ALTER " +
        `SESSION) — not arbitrary Snowflake SQL.${detail ? ` (${detail})` : ""}`,
    ),
  binds: (expected: number, got: number) =>
    new SqlError(
      "002049",
      "42601",
      `SQL compilation error: the statement has ${expected} bind variables, ${got} were given.`,
    ),
} as const;

const pad = (n: number, w: number) => String(n).padStart(w, "0");

/** Milliseconds since the epoch of a stored timestamp (text `YYYY-MM-DD HH:MM:SS.SSS`, UTC). */
function timestampMs(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof Date) return v.getTime();
  const s = String(v).trim();
  const t = Date.parse(
    /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s.replace(" ", "T") : `${s.replace(" ", "T")}Z`,
  );
  if (Number.isNaN(t)) throw new Error(`not a timestamp: ${JSON.stringify(s)}`);
  return t;
}

/** Encodes one value for the `rowset`. */
export function encodeValue(column: ResultColumn, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  switch (column.type) {
    case "fixed": {
      const scale = column.scale ?? 0;
      if (typeof v === "bigint") return v.toString();
      const n = Number(v);
      return scale > 0 ? n.toFixed(scale) : String(Math.round(n));
    }
    case "real":
      return String(Number(v));
    case "text":
      return String(v);
    case "boolean":
      return v === true || v === 1 || v === "1" || String(v).toUpperCase() === "TRUE" ? "1" : "0";
    case "date": {
      const days = Date.parse(`${String(v).slice(0, 10)}T00:00:00Z`) / 86_400_000;
      if (!Number.isFinite(days)) throw new Error(`not a date: ${JSON.stringify(v)}`);
      return String(days);
    }
    case "timestamp_ntz":
    case "timestamp_ltz": {
      const ms = timestampMs(v);
      const seconds = Math.floor(ms / 1000);
      return `${seconds}.${pad(ms - seconds * 1000, 3)}000000`;
    }
    case "variant":
      return typeof v === "string" ? v : JSON.stringify(v);
  }
}

/** The driver's `rowtype` entry of a column. */
function rowtypeOf(c: ResultColumn): Record<string, unknown> {
  const timestamp = c.type === "timestamp_ntz" || c.type === "timestamp_ltz";
  return {
    name: c.name,
    database: "",
    schema: "",
    table: "",
    type: c.type,
    nullable: true,
    byteLength: c.type === "text" ? 16_777_216 : null,
    length: c.type === "text" ? 16_777_216 : null,
    precision: c.type === "fixed" ? 38 : timestamp ? 0 : null,
    scale: c.type === "fixed" ? (c.scale ?? 0) : timestamp ? 9 : null,
    collation: null,
  };
}

/** Session parameters echoed with every result (the driver reads formats and time zone). */
export const RESULT_PARAMETERS = [
  { name: "TIMEZONE", value: "UTC" },
  { name: "DATE_OUTPUT_FORMAT", value: "YYYY-MM-DD" },
  { name: "TIMESTAMP_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM" },
  { name: "TIMESTAMP_NTZ_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3" },
  { name: "TIMESTAMP_LTZ_OUTPUT_FORMAT", value: "" },
  { name: "TIMESTAMP_TZ_OUTPUT_FORMAT", value: "" },
  { name: "TIME_OUTPUT_FORMAT", value: "HH24:MI:SS" },
  { name: "CLIENT_RESULT_CHUNK_SIZE", value: 160 },
  { name: "QUERY_CONTEXT_CACHE_SIZE", value: 5 },
];

/** Where the session stands, reported with each result. */
export interface SessionNames {
  database: string | null;
  schema: string | null;
  warehouse: string | null;
  role: string | null;
}

/** The success body of `POST /queries/v1/query-request`. */
export function resultBody(
  result: StatementResult,
  queryId: string,
  session: SessionNames,
  numberOfBinds: number,
): Record<string, unknown> {
  // Values are encoded from the column type, not the column kind of the row: the types, not the
  // SQLite storage classes, decide what the driver returns.
  const rowset = result.rows.map((row) => result.columns.map((c, i) => encodeValue(c, row[i])));
  return {
    data: {
      parameters: RESULT_PARAMETERS,
      rowtype: result.columns.map(rowtypeOf),
      rowset,
      total: rowset.length,
      returned: rowset.length,
      queryId,
      databaseProvider: null,
      finalDatabaseName: session.database,
      finalSchemaName: session.schema,
      finalWarehouseName: session.warehouse,
      finalRoleName: session.role,
      numberOfBinds,
      arrayBindSupported: false,
      statementTypeId: result.statementTypeId,
      version: 1,
      sendResultTime: Date.now(),
      queryResultFormat: "json",
    },
    code: null,
    message: null,
    success: true,
  };
}

/** The failure body of any SQL endpoint (HTTP 200, as Snowflake answers). */
export function errorBody(
  code: string,
  message: string,
  extra: { sqlState?: string; queryId?: string } = {},
): Record<string, unknown> {
  return {
    data: {
      internalError: false,
      errorCode: code,
      age: 0,
      sqlState: extra.sqlState ?? null,
      queryId: extra.queryId ?? null,
      line: -1,
      pos: -1,
      type: "COMPILATION",
    },
    code,
    message,
    success: false,
    headers: null,
  };
}
