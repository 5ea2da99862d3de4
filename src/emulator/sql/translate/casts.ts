/**
 * CAST, TRY_CAST and `::` with Snowflake's conversions: VARIANT values unwrapped before they are
 * cast to a scalar type, scalars wrapped into JSON when cast to VARIANT, numbers rounded half
 * away from zero when the scale shrinks.
 *
 * @module
 */
import type { Node } from "../ast.ts";
import { SQL_ERRORS } from "../errors.ts";
import { duckType, isSemiStructured, type SfType, T } from "../../warehouse/types.ts";
import type { Expr } from "./context.ts";
import { dataTypeOf, variantAs } from "./types.ts";
import type { ExprContext, Translator } from "./translator.ts";

/** Translates a Cast node (`CAST(x AS t)`, `TRY_CAST(x AS t)`, `x::t`). */
export function castExpr(t: Translator, p: Node, ctx: ExprContext): Expr {
  const e = t.expr(p.expr, ctx);
  const to = dataTypeOf(p.data_type);
  if (p.format) throw SQL_ERRORS.unsupported("CAST … FORMAT");
  const kind = String(p.kind);
  if (kind === "SafeCast") throw SQL_ERRORS.unsupported("SAFE_CAST");
  return convert(e, to, kind === "TryCast");
}

/** `e` converted to Snowflake type `to` (TRY: NULL instead of an error). */
export function convert(e: Expr, to: SfType, tryCast = false): Expr {
  const cast = tryCast ? "TRY_CAST" : "CAST";
  const flags = { aggregate: e.aggregate, window: e.window, constant: e.constant };
  if (e.type.kind === "NULL") return { sql: `CAST(NULL AS ${duckType(to)})`, type: to, ...flags };
  if (isSemiStructured(to)) {
    if (isSemiStructured(e.type)) return { ...e, type: to };
    if (e.type.kind === "VARCHAR") return { sql: `to_json(${e.sql})`, type: to, ...flags };
    if (e.type.kind === "NUMBER" || e.type.kind === "FLOAT" || e.type.kind === "BOOLEAN") {
      return { sql: `CAST(${e.sql} AS JSON)`, type: to, ...flags };
    }
    return { sql: `to_json(${e.sql})`, type: to, ...flags };
  }
  if (isSemiStructured(e.type)) {
    const inner = variantAs(e.sql, T.varchar());
    if (to.kind === "VARCHAR") return { sql: inner, type: to, ...flags };
    return { sql: `${cast}(${inner} AS ${duckType(to)})`, type: to, ...flags };
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
    if (e.type.kind === "TIMESTAMP_NTZ") {
      return { sql: `strftime(${e.sql}, '%Y-%m-%d %H:%M:%S.%f')`, type: to, ...flags };
    }
    return { sql: `CAST(${e.sql} AS VARCHAR)`, type: to, ...flags };
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
  if (to.kind === "DATE" && (e.type.kind === "TIMESTAMP_LTZ" || e.type.kind === "TIMESTAMP_TZ")) {
    return { sql: `CAST(CAST(${e.sql} AS TIMESTAMP) AS DATE)`, type: to, ...flags };
  }
  return { sql: `${cast}(${e.sql} AS ${duckType(to)})`, type: to, ...flags };
}
