/**
 * A pipe's transformation: `COPY INTO t [(c1, …)] FROM (SELECT <expressions> FROM
 * TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`, where each appended row is `$1`, a VARIANT.
 *
 * The SELECT is translated like any query, each expression converted for its target column as
 * an INSERT converts it, and run over a staging table of a batch's rows on a lane of its own,
 * before the commit's transaction begins: it reads no table (the CREATE PIPE refuses one that
 * does), and the commit must not wait on another lane while it holds the writer. A row whose
 * expressions fail (a cast of a bad value) is a bad row, as with ON_ERROR = CONTINUE: each value
 * is computed under DuckDB's TRY, with a flag for the rows where one failed; a transformation
 * that TRY cannot take (a volatile function) runs as it is, and a failing batch is halved until
 * each bad row stands alone. The results come back as text and go through the table's coercer
 * like any streamed row, so lengths, NOT NULL and the defaults of the columns it leaves out apply
 * as for the default pipe.
 *
 * @module
 */
import type { Node } from "./sql/ast.ts";
import { payload, variant } from "./sql/ast.ts";
import { SQL_ERRORS, SqlError } from "./sql/errors.ts";
import { parseQuerySync } from "./sql/parser.ts";
import { catalogResolver } from "./sql/resolver.ts";
import { ResultStore } from "./sql/results.ts";
import { convertForColumn } from "./sql/statements/dml.ts";
import type { CatalogRelation, Resolver, SystemFunctionArgs } from "./sql/translate/context.ts";
import { qi } from "./sql/translate/quote.ts";
import { Translator } from "./sql/translate/translator.ts";
import type { Lane, LaneSession } from "./warehouse/duckdb.ts";
import type { Warehouse } from "./warehouse/warehouse.ts";
import { duckType, isSemiStructured, type SfType, T } from "./warehouse/types.ts";

/** The staging table, one per lane connection (temporary; the lane runs one batch at a time). */
const STAGE = qi("_ll_pipe_stage");

/** Rows staged and transformed at a time (bounds DuckDB's work and the staging table). */
const CHUNK_ROWS = 10_000;

/** A compiled transformation. */
export interface PipeTransform {
  /** The target columns, in the SELECT list's order. */
  readonly columns: readonly string[];
  /** The target columns' types (the values come as text for them). */
  readonly targetTypes: readonly SfType[];
  /** The rows' values as text, each under TRY, and a leading flag: did one fail? */
  readonly trySql: string;
  /** The same without TRY (a failure fails the statement). */
  readonly plainSql: string;
  /** Set once DuckDB refused TRY for this transformation (a volatile function in it). */
  plainOnly: boolean;
}

/** Where the pipe lives (its names resolve there) and the table it loads. */
export interface TransformTarget {
  readonly database: string;
  readonly schema: string;
  readonly owner: string;
  readonly table: {
    readonly name: string;
    readonly columns: readonly { readonly name: string; readonly type: SfType }[];
  };
}

/**
 * Translates a pipe's SELECT; throws Snowflake's errors for what a streaming pipe's
 * transformation cannot be (another source than DATA_SOURCE, a join, a filter, an aggregate or
 * window function, a table read, a column count that does not match the target).
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
  const t = new Translator(resolver, { source: text, analyze: true });
  const q = t.query(query, undefined);
  for (const o of t.objects.values()) {
    if (o.id >= 0) {
      throw refuse(`reading ${o.kind.toLowerCase()} ${o.name}`);
    }
  }
  for (const b of t.blocks) {
    if (b.outputs.some((o) => o.aggregate)) throw refuse("an aggregate function");
    if (b.outputs.some((o) => o.window)) throw refuse("a window function");
  }
  const targets = columnList ?? at.table.columns.map((c) => c.name);
  if (targets.length !== q.columns.length) {
    throw SQL_ERRORS.valueCount(targets.length, q.columns.length);
  }
  const targetTypes = targets.map((name) => {
    const c = at.table.columns.find((c) => c.name === name);
    if (!c) throw SQL_ERRORS.invalidIdentifier(name);
    return c.type;
  });
  if (new Set(targets).size !== targets.length) {
    throw SQL_ERRORS.syntax("a column is named twice in the pipe's column list.");
  }
  // Each value converted for its column as an INSERT converts it (exact numbers stay exact; a
  // VARIANT column gets JSON of a typed value), then written as text.
  const values = q.columns.map((c, i) =>
    `CAST(CAST(${convertForColumn(qi(c.duck), c.type, targetTypes[i])} AS ${
      duckType(targetTypes[i])
    }) AS VARCHAR)`
  );
  const from = `FROM (${q.sql}) AS "_ll_t"`;
  return {
    columns: targets,
    targetTypes,
    trySql: `SELECT ${
      values.map((v) => `(TRY((${v}) IS NULL) IS NULL)`).join(" OR ")
    } AS "_ll_failed", ${values.map((v, i) => `TRY(${v}) AS ${qi(`c${i}`)}`).join(", ")} ${from}`,
    plainSql: `SELECT FALSE AS "_ll_failed", ${
      values.map((v, i) => `${v} AS ${qi(`c${i}`)}`).join(", ")
    } ${from}`,
    plainOnly: false,
  };
}

const refuse = (what: string) =>
  SQL_ERRORS.unsupported(`${what} in a streaming pipe's transformation`);

/** TABLE(DATA_SOURCE(TYPE => 'STREAMING')): the batch's rows, each as `$1`, in staged order. */
function dataSource(args: SystemFunctionArgs): CatalogRelation {
  const type = args.named.get("TYPE");
  if (typeof type !== "string" || type.toUpperCase() !== "STREAMING") {
    throw SQL_ERRORS.unsupported("DATA_SOURCE of another TYPE than 'STREAMING'");
  }
  return {
    ref: { id: -1, kind: "FUNCTION", database: "", schema: "", name: "DATA_SOURCE" },
    columns: [{ name: "$1", type: T.variant }],
    sql: `(SELECT TRY_CAST(line AS JSON) AS "$1" FROM ${STAGE})`,
    sequenced: false,
  };
}

/** A plain SELECT of expressions from DATA_SOURCE alone, as Snowflake's COPY transformations. */
function checkShape(query: Node): void {
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

/** One row's outcome: its values by target column, or why it is a bad row (never its values). */
export type RowOutcome =
  | { readonly values: Record<string, unknown>; readonly error?: undefined }
  | { readonly error: string };

/**
 * Runs the transformation over `lines` (JSON objects as text) on `lane`, which writes only its
 * temporary staging table; returns one outcome per line, in order.
 */
export async function runTransform(
  lane: Lane,
  transform: PipeTransform,
  lines: readonly string[],
): Promise<RowOutcome[]> {
  const out: RowOutcome[] = [];
  if (!lines.length) return out;
  await lane.exclusive(async (s) => {
    await s.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (n BIGINT, line VARCHAR)`);
    try {
      for (let at = 0; at < lines.length; at += CHUNK_ROWS) {
        out.push(...await chunk(s, transform, lines.slice(at, at + CHUNK_ROWS)));
      }
    } finally {
      await s.run(`DROP TABLE IF EXISTS ${STAGE}`).catch(() => {});
    }
  });
  return out;
}

/** Stages `lines` (replacing what was staged). */
async function stage(s: LaneSession, lines: readonly string[]): Promise<void> {
  await s.run(`DELETE FROM ${STAGE}`);
  const appender = await s.conn.createAppender(STAGE.slice(1, -1), "main", "temp");
  try {
    lines.forEach((line, i) => {
      appender.appendBigInt(BigInt(i));
      appender.appendVarchar(line);
      appender.endRow();
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** One chunk's outcomes. */
async function chunk(
  s: LaneSession,
  t: PipeTransform,
  lines: readonly string[],
): Promise<RowOutcome[]> {
  await stage(s, lines);
  // JSON that JavaScript read but DuckDB does not (a lone surrogate, a number out of range).
  const json = await s.all(`SELECT TRY_CAST(line AS JSON) IS NULL FROM ${STAGE} ORDER BY n`);
  const unreadable = json.rows.map((r) => r[0] === true);
  let rows: readonly (readonly unknown[])[] | undefined;
  if (!t.plainOnly) {
    try {
      rows = (await s.all(t.trySql)).rows;
    } catch {
      // TRY refuses a volatile function: this transformation runs without it from now on.
      t.plainOnly = true;
    }
  }
  if (!rows) return await halving(s, t, lines, unreadable);
  return rows.map((r, i) =>
    unreadable[i]
      ? { error: UNREADABLE }
      : r[0] === true
      ? { error: FAILED }
      : { values: record(t, r) }
  );
}

const UNREADABLE = "the row's JSON cannot be read (value redacted)";
const FAILED = "the pipe's transformation failed for this row (value redacted)";

/** Without TRY: the whole chunk, or each half of a failing one until a bad row stands alone. */
async function halving(
  s: LaneSession,
  t: PipeTransform,
  lines: readonly string[],
  unreadable: readonly boolean[],
): Promise<RowOutcome[]> {
  const good = lines.filter((_, i) => !unreadable[i]);
  const results: RowOutcome[] = [];
  const run = async (lo: number, hi: number): Promise<void> => {
    await stage(s, good.slice(lo, hi));
    try {
      for (const r of (await s.all(t.plainSql)).rows) results.push({ values: record(t, r) });
    } catch (e) {
      if (hi - lo === 1) {
        results.push({ error: failureKind(e) });
        return;
      }
      const mid = (lo + hi) >> 1;
      await run(lo, mid);
      await run(mid, hi);
    }
  };
  if (good.length) await run(0, good.length);
  let k = 0;
  return lines.map((_, i) => (unreadable[i] ? { error: UNREADABLE } : results[k++]));
}

/** One result row (after the flag) as values by target column, for the table's coercer. */
function record(t: PipeTransform, row: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  t.columns.forEach((name, i) => {
    const v = row[i + 1];
    // A semi-structured column's value comes as JSON text; SQL NULL is NULL.
    out[name] = v === null || v === undefined
      ? null
      : isSemiStructured(t.targetTypes[i])
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
