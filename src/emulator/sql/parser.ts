/**
 * Parsing one Snowflake statement. Queries, DML and the DDL it knows go to datafusion-sqlparser-rs
 * (its Snowflake dialect, compiled to WebAssembly: `@guanmingchiu/sqlparser-ts`). Snowflake's own
 * object statements it does not know (dynamic-table options, pipes, streams, SQL table functions,
 * SHOW, DESCRIBE and DROP of every kind, account objects) are read here from tokens; the queries
 * inside them go back to the SQL parser.
 *
 * The parser is a WebAssembly module in an npm package: it is imported by its full `npm:`
 * specifier so that `deno bundle` keeps it external and the package finds its `.wasm` file.
 *
 * @module
 */
import { type Ident, type Node, variant } from "./ast.ts";
import { CREATE_MODIFIERS, Cursor, LexError, type Token, tokenize } from "./lexer.ts";
import { SQL_ERRORS, SqlError } from "./errors.ts";

type SqlParserModule = typeof import("@guanmingchiu/sqlparser-ts");

let loading: Promise<SqlParserModule> | undefined;

/** Loads and initialises the SQL parser once per process. */
export function loadSqlParser(): Promise<SqlParserModule> {
  loading ??= (async () => {
    // deno-lint-ignore no-import-prefix -- WebAssembly loaded from its package; see the module doc.
    const mod = await import("npm:@guanmingchiu/sqlparser-ts@0.62.0");
    await mod.init();
    return mod as SqlParserModule;
  })();
  return loading;
}

/** The most statement text the emulator parses (Snowflake's own limit is 1 MB of SQL text). */
export const MAX_STATEMENT_BYTES = 1_000_000;
/** The deepest nesting of parentheses accepted: deeper statements are refused, not recursed into. */
export const MAX_NESTING = 200;
/** The deepest expression tree a statement may have (see checkNesting). */
export const MAX_EXPRESSION_DEPTH = 600;

/** An object name: database, schema and name parts as written (stored spelling). */
export type NameParts = readonly string[];

/** `TARGET_LAG` as declared. */
export type TargetLag = { readonly kind: "downstream" } | {
  readonly kind: "duration";
  readonly seconds: number;
  readonly text: string;
};

/** What a rewrite for the SQL parser took out of a statement's text (see {@link rewrite}). */
export interface SqlMeta {
  /** `CREATE TABLE t (a, b) AS …`: the names the query's columns get. */
  readonly ctasColumns?: readonly string[];
  /** `ALTER TABLE … ADD COLUMN IF NOT EXISTS`. */
  readonly addIfNotExists?: boolean;
  /** `CREATE RECURSIVE VIEW`: the view's query, as the WITH RECURSIVE it stands for. */
  readonly viewQuery?: string;
  /** The rewritten text the SQL parser read, whose positions the tree's spans give. */
  readonly source?: string;
}

/** Marks `UPDATE ALL BY NAME` / `INSERT ALL BY NAME` of a MERGE in the rewritten text. */
export const ALL_BY_NAME = "$ALL_BY_NAME";

/** A statement, parsed. */
export type Statement =
  | { readonly kind: "sql"; readonly ast: Node; readonly meta?: SqlMeta }
  | {
    readonly kind: "createDynamicTable";
    readonly name: NameParts;
    readonly orReplace: boolean;
    readonly ifNotExists: boolean;
    readonly targetLag: TargetLag;
    readonly warehouse: string | null;
    readonly refreshMode: "AUTO" | "FULL" | "INCREMENTAL";
    readonly initialize: "ON_CREATE" | "ON_SCHEDULE";
    readonly columns: readonly string[] | null;
    /** The column list's comments (`name COMMENT '…'`), by position. */
    readonly columnComments: readonly (string | null)[];
    readonly comment: string | null;
    /** `CREATE TRANSIENT DYNAMIC TABLE`. */
    readonly transient: boolean;
    /** The defining query's text and tree. */
    readonly queryText: string;
    readonly query: Node;
  }
  | {
    readonly kind: "alterDynamicTable";
    readonly name: NameParts;
    readonly ifExists: boolean;
    readonly action:
      | { readonly kind: "refresh" | "suspend" | "resume" }
      | {
        /** `SET` of one property or several; those absent are left as they are. */
        readonly kind: "set";
        readonly lag?: TargetLag;
        readonly warehouse?: string;
        readonly comment?: string | null;
      };
  }
  | {
    readonly kind: "createPipe";
    readonly name: NameParts;
    readonly orReplace: boolean;
    readonly ifNotExists: boolean;
    readonly table: NameParts;
    readonly matchByColumnName: "CASE_SENSITIVE" | "CASE_INSENSITIVE" | "NONE";
    readonly comment: string | null;
    /** The `COPY INTO …` text, for SHOW PIPES' definition column. */
    readonly definition: string;
    /** `COPY INTO t (c1, c2, …)`: the target columns, in order; null loads every column. */
    readonly columns: readonly string[] | null;
    /** `FROM (SELECT … FROM TABLE(DATA_SOURCE(…)))`: the transformation's text, or null. */
    readonly transform: string | null;
  }
  | {
    readonly kind: "createStream";
    readonly name: NameParts;
    readonly orReplace: boolean;
    readonly ifNotExists: boolean;
    readonly on: "TABLE" | "VIEW";
    readonly table: NameParts;
    readonly appendOnly: boolean;
    readonly showInitialRows: boolean;
    readonly comment: string | null;
  }
  | {
    readonly kind: "createSequence";
    readonly name: NameParts;
    readonly orReplace: boolean;
    readonly ifNotExists: boolean;
    readonly start: number;
    readonly increment: number;
    readonly ordered: boolean;
    readonly comment: string | null;
  }
  | {
    readonly kind: "createFunction";
    readonly name: NameParts;
    readonly orReplace: boolean;
    readonly ifNotExists: boolean;
    readonly params: readonly { readonly name: string; readonly type: string }[];
    /** `RETURNS TABLE (…)` columns, or null for a scalar function. */
    readonly returnsTable: readonly { readonly name: string; readonly type: string }[] | null;
    readonly returnType: string | null;
    readonly body: string;
  }
  | {
    readonly kind: "drop";
    readonly objectKind: string;
    readonly name: NameParts;
    readonly ifExists: boolean;
  }
  | { readonly kind: "describe"; readonly objectKind: string; readonly name: NameParts }
  | {
    readonly kind: "show";
    readonly what: string;
    readonly terse: boolean;
    readonly like: string | null;
    readonly startsWith: string | null;
    readonly limit: number | null;
    /** `LIMIT n FROM '<name>'`: the listing's cursor. */
    readonly from: string | null;
    readonly in: { readonly kind: string; readonly name: NameParts | null } | null;
    /** SHOW GRANTS ON <kind> <name>: the object. */
    readonly grantsOn?: { readonly kind: string; readonly name: NameParts };
  }
  | { readonly kind: "use"; readonly objectKind: string; readonly name: NameParts }
  /** `COMMENT ON … IS '…'`, `ALTER TABLE | VIEW … SET | UNSET COMMENT`: null clears it. */
  | {
    readonly kind: "comment";
    readonly objectKind: string;
    readonly name: NameParts;
    readonly column: string | null;
    readonly text: string | null;
    readonly ifExists: boolean;
  }
  /**
   * `ALTER TABLE … SET | UNSET` table properties (CHANGE_TRACKING, DATA_RETENTION_TIME_IN_DAYS, …):
   * each value's text, null for UNSET.
   */
  | {
    readonly kind: "tableProperties";
    readonly name: NameParts;
    readonly ifExists: boolean;
    readonly properties: ReadonlyMap<string, string | null>;
  }
  /** `CREATE OR REPLACE SCHEMA`, `CREATE TRANSIENT SCHEMA` (the SQL parser takes the plain form). */
  | {
    readonly kind: "createSchema";
    readonly name: NameParts;
    readonly orReplace: boolean;
    readonly ifNotExists: boolean;
  }
  /** `UNSET x` / `UNSET (x, y)`: session variables to forget (stored names). */
  | { readonly kind: "unset"; readonly names: readonly string[] }
  /** Account-level statements the emulator accepts without effect (warehouses, roles, grants). */
  | { readonly kind: "accepted"; readonly what: string };

/** Raises Snowflake's syntax error for a token. */
function syntaxAt(source: string, t: Token | undefined, expected?: string): SqlError {
  if (!t) return SQL_ERRORS.syntax(`line 1 at position ${source.length} unexpected '<EOF>'.`);
  const { line, col } = lineCol(source, t.start);
  return SQL_ERRORS.syntax(
    `line ${line} at position ${col} unexpected '${source.slice(t.start, t.end)}'.` +
      (expected ? ` Expected ${expected}.` : ""),
  );
}

function lineCol(source: string, offset: number): { line: number; col: number } {
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  const col = offset - (before.lastIndexOf("\n") + 1);
  return { line, col };
}

/** Reads a (possibly qualified) object name. */
function readName(c: Cursor): string[] {
  const parts: string[] = [];
  for (;;) {
    const t = c.next();
    if (t.kind === "word") parts.push(t.text);
    else if (t.kind === "quoted") parts.push(t.text);
    else if (t.kind === "string" && parts.length === 0 && c.source[t.start] === "'") {
      // Some tools quote names as strings (IDENTIFIER('x') is not supported; plain 'x' isn't SQL).
      throw syntaxAt(c.source, t, "an object name");
    } else throw syntaxAt(c.source, t, "an object name");
    if (!c.accept(".")) break;
  }
  if (parts.length > 3) throw SQL_ERRORS.syntax(`invalid object name '${parts.join(".")}'.`);
  return parts;
}

/** Reads a dotted name of at most `max` parts (a column's: table parts then the column). */
function readNameParts(c: Cursor, max: number): string[] {
  const parts: string[] = [];
  for (;;) {
    const t = c.next();
    if (t.kind !== "word" && t.kind !== "quoted") throw syntaxAt(c.source, t, "a name");
    parts.push(t.text);
    if (!c.accept(".")) break;
  }
  if (parts.length > max) throw SQL_ERRORS.syntax(`invalid name '${parts.join(".")}'.`);
  return parts;
}

/** Table properties ALTER TABLE … SET | UNSET records (COMMENT is a statement of its own). */
const TABLE_PROPERTIES = new Set([
  "CHANGE_TRACKING",
  "DATA_RETENTION_TIME_IN_DAYS",
  "MAX_DATA_EXTENSION_TIME_IN_DAYS",
  "ENABLE_SCHEMA_EVOLUTION",
  "DEFAULT_DDL_COLLATION",
  "COMMENT",
]);

/**
 * `SET p = v [, ] …` or `UNSET p [, p] …` of {@link TABLE_PROPERTIES}, to the statement's end;
 * undefined (the cursor where it was) when it is something else.
 */
function readTableProperties(c: Cursor): Map<string, string | null> | undefined {
  const start = c.i;
  const unset = c.next().text === "UNSET";
  const out = new Map<string, string | null>();
  while (!c.done) {
    const t = c.next();
    if (t.kind !== "word" || !TABLE_PROPERTIES.has(t.text)) {
      c.i = start;
      return undefined;
    }
    out.set(t.text, unset ? null : readOptionValue(c).text);
    c.accept(",");
  }
  if (!out.size) {
    c.i = start;
    return undefined;
  }
  return out;
}

/** Reads `= value` (a word, a string, a number) of an option. */
function readOptionValue(c: Cursor): Token {
  c.accept("=");
  const t = c.next();
  if (t.kind === "symbol") throw syntaxAt(c.source, t, "a value");
  return t;
}

/** Parses a TARGET_LAG value: `'<n> seconds|minutes|hours|days'` or DOWNSTREAM. */
export function parseTargetLag(t: Token | string): TargetLag {
  const text = typeof t === "string" ? t : t.text;
  if (typeof t !== "string" && t.kind === "word" && t.text === "DOWNSTREAM") {
    return { kind: "downstream" };
  }
  if (/^\s*downstream\s*$/i.test(text)) return { kind: "downstream" };
  const m = /^\s*(\d+)\s*(seconds?|minutes?|hours?|days?)\s*$/i.exec(text);
  if (!m) {
    throw new SqlError(
      "001002",
      "42601",
      `SQL compilation error:\nInvalid value '${text}' for property 'TARGET_LAG'. ` +
        "Expected '<number> { seconds | minutes | hours | days }' or DOWNSTREAM.",
    );
  }
  const n = Number(m[1]);
  const unit = m[2].toLowerCase().replace(/s$/, "");
  const seconds = n *
    ({ second: 1, minute: 60, hour: 3600, day: 86400 } as Record<string, number>)[unit];
  if (seconds < 60) {
    throw new SqlError(
      "001002",
      "42601",
      `SQL compilation error:\nInvalid value '${text}' for property 'TARGET_LAG'. ` +
        "The target lag must be at least 1 minute.",
    );
  }
  return { kind: "duration", seconds, text: `${n} ${unit}${n === 1 ? "" : "s"}` };
}

const OBJECT_KINDS: readonly (readonly string[])[] = [
  ["DYNAMIC", "TABLE"],
  ["EXTERNAL", "TABLE"],
  ["MATERIALIZED", "VIEW"],
  ["TABLE"],
  ["VIEW"],
  ["PIPE"],
  ["STREAM"],
  ["FUNCTION"],
  ["SCHEMA"],
  ["DATABASE"],
  ["WAREHOUSE"],
  ["ROLE"],
  ["USER"],
  ["TASK"],
  ["STAGE"],
  ["SEQUENCE"],
  ["PROCEDURE"],
];

function readObjectKind(c: Cursor): string | undefined {
  for (const k of OBJECT_KINDS) if (c.accept(...k)) return k.join(" ");
  return undefined;
}

/** CREATE [OR REPLACE] [TRANSIENT|TEMPORARY] DYNAMIC TABLE … AS query */
function parseCreateDynamicTable(
  c: Cursor,
  orReplace: boolean,
  transient: boolean,
  parseQuery: (text: string) => Node,
): Statement {
  const ifNotExists = c.accept("IF", "NOT", "EXISTS");
  const name = readName(c);
  let columns: string[] | null = null;
  const columnComments: (string | null)[] = [];
  if (c.accept("(")) {
    columns = [];
    for (;;) {
      const t = c.next();
      if (t.kind !== "word" && t.kind !== "quoted") throw syntaxAt(c.source, t, "a column name");
      columns.push(t.text);
      columnComments.push(null);
      // A comment is kept; other column options (a type) are accepted and ignored: the query
      // decides types.
      while (!c.at(",") && !c.at(")")) {
        if (c.accept("COMMENT")) {
          columnComments[columnComments.length - 1] = readOptionValue(c).text;
        } else c.next();
      }
      if (c.accept(")")) break;
      c.next();
    }
  }
  let targetLag: TargetLag | undefined;
  let warehouse: string | null = null;
  let refreshMode: "AUTO" | "FULL" | "INCREMENTAL" = "AUTO";
  let initialize: "ON_CREATE" | "ON_SCHEDULE" = "ON_CREATE";
  let comment: string | null = null;
  while (!c.done && !c.at("AS")) {
    const t = c.next();
    if (t.kind !== "word") throw syntaxAt(c.source, t, "a dynamic table property or AS");
    switch (t.text) {
      case "TARGET_LAG":
        targetLag = parseTargetLag(readOptionValue(c));
        break;
      case "WAREHOUSE":
        warehouse = readOptionValue(c).text;
        break;
      case "REFRESH_MODE": {
        const v = readOptionValue(c).text.toUpperCase();
        if (v !== "AUTO" && v !== "FULL" && v !== "INCREMENTAL") {
          throw SQL_ERRORS.invalidProperty("REFRESH_MODE", v);
        }
        refreshMode = v;
        break;
      }
      case "INITIALIZE": {
        const v = readOptionValue(c).text.toUpperCase();
        if (v !== "ON_CREATE" && v !== "ON_SCHEDULE") {
          throw SQL_ERRORS.invalidProperty("INITIALIZE", v);
        }
        initialize = v;
        break;
      }
      case "COMMENT":
        comment = readOptionValue(c).text;
        break;
      case "CLUSTER":
        c.accept("BY");
        skipParenthesised(c);
        break;
      case "COPY":
        c.accept("GRANTS");
        break;
      default:
        // DATA_RETENTION_TIME_IN_DAYS, MAX_DATA_EXTENSION_TIME_IN_DAYS, TAGs…: accepted, no effect.
        if (c.at("=")) readOptionValue(c);
        else if (c.at("(")) skipParenthesised(c);
    }
  }
  if (!c.accept("AS")) throw syntaxAt(c.source, c.peek(), "AS");
  if (!targetLag) {
    throw new SqlError(
      "001003",
      "42000",
      "SQL compilation error:\nMissing option(s): [TARGET_LAG].",
    );
  }
  const queryText = c.rest();
  return {
    kind: "createDynamicTable",
    name,
    orReplace,
    ifNotExists,
    targetLag,
    warehouse,
    refreshMode,
    initialize,
    columns,
    columnComments,
    comment,
    transient,
    queryText,
    query: parseQuery(queryText),
  };
}

function skipParenthesised(c: Cursor): void {
  if (!c.accept("(")) return;
  let depth = 1;
  while (depth > 0) {
    const t = c.next();
    if (t.kind === "symbol" && t.text === "(") depth++;
    else if (t.kind === "symbol" && t.text === ")") depth--;
  }
}

/** CREATE [OR REPLACE] PIPE [IF NOT EXISTS] p [options] AS COPY INTO t FROM TABLE(DATA_SOURCE(…)) */
function parseCreatePipe(c: Cursor, orReplace: boolean): Statement {
  const ifNotExists = c.accept("IF", "NOT", "EXISTS");
  const name = readName(c);
  let comment: string | null = null;
  while (!c.done && !c.at("AS")) {
    const t = c.next();
    if (t.text === "COMMENT") comment = readOptionValue(c).text;
    else if (c.at("=")) readOptionValue(c);
  }
  if (!c.accept("AS")) throw syntaxAt(c.source, c.peek(), "AS");
  const copyStart = c.i;
  if (!c.accept("COPY", "INTO")) throw syntaxAt(c.source, c.peek(), "COPY INTO");
  const table = readName(c);
  let columns: string[] | null = null;
  if (c.accept("(")) {
    columns = [];
    do {
      const t = c.next();
      if (t.kind !== "word" && t.kind !== "quoted") throw syntaxAt(c.source, t, "a column name");
      columns.push(t.text);
    } while (c.accept(","));
    if (!c.accept(")")) throw syntaxAt(c.source, c.peek(), ")");
  }
  if (!c.accept("FROM")) throw syntaxAt(c.source, c.peek(), "FROM");
  let transform: string | null = null;
  if (c.at("(")) {
    // The transformation: a SELECT over TABLE(DATA_SOURCE(…)), checked when the pipe is created.
    const open = c.peek()!;
    skipParenthesised(c);
    transform = c.source.slice(open.end, c.tokens[c.i - 1].start).trim();
  } else if (
    !c.accept("TABLE", "(", "DATA_SOURCE", "(", "TYPE", "=>") ||
    c.next().text.toUpperCase() !== "STREAMING" || !c.accept(")", ")")
  ) {
    throw SQL_ERRORS.unsupported(
      "a pipe that does not read TABLE(DATA_SOURCE(TYPE => 'STREAMING'))",
    );
  }
  let match: "CASE_SENSITIVE" | "CASE_INSENSITIVE" | "NONE" = "NONE";
  while (!c.done) {
    const t = c.next();
    if (t.text === "MATCH_BY_COLUMN_NAME") {
      const v = readOptionValue(c).text.toUpperCase();
      if (v !== "CASE_SENSITIVE" && v !== "CASE_INSENSITIVE" && v !== "NONE") {
        throw SQL_ERRORS.invalidProperty("MATCH_BY_COLUMN_NAME", v);
      }
      match = v;
      if (transform !== null && v !== "NONE") {
        throw new SqlError(
          "002027",
          "0A000",
          "SQL compilation error:\nmatch_by_column_name is not supported with copy transform.",
        );
      }
    } else if (t.kind === "word" && c.at("=")) {
      // ON_ERROR and other copy options: the streaming pipe always continues on error.
      readOptionValue(c);
    } else throw syntaxAt(c.source, t);
  }
  const definition = c.source.slice(c.tokens[copyStart].start).trim();
  return {
    kind: "createPipe",
    name,
    orReplace,
    ifNotExists,
    table,
    matchByColumnName: match,
    comment,
    definition,
    columns,
    transform,
  };
}

/**
 * CREATE [OR REPLACE] SEQUENCE [IF NOT EXISTS] s [WITH] [START [WITH] [=] n]
 * [INCREMENT [BY] [=] n] [ORDER | NOORDER] [COMMENT = '…']
 */
function parseCreateSequence(c: Cursor, orReplace: boolean): Statement {
  const ifNotExists = c.accept("IF", "NOT", "EXISTS");
  const name = readName(c);
  c.accept("WITH");
  let start = 1, increment = 1, ordered = false;
  let comment: string | null = null;
  const whole = () => {
    const minus = c.accept("-");
    const t = c.next();
    const n = Number(t.text) * (minus ? -1 : 1);
    if (t.kind !== "number" || !/^\d+$/.test(t.text) || !Number.isSafeInteger(n)) {
      throw syntaxAt(c.source, t, "a whole number");
    }
    return n;
  };
  while (!c.done) {
    const t = c.next();
    if (t.text === "START") {
      c.accept("WITH");
      c.accept("=");
      start = whole();
    } else if (t.text === "INCREMENT") {
      c.accept("BY");
      c.accept("=");
      increment = whole();
      if (increment === 0) throw SQL_ERRORS.syntax("a sequence cannot increment by 0.");
    } else if (t.text === "ORDER") ordered = true;
    else if (t.text === "NOORDER") ordered = false;
    else if (t.text === "COMMENT") comment = readOptionValue(c).text;
    else throw syntaxAt(c.source, t);
  }
  return {
    kind: "createSequence",
    name,
    orReplace,
    ifNotExists,
    start,
    increment,
    ordered,
    comment,
  };
}

/** CREATE [OR REPLACE] STREAM [IF NOT EXISTS] s ON TABLE|VIEW t [APPEND_ONLY=…] [SHOW_INITIAL_ROWS=…] */
function parseCreateStream(c: Cursor, orReplace: boolean): Statement {
  const ifNotExists = c.accept("IF", "NOT", "EXISTS");
  const name = readName(c);
  let comment: string | null = null;
  while (c.at("COPY", "GRANTS")) c.i += 2;
  if (!c.accept("ON")) throw syntaxAt(c.source, c.peek(), "ON TABLE");
  let on: "TABLE" | "VIEW";
  if (c.accept("TABLE")) on = "TABLE";
  else if (c.accept("VIEW")) on = "VIEW";
  else if (c.at("DYNAMIC", "TABLE")) {
    c.i += 2;
    on = "TABLE";
  } else {
    throw SQL_ERRORS.unsupported(`a stream on ${c.peek()?.text ?? "this object"}`);
  }
  const table = readName(c);
  let appendOnly = false;
  let showInitialRows = false;
  const bool = (t: Token) => {
    const v = t.text.toUpperCase();
    if (v === "TRUE") return true;
    if (v === "FALSE") return false;
    throw syntaxAt(c.source, t, "TRUE or FALSE");
  };
  while (!c.done) {
    const t = c.next();
    if (t.text === "AT" || t.text === "BEFORE") {
      throw SQL_ERRORS.unsupported("a stream created AT or BEFORE a point in time (Time Travel)");
    }
    if (t.text === "APPEND_ONLY") appendOnly = bool(readOptionValue(c));
    else if (t.text === "INSERT_ONLY") appendOnly = bool(readOptionValue(c));
    else if (t.text === "SHOW_INITIAL_ROWS") showInitialRows = bool(readOptionValue(c));
    else if (t.text === "COMMENT") comment = readOptionValue(c).text;
    else throw syntaxAt(c.source, t);
  }
  return {
    kind: "createStream",
    name,
    orReplace,
    ifNotExists,
    on,
    table,
    appendOnly,
    showInitialRows,
    comment,
  };
}

function readTypeText(c: Cursor): string {
  const parts: string[] = [];
  const first = c.next();
  parts.push(first.text);
  while (c.peek()?.kind === "word" && ["PRECISION", "VARYING"].includes(c.peek()!.text)) {
    parts.push(c.next().text);
  }
  if (c.at("(")) {
    const from = c.peek()!.start;
    skipParenthesised(c);
    parts.push(c.source.slice(from, c.tokens[c.i - 1].end));
  }
  return parts.join(" ").replace(/ \(/, "(");
}

/** CREATE [OR REPLACE] FUNCTION f(args) RETURNS TABLE (…) | type [LANGUAGE SQL] AS '…' | $$…$$ */
function parseCreateFunction(c: Cursor, orReplace: boolean): Statement {
  const ifNotExists = c.accept("IF", "NOT", "EXISTS");
  const name = readName(c);
  if (!c.accept("(")) throw syntaxAt(c.source, c.peek(), "(");
  const params: { name: string; type: string }[] = [];
  if (!c.accept(")")) {
    for (;;) {
      const n = c.next();
      if (n.kind !== "word" && n.kind !== "quoted") throw syntaxAt(c.source, n, "an argument name");
      params.push({ name: n.text, type: readTypeText(c) });
      if (c.accept(")")) break;
      if (!c.accept(",")) throw syntaxAt(c.source, c.peek(), "',' or ')'");
    }
  }
  if (!c.accept("RETURNS")) throw syntaxAt(c.source, c.peek(), "RETURNS");
  let returnsTable: { name: string; type: string }[] | null = null;
  let returnType: string | null = null;
  if (c.accept("TABLE")) {
    if (!c.accept("(")) throw syntaxAt(c.source, c.peek(), "(");
    returnsTable = [];
    if (!c.accept(")")) {
      for (;;) {
        const n = c.next();
        returnsTable.push({ name: n.text, type: readTypeText(c) });
        if (c.accept(")")) break;
        if (!c.accept(",")) throw syntaxAt(c.source, c.peek(), "',' or ')'");
      }
    }
  } else returnType = readTypeText(c);
  let body: string | undefined;
  while (!c.done) {
    const t = c.next();
    if (t.text === "LANGUAGE") {
      const lang = c.next().text.toUpperCase();
      if (lang !== "SQL") throw SQL_ERRORS.unsupported(`functions in LANGUAGE ${lang}`);
    } else if (t.text === "AS") {
      const b = c.next();
      if (b.kind !== "string") throw syntaxAt(c.source, b, "the function body as a string");
      body = b.text;
    } else if (t.text === "COMMENT" || t.text === "VOLATILE" || t.text === "IMMUTABLE") {
      if (c.at("=")) readOptionValue(c);
    } else if (t.text === "MEMOIZABLE" || t.text === "SECURE") {
      // accepted
    } else if (
      t.text === "NOT" || t.text === "NULL" || t.text === "CALLED" || t.text === "RETURNS" ||
      t.text === "ON" || t.text === "INPUT" || t.text === "STRICT"
    ) {
      // null-call behaviour: accepted
    } else throw syntaxAt(c.source, t);
  }
  if (body === undefined) throw SQL_ERRORS.syntax("missing function body (AS $$ … $$).");
  return {
    kind: "createFunction",
    name,
    orReplace,
    ifNotExists,
    params,
    returnsTable,
    returnType,
    body,
  };
}

/** SHOW [TERSE] <objects> [LIKE '…'] [IN …] [STARTS WITH '…'] [LIMIT n] */
function parseShow(c: Cursor): Statement {
  const terse = c.accept("TERSE");
  if (c.accept("GRANTS")) {
    // SHOW GRANTS [ON ACCOUNT | ON <kind> <name> | TO … | OF …]
    let grantsOn: { kind: string; name: NameParts } | undefined;
    if (c.accept("ON")) {
      if (!c.accept("ACCOUNT")) {
        const kind = readObjectKind(c) ?? "TABLE";
        grantsOn = { kind, name: readName(c) };
      }
    } else if (c.accept("TO") || c.accept("OF")) {
      c.next();
      if (!c.done) readName(c);
    }
    if (!c.done) throw syntaxAt(c.source, c.peek());
    return {
      kind: "show",
      what: "GRANTS",
      terse,
      like: null,
      startsWith: null,
      limit: null,
      from: null,
      in: null,
      ...(grantsOn ? { grantsOn } : {}),
    };
  }
  const words: string[] = [];
  while (
    !c.done && c.peek()!.kind === "word" &&
    !["LIKE", "IN", "STARTS", "LIMIT", "HISTORY"].includes(c.peek()!.text)
  ) {
    words.push(c.next().text);
  }
  if (!words.length) throw syntaxAt(c.source, c.peek(), "an object kind");
  const what = words.join(" ");
  let like: string | null = null;
  let startsWith: string | null = null;
  let limit: number | null = null;
  let from: string | null = null;
  let inClause: { kind: string; name: NameParts | null } | null = null;
  while (!c.done) {
    if (c.accept("LIKE")) {
      const t = c.next();
      if (t.kind !== "string") throw syntaxAt(c.source, t, "a pattern string");
      like = t.text;
    } else if (c.accept("IN")) {
      if (c.accept("ACCOUNT")) inClause = { kind: "ACCOUNT", name: null };
      else {
        const kind = readObjectKind(c) ?? "";
        const name = c.done || c.at("STARTS") || c.at("LIMIT") ? null : readName(c);
        inClause = { kind: kind || (name && name.length === 1 ? "SCHEMA?" : "SCHEMA"), name };
      }
    } else if (c.accept("STARTS", "WITH")) {
      const t = c.next();
      startsWith = t.text;
    } else if (c.at("HISTORY")) {
      throw SQL_ERRORS.unsupported(`SHOW ${what} HISTORY (Time Travel)`);
    } else if (c.accept("LIMIT")) {
      const n = c.next();
      if (n.kind !== "number" || !/^\d+$/.test(n.text)) throw syntaxAt(c.source, n, "a row count");
      limit = Number(n.text);
      if (c.accept("FROM")) {
        const t = c.next();
        if (t.kind !== "string") throw syntaxAt(c.source, t, "a name string");
        from = t.text;
      }
    } else throw syntaxAt(c.source, c.peek());
  }
  return { kind: "show", what, terse, like, startsWith, limit, from, in: inClause };
}

/**
 * Parses one statement (the text of one, without its semicolon). Throws {@link SqlError} with
 * Snowflake's syntax error when it cannot.
 */
export async function parseStatement(text: string): Promise<Statement> {
  if (new TextEncoder().encode(text).length > MAX_STATEMENT_BYTES) {
    // A compilation error of the syntax class (not 000904, which says a name is invalid).
    throw new SqlError(
      "001003",
      "42000",
      `SQL compilation error:\nthe statement is longer than ${MAX_STATEMENT_BYTES} bytes.`,
    );
  }
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof LexError) {
      const { line, col } = lineCol(text, e.offset);
      throw SQL_ERRORS.syntax(`line ${line} at position ${col}: ${e.message}.`);
    }
    throw e;
  }
  checkNesting(tokens);
  const parser = await loadSqlParser();
  const parseQuery = (q: string): Node => {
    const ast = parseSql(parser, q);
    if (ast.length !== 1 || variant(ast[0]) !== "Query") {
      throw SQL_ERRORS.syntax("the definition must be one query (SELECT …).");
    }
    return ast[0].Query;
  };
  const c = new Cursor(text, tokens);
  checkCreateOptions(c);
  const front = parseObjectStatement(c, parseQuery);
  if (front) return front;
  const r = rewrite(text, tokens);
  const ast = parseSql(parser, r.text);
  if (ast.length !== 1) throw SQL_ERRORS.multipleStatements(ast.length);
  return { kind: "sql", ast: ast[0], meta: r.meta };
}

/** OR REPLACE and IF NOT EXISTS cannot go together. */
function checkCreateOptions(c: Cursor): void {
  if (!c.at("CREATE", "OR", "REPLACE")) return;
  const words = c.tokens.slice(3, 12).map((t) => (t.kind === "word" ? t.text : ""));
  for (let i = 0; i + 2 < words.length; i++) {
    if (words[i] === "IF" && words[i + 1] === "NOT" && words[i + 2] === "EXISTS") {
      throw SQL_ERRORS.syntax("OR REPLACE and IF NOT EXISTS are incompatible.");
    }
  }
}

/** Words that begin an ALTER TABLE operation after a comma. */
const OPERATION_WORDS = new Set(["ADD", "DROP", "ALTER", "MODIFY", "RENAME"]);

const CONSTRAINT_PROPERTIES = new Set([
  "RELY",
  "NORELY",
  "VALIDATE",
  "NOVALIDATE",
  "ENFORCED",
  "ENABLE",
  "DISABLE",
  "DEFERRABLE",
  "INITIALLY",
  "DEFERRED",
  "IMMEDIATE",
]);

/**
 * Rewrites Snowflake syntax the SQL parser does not take into equivalent text it does, and says
 * what it took out: constraint properties (RELY …, recorded by Snowflake and enforced by nobody),
 * CTAS column lists without types, ADD COLUMN IF NOT EXISTS, CREATE RECURSIVE VIEW and MERGE's
 * ALL BY NAME.
 */
export function rewrite(text: string, tokens: readonly Token[]): { text: string; meta?: SqlMeta } {
  const w = (
    i: number,
  ) => (tokens[i]?.kind === "word"
    ? tokens[i].text
    : tokens[i]?.kind === "symbol"
    ? tokens[i].text
    : undefined);
  const cut: [number, number, string][] = [];
  const meta: { ctasColumns?: string[]; addIfNotExists?: boolean; viewQuery?: string } = {};
  const isTableDdl = w(0) === "CREATE" || w(0) === "ALTER";
  if (isTableDdl) {
    for (let i = 1; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.kind !== "word" || !CONSTRAINT_PROPERTIES.has(t.text)) continue;
      const prev = w(i - 1);
      if (
        prev === ")" || prev === "NOT" || prev === "KEY" || prev === "UNIQUE" ||
        (prev !== undefined && CONSTRAINT_PROPERTIES.has(prev))
      ) {
        const from = prev === "NOT" && t.text === "ENFORCED" ? tokens[i - 1].start : t.start;
        cut.push([from, t.end, ""]);
      }
    }
  }
  // ALTER TABLE t MODIFY [COLUMN] c SET DATA TYPE … | TYPE … | [SET | DROP] NOT NULL | DROP
  // DEFAULT: Snowflake's synonym of ALTER [COLUMN]. (MODIFY [COLUMN] c <type> stays MODIFY: the
  // parser reads that form itself.)
  if (w(0) === "ALTER" && w(1) === "TABLE") {
    for (let i = 2; i + 2 < tokens.length; i++) {
      if (w(i) !== "MODIFY") continue;
      const name = w(i + 1) === "COLUMN" ? i + 2 : i + 1;
      const next = w(name + 1);
      if (next === "SET" || next === "DROP" || next === "TYPE") {
        cut.push([tokens[i].start, tokens[i].end, "ALTER"]);
      }
    }
  }
  // ALTER TABLE t ADD [COLUMN] IF NOT EXISTS …
  if (w(0) === "ALTER" && w(1) === "TABLE") {
    for (let i = 2; i + 3 < tokens.length; i++) {
      if (w(i) === "ADD" && (w(i + 1) === "IF" || (w(i + 1) === "COLUMN" && w(i + 2) === "IF"))) {
        const j = w(i + 1) === "IF" ? i + 1 : i + 2;
        if (w(j + 1) === "NOT" && w(j + 2) === "EXISTS") {
          cut.push([tokens[j].start, tokens[j + 2].end, ""]);
          meta.addIfNotExists = true;
        }
      }
    }
  }
  // CREATE [OR REPLACE] SCOPED TEMPORARY …: Snowpark's temporary objects, temporary here.
  if (w(0) === "CREATE") {
    const at = w(1) === "OR" && w(2) === "REPLACE" ? 3 : 1;
    if (w(at) === "SCOPED" && (w(at + 1) === "TEMPORARY" || w(at + 1) === "TEMP")) {
      cut.push([tokens[at].start, tokens[at].end, ""]);
    }
  }
  // ALTER TABLE t ADD [COLUMN] a INT, b INT: each further column its own ADD, as the SQL parser
  // takes a list of operations.
  if (w(0) === "ALTER" && w(1) === "TABLE") {
    const add = tokens.findIndex((t, i) => i > 1 && t.kind === "word" && t.text === "ADD");
    const next = w(add + 1) === "COLUMN" ? w(add + 2) : w(add + 1);
    if (add > 0 && next !== "CONSTRAINT" && next !== "PRIMARY" && next !== "UNIQUE") {
      let depth = 0;
      for (let i = add + 1; i < tokens.length; i++) {
        const t = w(i);
        if (t === "(") depth++;
        else if (t === ")") depth--;
        else if (t === "," && depth === 0 && tokens[i + 1] && !OPERATION_WORDS.has(w(i + 1)!)) {
          cut.push([tokens[i].end, tokens[i].end, " ADD COLUMN"]);
        }
      }
    }
  }
  // CREATE [OR REPLACE] TABLE t (a, b) AS query: a column list without types.
  if (w(0) === "CREATE") {
    let i = 1;
    if (w(i) === "OR" && w(i + 1) === "REPLACE") i += 2;
    while (CREATE_MODIFIERS.has(w(i) ?? "")) i++;
    if (w(i) === "TABLE") {
      i++;
      if (w(i) === "IF" && w(i + 1) === "NOT" && w(i + 2) === "EXISTS") i += 3;
      while (
        tokens[i] && (tokens[i].kind === "word" || tokens[i].kind === "quoted") && w(i + 1) === "."
      ) i += 2;
      i++;
      if (w(i) === "(") {
        const names: string[] = [];
        let j = i + 1;
        while (
          tokens[j] && (tokens[j].kind === "word" || tokens[j].kind === "quoted") &&
          (w(j + 1) === "," || w(j + 1) === ")")
        ) {
          names.push(tokens[j].text);
          j += 2;
          if (w(j - 1) === ")") break;
        }
        if (names.length && w(j - 1) === ")" && w(j) === "AS") {
          cut.push([tokens[i].start, tokens[j - 1].end, ""]);
          meta.ctasColumns = names;
        }
      }
    }
    // CREATE [OR REPLACE] RECURSIVE VIEW v (cols) AS query
    let k = 1;
    if (w(k) === "OR" && w(k + 1) === "REPLACE") k += 2;
    if (w(k) === "RECURSIVE" && w(k + 1) === "VIEW") {
      let n = k + 2;
      if (w(n) === "IF" && w(n + 1) === "NOT" && w(n + 2) === "EXISTS") n += 3;
      const nameStart = tokens[n]?.start ?? 0;
      while (tokens[n] && w(n + 1) === ".") n += 2;
      const nameEnd = tokens[n]?.end ?? 0;
      const name = text.slice(nameStart, nameEnd);
      if (w(n + 1) !== "(") throw SQL_ERRORS.syntax("a recursive view needs its column list.");
      let m = n + 2;
      let depth = 1;
      while (tokens[m] && depth > 0) {
        if (w(m) === "(") depth++;
        if (w(m) === ")") depth--;
        m++;
      }
      const cols = text.slice(tokens[n + 1].start, tokens[m - 1].end);
      if (w(m) !== "AS") throw SQL_ERRORS.syntax("expected AS after the recursive view's columns.");
      const body = text.slice(tokens[m + 1]?.start ?? text.length);
      const shortName = tokens[n].kind === "quoted"
        ? `"${tokens[n].text.replaceAll('"', '""')}"`
        : tokens[n].text;
      const query = `WITH RECURSIVE ${shortName} ${cols} AS (${body}) SELECT * FROM ${shortName}`;
      meta.viewQuery = query;
      return {
        text: `${text.slice(0, tokens[k].start)}VIEW ${name} ${cols} AS ${query}`,
        meta,
      };
    }
  }
  // MERGE … WHEN MATCHED THEN UPDATE ALL BY NAME / WHEN NOT MATCHED THEN INSERT ALL BY NAME
  if (w(0) === "MERGE") {
    for (let i = 1; i + 3 < tokens.length; i++) {
      if (w(i + 1) === "ALL" && w(i + 2) === "BY" && w(i + 3) === "NAME") {
        if (w(i) === "UPDATE") {
          cut.push([tokens[i + 1].start, tokens[i + 3].end, `SET "${ALL_BY_NAME}" = 0`]);
        }
        if (w(i) === "INSERT") {
          cut.push([tokens[i + 1].start, tokens[i + 3].end, `("${ALL_BY_NAME}") VALUES (0)`]);
        }
      }
    }
  }
  // Escapes the SQL parser does not decode (`\xhh`, `\uhhhh`, octal `\ooo`): the literal as
  // this lexer read it, written again with only the escapes the parser knows. Never longer.
  for (const t of tokens) {
    if (t.kind !== "string" || text[t.start] !== "'") continue;
    if (!/\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|[0-7]{3})/.test(text.slice(t.start, t.end))) {
      continue;
    }
    const body = t.text.replaceAll("\\", "\\\\").replaceAll("'", "''").replaceAll("\0", "\\0");
    cut.push([t.start, t.end, `'${body}'`]);
  }
  if (!cut.length) return { text, meta: Object.keys(meta).length ? meta : undefined };
  cut.sort((a, b) => a[0] - b[0]);
  let out = "";
  let at = 0;
  for (const [from, to, by] of cut) {
    // Padded to the length it replaces, so that the positions of what follows (which DDL reads
    // source text by: a column's DEFAULT) stay those of the statement as it was sent.
    out += text.slice(at, from) + by.padEnd(to - from);
    at = to;
  }
  out += text.slice(at);
  return { text: out, meta: { ...meta, source: out } };
}

/** Words that end one operand chain: a list separator, a clause, a CASE branch. */
const CHAIN_BREAKS = new Set([
  "SELECT",
  "FROM",
  "WHERE",
  "GROUP",
  "HAVING",
  "QUALIFY",
  "ORDER",
  "LIMIT",
  "JOIN",
  "ON",
  "USING",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "END",
  "AS",
  "BY",
  "VALUES",
  "SET",
  "WINDOW",
  "OVER",
  "PARTITION",
]);

/** Binary operators and set operations: each one in a chain adds a level to the parse tree. */
const CHAIN_OPERATORS = new Set([
  "+",
  "-",
  "*",
  "/",
  "%",
  "||",
  "=",
  "<>",
  "!=",
  "<",
  ">",
  "<=",
  ">=",
  "AND",
  "OR",
  "LIKE",
  "ILIKE",
  "IS",
]);

/** Set operations chain queries: their count at a level does not restart with each SELECT. */
const SET_OPERATORS = new Set(["UNION", "INTERSECT", "EXCEPT", "MINUS"]);

/**
 * Refuses statements whose parse tree would be too deep, before they reach the parser: a chain
 * `a + b + c …` nests one level per operator, and a tree deeper than the WebAssembly parser's
 * stack crashes it for every later statement too. The depth is estimated per token as the sum,
 * over its enclosing parentheses, of the operators chained so far at each level.
 */
function checkNesting(tokens: readonly Token[]): void {
  const chains = [0];
  const sets = [0];
  // CASE … END nests like a parenthesis (the parser recurses into each).
  let cases = 0;
  for (const t of tokens) {
    if (t.kind === "word" && (t.text === "CASE" || (t.text === "END" && cases > 0))) {
      cases += t.text === "CASE" ? 1 : -1;
      if (chains.length - 1 + cases > MAX_NESTING) {
        throw new SqlError(
          "001003",
          "42000",
          `SQL compilation error:\nthe statement nests parentheses and CASE expressions deeper than ${MAX_NESTING} levels.`,
        );
      }
      continue;
    }
    if (t.kind === "symbol" && t.text === "(") {
      chains.push(0);
      sets.push(0);
      if (chains.length - 1 + cases > MAX_NESTING) {
        throw new SqlError(
          "001003",
          "42000",
          `SQL compilation error:\nthe statement nests parentheses deeper than ${MAX_NESTING} levels.`,
        );
      }
      continue;
    }
    if (t.kind === "symbol" && t.text === ")") {
      if (chains.length > 1) {
        chains.pop();
        sets.pop();
      }
      continue;
    }
    const word = t.kind === "word" || t.kind === "symbol" ? t.text : "";
    const top = chains.length - 1;
    if (SET_OPERATORS.has(word)) sets[top]++;
    else if (word === "," || word === ";" || CHAIN_BREAKS.has(word)) chains[top] = 0;
    else if (CHAIN_OPERATORS.has(word)) chains[top]++;
    else continue;
    let depth = 0;
    for (let i = 0; i <= top; i++) depth += chains[i] + sets[i] + 1;
    if (depth > MAX_EXPRESSION_DEPTH) {
      throw new SqlError(
        "001003",
        "42000",
        `SQL compilation error:\nthe statement's expressions nest deeper than ${MAX_EXPRESSION_DEPTH} levels (a chain of operators or set operations nests one level per operator).`,
      );
    }
  }
}

/**
 * Kinds of objects the emulator does not have. A statement that creates, alters, describes or
 * executes one gets Snowflake's "Unsupported feature" error naming it, not a syntax error.
 */
const ABSENT_KINDS: readonly (readonly string[])[] = [
  ["TASK"],
  ["PROCEDURE"],
  ["STAGE"],
  ["ALERT"],
  ["FILE", "FORMAT"],
  ["MASKING", "POLICY"],
  ["ROW", "ACCESS", "POLICY"],
  ["PASSWORD", "POLICY"],
  ["SESSION", "POLICY"],
  ["NETWORK", "POLICY"],
  ["AGGREGATION", "POLICY"],
  ["PROJECTION", "POLICY"],
  ["AUTHENTICATION", "POLICY"],
  ["HYBRID", "TABLE"],
  ["EXTERNAL", "TABLE"],
  ["ICEBERG", "TABLE"],
  ["EVENT", "TABLE"],
  ["MATERIALIZED", "VIEW"],
  ["SECRET"],
  ["SHARE"],
  ["STREAMLIT"],
  ["NOTEBOOK"],
  ["SERVICE"],
  ["COMPUTE", "POOL"],
  ["IMAGE", "REPOSITORY"],
  ["GIT", "REPOSITORY"],
  ["REPLICATION", "GROUP"],
  ["FAILOVER", "GROUP"],
  ["EXTERNAL", "VOLUME"],
  ["SEMANTIC", "VIEW"],
];

/** Statements about files in stages, which the emulator does not have. */
const STAGE_COMMANDS = ["PUT", "GET", "LIST", "LS", "REMOVE", "RM"];

/** Throws "Unsupported feature" for a statement about something the emulator does not have. */
function refuseAbsent(c: Cursor): void {
  const head = c.peek()?.text;
  if (head && STAGE_COMMANDS.includes(head) && c.peek()?.kind === "word") {
    throw SQL_ERRORS.unsupported(`${head} (stages)`);
  }
  // DROP … IF EXISTS of such an object stays a statement that succeeds: cleanup scripts run it.
  if (!["CREATE", "ALTER", "DESCRIBE", "DESC", "EXECUTE"].includes(head ?? "")) return;
  const start = c.i;
  c.next();
  if (head === "CREATE") {
    // CREATE OR ALTER (a declarative change of a table's or dynamic table's definition).
    if (c.at("OR", "ALTER")) throw SQL_ERRORS.unsupported("CREATE OR ALTER");
    c.accept("OR", "REPLACE");
    c.acceptAll(CREATE_MODIFIERS);
  }
  if (head === "DESCRIBE" || head === "DESC") {
    if (c.at("RESULT")) throw SQL_ERRORS.unsupported("DESCRIBE RESULT");
  }
  if (head === "ALTER" && c.at("SEQUENCE")) throw SQL_ERRORS.unsupported("ALTER SEQUENCE");
  for (const kind of ABSENT_KINDS) {
    if (c.at(...kind)) {
      throw SQL_ERRORS.unsupported(`${head === "DESC" ? "DESCRIBE" : head} ${kind.join(" ")}`);
    }
  }
  c.i = start;
}

/** The statements read from tokens here, or undefined for the SQL parser's. */
function parseObjectStatement(c: Cursor, parseQuery: (q: string) => Node): Statement | undefined {
  refuseAbsent(c);
  if (c.at("UNDROP")) throw SQL_ERRORS.unsupported("UNDROP (Time Travel)");
  if (c.at("DESCRIBE", "TRANSACTION") || c.at("DESC", "TRANSACTION")) {
    throw SQL_ERRORS.unsupported("DESCRIBE TRANSACTION");
  }
  if (c.at("DECLARE")) {
    throw SQL_ERRORS.unsupported("Snowflake Scripting blocks (DECLARE … BEGIN … END)");
  }
  if (c.accept("UNSET")) {
    const names: string[] = [];
    const one = () => {
      const t = c.next();
      if (t.kind !== "word" && t.kind !== "quoted") throw syntaxAt(c.source, t, "a variable name");
      names.push(t.text);
    };
    if (c.accept("(")) {
      do one(); while (c.accept(","));
      if (!c.accept(")")) throw syntaxAt(c.source, c.peek(), "')'");
    } else one();
    c.accept(";");
    if (!c.done) throw syntaxAt(c.source, c.peek());
    return { kind: "unset", names };
  }
  if (c.accept("CREATE")) {
    const orReplace = c.accept("OR", "REPLACE");
    // The SQL parser reads TEMPORARY and TRANSIENT again where the statement goes to it.
    const modifiersAt = c.i;
    const modifiers = c.acceptAll(CREATE_MODIFIERS);
    const transient = c.tokens.slice(modifiersAt, c.i).some((t) => t.text === "TRANSIENT");
    const schemaAt = c.i;
    if (c.accept("SCHEMA")) {
      // Snowflake's options the SQL parser does not take: managed access, retention.
      const ifNotExists = c.accept("IF", "NOT", "EXISTS");
      const name = readName(c);
      let options = 0;
      for (;;) {
        if (c.accept("WITH", "MANAGED", "ACCESS")) options++;
        else if (
          c.at("DATA_RETENTION_TIME_IN_DAYS") || c.at("MAX_DATA_EXTENSION_TIME_IN_DAYS") ||
          c.at("DEFAULT_DDL_COLLATION")
        ) {
          c.next();
          readOptionValue(c);
          options++;
        } else break;
      }
      c.accept(";");
      if ((orReplace || modifiers || options) && c.done) {
        return { kind: "createSchema", name, orReplace, ifNotExists };
      }
      if (orReplace || modifiers) throw syntaxAt(c.source, c.peek());
      c.i = schemaAt;
    }
    if (c.accept("DYNAMIC", "TABLE")) {
      return parseCreateDynamicTable(c, orReplace, transient, parseQuery);
    }
    if (c.accept("PIPE")) return parseCreatePipe(c, orReplace);
    if (c.accept("STREAM")) return parseCreateStream(c, orReplace);
    if (c.accept("SEQUENCE")) return parseCreateSequence(c, orReplace);
    if (c.accept("FUNCTION")) return parseCreateFunction(c, orReplace);
    for (const what of ["WAREHOUSE", "ROLE", "USER", "NETWORK", "RESOURCE", "INTEGRATION", "TAG"]) {
      if (c.at(what)) return { kind: "accepted", what: `CREATE ${what}` };
    }
    return undefined;
  }
  if (c.accept("ALTER")) {
    if (c.accept("DYNAMIC", "TABLE")) {
      const ifExists = c.accept("IF", "EXISTS");
      const name = readName(c);
      const t = c.next();
      if (t.text === "REFRESH" || t.text === "SUSPEND" || t.text === "RESUME") {
        return {
          kind: "alterDynamicTable",
          name,
          ifExists,
          action: { kind: t.text.toLowerCase() as "refresh" },
        };
      }
      if (t.text === "UNSET" && c.accept("COMMENT")) {
        return {
          kind: "comment",
          objectKind: "DYNAMIC TABLE",
          name,
          column: null,
          text: null,
          ifExists,
        };
      }
      if (t.text === "SET") {
        // SET TARGET_LAG = … WAREHOUSE = … COMMENT = …: any of them, in any order, each applied.
        let lag: TargetLag | undefined, warehouse: string | undefined;
        let comment: string | null | undefined;
        while (!c.done) {
          c.accept(",");
          const p = c.next();
          if (p.text === "TARGET_LAG") lag = parseTargetLag(readOptionValue(c));
          else if (p.text === "WAREHOUSE") warehouse = readOptionValue(c).text;
          else if (p.text === "COMMENT") comment = readOptionValue(c).text;
          else throw SQL_ERRORS.unsupported(`ALTER DYNAMIC TABLE … SET ${p.text}`);
        }
        if (lag === undefined && warehouse === undefined && comment === undefined) {
          throw SQL_ERRORS.syntax("ALTER DYNAMIC TABLE … SET needs a property.");
        }
        return {
          kind: "alterDynamicTable",
          name,
          ifExists,
          action: { kind: "set", lag, warehouse, comment },
        };
      }
      throw SQL_ERRORS.unsupported(`ALTER DYNAMIC TABLE … ${t.text}`);
    }
    // ALTER STREAM | PIPE name SET COMMENT = '…' | UNSET COMMENT; a pipe's other changes are
    // accepted (nothing here pauses a pipe).
    for (const what of ["STREAM", "PIPE"]) {
      const at = c.i;
      if (!c.accept(what)) continue;
      const ifExists = c.accept("IF", "EXISTS");
      const name = readName(c);
      if (c.accept("SET", "COMMENT")) {
        const text = readOptionValue(c).text;
        return { kind: "comment", objectKind: what, name, column: null, text, ifExists };
      }
      if (c.accept("UNSET", "COMMENT")) {
        return { kind: "comment", objectKind: what, name, column: null, text: null, ifExists };
      }
      c.i = at;
    }
    for (const what of ["WAREHOUSE", "ROLE", "USER", "ACCOUNT", "PIPE"]) {
      if (c.at(what)) return { kind: "accepted", what: `ALTER ${what}` };
    }
    // ALTER DATABASE | SCHEMA … SET | UNSET properties, ENABLE | DISABLE MANAGED ACCESS: recorded
    // nowhere (nothing here keeps history or grants).
    for (const what of ["DATABASE", "SCHEMA"]) {
      const at = c.i;
      if (!c.accept(what)) continue;
      c.accept("IF", "EXISTS");
      readName(c);
      if (c.at("SET") || c.at("UNSET") || c.at("ENABLE") || c.at("DISABLE")) {
        return { kind: "accepted", what: `ALTER ${what}` };
      }
      if (c.at("RENAME") || c.at("SWAP")) {
        throw SQL_ERRORS.unsupported(`ALTER ${what} … ${c.peek()?.text ?? ""}`);
      }
      c.i = at;
    }
    // ALTER TABLE | VIEW name SET COMMENT = '…' | UNSET COMMENT (the rest is the SQL parser's).
    const start = c.i;
    const objectKind = c.accept("TABLE") ? "TABLE" : c.accept("VIEW") ? "VIEW" : undefined;
    if (objectKind) {
      const ifExists = c.accept("IF", "EXISTS");
      const name = readName(c);
      if (c.accept("SET", "COMMENT")) {
        const text = readOptionValue(c).text;
        return { kind: "comment", objectKind, name, column: null, text, ifExists };
      }
      if (c.accept("UNSET", "COMMENT")) {
        return { kind: "comment", objectKind, name, column: null, text: null, ifExists };
      }
      if (objectKind === "VIEW" && (c.accept("SET", "SECURE") || c.accept("UNSET", "SECURE"))) {
        return { kind: "accepted", what: "ALTER VIEW … SECURE" };
      }
      if (objectKind === "TABLE" && (c.at("SET") || c.at("UNSET"))) {
        const properties = readTableProperties(c);
        if (properties) return { kind: "tableProperties", name, ifExists, properties };
      }
      // ALTER | MODIFY [COLUMN] c COMMENT '…' | UNSET COMMENT
      if (objectKind === "TABLE" && (c.accept("ALTER") || c.accept("MODIFY"))) {
        c.accept("COLUMN");
        const column = c.next();
        if (column.kind === "word" || column.kind === "quoted") {
          if (c.accept("COMMENT")) {
            const text = readOptionValue(c).text;
            if (c.done) {
              return { kind: "comment", objectKind, name, column: column.text, text, ifExists };
            }
          } else if (c.accept("UNSET", "COMMENT") && c.done) {
            return { kind: "comment", objectKind, name, column: column.text, text: null, ifExists };
          }
        }
      }
    }
    c.i = start;
    return undefined;
  }
  if (c.accept("DROP")) {
    const kind = readObjectKind(c);
    if (!kind) return undefined;
    const ifExists = c.accept("IF", "EXISTS");
    const name = readName(c);
    if (kind === "FUNCTION" && c.at("(")) skipParenthesised(c);
    c.accept("CASCADE") || c.accept("RESTRICT");
    if (!c.done) throw syntaxAt(c.source, c.peek());
    if (["WAREHOUSE", "ROLE", "USER"].includes(kind)) {
      return { kind: "accepted", what: `DROP ${kind}` };
    }
    return { kind: "drop", objectKind: kind, name, ifExists };
  }
  if (c.accept("DESCRIBE") || c.accept("DESC")) {
    const kind = readObjectKind(c) ?? "TABLE";
    const name = readName(c);
    if (kind === "FUNCTION" && c.at("(")) skipParenthesised(c);
    c.accept("TYPE", "=") && c.next();
    if (!c.done) throw syntaxAt(c.source, c.peek());
    return { kind: "describe", objectKind: kind, name };
  }
  if (c.accept("SHOW")) return parseShow(c);
  if (c.accept("USE")) {
    let kind = "SCHEMA?";
    for (const k of ["DATABASE", "SCHEMA", "WAREHOUSE", "ROLE", "SECONDARY"]) {
      if (c.accept(k)) {
        kind = k;
        break;
      }
    }
    if (kind === "SECONDARY") return { kind: "accepted", what: "USE SECONDARY ROLES" };
    const name = readName(c);
    if (!c.done) throw syntaxAt(c.source, c.peek());
    return { kind: "use", objectKind: kind, name };
  }
  if (c.at("GRANT") || c.at("REVOKE")) return { kind: "accepted", what: c.peek()!.text };
  if (c.at("COMMENT")) {
    c.next();
    const ifExists = c.accept("IF", "EXISTS");
    if (!c.accept("ON")) throw syntaxAt(c.source, c.peek(), "ON");
    const objectKind = c.accept("DYNAMIC", "TABLE") ? "DYNAMIC TABLE" : c.next().text;
    if (!["TABLE", "VIEW", "DYNAMIC TABLE", "COLUMN", "PIPE", "STREAM"].includes(objectKind)) {
      // Databases, schemas, warehouses…: accepted, as their other settings are.
      return { kind: "accepted", what: "COMMENT" };
    }
    const parts = readNameParts(c, objectKind === "COLUMN" ? 4 : 3);
    if (!c.accept("IS")) throw syntaxAt(c.source, c.peek(), "IS");
    const t = c.next();
    if (t.kind !== "string") throw syntaxAt(c.source, t, "a string");
    const column = objectKind === "COLUMN" ? parts.at(-1)! : null;
    const name = objectKind === "COLUMN" ? parts.slice(0, -1) : parts;
    if (!name.length) throw syntaxAt(c.source, t, "a column name qualified by its table");
    return {
      kind: "comment",
      objectKind: objectKind === "COLUMN" ? "TABLE" : objectKind,
      name,
      column,
      text: t.text,
      ifExists,
    };
  }
  return undefined;
}

/** Runs the SQL parser, turning its errors into Snowflake's syntax error. */
function parseSql(parser: SqlParserModule, text: string): Node[] {
  try {
    return parser.parse(text, "snowflake") as Node[];
  } catch (e) {
    const message = String((e as Error).message ?? e);
    const m = /Expected: (.*?), found: (.*?) at Line: (\d+), Column: (\d+)/s.exec(message);
    if (m) {
      throw SQL_ERRORS.syntax(
        `line ${m[3]} at position ${Number(m[4]) - 1} unexpected '${m[2]}'. Expected ${m[1]}.`,
      );
    }
    if (/recursion limit/i.test(message)) {
      throw new SqlError(
        "001003",
        "42000",
        "SQL compilation error:\nthe statement is nested too deeply.",
      );
    }
    throw SQL_ERRORS.syntax(message.replace(/^.*?sql parser error: /s, ""));
  }
}

/** An identifier node's stored name (re-exported for statement executors). */
export type { Ident };

let loaded: SqlParserModule | undefined;

/** Loads the parser and keeps it for {@link parseQuerySync}. */
export async function ensureSqlParser(): Promise<void> {
  loaded ??= await loadSqlParser();
}

/** Parses one query (a view's or function's body) with the parser already loaded. */
export function parseQuerySync(text: string): Node {
  if (!loaded) throw new Error("the SQL parser is not loaded yet (call ensureSqlParser first)");
  const ast = parseSql(loaded, text);
  if (ast.length !== 1 || variant(ast[0]) !== "Query") {
    throw SQL_ERRORS.syntax("expected one query (SELECT …).");
  }
  return ast[0].Query;
}
