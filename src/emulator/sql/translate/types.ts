/**
 * Type rules the translator needs beyond arithmetic: the Snowflake type of a parsed data type,
 * the common type of several branches (CASE, COALESCE, UNION), and the implicit casts of a
 * comparison.
 *
 * @module
 */
import { type Node, objectNameParts, payload, variant } from "../ast.ts";
import { SQL_ERRORS } from "../errors.ts";
import {
  duckType,
  isTimestamp,
  type SfType,
  sfType,
  SfTypeError,
  T,
} from "../../warehouse/types.ts";
import { isDateTime, textToDateTime } from "./datetime.ts";

/** The Snowflake type of a parser `DataType` node. */
export function dataTypeOf(node: Node): SfType {
  try {
    return resolveDataType(node);
  } catch (e) {
    if (e instanceof SfTypeError) throw SQL_ERRORS.syntax(e.message);
    throw e;
  }
}

function numArgs(args: Node): number[] {
  if (!args || args === "None") return [];
  const v = variant(args);
  const p = payload(args);
  if (v === "Precision") return [Number(p)];
  if (v === "PrecisionAndScale") return [Number(p[0]), Number(p[1])];
  if (typeof args === "number") return [args];
  return [];
}

function lengthArg(args: Node): number[] {
  if (!args || args === "None") return [];
  if (typeof args === "number") return [args];
  const v = variant(args);
  const p = payload(args);
  if (v === "IntegerLength") return [Number(p.length)];
  if (v === "Max") return [];
  return [];
}

function resolveDataType(node: Node): SfType {
  const v = variant(node);
  const p = payload(node);
  switch (v) {
    case "Custom": {
      const name = objectNameParts(p[0]).join(".");
      const args = (p[1] as string[] ?? []).map(Number);
      return sfType(name, args);
    }
    case "Decimal":
    case "Numeric":
    case "Dec":
    case "Number":
      return sfType("NUMBER", numArgs(p));
    case "Int":
    case "Integer":
    case "BigInt":
    case "SmallInt":
    case "TinyInt":
    case "Int64":
    case "Int32":
    case "Int8":
    case "Int16":
      return T.number(38, 0);
    case "Float":
    case "Float4":
    case "Float8":
    case "Float64":
    case "Double":
    case "DoublePrecision":
    case "Real":
      return T.float;
    case "Varchar":
    case "CharVarying":
    case "CharacterVarying":
    case "Nvarchar":
      return sfType("VARCHAR", lengthArg(p));
    case "Char":
    case "Character":
      return sfType("CHAR", lengthArg(p));
    case "Text":
    case "String":
      return T.varchar();
    case "Boolean":
    case "Bool":
      return T.boolean;
    case "Date":
      return T.date;
    case "Time":
      return { kind: "TIME", scale: Array.isArray(p) && typeof p[0] === "number" ? p[0] : 9 };
    case "Datetime":
    case "TimestampNtz":
      return { kind: "TIMESTAMP_NTZ", scale: typeof p === "number" ? p : 9 };
    case "Timestamp": {
      const scale = Array.isArray(p) && typeof p[0] === "number" ? p[0] : 9;
      const tz = Array.isArray(p) ? p[1] : "None";
      if (tz === "WithTimeZone" || tz === "Tz") return { kind: "TIMESTAMP_TZ", scale };
      return { kind: "TIMESTAMP_NTZ", scale };
    }
    case "Binary":
    case "Varbinary":
    case "Blob":
    case "Bytea":
      return sfType("BINARY", lengthArg(p));
    case "Array":
      return T.array;
    case "JSON":
    case "Variant":
      return T.variant;
    case "Object":
      return T.object;
  }
  throw SQL_ERRORS.unsupported(`data type ${v || JSON.stringify(node)}`);
}

/** The common type of branches (CASE results, COALESCE arguments, UNION columns). */
export function commonType(types: readonly SfType[]): SfType {
  let out: SfType = T.null;
  for (const t of types) out = common2(out, t);
  return out;
}

function common2(a: SfType, b: SfType): SfType {
  if (a.kind === "NULL") return b;
  if (b.kind === "NULL") return a;
  if (a.kind === "NUMBER" && b.kind === "NUMBER") {
    const s = Math.max(a.scale, b.scale);
    const l = Math.max(a.precision - a.scale, b.precision - b.scale);
    return T.number(Math.min(38, l + s), s);
  }
  if ((a.kind === "NUMBER" || a.kind === "FLOAT") && (b.kind === "NUMBER" || b.kind === "FLOAT")) {
    return T.float;
  }
  if (a.kind === "VARCHAR" && b.kind === "VARCHAR") return T.varchar(Math.max(a.length, b.length));
  if (a.kind === "DATE" && isTimestamp(b)) return b;
  if (isTimestamp(a) && b.kind === "DATE") return a;
  if (isTimestamp(a) && isTimestamp(b)) return a.kind === b.kind ? a : T.ltz;
  if (a.kind === b.kind) return a;
  if (
    (a.kind === "VARIANT" || a.kind === "OBJECT" || a.kind === "ARRAY") &&
    (b.kind === "VARIANT" || b.kind === "OBJECT" || b.kind === "ARRAY")
  ) return T.variant;
  return a;
}

/**
 * `sql` cast to the DuckDB storage of `t` (no cast when `from` already has that storage). Text
 * becomes a date or time as Snowflake reads it (format AUTO, in the connection's time zone,
 * which the engine sets to the session's).
 */
export function castTo(sql: string, from: SfType, to: SfType): string {
  if (from.kind === "NULL") return `CAST(${sql} AS ${duckType(to)})`;
  if (duckType(from) === duckType(to)) return sql;
  if (from.kind === "VARCHAR" && to.kind === "BINARY") return hexToBinary(sql, false);
  if (from.kind === "VARCHAR" && isDateTime(to)) {
    return textToDateTime(sql, to, { zoneSql: "current_setting('TimeZone')" });
  }
  return `CAST(${sql} AS ${duckType(to)})`;
}

/**
 * Snowflake's implicit casts for a comparison: a string compared with a number, date or
 * timestamp is cast to that type; a date compared with a timestamp becomes a timestamp; a
 * VARIANT compared with a scalar is cast to the scalar's type.
 */
export function comparable(
  a: { sql: string; type: SfType },
  b: { sql: string; type: SfType },
): [string, string] {
  const ta = a.type, tb = b.type;
  const stringy = (t: SfType) => t.kind === "VARCHAR";
  const typed = (t: SfType) =>
    t.kind === "NUMBER" || t.kind === "FLOAT" || t.kind === "DATE" || isTimestamp(t) ||
    t.kind === "BOOLEAN" || t.kind === "TIME";
  const semi = (t: SfType) => t.kind === "VARIANT" || t.kind === "OBJECT" || t.kind === "ARRAY";
  if (stringy(ta) && typed(tb)) return [castForCompare(a.sql, tb), b.sql];
  if (typed(ta) && stringy(tb)) return [a.sql, castForCompare(b.sql, ta)];
  if (semi(ta) && (typed(tb) || stringy(tb))) return [variantAs(a.sql, tb), b.sql];
  if ((typed(ta) || stringy(ta)) && semi(tb)) return [a.sql, variantAs(b.sql, ta)];
  if (ta.kind === "NUMBER" && tb.kind === "BOOLEAN") return [a.sql, `CAST(${b.sql} AS INTEGER)`];
  if (ta.kind === "BOOLEAN" && tb.kind === "NUMBER") return [`CAST(${a.sql} AS INTEGER)`, b.sql];
  return [a.sql, b.sql];
}

function castForCompare(sql: string, to: SfType): string {
  if (to.kind === "NUMBER") return `CAST(${sql} AS DOUBLE)`;
  return castTo(sql, T.varchar(), to);
}

/**
 * A scalar as VARIANT JSON. A NUMBER keeps its digits: DuckDB's own cast writes a small DECIMAL
 * through a double (1 became 1.0, which reads back as '1.0' and types as DOUBLE).
 */
export function scalarToJson(sql: string, t: SfType): string {
  if (t.kind === "NUMBER") {
    if (t.scale === 0) return `CAST(CAST(${sql} AS HUGEINT) AS JSON)`;
    // DuckDB prints DECIMAL(3,3) 0.001 as ".001", which is no JSON number.
    return `CAST(regexp_replace(CAST(${sql} AS VARCHAR), '^(-?)[.]', '\\10.') AS JSON)`;
  }
  if (t.kind === "FLOAT" || t.kind === "BOOLEAN") return `CAST(${sql} AS JSON)`;
  if (t.kind === "NULL") return "NULL";
  return `to_json(${sql})`;
}

/** A VARIANT's value as a scalar of type `t` (JSON text unwrapped first). */
export function variantAs(sql: string, t: SfType): string {
  const text = `json_extract_string(${sql}, '$')`;
  if (t.kind === "VARCHAR") return text;
  if (t.kind === "NUMBER") return `CAST(${text} AS DOUBLE)`;
  return `CAST(${text} AS ${duckType(t)})`;
}

/**
 * Text as BINARY: read as hex, BINARY_INPUT_FORMAT's default (DuckDB's own cast takes the text's
 * bytes). Text that is not hex is an error, or NULL for a TRY_ cast.
 */
export function hexToBinary(sql: string, tryCast: boolean): string {
  const hex = `trim(${sql})`;
  const failure = tryCast
    ? "NULL"
    : `error('The following string is not a legal hex-encoded value: ''' || ${hex} || '''')`;
  return `CASE WHEN regexp_full_match(${hex}, '([0-9a-fA-F]{2})*') THEN unhex(${hex}) ELSE ${failure} END`;
}
