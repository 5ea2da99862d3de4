/**
 * A pipe: `COPY INTO <table> FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))
 * MATCH_BY_COLUMN_NAME = CASE_SENSITIVE`, applied to the NDJSON body of one append.
 *
 * Parsing is synchronous and allocation-light because the streamer's throughput target runs the
 * client, this parser and the SQLite inserts in one process: lines are cut with `indexOf`, each
 * parsed once, coerced straight into the value arrays the insert statement binds.
 *
 * @module
 */
import { CoercionError, compileRowCoercer, type RowCoercer, type StoredValue } from "./coerce.ts";
import type { TableDef } from "./table_schema.ts";

/** The outcome of parsing one append body: rows ready to insert and the per-row errors. */
export interface ParsedBatch {
  /** Good rows, as column values in table column order. */
  readonly rows: StoredValue[][];
  /** Rows (non-blank lines) seen, good or bad. */
  readonly parsed: number;
  /** Rows that could not be loaded. */
  readonly errors: number;
  /** Message of the last bad row (column and type, never the value), or null. */
  readonly lastErrorMessage: string | null;
}

/** One pipe into one table. */
export class Pipe {
  /** The pipe's stored name (upper-case). */
  readonly name: string;
  /** The target table. */
  readonly table: TableDef;
  readonly #coerce: RowCoercer;

  constructor(name: string, table: TableDef) {
    this.name = name;
    this.table = table;
    this.#coerce = compileRowCoercer(table.columns);
  }

  /**
   * Parses an NDJSON body: one JSON object per line, `\n` separated (`\r\n` allowed, blank lines
   * skipped). A line that is not a JSON object or whose values cannot be cast is an error row;
   * the batch's other rows still load, as with the real service's ON_ERROR = CONTINUE.
   */
  parse(text: string): ParsedBatch {
    const rows: StoredValue[][] = [];
    const coerce = this.#coerce;
    let parsed = 0;
    let errors = 0;
    let lastErrorMessage: string | null = null;
    const end = text.length;
    let start = 0;
    while (start < end) {
      let nl = text.indexOf("\n", start);
      if (nl === -1) nl = end;
      let stop = nl;
      if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
      const line = text.slice(start, stop);
      start = nl + 1;
      if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === "")) continue;
      parsed++;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        errors++;
        lastErrorMessage = `Row ${parsed} of the batch is not valid JSON (content redacted)`;
        continue;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        errors++;
        lastErrorMessage = `Row ${parsed} of the batch is not a JSON object (content redacted)`;
        continue;
      }
      try {
        rows.push(coerce(value as Record<string, unknown>));
      } catch (e) {
        if (!(e instanceof CoercionError)) throw e;
        errors++;
        lastErrorMessage = `Row ${parsed} of the batch: ${e.message} (value redacted)`;
      }
    }
    return { rows, parsed, errors, lastErrorMessage };
  }
}
