/**
 * One evaluation per row of an operand that the translation (or DuckDB itself) would repeat.
 *
 * `CASE x WHEN 1 … WHEN 2 …`, `x IN (1, 2)`, `x BETWEEN a AND b`, DECODE and NULLIF read their
 * operand once per comparison in DuckDB, where Snowflake reads it once. For a column that is the
 * same thing; for `UNIFORM(1, 3, RANDOM())` each read is a new number, so a row could match no
 * branch at all. Such an operand is bound once through a one-element list and a lambda.
 *
 * @module
 */
import type { Expr } from "./context.ts";

/** DuckDB calls that give a new value on every evaluation (what RANDOM, UUID_STRING… become). */
const VOLATILE_CALL = /\b(?:random|uuid|gen_random_uuid|nextval)\(/i;

let lambdas = 0;

/** Whether translated SQL `sql` gives a new value each time it is evaluated. */
export function isVolatile(sql: string): boolean {
  return VOLATILE_CALL.test(sql);
}

/**
 * `build(e)`, with `e` evaluated once per row when it is volatile. `build` receives an expression
 * standing for `e`'s value and may use it any number of times.
 */
export function once(e: Expr, build: (value: Expr) => Expr): Expr {
  if (e.aggregate || e.window || !isVolatile(e.sql)) return build(e);
  const name = `"$once${++lambdas}"`;
  const out = build({ sql: name, type: e.type });
  // DuckDB takes no aggregate or window function inside a lambda.
  if (out.aggregate || out.window) return build(e);
  return { ...out, sql: `(list_transform([${e.sql}], lambda ${name}: ${out.sql}))[1]` };
}
