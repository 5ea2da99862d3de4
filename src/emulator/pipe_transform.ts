/**
 * A pipe's transformation: `COPY INTO t [(c1, …)] FROM (SELECT <expressions> FROM
 * TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`, where each appended row is `$1`, a VARIANT.
 *
 * The SELECT is translated like any query, over a staging table of one batch's rows, and run on
 * a lane of its own, outside the commit's transaction: it reads no table (the CREATE PIPE refuses
 * one that does), and a failing statement would abort the commit's transaction. A row whose
 * expressions fail (a cast of a bad value) is a bad row, as with ON_ERROR = CONTINUE: a failing
 * batch is halved until each bad row stands alone, and the others load. The results come back as
 * text and go through the target table's coercer like any streamed row, so types, lengths, NOT
 * NULL and the defaults of the columns it leaves out apply as for the default pipe.
 *
 * @module
 */
import type { Node } from "./sql/ast.ts";
import { payload, variant } from "./sql/ast.ts";
import { SQL_ERRORS, SqlError } from "./sql/errors.ts";
import { parseQuerySync } from "./sql/parser.ts";
import { catalogResolver } from "./sql/resolver.ts";
import { ResultStore } from "./sql/results.ts";
import type { CatalogRelation, Resolver, SystemFunctionArgs } from "./sql/translate/context.ts";
import { qi } from "./sql/translate/quote.ts";
import { Translator } from "./sql/translate/translator.ts";
import type { Lane } from "./warehouse/duckdb.ts";
import type { Warehouse } from "./warehouse/warehouse.ts";
import { isSemiStructured, type SfType, T } from "./warehouse/types.ts";

/** Stands for the staging rows in the translated SQL until a batch's range is known. */
const STAGE_TOKEN = "__liftline_pipe_stage__";

/** A compiled transformation. */
export interface PipeTransform {
  /** The target columns, in the SELECT list's order. */
  readonly columns: readonly string[];
  /** The SELECT list's types. */
  readonly types: readonly SfType[];
  /** DuckDB SQL of the SELECT list as text, over rows `[lo, hi)` of staging table `stage`. */
  sql(stage: string, lo: number, hi: number): string;
}

/** Where the pipe lives (its names resolve there) and the table it loads. */
export interface TransformTarget {
  readonly database: string;
  readonly schema: string;
  readonly owner: string;
  readonly table: { readonly name: string; readonly columns: readonly { readonly name: string }[] };
}

/**
 * Translates a pipe's SELECT; throws Snowflake's errors for what a streaming pipe's
 * transformation cannot be (another source than DATA_SOURCE, a join, an aggregate, a table read,
 * a column count that does not match the target).
 */
export function compileTransform(
  w: Warehouse,
  at: TransformTarget,
  text: string,
  columnList: readonly string[] | null,
): PipeTransform {
  let query: Node;
  try {
    query = parseQuerySync(text);
  } catch (e) {
    if (e instanceof SqlError) throw e;
    throw SQL_ERRORS.syntax("the pipe's transformation is not a query.");
  }
  checkShape(query);
  const base = catalogResolver({
    warehouse: w,
    results: new ResultStore(),
    session: {
      database: at.database,
      schema: at.schema,
      user: "SYSTEM",
      role: at.owner,
      warehouse: null,
      account: "",
      timezone: "UTC",
      lastQueryId: () => null,
    },
    parseQuery: parseQuerySync,
  });
  const resolver: Resolver = {
    ...base,
    systemTableFunction: (name, args) =>
      name.split(".").at(-1) === "DATA_SOURCE"
        ? dataSource(args)
        : base.systemTableFunction?.(name, args),
  };
  const t = new Translator(resolver, { source: text });
  const q = t.query(query, undefined);
  for (const o of t.objects.values()) {
    if (o.id >= 0) {
      throw SQL_ERRORS.unsupported(
        `a streaming pipe's transformation that reads ${o.kind.toLowerCase()} ${o.name}`,
      );
    }
  }
  const targets = columnList ?? at.table.columns.map((c) => c.name);
  if (targets.length !== q.columns.length) {
    throw SQL_ERRORS.valueCount(targets.length, q.columns.length);
  }
  for (const name of targets) {
    if (!at.table.columns.some((c) => c.name === name)) throw SQL_ERRORS.invalidIdentifier(name);
  }
  if (new Set(targets).size !== targets.length) {
    throw SQL_ERRORS.syntax("a column is named twice in the pipe's column list.");
  }
  const select = q.columns.map((c, i) => `CAST(${qi(c.duck)} AS VARCHAR) AS ${qi(`c${i}`)}`);
  return {
    columns: targets,
    types: q.columns.map((c) => c.type),
    sql: (stage, lo, hi) =>
      // DuckDB keeps the staged rows' order (preserve_insertion_order) through the projection.
      `SELECT ${select.join(", ")} FROM (${
        q.sql.replaceAll(STAGE_TOKEN, `${stage} WHERE n >= ${lo} AND n < ${hi}`)
      })`,
  };
}

/** TABLE(DATA_SOURCE(TYPE => 'STREAMING')): the batch's rows, each as `$1`. */
function dataSource(args: SystemFunctionArgs): CatalogRelation {
  const type = args.named.get("TYPE");
  if (typeof type !== "string" || type.toUpperCase() !== "STREAMING") {
    throw SQL_ERRORS.unsupported("DATA_SOURCE of another TYPE than 'STREAMING'");
  }
  return {
    ref: { id: -1, kind: "FUNCTION", database: "", schema: "", name: "DATA_SOURCE" },
    columns: [{ name: "$1", type: T.variant }],
    sql: `(SELECT CAST(line AS JSON) AS "$1" FROM ${STAGE_TOKEN})`,
    sequenced: false,
  };
}

/** A plain SELECT of expressions from DATA_SOURCE alone, as Snowflake's COPY transformations. */
function checkShape(query: Node): void {
  const refuse = (what: string) =>
    SQL_ERRORS.unsupported(`${what} in a streaming pipe's transformation`);
  if (query.with) throw refuse("WITH");
  if (query.order_by) throw refuse("ORDER BY");
  if (query.limit_clause || query.limit || query.fetch) throw refuse("LIMIT");
  if (variant(query.body) !== "Select") throw refuse("a set operation");
  const s = payload(query.body);
  if (s.distinct) throw refuse("DISTINCT");
  if ((s.from ?? []).length !== 1 || (s.from[0].joins ?? []).length) throw refuse("a join");
  const rel = s.from[0].relation;
  const fn = variant(rel) === "TableFunction" ? payload(rel)?.expr?.Function : undefined;
  const fnName = fn?.name?.at?.(-1)?.Identifier?.value ?? fn?.name?.at?.(-1)?.value;
  if (String(fnName).toUpperCase() !== "DATA_SOURCE") {
    throw refuse("another source than TABLE(DATA_SOURCE(TYPE => 'STREAMING'))");
  }
  if (s.selection) throw refuse("WHERE");
  const groupBy = s.group_by;
  const grouped = groupBy && (variant(groupBy) === "All" || (payload(groupBy)?.[0] ?? []).length);
  if (grouped || s.having || s.qualify) throw refuse("GROUP BY, HAVING or QUALIFY");
}

/** A batch's results: each good row's values by target column, and each bad row's message. */
export interface TransformResult {
  /** Good rows, in the batch's order, as values for the target table's coercer. */
  readonly rows: Record<string, unknown>[];
  /** Bad rows: their 1-based number in the batch and a message without their values. */
  readonly errors: { readonly row: number; readonly message: string }[];
}

let stages = 0;

/**
 * Runs the transformation over `lines` (JSON objects as text, numbered from 1 in the batch) on
 * `lane`, outside any transaction of the warehouse's tables (it writes only a temporary table).
 */
export async function runTransform(
  lane: Lane,
  transform: PipeTransform,
  lines: readonly { readonly row: number; readonly text: string }[],
): Promise<TransformResult> {
  const rows: Record<string, unknown>[] = [];
  const errors: { row: number; message: string }[] = [];
  if (!lines.length) return { rows, errors };
  const stage = qi(`_ll_pipe_stage_${++stages}`);
  await lane.exclusive(async (s) => {
    await s.run(`CREATE TEMP TABLE ${stage} (n BIGINT, line VARCHAR)`);
    try {
      const appender = await s.conn.createAppender(stage.slice(1, -1), "main", "temp");
      try {
        lines.forEach((l, i) => {
          appender.appendBigInt(BigInt(i));
          appender.appendVarchar(l.text);
          appender.endRow();
        });
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      // [lo, hi) of the staged rows, halved until a failing range is one bad row.
      const run = async (lo: number, hi: number): Promise<void> => {
        try {
          const r = await s.all(transform.sql(stage, lo, hi));
          for (const values of r.rows) rows.push(record(transform, values));
        } catch (e) {
          if (hi - lo > 1) {
            const mid = (lo + hi) >> 1;
            await run(lo, mid);
            await run(mid, hi);
            return;
          }
          errors.push({ row: lines[lo].row, message: failureKind(e) });
        }
      };
      await run(0, lines.length);
    } finally {
      await s.run(`DROP TABLE IF EXISTS ${stage}`).catch(() => {});
    }
  });
  return { rows, errors };
}

/** One result row as values by target column: semi-structured text parsed back to JSON values. */
function record(t: PipeTransform, values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  t.columns.forEach((name, i) => {
    const v = values[i];
    // A VARIANT result loads as the value it holds (a JSON string into a VARCHAR column is its
    // text, not its quoted JSON); JSON null is SQL NULL.
    out[name] = v === null || v === undefined
      ? null
      : isSemiStructured(t.types[i])
      ? JSON.parse(String(v))
      : String(v);
  });
  return out;
}

/** DuckDB's error class ("Conversion Error", …), never the value it quotes. */
function failureKind(e: unknown): string {
  const m = /^([A-Za-z ]+Error):/.exec(String((e as Error)?.message ?? ""));
  return `the pipe's transformation failed (${m ? m[1] : "error"}; value redacted)`;
}
