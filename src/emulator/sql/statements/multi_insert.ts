/**
 * Multi-table INSERT: `INSERT [OVERWRITE] ALL INTO … [INTO …] <query>` and the conditional
 * `INSERT [OVERWRITE] { FIRST | ALL } WHEN <cond> THEN INTO … [ELSE INTO …] <query>`.
 *
 * The query runs once, before anything is inserted, into a temporary table that also holds each
 * WHEN condition's value for each row: every INTO clause then reads the same rows (a query that
 * reads a target does not see what an earlier clause added, and `RANDOM()` in the query or in a
 * condition is drawn once per row, so FIRST sends each row down exactly one branch). Each clause
 * then inserts its rows as a single-table INSERT would, all in one transaction. A clause's rows
 * are those whose WHEN held (with FIRST: and no earlier WHEN held); ELSE takes the rows for which
 * none held. A NULL condition counts as false. Streams the query reads advance once, at the end.
 *
 * @module
 */
import { type Node, objectNameParts } from "../ast.ts";
import { type Outcome, STATEMENT_TYPE, type StatementContext } from "../context.ts";
import { SQL_ERRORS } from "../errors.ts";
import type { Column, Expr, Relation } from "../translate/context.ts";
import { qi } from "../translate/quote.ts";
import { checkBinds, statementTranslator } from "../translate/run.ts";
import { Scope } from "../translate/translator.ts";
import { advanceStreams } from "./ddl.ts";
import { counts, type InsertOptions, target } from "./dml.ts";

/** One INTO clause of the statement, with the rows it takes. */
interface IntoPart {
  readonly clause: Node;
  /** DuckDB condition over the staged rows' `_ll_cN` columns; undefined: every row. */
  readonly where?: string;
}

let staging = 0;

/** True for the keyword DEFAULT in a VALUES list. */
function isDefault(v: Node): boolean {
  if (v === "Default") return true;
  const id = (v as { Identifier?: { value: string; quote_style?: string | null } }).Identifier;
  return !!id && !id.quote_style && id.value.toUpperCase() === "DEFAULT";
}

/** The clauses in order, each with its rows' condition. */
function parts(p: Node): IntoPart[] {
  const when: Node[] = p.multi_table_when_clauses ?? [];
  const unconditional: Node[] = p.multi_table_into_clauses ?? [];
  const otherwise: Node[] = p.multi_table_else_clause ?? [];
  const first = String(p.multi_table_insert_type).toUpperCase() === "FIRST";
  if (when.length === 0) {
    if (first) throw SQL_ERRORS.syntax("INSERT FIRST needs WHEN clauses.");
    return unconditional.map((clause) => ({ clause }));
  }
  const held = (i: number) => qi(`_ll_c${i}`);
  const out: IntoPart[] = [];
  when.forEach((w, i) => {
    const earlier = first ? Array.from({ length: i }, (_, k) => ` AND NOT ${held(k)}`) : [];
    for (const clause of w.into_clauses ?? []) {
      out.push({ clause, where: held(i) + earlier.join("") });
    }
  });
  const none = when.map((_, i) => `NOT ${held(i)}`).join(" AND ");
  for (const clause of otherwise) out.push({ clause, where: none });
  return out;
}

/** Runs a multi-table INSERT; answers one count per target table, in order of first mention. */
export async function insertMulti(
  ctx: StatementContext,
  ast: Node,
  insertOne: (ctx: StatementContext, ast: Node, options: InsertOptions) => Promise<Outcome>,
): Promise<Outcome> {
  const p = ast.Insert;
  const intoParts = parts(p);
  if (intoParts.length === 0) throw SQL_ERRORS.syntax("a multi-table INSERT needs INTO clauses.");
  return await ctx.writer.transaction(async (s) => {
    const { t, resolver } = statementTranslator(ctx);
    const q = t.query(p.source, undefined);
    // The query's rows as a relation, which conditions and VALUES name columns of.
    const scope = new Scope(undefined);
    const src: Relation = {
      alias: "_LL_SRC",
      qualifiers: [],
      duckAlias: "_ll_src",
      columns: q.columns,
      opaque: true,
    };
    scope.relations.push(src);
    const exprCtx = { scope, aggregates: false, aliases: false };
    const conditions = ((p.multi_table_when_clauses ?? []) as Node[]).map((w, i) => {
      const c = t.expr(w.condition, exprCtx);
      const b = c.type.kind === "BOOLEAN" ? c.sql : `CAST(${c.sql} AS BOOLEAN)`;
      return `coalesce(${b}, false) AS ${qi(`_ll_c${i}`)}`;
    });
    const column = (c: Column): Expr => ({ sql: `"_ll_src".${qi(c.duck)}`, type: c.type });
    // Every clause's VALUES, translated before anything runs.
    const plans = intoParts.map((part) => {
      const o = target(ctx, objectNameParts(part.clause.table_name));
      let columns: Node[] = part.clause.columns ?? [];
      let values: Expr[];
      const listed: Node[] | undefined = part.clause.values?.values?.map((v: Node) => v?.Expr ?? v);
      if (listed) {
        if (columns.length === 0) {
          columns = o.columns.map((c) => ({ value: c.name, quote_style: '"' }));
        }
        if (listed.length !== columns.length) {
          throw SQL_ERRORS.valueCount(columns.length, listed.length);
        }
        // DEFAULT: the column is left out, and takes its default.
        const kept = listed.map((v, i) => ({ v, i })).filter(({ v }) => !isDefault(v));
        columns = kept.map(({ i }) => columns[i]);
        values = kept.map(({ v }) => t.expr(v, exprCtx));
      } else {
        // Checked before anything is inserted: a later clause must not fail after an earlier
        // one wrote.
        const expected = columns.length || o.columns.length;
        if (q.columns.length !== expected) {
          throw SQL_ERRORS.valueCount(expected, q.columns.length);
        }
        values = q.columns.map(column);
      }
      return { part, o, columns, values };
    });
    checkBinds(ctx, t);
    const staged = qi(`_ll_multi_insert_${++staging}`);
    await s.run(
      `CREATE OR REPLACE TEMP TABLE ${staged} AS SELECT "_ll_src".*${
        conditions.map((c) => `, ${c}`).join("")
      } FROM (${q.sql}) AS "_ll_src"`,
    );
    // Each clause joins this transaction, and the streams advance once at the end.
    const inner: StatementContext = {
      ...ctx,
      writer: {
        transaction: (fn) => fn(s),
        onRollback: (f) => ctx.writer.onRollback(f),
        deferStreams: ctx.writer.deferStreams && ((reads) => ctx.writer.deferStreams!(reads)),
      },
    };
    const totals = new Map<string, number>();
    const cleared = new Set<number>();
    try {
      for (const { part, o, columns, values } of plans) {
        const source = {
          sql: `SELECT ${
            values.map((v, i) => `${v.sql} AS ${qi(`_ll_v${i}`)}`).join(", ")
          } FROM ${staged} AS "_ll_src"${part.where ? ` WHERE ${part.where}` : ""}`,
          columns: values.map((v, i) => ({ name: `_LL_V${i}`, type: v.type, duck: `_ll_v${i}` })),
        };
        const single = {
          Insert: {
            ...p,
            multi_table_insert_type: null,
            multi_table_into_clauses: [],
            multi_table_when_clauses: [],
            multi_table_else_clause: null,
            table: { TableName: part.clause.table_name },
            columns,
            // OVERWRITE empties each target once, before its first clause.
            overwrite: p.overwrite && !cleared.has(o.id),
            source: null,
          },
        };
        if (p.overwrite) cleared.add(o.id);
        const out = await insertOne(inner, single, { source });
        const n = out.kind === "rows" ? Number(out.rows[0]?.[0] ?? 0) : 0;
        totals.set(o.name, (totals.get(o.name) ?? 0) + n);
      }
    } finally {
      await s.run(`DROP TABLE IF EXISTS ${staged}`).catch(() => {});
    }
    await advanceStreams(inner, s, resolver.streamReads);
    return counts(
      [...totals.keys()].map((name) => `number of rows inserted into ${name}`),
      [...totals.values()],
      STATEMENT_TYPE.insert,
    );
  });
}
