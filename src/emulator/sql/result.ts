/**
 * The JSON result format of Snowflake's SQL endpoint as snowflake-sdk parses it: `rowtype` with
 * column types, the first rows inline in `rowset` (strings, see `results.ts`), and the rest as
 * `chunks` the driver downloads; and the error shape (`success: false` with `code`, `message` and
 * `data.sqlState`).
 *
 * @module
 */
import { type SfType, wireType } from "../warehouse/types.ts";
import type { ResultColumn } from "./results.ts";
import type { SessionState } from "./context.ts";

export { SqlError } from "./errors.ts";

/** Rows sent inline with the answer; the rest go in chunks. */
export const INLINE_ROWS = 2_000;
/** Rows per downloaded chunk. */
export const CHUNK_ROWS = 20_000;

/** The driver's `rowtype` entry of a column. */
export function rowtypeOf(c: ResultColumn): Record<string, unknown> {
  const t: SfType = c.type;
  const text = t.kind === "VARCHAR" ? t.length : t.kind === "NULL" ? 16_777_216 : null;
  return {
    name: c.name,
    database: "",
    schema: "",
    table: "",
    type: wireType(t),
    nullable: true,
    byteLength: text === null
      ? (t.kind === "BINARY" ? t.length : null)
      : Math.min(16_777_216, text * 4),
    length: text ?? (t.kind === "BINARY" ? t.length : null),
    precision: t.kind === "NUMBER"
      ? t.precision
      : t.kind === "TIME" || t.kind.startsWith("TIMESTAMP")
      ? 0
      : null,
    scale: t.kind === "NUMBER" ? t.scale : "scale" in t ? t.scale : null,
    collation: null,
  };
}

/**
 * The output formats at Snowflake's defaults. snowflake-sdk formats dates, times and timestamps
 * itself with the formats the result echoes, so a session's ALTER SESSION values replace these.
 * An empty LTZ/TZ format means TIMESTAMP_OUTPUT_FORMAT, as in Snowflake.
 */
const OUTPUT_FORMATS: readonly (readonly [string, string])[] = [
  ["DATE_OUTPUT_FORMAT", "YYYY-MM-DD"],
  ["TIMESTAMP_OUTPUT_FORMAT", "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM"],
  ["TIMESTAMP_NTZ_OUTPUT_FORMAT", "YYYY-MM-DD HH24:MI:SS.FF3"],
  ["TIMESTAMP_LTZ_OUTPUT_FORMAT", ""],
  ["TIMESTAMP_TZ_OUTPUT_FORMAT", ""],
  ["TIME_OUTPUT_FORMAT", "HH24:MI:SS"],
];

/**
 * Session parameters echoed with every result: the time zone and output formats the driver
 * formats values with (the session's own where ALTER SESSION set them), and its fetch settings.
 */
export function resultParameters(
  session: { timezone: string; parameters?: ReadonlyMap<string, string> },
): { name: string; value: string | number }[] {
  const set = session.parameters;
  const out: { name: string; value: string | number }[] = [
    { name: "TIMEZONE", value: session.timezone },
  ];
  for (const [name, dflt] of OUTPUT_FORMATS) out.push({ name, value: set?.get(name) ?? dflt });
  // Always: snowflake-sdk reads a BINARY column's format from it, and throws without one.
  out.push({ name: "BINARY_OUTPUT_FORMAT", value: set?.get("BINARY_OUTPUT_FORMAT") ?? "HEX" });
  out.push(
    { name: "CLIENT_RESULT_CHUNK_SIZE", value: 160 },
    { name: "QUERY_CONTEXT_CACHE_SIZE", value: 5 },
  );
  return out;
}

/** Parameters at login (the session has its defaults). */
export const RESULT_PARAMETERS = resultParameters({ timezone: "UTC" });

/** One chunk the driver downloads. */
export interface ChunkDescriptor {
  readonly url: string;
  readonly rowCount: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
}

/** The success body of `POST /queries/v1/query-request`. */
export function resultBody(
  p: {
    readonly queryId: string;
    readonly columns: readonly ResultColumn[];
    readonly rowset: readonly (readonly (string | null)[])[];
    readonly total: number;
    readonly chunks: readonly ChunkDescriptor[];
    readonly chunkHeaders: Record<string, string>;
    readonly statementTypeId: number;
    readonly numberOfBinds: number;
  },
  session: SessionState,
): Record<string, unknown> {
  return {
    data: {
      parameters: resultParameters(session),
      rowtype: p.columns.map(rowtypeOf),
      rowset: p.rowset,
      total: p.total,
      returned: p.total,
      ...(p.chunks.length ? { chunks: p.chunks, chunkHeaders: p.chunkHeaders } : {}),
      queryId: p.queryId,
      databaseProvider: null,
      finalDatabaseName: session.database,
      finalSchemaName: session.schema,
      finalWarehouseName: session.warehouse,
      finalRoleName: session.role,
      numberOfBinds: p.numberOfBinds,
      arrayBindSupported: false,
      statementTypeId: p.statementTypeId,
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
