/**
 * Snowflake's data types as the emulator models them: parsed from DDL and casts, mapped onto the
 * DuckDB type that stores them, recovered from a DuckDB result type, and described the way
 * snowflake-sdk's `rowtype` and `DESCRIBE TABLE` describe them.
 *
 * Where DuckDB stores less than Snowflake (nanoseconds, a TIMESTAMP_TZ value's own offset), the
 * declared type is kept in the catalog and shown as declared; `docs/emulator.md` lists the
 * differences.
 *
 * @module
 */

/** A Snowflake type. `length`/`precision`/`scale` as Snowflake reports them. */
export type SfType =
  | { readonly kind: "NUMBER"; readonly precision: number; readonly scale: number }
  | { readonly kind: "FLOAT" }
  | { readonly kind: "VARCHAR"; readonly length: number }
  | { readonly kind: "BINARY"; readonly length: number }
  | { readonly kind: "BOOLEAN" }
  | { readonly kind: "DATE" }
  | { readonly kind: "TIME"; readonly scale: number }
  | { readonly kind: "TIMESTAMP_NTZ"; readonly scale: number }
  | { readonly kind: "TIMESTAMP_LTZ"; readonly scale: number }
  | {
    readonly kind: "TIMESTAMP_TZ";
    readonly scale: number;
    /** The zone every value of an expression is shown at, when they share one (DuckDB keeps
     * only the instant); none for a stored column, shown at UTC. */
    readonly zone?: string;
  }
  | { readonly kind: "VARIANT" }
  | { readonly kind: "OBJECT" }
  | { readonly kind: "ARRAY" }
  /** The type of a bare NULL: fits anything. */
  | { readonly kind: "NULL" };

/** Snowflake's longest VARCHAR (and the length of a VARCHAR declared without one). */
export const MAX_VARCHAR = 16_777_216;
/** Snowflake's longest BINARY. */
export const MAX_BINARY = 8_388_608;

/** Shorthands. */
export const T = {
  number: (precision = 38, scale = 0): SfType => ({ kind: "NUMBER", precision, scale }),
  float: { kind: "FLOAT" } as SfType,
  varchar: (length = MAX_VARCHAR): SfType => ({ kind: "VARCHAR", length }),
  boolean: { kind: "BOOLEAN" } as SfType,
  date: { kind: "DATE" } as SfType,
  time: { kind: "TIME", scale: 9 } as SfType,
  ntz: { kind: "TIMESTAMP_NTZ", scale: 9 } as SfType,
  ltz: { kind: "TIMESTAMP_LTZ", scale: 9 } as SfType,
  tz: { kind: "TIMESTAMP_TZ", scale: 9 } as SfType,
  variant: { kind: "VARIANT" } as SfType,
  object: { kind: "OBJECT" } as SfType,
  array: { kind: "ARRAY" } as SfType,
  binary: { kind: "BINARY", length: MAX_BINARY } as SfType,
  null: { kind: "NULL" } as SfType,
} as const;

/** A type name Snowflake does not know, or arguments it refuses. */
export class SfTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SfTypeError";
  }
}

const INTEGER_NAMES = new Set(["INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "BYTEINT"]);
const FLOAT_NAMES = new Set([
  "FLOAT",
  "FLOAT4",
  "FLOAT8",
  "DOUBLE",
  "DOUBLE PRECISION",
  "REAL",
]);
const TEXT_NAMES = new Set(["VARCHAR", "STRING", "TEXT", "NVARCHAR", "NVARCHAR2", "CHAR VARYING"]);

/**
 * The Snowflake type of a type name and its arguments (`NUMBER`, [10, 2]). The name is
 * case-insensitive; aliases resolve as Snowflake resolves them (DATETIME is TIMESTAMP_NTZ, INT is
 * NUMBER(38,0), a bare TIMESTAMP follows TIMESTAMP_TYPE_MAPPING, whose default is NTZ).
 */
export function sfType(name: string, args: readonly number[] = []): SfType {
  const n = name.trim().toUpperCase().replace(/\s+/g, " ");
  const arg = (i: number, dflt: number) => args[i] ?? dflt;
  if (n === "NUMBER" || n === "DECIMAL" || n === "NUMERIC" || n === "DEC") {
    const precision = arg(0, 38);
    const scale = arg(1, 0);
    if (!(precision >= 1 && precision <= 38)) {
      throw new SfTypeError(
        `Unsupported data type '${n}(${args.join(",")})': precision ${precision}`,
      );
    }
    if (!(scale >= 0 && scale <= precision)) {
      throw new SfTypeError(`Unsupported data type '${n}(${args.join(",")})': scale ${scale}`);
    }
    return T.number(precision, scale);
  }
  if (INTEGER_NAMES.has(n)) return T.number(38, 0);
  if (FLOAT_NAMES.has(n)) return T.float;
  if (TEXT_NAMES.has(n)) return T.varchar(arg(0, MAX_VARCHAR));
  if (n === "CHAR" || n === "CHARACTER" || n === "NCHAR") return T.varchar(arg(0, 1));
  if (n === "BINARY" || n === "VARBINARY") return { kind: "BINARY", length: arg(0, MAX_BINARY) };
  if (n === "BOOLEAN" || n === "BOOL") return T.boolean;
  if (n === "DATE") return T.date;
  if (n === "TIME") return { kind: "TIME", scale: arg(0, 9) };
  if (n === "DATETIME" || n === "TIMESTAMP" || n === "TIMESTAMP_NTZ" || n === "TIMESTAMPNTZ") {
    return { kind: "TIMESTAMP_NTZ", scale: arg(0, 9) };
  }
  if (n === "TIMESTAMP WITHOUT TIME ZONE") return { kind: "TIMESTAMP_NTZ", scale: arg(0, 9) };
  if (n === "TIMESTAMP_LTZ" || n === "TIMESTAMPLTZ" || n === "TIMESTAMP WITH LOCAL TIME ZONE") {
    return { kind: "TIMESTAMP_LTZ", scale: arg(0, 9) };
  }
  if (n === "TIMESTAMP_TZ" || n === "TIMESTAMPTZ" || n === "TIMESTAMP WITH TIME ZONE") {
    return { kind: "TIMESTAMP_TZ", scale: arg(0, 9) };
  }
  if (n === "VARIANT") return T.variant;
  if (n === "OBJECT") return T.object;
  if (n === "ARRAY") return T.array;
  throw new SfTypeError(`Unsupported data type '${n}'.`);
}

/** Snowflake's own spelling of a type, as `DESCRIBE TABLE` and `SHOW COLUMNS` print it. */
export function formatSfType(t: SfType): string {
  switch (t.kind) {
    case "NUMBER":
      return `NUMBER(${t.precision},${t.scale})`;
    case "VARCHAR":
      return `VARCHAR(${t.length})`;
    case "BINARY":
      return `BINARY(${t.length})`;
    case "TIME":
    case "TIMESTAMP_NTZ":
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ":
      return `${t.kind}(${t.scale})`;
    default:
      return t.kind;
  }
}

/** The DuckDB type that stores a Snowflake type. */
export function duckType(t: SfType): string {
  switch (t.kind) {
    case "NUMBER":
      return `DECIMAL(${t.precision},${t.scale})`;
    case "FLOAT":
      return "DOUBLE";
    case "VARCHAR":
      return "VARCHAR";
    case "BINARY":
      return "BLOB";
    case "BOOLEAN":
      return "BOOLEAN";
    case "DATE":
      return "DATE";
    case "TIME":
      return "TIME";
    case "TIMESTAMP_NTZ":
      return "TIMESTAMP";
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ":
      return "TIMESTAMPTZ";
    case "VARIANT":
    case "OBJECT":
    case "ARRAY":
      return "JSON";
    case "NULL":
      return "VARCHAR";
  }
}

/**
 * The Snowflake type of a DuckDB result type (`DECIMAL(18,3)`, `BIGINT`, `TIMESTAMP WITH TIME
 * ZONE`, `STRUCT(…)`). Integers are NUMBER(38,0) except COUNT's BIGINT, which Snowflake reports
 * as NUMBER(18,0): the precision never changes a value, only how wide the driver expects it.
 */
export function sfTypeOfDuck(duck: string): SfType {
  const d = duck.trim().toUpperCase();
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(d);
  if (dec) return T.number(Number(dec[1]), Number(dec[2]));
  switch (d) {
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "UTINYINT":
    case "USMALLINT":
    case "UINTEGER":
      return T.number(38, 0);
    case "BIGINT":
    case "UBIGINT":
      return T.number(18, 0);
    case "HUGEINT":
    case "UHUGEINT":
    case "BIGNUM":
      return T.number(38, 0);
    case "FLOAT":
    case "DOUBLE":
      return T.float;
    case "VARCHAR":
      return T.varchar();
    case "BLOB":
      return T.binary;
    case "BOOLEAN":
      return T.boolean;
    case "DATE":
      return T.date;
    case "TIME":
      return T.time;
    case "TIMESTAMP":
    case "TIMESTAMP_S":
    case "TIMESTAMP_MS":
    case "TIMESTAMP_NS":
      return T.ntz;
    case "TIMESTAMP WITH TIME ZONE":
    case "TIMESTAMPTZ":
      return T.ltz;
    case "JSON":
      return T.variant;
    case '"NULL"':
    case "NULL":
      return T.varchar();
    case "UUID":
      return T.varchar();
    case "INTERVAL":
      return T.varchar();
  }
  if (d.endsWith("[]") || d.startsWith("STRUCT(") || d.startsWith("MAP(")) {
    return d.startsWith("STRUCT(") || d.startsWith("MAP(") ? T.object : T.array;
  }
  return T.varchar();
}

/** True for the three timestamp kinds. */
export function isTimestamp(t: SfType): boolean {
  return t.kind === "TIMESTAMP_NTZ" || t.kind === "TIMESTAMP_LTZ" || t.kind === "TIMESTAMP_TZ";
}

/** True for VARIANT, OBJECT and ARRAY. */
export function isSemiStructured(t: SfType): boolean {
  return t.kind === "VARIANT" || t.kind === "OBJECT" || t.kind === "ARRAY";
}

/** True for NUMBER and FLOAT. */
export function isNumeric(t: SfType): boolean {
  return t.kind === "NUMBER" || t.kind === "FLOAT";
}

/** The driver's `rowtype.type` of a Snowflake type. */
export function wireType(t: SfType): string {
  switch (t.kind) {
    case "NUMBER":
      return "fixed";
    case "FLOAT":
      return "real";
    case "VARCHAR":
    case "NULL":
      return "text";
    case "BINARY":
      return "binary";
    case "BOOLEAN":
      return "boolean";
    case "DATE":
      return "date";
    case "TIME":
      return "time";
    case "TIMESTAMP_NTZ":
      return "timestamp_ntz";
    case "TIMESTAMP_LTZ":
      return "timestamp_ltz";
    case "TIMESTAMP_TZ":
      return "timestamp_tz";
    case "VARIANT":
      return "variant";
    case "OBJECT":
      return "object";
    case "ARRAY":
      return "array";
  }
}

/** Two types equal as Snowflake compares column types. */
export function sameType(a: SfType, b: SfType): boolean {
  return formatSfType(a) === formatSfType(b);
}
