/**
 * The streaming commit: appended NDJSON bodies parsed, coerced and appended to their table with
 * DuckDB's appender, and the channel's offset token advanced, in ONE writer-lane transaction, so
 * that a crash can neither lose what was reported committed nor report committed what was lost.
 *
 * Rows are handed to the appender in chunks of {@link CHUNK_ROWS} as they are parsed, so the rows
 * of one commit never sit in memory together.
 *
 * @module
 */
import type { DuckDBType } from "@duckdb/node-api";
import { type DuckModule, loadDuckDB } from "./duckdb.ts";
import type { LaneSession } from "./duckdb.ts";
import { type CatalogColumn, META, ROW_COLUMN } from "./catalog.ts";
import type { ChannelRecord, Warehouse } from "./warehouse.ts";
import type { SfType } from "./types.ts";
import { CoercionError, type Filler, type StoredValue } from "../coerce.ts";
import { type RowOutcome, runTransform } from "../pipe_transform.ts";
import { type BatchCounts, type Counts, forEachObject, type Pipe } from "../pipe.ts";
import { duckSchema } from "../sql/translate/quote.ts";
import { type AppendPayload, readDecoded } from "../http_body.ts";

/** Rows per appender chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/** One appended body to commit, as its channel holds it. */
export interface CommitBody {
  /** The body's NDJSON, compressed or not. */
  readonly payload: AppendPayload;
  /** The batch's end offset token; undefined when the append carried none (token unchanged). */
  readonly endOffsetToken?: string;
}

/** The table a pipe's rows went to is gone (dropped or replaced). */
export class TableGoneError extends Error {
  constructor(name: string) {
    super(`Table ${name} does not exist or not authorized.`);
    this.name = "TableGoneError";
  }
}

/** The channel was dropped (or dropped and recreated) before its rows committed. */
export class ChannelGoneError extends Error {
  constructor() {
    super("The channel was dropped before its rows committed.");
    this.name = "ChannelGoneError";
  }
}

/**
 * How the appender is fed one column: the chunk's vector type, chosen per chunk (a NUMBER column
 * goes as DOUBLE when every value of the chunk is a number, else as decimal text).
 */
type Feed = "varchar" | "double" | "boolean" | "number" | "numberText";

function feedOf(t: SfType): Feed {
  switch (t.kind) {
    case "FLOAT":
      return "double";
    case "BOOLEAN":
      return "boolean";
    case "NUMBER":
      return "number";
    default:
      return "varchar";
  }
}

/**
 * Physical column orders already read, by the catalog's column list of the table. Every DDL that
 * changes a table's columns gives its catalog object a new list, so a list seen before stands for
 * the same physical layout; reading `duckdb_columns()` costs milliseconds in a catalog of some
 * size, on every commit otherwise.
 */
const layouts = new WeakMap<readonly CatalogColumn[], readonly string[]>();

/** The table's columns in DuckDB's physical order, `$ROW` included. */
async function physicalColumns(
  s: LaneSession,
  table: { database: string; schema: string; name: string; columns: readonly CatalogColumn[] },
): Promise<readonly string[]> {
  const known = layouts.get(table.columns);
  if (known) return known;
  const r = await s.all(
    `SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index`,
    [duckSchema(table.database, table.schema), table.name],
  );
  const names = r.rows.map((x) => String(x[0]));
  layouts.set(table.columns, names);
  return names;
}

/**
 * Commits bodies of channel `rec` through `pipe`: every good row appended, the channel's counters
 * and offset token advanced. Returns the counts and the channel state to apply once committed.
 */
export async function commitBodies(
  w: Warehouse,
  channel: ChannelRecord,
  pipe: Pipe,
  bodies: readonly CommitBody[],
): Promise<{ counts: BatchCounts; next: ChannelRecord }> {
  const duck = await loadDuckDB();
  let next: ChannelRecord | undefined;
  let rec = channel;
  // A transformation runs first, on a lane of its own: the commit must not wait for another
  // lane while it holds the writer (a warehouse reopen waits for every lane to let go).
  const transformed = pipe.transform || pipe.brokenTransform
    ? await transformBodies(w, pipe, bodies)
    : undefined;
  return await w.channelTransaction(async (s) => {
    // The table as it stands in the lane (a DDL queued before this commit may have changed it).
    const table = w.catalog.byId(pipe.table.id);
    if (!table || table.kind !== "TABLE") {
      throw new TableGoneError(`${pipe.table.database}.${pipe.table.schema}.${pipe.table.name}`);
    }
    const physical = await physicalColumns(s, table);
    const pipeIndex = new Map(pipe.table.columns.map((c, i) => [c.name, i]));
    const types = physical.map((
      name,
    ) => (name === ROW_COLUMN ? undefined : pipe.table.columns[pipeIndex.get(name) ?? -1]?.type));
    const source = physical.map((name) => (name === ROW_COLUMN ? -2 : pipeIndex.get(name) ?? -1));
    const appender = await s.conn.createAppender(
      table.name,
      duckSchema(table.database, table.schema),
    );
    let pending: StoredValue[][] = [];
    let inserted = 0;
    const flush = () => {
      if (!pending.length) return;
      const first = w.reserveRows(table.id, pending.length);
      appender.appendDataChunk(buildChunk(duck, pending, source, types, first));
      inserted += pending.length;
      pending = [];
    };
    const fill = await fillerFor(s, pipe, bodies);
    const onRow = (row: StoredValue[]) => {
      pending.push(row);
      if (pending.length === CHUNK_ROWS) flush();
    };
    let parsed = 0, errors = 0;
    let endToken: string | undefined;
    let errorMessage: string | null = null;
    let errorBound: string | undefined;
    try {
      for (const [i, body] of bodies.entries()) {
        // Freed bytes read as an empty body: committing it would move the offset token over
        // rows never written. Refuse instead (the transaction rolls back).
        for (const c of body.payload.bytes) {
          if (c.buffer.detached) {
            throw new Error("an appended body was freed before its commit read it");
          }
        }
        const b = transformed
          ? coerceTransformed(pipe, transformed[i], onRow, fill)
          : readDecoded(body.payload, (slices) => pipe.parseChunks(slices, onRow, fill));
        parsed += b.parsed;
        if (body.endOffsetToken !== undefined) endToken = body.endOffsetToken;
        if (b.errors > 0) {
          errors += b.errors;
          errorMessage = b.lastErrorMessage;
          errorBound = endToken;
        }
      }
      flush();
      appender.flushSync();
    } catch (e) {
      // Whatever failed, read the layout afresh next time.
      layouts.delete(table.columns);
      throw e;
    } finally {
      appender.closeSync();
    }
    // The channel as it stands now, in the lane (an open or a commit before this one moved it).
    const cur = w.channel(rec.pipe, rec.channel);
    if (!cur || cur.id !== rec.id) throw new ChannelGoneError();
    rec = cur;
    next = {
      ...rec,
      lastCommittedOffsetToken: endToken ?? rec.lastCommittedOffsetToken,
      rowsInserted: rec.rowsInserted + inserted,
      rowsParsed: rec.rowsParsed + parsed,
      rowsErrorCount: rec.rowsErrorCount + errors,
      lastErrorOffsetUpperBound: errors > 0
        ? errorBound ?? rec.lastCommittedOffsetToken
        : rec.lastErrorOffsetUpperBound,
      lastErrorMessage: errors > 0 ? errorMessage : rec.lastErrorMessage,
      lastErrorTimestampMs: errors > 0 ? Date.now() : rec.lastErrorTimestampMs,
    };
    await w.writeChannel(s, next);
    return { counts: { parsed, errors, lastErrorMessage: errorMessage }, next };
  }, () => w.applyChannel(next!));
}

/** The lane a pipe's transformation runs on (outside the commit's transaction). */
const TRANSFORM_LANE = "pipe-transform";

/** One body through a pipe's transformation: each row's outcome, with its number in the batch. */
interface TransformedBody extends BatchCounts {
  readonly rows: { readonly row: number; readonly outcome: RowOutcome }[];
}

/**
 * The bodies through the pipe's transformation (see pipe_transform.ts): each line checked to be a
 * JSON object, the SELECT run over the good ones. A pipe whose transformation no longer fits its
 * table (a column renamed or dropped since) makes every row a bad row instead of stalling.
 */
async function transformBodies(
  w: Warehouse,
  pipe: Pipe,
  bodies: readonly CommitBody[],
): Promise<TransformedBody[]> {
  const out: TransformedBody[] = [];
  for (const body of bodies) {
    const counts: Counts = { parsed: 0, errors: 0, lastErrorMessage: null };
    const lines: string[] = [];
    const numbers: number[] = [];
    readDecoded(body.payload, (slices) =>
      forEachObject(slices, counts, (_value, line, n) => {
        lines.push(line);
        numbers.push(n);
      }));
    const outcomes = pipe.transform
      ? await runTransform(await w.reader(TRANSFORM_LANE), pipe.transform, lines)
      : lines.map(() => ({ error: pipe.brokenTransform! }));
    out.push({ ...counts, rows: outcomes.map((outcome, i) => ({ row: numbers[i], outcome })) });
  }
  return out;
}

/** A transformed body's rows coerced into the table's columns (in the commit's transaction). */
function coerceTransformed(
  pipe: Pipe,
  body: TransformedBody,
  onRow: (row: StoredValue[]) => void,
  fill: Filler | undefined,
): BatchCounts {
  let errors = body.errors;
  let lastErrorMessage = body.lastErrorMessage;
  for (const { row, outcome } of body.rows) {
    if (outcome.error !== undefined) {
      errors++;
      lastErrorMessage = `Row ${row} of the batch: ${outcome.error}`;
      continue;
    }
    try {
      onRow(pipe.coerceRecord(outcome.values, fill));
    } catch (e) {
      if (!(e instanceof CoercionError)) throw e;
      errors++;
      lastErrorMessage = `Row ${row} of the batch: ${e.message} (value redacted)`;
    }
  }
  return { parsed: body.parsed, errors, lastErrorMessage };
}

/**
 * The values of the pipe's filled columns (see {@link ColumnFill}) for rows that leave them out,
 * or undefined when the table has none. A per-row default (a sequence's number) is drawn once per
 * commit for as many rows as the bodies have lines (at least as many as rows), in this commit's
 * transaction; numbers left over are gaps, which Snowflake's sequences allow too.
 */
async function fillerFor(
  s: LaneSession,
  pipe: Pipe,
  bodies: readonly CommitBody[],
): Promise<Filler | undefined> {
  const columns = pipe.table.columns;
  if (!columns.some((c) => c.fill)) return undefined;
  if (!pipe.defaults) {
    const defaults = new Map<number, StoredValue>();
    for (let i = 0; i < columns.length; i++) {
      const f = columns[i].fill;
      if (!f || f.perRow) continue;
      const r = await s.all(`SELECT CAST(${f.duck} AS VARCHAR)`);
      defaults.set(i, storedDefault(r.rows[0][0] as string | null, columns[i].type));
    }
    pipe.defaults = defaults;
  }
  const defaults = pipe.defaults;
  const drawn = new Map<number, { values: StoredValue[]; next: number }>();
  let lines: number | undefined;
  for (let i = 0; i < columns.length; i++) {
    const f = columns[i].fill;
    if (!f?.perRow) continue;
    lines ??= bodies.reduce((n, b) => n + readDecoded(b.payload, countLines), 0);
    const r = await s.all(
      `SELECT CAST(v AS VARCHAR) FROM (SELECT range AS i, ${f.duck} AS v FROM range(${lines}))
       ORDER BY i`,
    );
    const type = columns[i].type;
    drawn.set(i, {
      values: r.rows.map((x) => storedDefault(x[0] as string | null, type)),
      next: 0,
    });
  }
  return (i) => {
    const d = drawn.get(i);
    return d ? d.values[d.next++] ?? null : defaults.get(i) ?? null;
  };
}

/** Lines of an NDJSON body (a last line without `\n` included): at least its rows. */
function countLines(slices: readonly Uint8Array[]): number {
  let n = 0;
  let last = 10;
  for (const b of slices) {
    for (let at = b.indexOf(10); at !== -1; at = b.indexOf(10, at + 1)) n++;
    if (b.byteLength) last = b[b.byteLength - 1];
  }
  return last === 10 ? n : n + 1;
}

/** A DEFAULT's value (DuckDB's text of it) as the appender takes it for a column of type `t`. */
function storedDefault(text: string | null, t: SfType): StoredValue {
  if (text === null) return null;
  switch (t.kind) {
    case "FLOAT":
      // DuckDB writes the non-finite doubles as inf, -inf and nan.
      return text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text);
    case "BOOLEAN":
      return text === "true";
    default:
      // NUMBER as decimal text keeps every digit; the appender casts text to the column's type.
      return text;
  }
}

/** Builds one appender chunk: each physical column's values, `$ROW` numbered from `firstRow`. */
function buildChunk(
  duck: DuckModule,
  rows: readonly StoredValue[][],
  source: readonly number[],
  types: readonly (SfType | undefined)[],
  firstRow: number,
) {
  const n = rows.length;
  const feeds: Feed[] = [];
  const vectorTypes: DuckDBType[] = [];
  for (let c = 0; c < source.length; c++) {
    const src = source[c];
    let feed: Feed = src === -2 ? "double" : src === -1 ? "varchar" : feedOf(types[c]!);
    if (feed === "number") {
      // The whole chunk as DOUBLE when every value is an exact number, else as decimal text.
      feed = "double";
      for (let r = 0; r < n; r++) {
        const v = rows[r][src];
        if (v !== null && typeof v !== "number") {
          feed = "varchar";
          break;
        }
      }
      if (feed === "varchar") feed = "numberText";
    }
    feeds.push(feed);
    vectorTypes.push(
      feed === "double" ? duck.DOUBLE : feed === "boolean" ? duck.BOOLEAN : duck.VARCHAR,
    );
  }
  const chunk = duck.DuckDBDataChunk.create(vectorTypes, n);
  // Values straight into the chunk's vectors (what setColumns does, without a copy per column).
  for (let c = 0; c < source.length; c++) {
    const src = source[c];
    const vector = chunk.getColumnVector(c);
    if (src === -2) {
      for (let r = 0; r < n; r++) vector.setItem(r, firstRow + r);
    } else if (src === -1) {
      for (let r = 0; r < n; r++) vector.setItem(r, null);
    } else if (feeds[c] === "numberText") {
      for (let r = 0; r < n; r++) {
        const v = rows[r][src];
        vector.setItem(r, typeof v === "number" ? String(v) : v);
      }
    } else {
      for (let r = 0; r < n; r++) vector.setItem(r, rows[r][src]);
    }
    vector.flush();
  }
  return chunk;
}

export { META };
