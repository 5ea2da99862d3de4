/**
 * `PIVOT` and `UNPIVOT` in FROM, as Snowflake defines them, over DuckDB's grouping and lists.
 *
 * `t PIVOT (AGG(x) FOR c IN (v1, v2 [AS a]) [DEFAULT ON NULL (d)])` groups `t` by every column
 * other than `c` and those the aggregate reads, with one column per value: the aggregate over
 * the rows whose `c` equals it, named by the value as written (`'JAN'`, quotes included) unless
 * aliased. `t UNPIVOT [INCLUDE NULLS] (v FOR n IN (c1, c2))` turns each listed column into a row:
 * the other columns, `n` (the column's name) and `v` (its value), leaving out NULL values unless
 * asked.
 *
 * @module
 */
import { clone, identName, type Node, payload, sourceText, variant, walk } from "../ast.ts";
import { SQL_ERRORS } from "../errors.ts";
import { type SfType, T } from "../../warehouse/types.ts";
import type { Column, Expr } from "./context.ts";
import { castTo, commonType } from "./types.ts";
import { qi, qs } from "./quote.ts";
import { type ExprContext, Scope, type Translator, ValuesNeeded } from "./translator.ts";

/** A translated FROM item: its DuckDB SQL (without alias) and its columns. */
export interface PivotedRelation {
  readonly sql: string;
  readonly columns: readonly Column[];
}

/** The inner FROM item of a PIVOT or UNPIVOT, in a scope of its own. */
function innerOf(t: Translator, table: Node, scope: Scope) {
  const inner = new Scope(scope.parent, scope.ctes);
  const sql = t.tableFactor(table, inner);
  const ctx: ExprContext = { scope: inner, aggregates: false, aliases: false };
  const columns = inner.relations.flatMap((rel) =>
    rel.columns.map((c) => ({ column: c, sql: `${qi(rel.duckAlias)}.${qi(c.duck)}` }))
  );
  return { sql, ctx, columns };
}

/** The columns (of the inner item) an expression reads. */
function columnsRead(t: Translator, node: Node, ctx: ExprContext): Set<Column> {
  const read = new Set<Column>();
  walk(node, (n, key) => {
    // A function's name is not a column.
    if (key === "name") return false;
    const v = variant(n);
    if (v !== "Identifier" && v !== "CompoundIdentifier") return;
    const e = t.expr(n, ctx);
    if (e.column) read.add(e.column.column);
    return false;
  });
  return read;
}

const isNumeric = (t: SfType) => t.kind === "NUMBER" || t.kind === "FLOAT";

/** A PIVOT's values: its list, or those `ANY` or a subquery finds (through a lookup). */
function pivotValues(
  t: Translator,
  p: Node,
  forNode: Node,
  inner: ReturnType<typeof innerOf>,
  scope: Scope,
): { expr: Node; alias?: Node; name?: string }[] {
  const kind = variant(p.value_source);
  const source = payload(p.value_source);
  if (kind === "List") {
    if (!source.length) throw SQL_ERRORS.syntax("PIVOT needs at least one value.");
    return source;
  }
  let sql: string, numeric: boolean;
  if (kind === "Any") {
    if (t.options.analyze) throw SQL_ERRORS.unsupported("PIVOT … IN (ANY) in a dynamic table");
    const forExpr = t.expr(forNode, inner.ctx);
    numeric = isNumeric(forExpr.type);
    const orders: Node[] = source ?? [];
    const order = orders.map((o) => {
      const e = t.expr(o.expr, inner.ctx);
      if (e.sql !== forExpr.sql) {
        throw SQL_ERRORS.unsupported("PIVOT … IN (ANY ORDER BY) another expression");
      }
      return o.options?.asc === false ? "DESC" : "ASC";
    })[0] ?? "ASC";
    sql = `SELECT CAST("v" AS VARCHAR) FROM (SELECT DISTINCT ${forExpr.sql} AS "v" FROM ${inner.sql}
      WHERE ${forExpr.sql} IS NOT NULL) ORDER BY "v" ${order}`;
  } else if (kind === "Subquery") {
    if (t.options.analyze) throw SQL_ERRORS.unsupported("PIVOT … IN (subquery) in a dynamic table");
    const sub = t.query(source, scope.parent);
    if (sub.columns.length !== 1) throw SQL_ERRORS.syntax("a PIVOT subquery returns one column.");
    numeric = isNumeric(sub.columns[0].type);
    // The subquery's order, its NULLs left out (Snowflake makes no column for them).
    sql = `SELECT CAST(${qi(sub.columns[0].duck)} AS VARCHAR) FROM (${sub.sql}) WHERE ${
      qi(sub.columns[0].duck)
    } IS NOT NULL`;
  } else throw SQL_ERRORS.unsupported(`PIVOT … IN (${kind})`);
  const found = t.options.lookups?.get(sql);
  if (!found) throw new ValuesNeeded(sql);
  if (!found.length) throw SQL_ERRORS.syntax("PIVOT found no values to make columns of.");
  return [...new Set(found)].map((v) => ({
    expr: numeric
      ? { Value: { value: { Number: [v, false] } } }
      : { Value: { value: { SingleQuotedString: v } } },
    name: numeric ? v : `'${v}'`,
  }));
}

/** `PIVOT (…)` over its inner FROM item. */
export function pivot(t: Translator, p: Node, scope: Scope): PivotedRelation {
  t.blocker(scope, "PIVOT");
  const inner = innerOf(t, p.table, scope);
  const aggregates: Node[] = p.aggregate_functions ?? [];
  if (aggregates.length !== 1) {
    throw SQL_ERRORS.unsupported("PIVOT with other than one aggregate function");
  }
  const aggregate = aggregates[0].expr ?? aggregates[0];
  if (variant(aggregate) !== "Function") {
    throw SQL_ERRORS.syntax("PIVOT needs an aggregate function.");
  }
  const forColumns: Node[] = p.value_column ?? [];
  if (forColumns.length !== 1) throw SQL_ERRORS.unsupported("PIVOT FOR several columns");
  const forNode = forColumns[0];
  const values = pivotValues(t, p, forNode, inner, scope);
  const used = new Set([
    ...columnsRead(t, forNode, inner.ctx),
    ...columnsRead(t, aggregate, inner.ctx),
  ]);
  const others = inner.columns.filter((c) => !used.has(c.column));
  const grouped: ExprContext = { ...inner.ctx, aggregates: true };
  const fallback = p.default_on_null ? t.expr(p.default_on_null, inner.ctx) : undefined;
  const names = new Set(others.map((c) => c.column.name));
  const pivoted = values.map((v, i) => {
    const fn = clone(aggregate);
    const call = payload(fn);
    if (call.over) throw SQL_ERRORS.syntax("PIVOT needs an aggregate function, not a window.");
    call.filter = { BinaryOp: { left: forNode, op: "Eq", right: v.expr } };
    let e: Expr = t.expr(fn, grouped);
    if (!e.aggregate) throw SQL_ERRORS.syntax("PIVOT needs an aggregate function.");
    if (fallback) {
      const type = commonType([e.type, fallback.type]);
      e = {
        sql: `COALESCE(${castTo(e.sql, e.type, type)}, ${
          castTo(fallback.sql, fallback.type, type)
        })`,
        type,
        aggregate: true,
      };
    }
    // Snowflake names the column by the value as written: `'JAN'`, quotes included.
    const name = v.alias
      ? identName(v.alias)
      : (v.name ?? sourceText(t.options.source, v.expr) ?? String(t.constantValue(v.expr, scope)));
    if (names.has(name)) throw SQL_ERRORS.syntax(`duplicate column name '${name}' in PIVOT.`);
    names.add(name);
    return { name, duck: `p${i}`, expr: e };
  });
  const columns: Column[] = [
    ...others.map((c, i) => ({ name: c.column.name, type: c.column.type, duck: `g${i}` })),
    ...pivoted.map((x) => ({ name: x.name, type: x.expr.type, duck: x.duck })),
  ];
  const select = [
    ...others.map((c, i) => `${c.sql} AS ${qi(`g${i}`)}`),
    ...pivoted.map((x) => `${x.expr.sql} AS ${qi(x.duck)}`),
  ].join(", ");
  const groupBy = others.length ? ` GROUP BY ${others.map((c) => c.sql).join(", ")}` : "";
  return { sql: `(SELECT ${select} FROM ${inner.sql}${groupBy})`, columns };
}

/** `UNPIVOT (…)` over its inner FROM item. */
export function unpivot(t: Translator, p: Node, scope: Scope): PivotedRelation {
  t.blocker(scope, "UNPIVOT");
  const inner = innerOf(t, p.table, scope);
  const valueName = variant(p.value) === "Identifier" ? identName(payload(p.value)) : (() => {
    throw SQL_ERRORS.unsupported("UNPIVOT into several value columns");
  })();
  const nameName = identName(p.name);
  const listed: { expr: Node; alias?: Node }[] = p.columns ?? [];
  if (!listed.length) throw SQL_ERRORS.syntax("UNPIVOT needs at least one column.");
  const unpivoted = listed.map((c) => {
    const e = t.expr(c.expr, inner.ctx);
    if (!e.column) throw SQL_ERRORS.syntax("UNPIVOT lists columns.");
    // The name column holds each column's name as stored (upper case unless quoted).
    return { label: c.alias ? identName(c.alias) : e.column.column.name, expr: e };
  });
  const used = new Set(unpivoted.map((u) => u.expr.column!.column));
  const others = inner.columns.filter((c) => !used.has(c.column));
  const type = commonType(unpivoted.map((u) => u.expr.type));
  const labelType = T.varchar(Math.max(...unpivoted.map((u) => u.label.length), 1));
  const columns: Column[] = [
    ...others.map((c, i) => ({ name: c.column.name, type: c.column.type, duck: `g${i}` })),
    { name: nameName, type: labelType, duck: "n" },
    { name: valueName, type, duck: "v" },
  ];
  // Two lists unnested side by side pair each name with its value, in one pass over the rows.
  const select = [
    ...others.map((c, i) => `${c.sql} AS ${qi(`g${i}`)}`),
    `unnest([${unpivoted.map((u) => qs(u.label)).join(", ")}]) AS "n"`,
    `unnest([${unpivoted.map((u) => castTo(u.expr.sql, u.expr.type, type)).join(", ")}]) AS "v"`,
  ].join(", ");
  const includeNulls = String(p.null_inclusion ?? "") === "IncludeNulls";
  return {
    sql: `(SELECT * FROM (SELECT ${select} FROM ${inner.sql})${
      includeNulls ? "" : ` WHERE "v" IS NOT NULL`
    })`,
    columns,
  };
}
