/**
 * DML: INSERT (VALUES or a query, OVERWRITE), UPDATE (with FROM), DELETE (with USING), MERGE and
 * TRUNCATE, on the writer lane, each in one transaction (its own, or the session's open one)
 * that also
 *
 * - gives inserted rows their `$ROW` sequence,
 * - writes the old versions of updated and deleted rows to the table's change log when a stream
 *   or a dynamic table reads the table, and
 * - advances the offsets of the streams the statement read.
 *
 * @module
 */
import { identName, type Node, objectNameParts, payload, variant } from "../ast.ts";
import { SQL_ERRORS } from "../errors.ts";
import type { LaneSession } from "../../warehouse/duckdb.ts";
import {
  type CatalogColumn,
  type CatalogObject,
  ROW_COLUMN,
  tableOf,
} from "../../warehouse/catalog.ts";
import { duckType, MAX_VARCHAR, T } from "../../warehouse/types.ts";
import { type Outcome, STATEMENT_TYPE, type StatementContext } from "../context.ts";
import { existing } from "./ddl.ts";
import { insertNumbered, logOldVersions } from "../../warehouse/numbering.ts";
import { checkBinds, statementTranslator } from "../translate/run.ts";
import { Scope } from "../translate/translator.ts";
import type { Column, Expr, Relation } from "../translate/context.ts";
import { ALL_BY_NAME } from "../parser.ts";
import { castTo, scalarToJson, variantAs } from "../translate/types.ts";
import { qi } from "../translate/quote.ts";
import { advanceStreams } from "./ddl.ts";
import { insertMulti } from "./multi_insert.ts";

const COUNT = T.number(38, 0);

export function counts(
  names: readonly string[],
  values: readonly number[],
  statementType: number,
): Outcome {
  return {
    kind: "rows",
    columns: names.map((name) => ({ name, type: COUNT })),
    rows: [values],
    statementType,
  };
}

/**
 * The table a DML statement writes: a TABLE (views, dynamic tables and streams refuse DML). A
 * session's transaction notes it: its queries that read it must run where its writes are.
 */
export function target(ctx: StatementContext, parts: readonly string[]): CatalogObject {
  const n = parts;
  const o = existing(ctx, n, ["TABLE", "VIEW", "DYNAMIC TABLE", "STREAM"]);
  if (!o) throw SQL_ERRORS.doesNotExist(n.join("."), "Table");
  if (o.kind !== "TABLE") {
    throw SQL_ERRORS.notInsertable(`${o.database}.${o.schema}.${o.name}`, o.kind);
  }
  ctx.writer.wrote?.(o.id);
  return o;
}

/** Writes the old versions of the rows `rowsSql` selects (a query of `$ROW`s) to the change log. */
export async function logOldRows(
  ctx: StatementContext,
  s: LaneSession,
  o: CatalogObject,
  rowsSql: string | null,
): Promise<void> {
  await logOldVersions(ctx.warehouse, s, o, rowsSql);
}

/** Text that must read as a number; fails as Snowflake does ("Numeric value 'd' is not recognized"). */
function numericText(sql: string): string {
  return `(CASE WHEN (${sql}) IS NULL OR TRY_CAST(trim(${sql}) AS DOUBLE) IS NOT NULL THEN (${sql}) ELSE error('Could not convert string ''' || (${sql}) || ''' to DECIMAL') END)`;
}

/** How {@link insert} runs as one part of a larger statement. */
export interface InsertOptions {
  /** The rows to insert, already translated (the statement's own query is not read). */
  readonly source?: { readonly sql: string; readonly columns: readonly Column[] };
}

/** INSERT [OVERWRITE] INTO t [(cols)] VALUES … | query; INSERT ALL | FIRST (multi_insert.ts). */
export async function insert(
  ctx: StatementContext,
  ast: Node,
  options: InsertOptions = {},
): Promise<Outcome> {
  const p = ast.Insert;
  if (p.multi_table_insert_type) return await insertMulti(ctx, ast, insert);
  if (p.on) throw SQL_ERRORS.unsupported("INSERT … ON CONFLICT");
  if (p.returning) throw SQL_ERRORS.unsupported("INSERT … RETURNING");
  const tableName = objectNameParts(payload(p.table) ?? p.table_name ?? p.table);
  return await ctx.writer.transaction(async (s) => {
    const o = target(ctx, tableName);
    const columns = (p.columns ?? []).length
      ? (p.columns as Node[]).map((c) => {
        const name = objectNameParts(c).at(-1) ?? identName(c);
        const col = o.columns.find((x) => x.name === name);
        if (!col) throw SQL_ERRORS.invalidIdentifier(name);
        return col;
      })
      : o.columns;
    const { t, resolver } = statementTranslator(ctx);
    let source: string;
    const body = p.source?.body;
    if (body && variant(body) === "Values" && !p.source.with && !p.source.order_by) {
      const rows: Node[][] = (payload(body).rows ?? []).map((r: Node) => r.content ?? r);
      const ctxE = { scope: new Scope(undefined), aggregates: false, aliases: false };
      // Snowflake types each VALUES column by its first row: after a number, a string must be
      // a number too, whatever the target column's type.
      const numeric: boolean[] = [];
      const sqlRows = rows.map((r, rowIndex) => {
        if (r.length !== columns.length) {
          throw SQL_ERRORS.valueCount(columns.length, r.length);
        }
        return r.map((v, i) => {
          const col = columns[i];
          if (
            variant(v) === "Identifier" && !v.Identifier.quote_style &&
            v.Identifier.value.toUpperCase() === "DEFAULT"
          ) {
            return col.defaultDuck
              ? `CAST(${col.defaultDuck} AS ${duckType(col.type)})`
              : `CAST(NULL AS ${duckType(col.type)})`;
          }
          t.checkValuesItem(v);
          const e = t.expr(v, ctxE);
          if (rowIndex === 0) numeric[i] = e.type.kind === "NUMBER" || e.type.kind === "FLOAT";
          const sql = numeric[i] && e.type.kind === "VARCHAR" ? numericText(e.sql) : e.sql;
          return `CAST(${insertValue(sql, e.type, col.type)} AS ${duckType(col.type)})`;
        });
      });
      source = `SELECT * FROM (VALUES ${sqlRows.map((r) => `(${r.join(", ")})`).join(", ")})`;
    } else {
      const q = options.source ?? t.query(p.source, undefined);
      if (q.columns.length !== columns.length) {
        throw SQL_ERRORS.valueCount(columns.length, q.columns.length);
      }
      source = `SELECT ${
        q.columns.map((c, i) =>
          `CAST(${insertValue(qi(c.duck), c.type, columns[i].type)} AS ${
            duckType(columns[i].type)
          })`
        ).join(", ")
      } FROM (${q.sql})`;
    }
    // A translated source took the statement's binds where it was translated.
    if (!options.source) checkBinds(ctx, t);
    let staged: string | undefined;
    if (p.overwrite) {
      // Snowflake reads the query before it empties the table: a query over the table itself
      // (INSERT OVERWRITE INTO t SELECT … FROM t) must see the old rows, not none.
      staged = qi(`__overwrite_${o.id}`);
      await s.run(`CREATE OR REPLACE TEMP TABLE ${staged} AS ${source}`);
      source = `SELECT * FROM ${staged}`;
      await logOldRows(ctx, s, o, null);
      await s.run(`DELETE FROM ${tableOf(o)}`);
    }
    let inserted: number;
    try {
      inserted = await insertNumbered(
        ctx.warehouse,
        s,
        o,
        columns.map((c) => c.name),
        source,
      );
    } finally {
      // After a failure the transaction is aborted and this fails too: the failure to report is
      // the insert's (and the rollback drops the staged rows anyway).
      if (staged) await s.run(`DROP TABLE IF EXISTS ${staged}`).catch(() => {});
    }
    await advanceStreams(ctx, s, resolver.streamReads);
    return counts(["number of rows inserted"], [inserted], STATEMENT_TYPE.insert);
  });
}

/** A value cast for a column: VARIANT columns take JSON of any value. */
function insertValue(
  sql: string,
  from: import("../../warehouse/types.ts").SfType,
  to: import("../../warehouse/types.ts").SfType,
): string {
  const value = convertForColumn(sql, from, to);
  // A VARCHAR(n) column refuses longer text, as Snowflake does (DuckDB ignores the length).
  if (
    to.kind === "VARCHAR" && to.length < MAX_VARCHAR &&
    !(from.kind === "VARCHAR" && from.length <= to.length)
  ) {
    return `_ll_fit_text(CAST(${value} AS VARCHAR), ${to.length})`;
  }
  return value;
}

/** A value converted for a column of type `to`, before the column's own cast. */
export function convertForColumn(
  sql: string,
  from: import("../../warehouse/types.ts").SfType,
  to: import("../../warehouse/types.ts").SfType,
): string {
  if (
    (to.kind === "VARIANT" || to.kind === "OBJECT" || to.kind === "ARRAY") && from.kind !== to.kind
  ) {
    if (from.kind === "VARIANT" || from.kind === "OBJECT" || from.kind === "ARRAY") return sql;
    return scalarToJson(sql, from);
  }
  // A VARIANT into a plain column goes through its text, as `::type` does (a JSON string gives
  // its text, not its quoted JSON; a number keeps every digit).
  if (
    (from.kind === "VARIANT" || from.kind === "OBJECT" || from.kind === "ARRAY") &&
    to.kind !== "VARIANT" && to.kind !== "OBJECT" && to.kind !== "ARRAY"
  ) {
    const text = variantAs(sql, T.varchar());
    return to.kind === "VARCHAR" ? text : convertForColumn(text, T.varchar(), to);
  }
  if (to.kind === "NUMBER" && from.kind === "VARCHAR") return `trim(${sql})`;
  // Text for a date or time column is read as Snowflake reads it (castTo): an offset is dropped
  // for a TIMESTAMP_NTZ (DuckDB's cast refuses it), honoured for an LTZ/TZ.
  if (from.kind === "VARCHAR") return castTo(sql, from, to);
  return castTo(sql, from, from);
}

/** The target of UPDATE/DELETE/MERGE as a relation in `scope`; returns its DuckDB alias. */
function bindTarget(
  o: CatalogObject,
  alias: string | undefined,
  scope: Scope,
  duckAlias: string,
): Relation {
  const name = alias ?? o.name;
  const rel: Relation = {
    alias: name,
    qualifiers: alias ? [[name]] : [[o.name], [o.schema, o.name], [o.database, o.schema, o.name]],
    duckAlias,
    columns: o.columns.map((c) => ({ name: c.name, type: c.type, duck: c.name })),
    object: { id: o.id, kind: o.kind, database: o.database, schema: o.schema, name: o.name },
  };
  scope.relations.push(rel);
  return rel;
}

/** UPDATE t [alias] SET c = e, … [FROM …] [WHERE …] */
export async function update(ctx: StatementContext, ast: Node): Promise<Outcome> {
  const p = ast.Update;
  if (p.returning) throw SQL_ERRORS.unsupported("UPDATE … RETURNING");
  const rel = p.table?.relation?.Table;
  if (!rel) throw SQL_ERRORS.unsupported("UPDATE of this target");
  return await ctx.writer.transaction(async (s) => {
    const o = target(ctx, objectNameParts(rel.name));
    const { t, resolver } = statementTranslator(ctx);
    const scope = new Scope(undefined);
    const alias = t.fresh();
    bindTarget(o, rel.alias?.name ? identName(rel.alias.name) : undefined, scope, alias);
    const fromParts: string[] = [];
    const fromList = p.from ? (payload(p.from) as Node[]) : [];
    for (const twj of fromList) fromParts.push(t.tableWithJoins(twj, scope));
    const ctxE = { scope, aggregates: false, aliases: false };
    const sets = (p.assignments as Node[]).map((a) => {
      const parts = objectNameParts(payload(a.target) ?? a.target);
      const name = parts.at(-1)!;
      const col = o.columns.find((c) => c.name === name);
      if (!col) throw SQL_ERRORS.invalidIdentifier(name);
      const e = t.expr(a.value, ctxE);
      return `${qi(name)} = CAST(${insertValue(e.sql, e.type, col.type)} AS ${duckType(col.type)})`;
    });
    const where = p.selection ? t.condition(p.selection, ctxE) : "TRUE";
    checkBinds(ctx, t);
    const from = fromParts.length ? ` FROM ${fromParts.join(", ")}` : "";
    await logOldRows(
      ctx,
      s,
      o,
      `SELECT ${qi(alias)}.${qi(ROW_COLUMN)} FROM ${tableOf(o)} AS ${qi(alias)}${
        fromParts.length ? ", " + fromParts.join(", ") : ""
      } WHERE ${where}`,
    );
    // With FROM, a target row may join several source rows: Snowflake updates it once and
    // counts it as multi-joined.
    const joined = fromParts.length
      ? (await s.all(
        `SELECT count(*), count(*) FILTER (WHERE n > 1) FROM (SELECT count(*) AS n FROM ${
          tableOf(o)
        } AS ${qi(alias)}, ${fromParts.join(", ")} WHERE ${where} GROUP BY ${qi(alias)}.${
          qi(ROW_COLUMN)
        })`,
      )).rows[0].map(Number)
      : undefined;
    const n = await s.changes(
      `UPDATE ${tableOf(o)} AS ${qi(alias)} SET ${sets.join(", ")}${from} WHERE ${where}`,
    );
    await advanceStreams(ctx, s, resolver.streamReads);
    return counts(
      ["number of rows updated", "number of multi-joined rows updated"],
      joined ?? [n, 0],
      STATEMENT_TYPE.update,
    );
  });
}

/** DELETE FROM t [alias] [USING …] [WHERE …] */
export async function deleteRows(ctx: StatementContext, ast: Node): Promise<Outcome> {
  const p = ast.Delete;
  if (p.returning) throw SQL_ERRORS.unsupported("DELETE … RETURNING");
  const tables: Node[] = payload(p.from) ?? [];
  if (tables.length !== 1 || !tables[0].relation?.Table) {
    throw SQL_ERRORS.unsupported("DELETE from several tables");
  }
  const rel = tables[0].relation.Table;
  return await ctx.writer.transaction(async (s) => {
    const o = target(ctx, objectNameParts(rel.name));
    const { t, resolver } = statementTranslator(ctx);
    const scope = new Scope(undefined);
    const alias = t.fresh();
    bindTarget(o, rel.alias?.name ? identName(rel.alias.name) : undefined, scope, alias);
    const using: string[] = [];
    for (const twj of p.using ?? []) using.push(t.tableWithJoins(twj, scope));
    const where = p.selection
      ? t.condition(p.selection, { scope, aggregates: false, aliases: false })
      : "TRUE";
    checkBinds(ctx, t);
    await logOldRows(
      ctx,
      s,
      o,
      `SELECT ${qi(alias)}.${qi(ROW_COLUMN)} FROM ${tableOf(o)} AS ${qi(alias)}${
        using.length ? ", " + using.join(", ") : ""
      } WHERE ${where}`,
    );
    const n = await s.changes(
      `DELETE FROM ${tableOf(o)} AS ${qi(alias)}${
        using.length ? ` USING ${using.join(", ")}` : ""
      } WHERE ${where}`,
    );
    await advanceStreams(ctx, s, resolver.streamReads);
    return counts(["number of rows deleted"], [n], STATEMENT_TYPE.delete);
  });
}

/** TRUNCATE [TABLE] [IF EXISTS] t */
export async function truncate(ctx: StatementContext, ast: Node): Promise<Outcome> {
  const p = ast.Truncate;
  return await ctx.writer.transaction(async (s) => {
    for (const tn of p.table_names ?? []) {
      const parts = objectNameParts(tn.name ?? tn);
      const o = existing(ctx, parts, ["TABLE"]);
      if (!o) {
        if (p.if_exists) continue;
        throw SQL_ERRORS.doesNotExist(parts.join("."), "Table");
      }
      ctx.writer.wrote?.(o.id);
      await logOldRows(ctx, s, o, null);
      await s.run(`DELETE FROM ${tableOf(o)}`);
    }
    return {
      kind: "rows",
      columns: [{ name: "status", type: T.varchar() }],
      rows: [["Statement executed successfully."]],
      statementType: STATEMENT_TYPE.ddl,
    };
  });
}

/** MERGE INTO t USING s ON … WHEN [NOT] MATCHED [AND …] THEN UPDATE | DELETE | INSERT */
export async function merge(ctx: StatementContext, ast: Node): Promise<Outcome> {
  const p = ast.Merge;
  const tgt = p.table?.Table;
  if (!tgt) throw SQL_ERRORS.unsupported("MERGE into this target");
  return await ctx.writer.transaction(async (s) => {
    const o = target(ctx, objectNameParts(tgt.name));
    const { t, resolver } = statementTranslator(ctx);
    const scope = new Scope(undefined);
    const alias = t.fresh();
    bindTarget(o, tgt.alias?.name ? identName(tgt.alias.name) : undefined, scope, alias);
    const targetRels = scope.relations.length;
    const sourceSql = t.tableFactor(p.source, scope);
    const sourceRels = scope.relations.slice(targetRels);
    const ctxE = { scope, aggregates: false, aliases: false };
    // A NOT MATCHED clause has no target row: its names are the source's, so an unqualified
    // column named in both (as dbt's merge writes its VALUES) is the source's, not ambiguous.
    const sourceScope = new Scope(undefined);
    sourceScope.relations.push(...sourceRels);
    for (const [k, v] of scope.merged) sourceScope.merged.set(k, v);
    const ctxSource = { scope: sourceScope, aggregates: false, aliases: false };
    const on = t.condition(p.on, ctxE);
    const seq = t.fresh("seq");
    const kinds = new Set<string>();
    /** UPDATE ALL BY NAME / INSERT ALL BY NAME: every target column from the source column of its name. */
    const byName = (): { col: CatalogColumn; e: Expr }[] => {
      const source = sourceRels.flatMap((r) => r.columns.map((c) => ({ r, c })));
      if (source.length !== o.columns.length) {
        throw SQL_ERRORS.syntax(
          `ALL BY NAME needs as many source columns (${source.length}) as target columns (${o.columns.length}).`,
        );
      }
      return o.columns.map((col) => {
        const match = source.find((x) => x.c.name === col.name);
        if (!match) throw SQL_ERRORS.invalidIdentifier(col.name);
        return {
          col,
          e: { sql: `${qi(match.r.duckAlias)}.${qi(match.c.duck)}`, type: match.c.type },
        };
      });
    };
    const assign = (col: CatalogColumn, e: Expr) =>
      `CAST(${insertValue(e.sql, e.type, col.type)} AS ${duckType(col.type)})`;
    /** The WHEN MATCHED clauses in order: their conditions and whether they update. */
    const matched: { cond: string; update: boolean }[] = [];
    const clauses = (p.clauses as Node[]).map((c) => {
      const kind = String(c.clause_kind);
      const when = kind === "Matched" ? "WHEN MATCHED" : "WHEN NOT MATCHED";
      const clauseCtx = kind === "Matched" ? ctxE : ctxSource;
      const predicate = c.predicate ? t.condition(c.predicate, clauseCtx) : undefined;
      const cond = predicate ? ` AND ${predicate}` : "";
      const action = c.action;
      const av = variant(action);
      const ap = payload(action);
      if (kind === "Matched") matched.push({ cond: predicate ?? "TRUE", update: av === "Update" });
      if (av === "Update") {
        kinds.add("updated");
        const assignments = ap.assignments as Node[];
        const names = assignments.map((a) =>
          objectNameParts(payload(a.target) ?? a.target).at(-1)!
        );
        const pairs = names.length === 1 && names[0] === ALL_BY_NAME ? byName() : assignments.map(
          (a, i) => {
            const col = o.columns.find((x) => x.name === names[i]);
            if (!col) throw SQL_ERRORS.invalidIdentifier(names[i]);
            return { col, e: t.expr(a.value, ctxE) };
          },
        );
        return `${when}${cond} THEN UPDATE SET ${
          pairs.map(({ col, e }) => `${qi(col.name)} = ${assign(col, e)}`).join(", ")
        }`;
      }
      if (av === "Delete") {
        kinds.add("deleted");
        return `${when}${cond} THEN DELETE`;
      }
      if (av === "Insert") {
        kinds.add("inserted");
        const named = ((ap.columns ?? []) as Node[]).map((x) =>
          objectNameParts(x).at(-1) ?? identName(x)
        );
        let pairs: { col: CatalogColumn; e: Expr }[];
        if (named.length === 1 && named[0] === ALL_BY_NAME) pairs = byName();
        else {
          const cols = named.length
            ? named.map((name) => {
              const col = o.columns.find((c) => c.name === name);
              if (!col) throw SQL_ERRORS.invalidIdentifier(name);
              return col;
            })
            : o.columns;
          const kv = payload(ap.kind);
          const values: Node[] = kv?.rows?.[0]?.content ?? kv?.rows?.[0] ?? [];
          if (values.length !== cols.length) {
            throw SQL_ERRORS.valueCount(cols.length, values.length);
          }
          pairs = values.map((v, i) => ({ col: cols[i], e: t.expr(v, clauseCtx) }));
        }
        return `${when}${cond} THEN INSERT (${pairs.map(({ col }) => qi(col.name)).join(", ")}, ${
          qi(ROW_COLUMN)
        }) VALUES (${pairs.map(({ col, e }) => assign(col, e)).join(", ")}, nextval('${seq}'))`;
      }
      throw SQL_ERRORS.unsupported(`MERGE … THEN ${av}`);
    });
    checkBinds(ctx, t);
    // ERROR_ON_NONDETERMINISTIC_MERGE = FALSE: a target row joined to several source rows is
    // updated with one of them, and counts once.
    const lenient = /^FALSE$/i.test(
      ctx.session.parameters.get("ERROR_ON_NONDETERMINISTIC_MERGE") ?? "",
    );
    // Every (target row, source row) pair the ON condition joins.
    const pairs = {
      target: qi(alias),
      sql: `${tableOf(o)} AS ${qi(alias)}, ${sourceSql} WHERE ${on}`,
    };
    const updatedRows = lenient ? await rowsUpdatedOnce(s, pairs, matched) : undefined;
    if (!lenient) await refuseNondeterministicMerge(s, o, pairs, matched);
    await logOldRows(ctx, s, o, `SELECT ${pairs.target}.${qi(ROW_COLUMN)} FROM ${pairs.sql}`);
    const first = ctx.warehouse.nextRow(o.id);
    await s.run(`CREATE OR REPLACE TEMP SEQUENCE "${seq}" START ${first}`);
    // DuckDB reports only the total; each action is counted from the table before and after.
    const before = await rowCount(s, o);
    const touched = await s.changes(
      `MERGE INTO ${tableOf(o)} AS ${qi(alias)} USING ${sourceSql} ON ${on} ${clauses.join(" ")}`,
    );
    const after = await rowCount(s, o);
    // New rows are the ones numbered from `first`; DuckDB may draw numbers it does not use.
    const [inserted, drawn] = (await s.all(
      `SELECT count(*), coalesce(max(${qi(ROW_COLUMN)}) + 1, ${first}) FROM ${tableOf(o)} WHERE ${
        qi(ROW_COLUMN)
      } >= ${first}`,
    )).rows[0].map(Number);
    ctx.warehouse.reserveRows(o.id, drawn - first);
    await s.run(`DROP SEQUENCE IF EXISTS "${seq}"`);
    const deleted = before + inserted - after;
    const updated = updatedRows ?? touched - inserted - deleted;
    await advanceStreams(ctx, s, resolver.streamReads);
    const names: string[] = [];
    const values: number[] = [];
    if (kinds.has("inserted")) {
      names.push("number of rows inserted");
      values.push(inserted);
    }
    if (kinds.has("updated")) {
      names.push("number of rows updated");
      values.push(updated);
    }
    if (kinds.has("deleted")) {
      names.push("number of rows deleted");
      values.push(deleted);
    }
    return counts(names, values, STATEMENT_TYPE.merge);
  });
}

/** A MERGE's joined pairs: the target's alias, and `<target> AS alias, <source> WHERE <on>`. */
interface MergePairs {
  readonly target: string;
  readonly sql: string;
}

/** The first WHEN MATCHED clause a joined pair goes to, as 'U' (UPDATE) or 'D' (DELETE). */
function matchedAction(matched: readonly { cond: string; update: boolean }[]): string {
  return `CASE ${
    matched.map((m) => `WHEN ${m.cond} THEN ${m.update ? "'U'" : "'D'"}`).join(" ")
  } END`;
}

/**
 * Snowflake's MERGE fails (ERROR_ON_NONDETERMINISTIC_MERGE, on by default) when a target row
 * joins several source rows and the result would depend on which one wins: unless every source
 * row it joins goes to a DELETE clause, or exactly one goes to any WHEN MATCHED clause and it is
 * an UPDATE, the statement fails and changes nothing. Each joined pair goes to the first WHEN
 * MATCHED clause whose condition holds, as in the MERGE itself.
 */
async function refuseNondeterministicMerge(
  s: LaneSession,
  o: CatalogObject,
  pairs: MergePairs,
  matched: readonly { cond: string; update: boolean }[],
): Promise<void> {
  if (!matched.some((m) => m.update)) return;
  const action = matchedAction(matched);
  const target = pairs.target;
  const r = await s.all(
    `SELECT ${
      o.columns.map((c) => `any_value(CAST(${target}.${qi(c.name)} AS VARCHAR))`).join(", ")
    } FROM ${pairs.sql}
     GROUP BY ${target}.${qi(ROW_COLUMN)}
     HAVING count(*) FILTER (WHERE ${action} = 'U') >= 1 AND count(${action}) >= 2 LIMIT 1`,
  );
  if (r.rows.length) {
    // The target row, as Snowflake shows it: text quoted, other values as they read.
    const values = r.rows[0].map((v, i) =>
      v === null ? "NULL" : o.columns[i].type.kind === "VARCHAR" ? JSON.stringify(v) : String(v)
    );
    throw SQL_ERRORS.duplicateRow(values.join(", "));
  }
}

/** The target rows a MERGE's first matching WHEN MATCHED clause updates, each counted once. */
async function rowsUpdatedOnce(
  s: LaneSession,
  pairs: MergePairs,
  matched: readonly { cond: string; update: boolean }[],
): Promise<number> {
  if (!matched.some((m) => m.update)) return 0;
  const r = await s.all(
    `SELECT count(DISTINCT ${pairs.target}.${qi(ROW_COLUMN)}) FILTER (WHERE ${
      matchedAction(matched)
    } = 'U') FROM ${pairs.sql}`,
  );
  return Number(r.rows[0][0]);
}

async function rowCount(s: LaneSession, o: CatalogObject): Promise<number> {
  return Number((await s.all(`SELECT count(*) FROM ${tableOf(o)}`)).rows[0][0]);
}
