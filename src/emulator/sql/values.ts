/**
 * Constant relations: rows computed here (catalog listings, refresh history) as DuckDB SQL, so
 * that the translator can filter, join and sort them like any table.
 *
 * @module
 */
import { duckType, type SfType } from "../warehouse/types.ts";
import { qi, qs } from "./translate/quote.ts";

/** A literal of `v` for a column of type `t`. */
export function literal(v: unknown, t: SfType): string {
  if (v === null || v === undefined) return `CAST(NULL AS ${duckType(t)})`;
  if (v instanceof Date) return `CAST(${qs(v.toISOString())} AS ${duckType(t)})`;
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "number" || typeof v === "bigint") {
    return t.kind === "FLOAT" ? `CAST(${v} AS DOUBLE)` : `CAST(${qs(String(v))} AS ${duckType(t)})`;
  }
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return `CAST(${qs(text)} AS ${duckType(t)})`;
}

/** A parenthesised DuckDB query returning `rows` with `columns` named and typed. */
export function valuesRelation(
  columns: readonly { readonly name: string; readonly type: SfType }[],
  rows: readonly (readonly unknown[])[],
): string {
  if (!rows.length) {
    return `(SELECT ${
      columns.map((c) => `${literal(null, c.type)} AS ${qi(c.name)}`).join(", ")
    } WHERE FALSE)`;
  }
  const body = rows.map((r) => `(${columns.map((c, i) => literal(r[i], c.type)).join(", ")})`).join(
    ",\n",
  );
  return `(SELECT * FROM (VALUES ${body}) AS "v"(${columns.map((c) => qi(c.name)).join(", ")}))`;
}
