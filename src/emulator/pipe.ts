/**
 * A pipe: `COPY INTO <table> FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))
 * MATCH_BY_COLUMN_NAME = …`, applied to the NDJSON body of one append: a named pipe of the
 * catalog, or a table's default pipe `<TABLE>-STREAMING`.
 *
 * Parsing is synchronous and allocation-light because the streamer's throughput target runs the
 * client, this parser and the warehouse's appends in one process: lines are cut with `indexOf`, each
 * parsed once, coerced straight into the value arrays the insert statement binds, and handed on
 * one by one ({@link Pipe.parseChunks}) so that the commit inserts them as they come.
 *
 * @module
 */
import {
  CoercionError,
  type ColumnDef,
  compileRowCoercer,
  type Filler,
  type RowCoercer,
  type StoredValue,
} from "./coerce.ts";
import type { PipeTransform } from "./pipe_transform.ts";

/** The table a pipe loads. */
export interface PipeTarget {
  /** Catalog id of the table. */
  readonly id: number;
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnDef[];
}

/** Counts of parsing one append body. */
export interface BatchCounts {
  /** Rows (non-blank lines) seen, good or bad. */
  readonly parsed: number;
  /** Rows that could not be loaded. */
  readonly errors: number;
  /** Message of the last bad row (column and type, never the value), or null. */
  readonly lastErrorMessage: string | null;
}

/** One pipe into one table. */
export class Pipe {
  /** The pipe's qualified name `DB.SCHEMA.PIPE` (channels are kept by it). */
  readonly name: string;
  /** The target table (its columns as they were when the pipe was resolved). */
  readonly table: PipeTarget;
  readonly #coerce: RowCoercer;
  /**
   * The values of the table's DEFAULT columns, by column index, once the first commit evaluated
   * them (Snowflake evaluates a pipe's defaults when it compiles the pipe, not per row).
   */
  defaults: Map<number, StoredValue> | undefined;

  /** A pipe with a transformation (`COPY INTO t FROM (SELECT …)`): its compiled SELECT. */
  readonly transform: PipeTransform | undefined;
  /** Why a pipe's transformation no longer fits its table (its rows then load as bad rows). */
  readonly brokenTransform: string | undefined;

  constructor(
    name: string,
    table: PipeTarget,
    match: "CASE_SENSITIVE" | "CASE_INSENSITIVE",
    transform?: PipeTransform | { readonly broken: string },
  ) {
    this.name = name;
    this.table = table;
    this.transform = transform && !("broken" in transform) ? transform : undefined;
    this.brokenTransform = transform && "broken" in transform ? transform.broken : undefined;
    this.#coerce = compileRowCoercer(table.columns, transform ? "CASE_SENSITIVE" : match);
  }

  /**
   * Coerces one row given by column name (a transformation's result) into the table's columns.
   * Throws {@link CoercionError} for a value that does not fit.
   */
  coerceRecord(row: Record<string, unknown>, fill?: Filler): StoredValue[] {
    return this.#coerce(row, fill);
  }

  /**
   * Parses an NDJSON body given as UTF-8 chunks (see {@link forEachObject}), handing each good row
   * to `onRow` as soon as it is coerced, so that a caller that inserts as it goes never holds the
   * body's rows all at once. A row whose values cannot be cast is an error row; the batch's other
   * rows still load, as with the real service's ON_ERROR = CONTINUE.
   */
  parseChunks(
    chunks: readonly Uint8Array[],
    onRow: (row: StoredValue[]) => void,
    fill?: Filler,
  ): BatchCounts {
    const counts: Counts = { parsed: 0, errors: 0, lastErrorMessage: null };
    const coerce = this.#coerce;
    forEachObject(chunks, counts, (value, _line, n) => {
      let row: StoredValue[];
      try {
        row = coerce(value, fill);
      } catch (e) {
        if (!(e instanceof CoercionError)) throw e;
        counts.errors++;
        counts.lastErrorMessage = `Row ${n} of the batch: ${e.message} (value redacted)`;
        return;
      }
      onRow(row);
    });
    return counts;
  }
}

/**
 * Calls `onObject` with each line of an NDJSON body given as UTF-8 chunks that is a JSON object:
 * the parsed object, the line's text and its number in the batch. Lines are `\n` separated
 * (`\r\n` allowed, blank lines skipped); a line that is not a JSON object is counted in `counts`
 * as an error row. Chunks are decoded one at a time, so no text of the whole body is ever made (a
 * large string outlives the young generation of the garbage collector and waits for a full
 * collection).
 */
export function forEachObject(
  chunks: readonly Uint8Array[],
  counts: Counts,
  onObject: (value: Record<string, unknown>, line: string, n: number) => void,
): void {
  const decoder = new TextDecoder();
  // The start of a line that the previous chunk cut off.
  let carry = "";
  // Inside a line already counted as too long: its text is dropped up to its end.
  let skipping = false;
  for (let i = 0; i < chunks.length; i++) {
    let text = decoder.decode(chunks[i], { stream: i < chunks.length - 1 });
    if (skipping) {
      const nl = text.indexOf("\n");
      if (nl === -1) continue;
      skipping = false;
      text = text.slice(nl + 1);
    }
    text = carry + text;
    const cut = text.lastIndexOf("\n");
    if (cut === -1) {
      carry = text;
      if (carry.length > MAX_ROW_CHARS) {
        tooLong(counts);
        carry = "";
        skipping = true;
      }
      continue;
    }
    objectLines(text, cut, counts, onObject);
    carry = text.slice(cut + 1);
  }
  if (carry !== "") objectLines(carry, carry.length, counts, onObject);
}

/**
 * The longest row (line) read, in characters: room for a VARCHAR of Snowflake's 16 MB maximum
 * and more besides. A longer one is an error row, never parsed: a compressed body of a few KB may
 * hold a line of a hundred MB, and parsing it held gigabytes (or ended the process).
 */
export const MAX_ROW_CHARS = 32 * 1024 * 1024;

function tooLong(counts: Counts): void {
  const n = ++counts.parsed;
  counts.errors++;
  counts.lastErrorMessage =
    `Row ${n} of the batch is longer than ${MAX_ROW_CHARS} characters (content redacted)`;
}

/** The lines of `text[0, end)`, numbered on from `counts.parsed` (see {@link forEachObject}). */
function objectLines(
  text: string,
  end: number,
  counts: Counts,
  onObject: (value: Record<string, unknown>, line: string, n: number) => void,
): void {
  let start = 0;
  while (start < end) {
    let nl = text.indexOf("\n", start);
    if (nl === -1 || nl > end) nl = end;
    let stop = nl;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop - start > MAX_ROW_CHARS) {
      start = nl + 1;
      tooLong(counts);
      continue;
    }
    const line = text.slice(start, stop);
    start = nl + 1;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === "")) continue;
    const n = ++counts.parsed;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      counts.errors++;
      counts.lastErrorMessage = `Row ${n} of the batch is not valid JSON (content redacted)`;
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      counts.errors++;
      counts.lastErrorMessage = `Row ${n} of the batch is not a JSON object (content redacted)`;
      continue;
    }
    onObject(value as Record<string, unknown>, line, n);
  }
}

/** {@link BatchCounts} while they are being counted. */
export interface Counts {
  parsed: number;
  errors: number;
  lastErrorMessage: string | null;
}
