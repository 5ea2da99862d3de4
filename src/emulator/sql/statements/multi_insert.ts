/**
 * Multi-table INSERT: `INSERT [OVERWRITE] ALL INTO … [INTO …] <query>` and the conditional
 * `INSERT [OVERWRITE] { FIRST | ALL } WHEN <cond> THEN INTO … [ELSE INTO …] <query>`.
 *
 * Each INTO clause runs as a single-table `INSERT INTO t [(cols)] SELECT <values> FROM (<query>)
 * WHERE <its condition>`, all in one transaction. A clause's condition is its WHEN's; with
 * FIRST, also that no earlier WHEN held; ELSE's is that none held (a NULL condition counts as
 * false). The query is evaluated once per clause: a non-deterministic function in it (RANDOM,
 * UUID_STRING) may give each target a different value. Streams the query reads advance once, at
 * the end, so that every clause reads the same rows of them.
 *
 * @module
 */
import { clone, type Node, objectNameParts } from "../ast.ts";
import { type Outcome, STATEMENT_TYPE, type StatementContext } from "../context.ts";
import { SQL_ERRORS } from "../errors.ts";
import { parseQuerySync } from "../parser.ts";
import { advanceStreams } from "./ddl.ts";
import { counts, type InsertOptions, target } from "./dml.ts";

/** One INTO clause of the statement, with the condition its rows must meet (SQL with holes). */
interface IntoPart {
  readonly clause: Node;
  /** `__cN` names the Nth WHEN's condition; undefined: every row. */
  readonly where?: string;
}

/** Replaces identifiers `__cN` and `__vN` of `node` with copies of `holes[name]`. */
function fill(node: Node, holes: ReadonlyMap<string, Node>): Node {
  if (Array.isArray(node)) return node.map((n) => fill(n, holes));
  if (node === null || typeof node !== "object") return node;
  const name = (node as { Identifier?: { value?: string } }).Identifier?.value;
  if (name !== undefined && holes.has(name)) return clone(holes.get(name)!);
  const out: Record<string, Node> = {};
  for (const [k, v] of Object.entries(node)) out[k] = fill(v, holes);
  return out;
}

/** True for the keyword DEFAULT in a VALUES list. */
function isDefault(v: Node): boolean {
  if (v === "Default") return true;
  const id = (v as { Identifier?: { value: string; quote_style?: string | null } }).Identifier;
  return !!id && !id.quote_style && id.value.toUpperCase() === "DEFAULT";
}

/** The clauses in order, each with its condition. */
function parts(p: Node): IntoPart[] {
  const when: Node[] = p.multi_table_when_clauses ?? [];
  const unconditional: Node[] = p.multi_table_into_clauses ?? [];
  const otherwise: Node[] = p.multi_table_else_clause ?? [];
  const first = String(p.multi_table_insert_type).toUpperCase() === "FIRST";
  if (when.length === 0) {
    if (first) throw SQL_ERRORS.syntax("INSERT FIRST needs WHEN clauses.");
    return unconditional.map((clause) => ({ clause }));
  }
  const held = (i: number) => `COALESCE(__c${i}, FALSE)`;
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
  const conditions = new Map<string, Node>(
    (p.multi_table_when_clauses ?? []).map((w: Node, i: number) => [`__c${i}`, w.condition]),
  );
  const intoParts = parts(p);
  if (intoParts.length === 0) throw SQL_ERRORS.syntax("a multi-table INSERT needs INTO clauses.");
  return await ctx.writer.transaction(async (s) => {
    // Each clause joins this transaction, and the streams advance once at the end.
    const inner: StatementContext = {
      ...ctx,
      writer: {
        transaction: (fn) => fn(s),
        onRollback: (f) => ctx.writer.onRollback(f),
        deferStreams: ctx.writer.deferStreams && ((reads) => ctx.writer.deferStreams!(reads)),
      },
    };
    const streamReads = new Map<number, { row: number; logSeq: number }>();
    const totals = new Map<string, number>();
    const cleared = new Set<number>();
    for (const part of intoParts) {
      const o = target(ctx, objectNameParts(part.clause.table_name));
      const values: Node[] | undefined = part.clause.values?.values?.map((v: Node) => v.Expr ?? v);
      let columns: Node[] = part.clause.columns ?? [];
      const holes = new Map(conditions);
      let projection = "*";
      if (values) {
        if (columns.length === 0) {
          columns = o.columns.map((c) => ({ value: c.name, quote_style: '"' }));
        }
        if (values.length !== columns.length) {
          throw SQL_ERRORS.syntax(
            `Insert value list does not match column list expecting ${columns.length} but got ${values.length}`,
          );
        }
        // DEFAULT: the column is left out, and takes its default.
        const kept = values.map((v, i) => ({ v, i })).filter(({ v }) => !isDefault(v));
        columns = kept.map(({ i }) => columns[i]);
        kept.forEach(({ v }, k) => holes.set(`__v${k}`, v));
        projection = kept.map((_, k) => `__v${k}`).join(", ");
      }
      const query = fill(
        parseQuerySync(
          `SELECT ${projection} FROM (SELECT 1) AS "_ll_src"${
            part.where ? ` WHERE ${part.where}` : ""
          }`,
        ),
        holes,
      );
      query.body.Select.from[0].relation.Derived.subquery = clone(p.source);
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
          source: query,
        },
      };
      if (p.overwrite) cleared.add(o.id);
      const out = await insertOne(inner, single, { streamReads });
      const n = out.kind === "rows" ? Number(out.rows[0]?.[0] ?? 0) : 0;
      totals.set(o.name, (totals.get(o.name) ?? 0) + n);
    }
    await advanceStreams(inner, s, streamReads);
    return counts(
      [...totals.keys()].map((name) => `number of rows inserted into ${name}`),
      [...totals.values()],
      STATEMENT_TYPE.insert,
    );
  });
}
