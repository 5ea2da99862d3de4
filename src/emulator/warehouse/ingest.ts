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
import { META, ROW_COLUMN } from "./catalog.ts";
import type { ChannelRecord, Warehouse } from "./warehouse.ts";
import type { SfType } from "./types.ts";
import type { StoredValue } from "../coerce.ts";
import type { BatchCounts, Pipe } from "../pipe.ts";
import { duckSchema } from "../sql/translate/quote.ts";

/** Rows per appender chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/** One appended body to commit, still as NDJSON bytes. */
export interface CommitBody {
  /** The body's UTF-8 bytes, in the chunks it arrived in. */
  readonly chunks: readonly Uint8Array[];
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

/** How the appender is fed one column: the chunk's vector type, chosen per chunk. */
type Feed = "varchar" | "double" | "boolean" | "number";

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

/** The table's columns in DuckDB's physical order, `$ROW` included (null for `$ROW`). */
async function physicalColumns(
  s: LaneSession,
  database: string,
  schema: string,
  table: string,
): Promise<string[]> {
  const r = await s.all(
    `SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index`,
    [duckSchema(database, schema), table],
  );
  return r.rows.map((x) => String(x[0]));
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
  const table = w.catalog.byId(pipe.table.id);
  if (!table || table.kind !== "TABLE") {
    throw new TableGoneError(`${pipe.table.database}.${pipe.table.schema}.${pipe.table.name}`);
  }
  let next: ChannelRecord | undefined;
  let rec = channel;
  return await w.writer.transaction(async (s) => {
    const physical = await physicalColumns(s, table.database, table.schema, table.name);
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
    let parsed = 0, errors = 0;
    let endToken: string | undefined;
    let errorMessage: string | null = null;
    let errorBound: string | undefined;
    try {
      for (const body of bodies) {
        const b = pipe.parseChunks(body.chunks, (row) => {
          pending.push(row);
          if (pending.length === CHUNK_ROWS) flush();
        });
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

/** Builds one appender chunk: each physical column's values, `$ROW` numbered from `firstRow`. */
function buildChunk(
  duck: DuckModule,
  rows: readonly StoredValue[][],
  source: readonly number[],
  types: readonly (SfType | undefined)[],
  firstRow: number,
) {
  const n = rows.length;
  const vectorTypes: DuckDBType[] = [];
  const columns: unknown[][] = [];
  for (let c = 0; c < source.length; c++) {
    const src = source[c];
    const values: unknown[] = new Array(n);
    if (src === -2) {
      for (let r = 0; r < n; r++) values[r] = firstRow + r;
      vectorTypes.push(duck.DOUBLE);
      columns.push(values);
      continue;
    }
    if (src === -1) {
      values.fill(null);
      vectorTypes.push(duck.VARCHAR);
      columns.push(values);
      continue;
    }
    let feed = feedOf(types[c]!);
    for (let r = 0; r < n; r++) values[r] = rows[r][src];
    if (feed === "number") {
      // Whole chunk as DOUBLE when every value is an exact number, else as decimal text.
      feed = values.every((v) => v === null || typeof v === "number") ? "double" : "varchar";
      if (feed === "varchar") {
        for (let r = 0; r < n; r++) {
          if (typeof values[r] === "number") values[r] = String(values[r]);
        }
      }
    }
    vectorTypes.push(
      feed === "double" ? duck.DOUBLE : feed === "boolean" ? duck.BOOLEAN : duck.VARCHAR,
    );
    columns.push(values);
  }
  const chunk = duck.DuckDBDataChunk.create(vectorTypes, n);
  chunk.setColumns(columns as never);
  return chunk;
}

export { META };
