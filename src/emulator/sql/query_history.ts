/**
 * The account's recent statements, as `TABLE(INFORMATION_SCHEMA.QUERY_HISTORY…())` reports them:
 * each statement's text, session, user, context, outcome and timing, the newest
 * {@link QUERY_HISTORY_KEEP} kept in memory within {@link QUERY_HISTORY_CHARS} characters of text
 * (Snowflake keeps 7 days; a restart forgets them here). The bounds keep it small beside a
 * dashboard that queries every few seconds.
 *
 * @module
 */
import { CREATE_MODIFIERS } from "./lexer.ts";

/** How many statements are kept. */
export const QUERY_HISTORY_KEEP = 1_000;

/** How many characters of statement text are kept, over all the statements kept. */
export const QUERY_HISTORY_CHARS = 1_000_000;

/** Longest statement text kept (Snowflake truncates QUERY_TEXT too). */
const MAX_TEXT = 10_000;

/** One statement that ran. */
export interface QueryRecord {
  readonly queryId: string;
  readonly text: string;
  readonly sessionId: string;
  readonly user: string;
  readonly role: string | null;
  readonly warehouse: string | null;
  readonly database: string | null;
  readonly schema: string | null;
  readonly start: Date;
  readonly end: Date;
  /** SUCCESS or FAILED_WITH_ERROR. */
  readonly status: "SUCCESS" | "FAILED_WITH_ERROR";
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** Rows of its result (a query's rows; a DML statement's one row of counts). */
  readonly rowsProduced: number | null;
  /** Snowflake's QUERY_TYPE: SELECT, INSERT, CREATE_TABLE, ALTER_SESSION, … */
  readonly queryType: string;
  /** The session's QUERY_TAG when it ran ('' when none). */
  readonly queryTag: string;
}

/** Statement type ids of results (see STATEMENT_TYPE) that name their QUERY_TYPE alone. */
const TYPE_BY_ID: Readonly<Record<number, string>> = {
  0x3100: "INSERT",
  0x3200: "UPDATE",
  0x3300: "DELETE",
  0x3400: "MERGE",
};

/**
 * A statement's QUERY_TYPE, from its result's type id (`undefined` when it failed) and its
 * leading words: `CREATE [OR REPLACE] [TEMPORARY …] TABLE` is CREATE_TABLE, `ALTER SESSION`
 * ALTER_SESSION, `SHOW …` SHOW, and so on; UNKNOWN for what none of them says.
 */
export function queryTypeOf(text: string, typeId: number | undefined): string {
  if (typeId !== undefined && TYPE_BY_ID[typeId]) return TYPE_BY_ID[typeId];
  const words = text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, " ").trim().toUpperCase()
    .split(/[^A-Z_]+/).filter(Boolean);
  const first = words[0];
  switch (first) {
    case "SELECT":
    case "WITH":
    case "VALUES":
      return "SELECT";
    case "SHOW":
    case "DESCRIBE":
    case "USE":
    case "SET":
    case "UNSET":
    case "COMMIT":
    case "ROLLBACK":
    case "GRANT":
    case "REVOKE":
    case "DROP":
    case "UNDROP":
    case "INSERT":
    case "UPDATE":
    case "DELETE":
    case "MERGE":
      return first;
    case "DESC":
      return "DESCRIBE";
    case "BEGIN":
    case "START":
      return "BEGIN_TRANSACTION";
    case "TRUNCATE":
      return "TRUNCATE_TABLE";
    case "CREATE":
    case "ALTER": {
      const kind = words.slice(1).find((w) =>
        !CREATE_MODIFIERS.has(w) && w !== "OR" && w !== "REPLACE" && w !== "RECURSIVE"
      );
      if (kind === "DYNAMIC") return `${first}_DYNAMIC_TABLE`;
      return kind ? `${first}_${kind}` : first;
    }
  }
  return "UNKNOWN";
}

/** A bounded, newest-last record of the statements that ran. */
export class QueryHistory {
  readonly #records: QueryRecord[] = [];
  #chars = 0;

  /** Records a statement that ended. */
  record(r: QueryRecord): void {
    const kept = r.text.length > MAX_TEXT ? { ...r, text: r.text.slice(0, MAX_TEXT) } : r;
    this.#records.push(kept);
    this.#chars += kept.text.length;
    let drop = 0;
    while (
      this.#records.length - drop > QUERY_HISTORY_KEEP || this.#chars > QUERY_HISTORY_CHARS
    ) {
      this.#chars -= this.#records[drop++].text.length;
    }
    if (drop) this.#records.splice(0, drop);
  }

  /** The statements `keep` selects, newest first, at most `limit`. */
  newest(keep: (r: QueryRecord) => boolean, limit: number): QueryRecord[] {
    const out: QueryRecord[] = [];
    for (let i = this.#records.length - 1; i >= 0 && out.length < limit; i--) {
      if (keep(this.#records[i])) out.push(this.#records[i]);
    }
    return out;
  }
}
