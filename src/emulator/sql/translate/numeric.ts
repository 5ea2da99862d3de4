/**
 * Snowflake's fixed-point arithmetic on DuckDB. Snowflake keeps NUMBER exact and derives each
 * result's precision and scale from its inputs ("Scale and precision in arithmetic operations"):
 *
 * - `+`/`-`: leading digits max(L1, L2) + 1, scale max(S1, S2);
 * - `*`: leading digits L1 + L2, scale min(S1 + S2, max(S1, S2, 12));
 * - `/`: leading digits L1 + S2, scale max(S1, min(S1 + 6, 12)), the quotient rounded half away
 *   from zero to that scale; division by zero is an error;
 * - AVG: the sum divided by the count, by the same rule.
 *
 * DuckDB adds and multiplies decimals exactly but divides them in floating point, so a division
 * of fixed-point values is emitted as an exact integer division of the unscaled values
 * (HUGEINT), rounded, and rescaled by an exact decimal multiplication. Any FLOAT operand makes
 * the whole operation floating point, as in Snowflake.
 *
 * @module
 */
import { type SfType, T } from "../../warehouse/types.ts";
import { DATETIME_MACROS } from "./datetime.ts";

/**
 * DuckDB macros the translated SQL calls; created when the warehouse opens. The one list the
 * warehouse creates: the date and time conversions (datetime.ts) are in it too.
 */
export const NUMERIC_MACROS: readonly string[] = [
  // Quotient of two unscaled integers, rounded half away from zero; division by zero is an error.
  `CREATE OR REPLACE MACRO _ll_qdiv(n, d) AS CASE WHEN d = 0 THEN error('Division by zero')
     ELSE ((abs(n) * 2 + abs(d)) // (abs(d) * 2)) * sign(n) * sign(d) END`,
  `CREATE OR REPLACE MACRO _ll_fdiv(n, d) AS CASE WHEN d = 0 THEN error('Division by zero')
     ELSE CAST(n AS DOUBLE) / CAST(d AS DOUBLE) END`,
  `CREATE OR REPLACE MACRO _ll_mod(n, d) AS CASE WHEN d = 0 THEN error('Division by zero')
     ELSE n % d END`,
  // DuckDB's cbrt is a few ulps off for exact cubes (cbrt(27) = 3.0000000000000004); an integer
  // root is given exactly, as Snowflake gives 3.
  `CREATE OR REPLACE MACRO _ll_cbrt(x) AS CASE WHEN pow(round(cbrt(x)), 3) = x
     THEN round(cbrt(x)) ELSE cbrt(x) END`,
  // OBJECT_AGG of (k, v) structs without NULLs: a key twice is Snowflake's "Duplicate field key".
  `CREATE OR REPLACE MACRO _ll_object_agg(l) AS CASE
     WHEN len(list_distinct(list_transform(l, _ll_p -> _ll_p.k))) < len(l)
     THEN error('Duplicate field key ''' || list_filter(list_transform(l, _ll_p -> _ll_p.k),
       (_ll_k, _ll_i) -> list_position(list_transform(l, _ll_p -> _ll_p.k), _ll_k) < _ll_i)[1]
       || '''')
     ELSE to_json(map_from_entries(l)) END`,
  // Text for a VARCHAR(n) column: longer text is Snowflake's error 100074, not truncated.
  `CREATE OR REPLACE MACRO _ll_fit_text(s, n) AS CASE WHEN length(s) > n
     THEN error('String ''' || s || ''' is too long and would be truncated') ELSE s END`,
  ...DATETIME_MACROS,
];

/** Leading digits of a NUMBER. */
function leading(t: { precision: number; scale: number }): number {
  return t.precision - t.scale;
}

/** Precision and scale of an operand as Snowflake sees it; floats and unknowns give undefined. */
export function fixedOf(t: SfType): { precision: number; scale: number } | undefined {
  if (t.kind === "NUMBER") return { precision: t.precision, scale: t.scale };
  if (t.kind === "BOOLEAN") return { precision: 1, scale: 0 };
  return undefined;
}

/** True when the operation must be done in floating point. */
export function isFloaty(t: SfType): boolean {
  return t.kind === "FLOAT" || t.kind === "VARIANT";
}

function cap(precision: number, scale: number): SfType {
  return T.number(Math.max(1, Math.min(38, precision)), Math.min(scale, 37));
}

/** The Snowflake type of `a op b` for a numeric operator. */
export function arithmeticType(op: "+" | "-" | "*" | "/" | "%", a: SfType, b: SfType): SfType {
  if (isFloaty(a) || isFloaty(b)) return T.float;
  const x = fixedOf(a) ?? { precision: 38, scale: 0 };
  const y = fixedOf(b) ?? { precision: 38, scale: 0 };
  switch (op) {
    case "+":
    case "-": {
      const s = Math.max(x.scale, y.scale);
      return cap(Math.max(leading(x), leading(y)) + 1 + s, s);
    }
    case "*": {
      const s = Math.min(x.scale + y.scale, Math.max(x.scale, y.scale, 12));
      return cap(leading(x) + leading(y) + s, s);
    }
    case "/": {
      const s = divisionScale(x.scale);
      return cap(leading(x) + y.scale + s, s);
    }
    case "%": {
      const s = Math.max(x.scale, y.scale);
      return cap(Math.min(leading(x), leading(y)) + s, s);
    }
  }
}

/** The scale of a quotient whose dividend has scale `s1`. */
export function divisionScale(s1: number): number {
  return Math.max(s1, Math.min(s1 + 6, 12));
}

const pow10 = (n: number) => "1" + "0".repeat(n);

/** An exact decimal literal 10^-s (for rescaling). */
function unitLiteral(s: number): string {
  return s === 0
    ? "CAST(1 AS DECIMAL(1,0))"
    : `CAST('0.${"0".repeat(s - 1)}1' AS DECIMAL(${s + 1},${s}))`;
}

/** The unscaled HUGEINT of a fixed-point expression with scale `s`. */
function unscaled(sql: string, s: number): string {
  if (s === 0) return `CAST(${sql} AS HUGEINT)`;
  return `CAST((${sql}) * CAST(${pow10(s)} AS DECIMAL(38,0)) AS HUGEINT)`;
}

/**
 * DuckDB SQL for `a / b` with Snowflake's semantics. `a` and `b` are translated operands.
 */
export function divide(a: { sql: string; type: SfType }, b: { sql: string; type: SfType }): {
  sql: string;
  type: SfType;
} {
  const type = arithmeticType("/", a.type, b.type);
  if (type.kind === "FLOAT") return { sql: `_ll_fdiv(${a.sql}, ${b.sql})`, type };
  const x = fixedOf(a.type) ?? { precision: 38, scale: 0 };
  const y = fixedOf(b.type) ?? { precision: 38, scale: 0 };
  const s = (type as { scale: number }).scale;
  // q = round(A * 10^(S - s1 + s2) / B), with A and B the unscaled operands.
  const shift = s - x.scale + y.scale;
  const numerator = shift === 0
    ? unscaled(numberOperand(a), x.scale)
    : `${unscaled(numberOperand(a), x.scale)} * CAST(${pow10(shift)} AS HUGEINT)`;
  const q = `_ll_qdiv(${numerator}, ${unscaled(numberOperand(b), y.scale)})`;
  const p = (type as { precision: number }).precision;
  return {
    sql: `CAST(CAST(${q} AS DECIMAL(38,0)) * ${unitLiteral(s)} AS DECIMAL(${p},${s}))`,
    type,
  };
}

/** An operand that is boolean in Snowflake's eyes is a number in arithmetic. */
function numberOperand(e: { sql: string; type: SfType }): string {
  return e.type.kind === "BOOLEAN" ? `CAST(${e.sql} AS INTEGER)` : e.sql;
}

/** DuckDB SQL for `a * b` (DuckDB's own decimal product, rescaled where Snowflake caps it). */
export function multiply(a: { sql: string; type: SfType }, b: { sql: string; type: SfType }): {
  sql: string;
  type: SfType;
} {
  const type = arithmeticType("*", a.type, b.type);
  if (type.kind === "FLOAT") {
    return { sql: `(CAST(${a.sql} AS DOUBLE) * CAST(${b.sql} AS DOUBLE))`, type };
  }
  const x = fixedOf(a.type), y = fixedOf(b.type);
  const natural = x && y ? x.scale + y.scale : undefined;
  const product = `(${numberOperand(a)} * ${numberOperand(b)})`;
  if (
    natural !== undefined && natural === (type as { scale: number }).scale &&
    x!.precision + y!.precision <= 38
  ) {
    return { sql: product, type };
  }
  const t = type as { precision: number; scale: number };
  return { sql: `CAST(${product} AS DECIMAL(${t.precision},${t.scale}))`, type };
}

/** DuckDB SQL for `a + b` / `a - b`. */
export function addSubtract(
  op: "+" | "-",
  a: { sql: string; type: SfType },
  b: { sql: string; type: SfType },
): { sql: string; type: SfType } {
  const type = arithmeticType(op, a.type, b.type);
  if (type.kind === "FLOAT") {
    return { sql: `(CAST(${a.sql} AS DOUBLE) ${op} CAST(${b.sql} AS DOUBLE))`, type };
  }
  const t = type as { precision: number; scale: number };
  return {
    sql: `CAST((${numberOperand(a)} ${op} ${
      numberOperand(b)
    }) AS DECIMAL(${t.precision},${t.scale}))`,
    type,
  };
}

/** DuckDB SQL for `a % b`. */
export function modulo(a: { sql: string; type: SfType }, b: { sql: string; type: SfType }): {
  sql: string;
  type: SfType;
} {
  const type = arithmeticType("%", a.type, b.type);
  if (type.kind === "FLOAT") {
    return { sql: `_ll_mod(CAST(${a.sql} AS DOUBLE), CAST(${b.sql} AS DOUBLE))`, type };
  }
  const t = type as { precision: number; scale: number };
  return {
    sql: `CAST(_ll_mod(${numberOperand(a)}, ${
      numberOperand(b)
    }) AS DECIMAL(${t.precision},${t.scale}))`,
    type,
  };
}

/** The Snowflake type of a numeric literal as written (`1.50` is NUMBER(3,2), `1e3` FLOAT). */
export function numberLiteralType(text: string): SfType {
  if (/[eE]/.test(text)) return T.float;
  const [int, frac = ""] = text.replace(/^[+-]/, "").split(".");
  const intDigits = int.replace(/^0+/, "").length;
  const scale = frac.length;
  return T.number(Math.max(1, intDigits + scale), scale);
}

/** DuckDB SQL for a numeric literal with its Snowflake type. */
export function numberLiteral(text: string): { sql: string; type: SfType } {
  const type = numberLiteralType(text);
  if (type.kind === "FLOAT") return { sql: `CAST(${text} AS DOUBLE)`, type };
  const t = type as { precision: number; scale: number };
  const normalized = text.startsWith(".")
    ? `0${text}`
    : text.endsWith(".")
    ? text.slice(0, -1)
    : text;
  if (t.precision > 38) {
    // More digits than NUMBER holds: Snowflake makes it a FLOAT.
    return { sql: `CAST(${normalized} AS DOUBLE)`, type: T.float };
  }
  return { sql: `CAST('${normalized}' AS DECIMAL(${t.precision},${t.scale}))`, type };
}
