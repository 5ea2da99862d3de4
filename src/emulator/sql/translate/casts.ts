/**
 * CAST, TRY_CAST and `::` with Snowflake's conversions: VARIANT values unwrapped before they are
 * cast to a scalar type, scalars wrapped into JSON when cast to VARIANT, numbers rounded half
 * away from zero when the scale shrinks, text read as dates and times with format AUTO, and
 * timestamps moved between wall clocks and instants in the session's time zone.
 *
 * @module
 */
import type { Node } from "../ast.ts";
import { SQL_ERRORS } from "../errors.ts";
import { duckType, isSemiStructured, isTimestamp, type SfType, T } from "../../warehouse/types.ts";
import type { Expr } from "./context.ts";
import {
  type DateTimeSession,
  epochToTimestamp,
  formatSql,
  instantOf,
  isDateTime,
  literalOffset,
  offsetMinutesSql,
  outputFormat,
  textToDateTime,
  wallClock,
  wallTimestamp,
  withZone,
  zoneFor,
} from "./datetime.ts";
import { qs } from "./quote.ts";
import { dataTypeOf, hexToBinary, scalarToJson, variantAs } from "./types.ts";
import type { ExprContext, Translator } from "./translator.ts";

/** Translates a Cast node (`CAST(x AS t)`, `TRY_CAST(x AS t)`, `x::t`). */
export function castExpr(t: Translator, p: Node, ctx: ExprContext): Expr {
  const e = t.expr(p.expr, ctx);
  const to = dataTypeOf(p.data_type);
  if (p.format) throw SQL_ERRORS.unsupported("CAST … FORMAT");
  const kind = String(p.kind);
  if (kind === "SafeCast") throw SQL_ERRORS.unsupported("SAFE_CAST");
  return convert(e, to, t.resolver.session, kind === "TryCast");
}

/**
 * A scalar as a VARIANT (JSON). A timestamp is Snowflake's text of it: milliseconds, and the
 * offset of its zone (the session's for an LTZ), not DuckDB's rendering of the instant at UTC.
 */
export function variantOf(e: { sql: string; type: SfType }, session: DateTimeSession): string {
  if (!isTimestamp(e.type)) return scalarToJson(e.sql, e.type);
  const zoned = e.type.kind !== "TIMESTAMP_NTZ";
  return `to_json(${
    formatSql(
      wallTimestamp(e, session),
      zoned ? "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM" : "YYYY-MM-DD HH24:MI:SS.FF3",
      zoned ? offsetMinutesSql(e.sql, zoneFor(e.type, session)) : "0",
    )
  })`;
}

/** `e` converted to Snowflake type `to` in `session` (TRY: NULL instead of an error). */
export function convert(e: Expr, to: SfType, session: DateTimeSession, tryCast = false): Expr {
  const cast = tryCast ? "TRY_CAST" : "CAST";
  const flags = { aggregate: e.aggregate, window: e.window, constant: e.constant };
  if (e.type.kind === "NULL") return { sql: `CAST(NULL AS ${duckType(to)})`, type: to, ...flags };
  if (isSemiStructured(to)) {
    if (isSemiStructured(e.type)) return { ...e, type: to };
    return { sql: variantOf(e, session), type: to, ...flags };
  }
  if (isSemiStructured(e.type)) {
    const inner = variantAs(e.sql, T.varchar());
    if (to.kind === "VARCHAR") return { sql: inner, type: to, ...flags };
    if (isDateTime(to)) {
      return convert({ ...e, sql: inner, type: T.varchar() }, to, session, tryCast);
    }
    return { sql: `${cast}(${inner} AS ${duckType(to)})`, type: to, ...flags };
  }
  if (isDateTime(to)) {
    const dt = dateTimeConversion(e, to, session, tryCast);
    if (dt) return { ...dt, ...flags };
  }
  if (to.kind === "NUMBER" && (e.type.kind === "NUMBER" || e.type.kind === "FLOAT")) {
    return { sql: `${cast}(${e.sql} AS ${duckType(to)})`, type: to, ...flags };
  }
  if (to.kind === "NUMBER" && e.type.kind === "VARCHAR") {
    // Through DOUBLE would lose digits: DuckDB parses decimal text into DECIMAL exactly.
    return { sql: `${cast}(trim(${e.sql}) AS ${duckType(to)})`, type: to, ...flags };
  }
  if (to.kind === "NUMBER" && e.type.kind === "BOOLEAN") {
    return { sql: `CAST(CAST(${e.sql} AS INTEGER) AS ${duckType(to)})`, type: to, ...flags };
  }
  if (to.kind === "VARCHAR") {
    if (e.type.kind === "VARCHAR") return { ...e, type: to };
    if (e.type.kind === "BOOLEAN") {
      return {
        sql: `CASE WHEN ${e.sql} THEN 'true' WHEN NOT ${e.sql} THEN 'false' END`,
        type: to,
        ...flags,
      };
    }
    if (isDateTime(e.type)) {
      return { sql: dateTimeText(e, session), type: to, ...flags };
    }
    if (e.type.kind === "FLOAT") return { sql: floatText(e.sql), type: to, ...flags };
    // In hex, Snowflake's default BINARY_OUTPUT_FORMAT.
    if (e.type.kind === "BINARY") return { sql: `hex(${e.sql})`, type: to, ...flags };
    return { sql: `CAST(${e.sql} AS VARCHAR)`, type: to, ...flags };
  }
  if (to.kind === "BINARY" && e.type.kind === "VARCHAR") {
    return { sql: hexToBinary(e.sql, tryCast), type: to, ...flags };
  }
  if (to.kind === "BOOLEAN" && e.type.kind === "VARCHAR") {
    return {
      sql:
        `CASE lower(trim(${e.sql})) WHEN 'true' THEN TRUE WHEN 't' THEN TRUE WHEN 'yes' THEN TRUE WHEN 'y' THEN TRUE WHEN 'on' THEN TRUE WHEN '1' THEN TRUE
        WHEN 'false' THEN FALSE WHEN 'f' THEN FALSE WHEN 'no' THEN FALSE WHEN 'n' THEN FALSE WHEN 'off' THEN FALSE WHEN '0' THEN FALSE
        ELSE ${
          tryCast ? "NULL" : `error('Boolean value ''' || ${e.sql} || ''' is not recognized')`
        } END`,
      type: to,
      ...flags,
    };
  }
  return { sql: `${cast}(${e.sql} AS ${duckType(to)})`, type: to, ...flags };
}

/**
 * A conversion to DATE, TIME or a timestamp, or undefined where a plain cast is right. Wall
 * clocks and instants meet in the session's zone (a TIMESTAMP_TZ's own where its type has one):
 * an NTZ or a DATE becomes the instant of its wall clock there, an LTZ or TZ becomes its wall
 * clock there, and a TIMESTAMP_TZ result carries the zone it was read in.
 */
function dateTimeConversion(
  e: Expr,
  to: SfType,
  session: DateTimeSession,
  tryCast: boolean,
): { sql: string; type: SfType } | undefined {
  const from = e.type;
  const zone = session.timezone;
  if (from.kind === "VARCHAR") {
    const sql = textToDateTime(e.sql, to, { tryCast, zoneSql: qs(zone) });
    // A literal with an offset keeps it; any other text is read in the session's zone.
    const type = withZone(to, literalOffset(e.sql) ?? zone);
    return { sql, type };
  }
  if ((from.kind === "NUMBER" || from.kind === "FLOAT") && to.kind !== "TIME") {
    const ntz = epochToTimestamp(e.sql);
    if (to.kind === "TIMESTAMP_NTZ") return { sql: ntz, type: to };
    if (to.kind === "DATE") return { sql: `CAST(${ntz} AS DATE)`, type: to };
    return { sql: `timezone('UTC', ${ntz})`, type: withZone(to, zone) };
  }
  const wallTypes = from.kind === "DATE" || from.kind === "TIMESTAMP_NTZ";
  const instantTypes = from.kind === "TIMESTAMP_LTZ" || from.kind === "TIMESTAMP_TZ";
  if (!wallTypes && !instantTypes) return undefined;
  if (to.kind === "TIMESTAMP_LTZ" || to.kind === "TIMESTAMP_TZ") {
    if (instantTypes) return { sql: e.sql, type: withZone(to, zoneFor(from, session)) };
    return { sql: instantOf(`CAST(${e.sql} AS TIMESTAMP)`, zone), type: withZone(to, zone) };
  }
  const wall = wallClock(e, session);
  if (to.kind === "TIMESTAMP_NTZ") return { sql: `CAST(${wall} AS TIMESTAMP)`, type: to };
  return { sql: `CAST(${wall} AS ${duckType(to)})`, type: to };
}

/** A date, time or timestamp as text, in the session's output format for its type. */
function dateTimeText(e: Expr, session: DateTimeSession): string {
  const fmt = outputFormat(session, e.type);
  const wall = wallTimestamp(e, session);
  const offset = e.type.kind === "TIMESTAMP_LTZ" || e.type.kind === "TIMESTAMP_TZ"
    ? offsetMinutesSql(e.sql, zoneFor(e.type, session))
    : "0";
  return formatSql(wall, fmt, offset);
}

/**
 * A FLOAT as Snowflake prints it: up to 15 significant digits, no trailing zeros or `.0`, an
 * exponent past them (`3`, `1.5`, `1e+20`, `1e-07`, `0.3` for 0.1 + 0.2), and `NaN`.
 */
export function floatText(sql: string): string {
  return `CASE WHEN isnan(${sql}) THEN 'NaN' ELSE printf('%.15g', ${sql}) END`;
}
