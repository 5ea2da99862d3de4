/**
 * What the emulator's SQL API runs. It is not a SQL engine: it recognises the statements liftline
 * and snowflake-sdk send and answers each exactly, and refuses everything else with a
 * Snowflake-shaped error instead of guessing.
 *
 * Recognised, in order:
 * - liftline's report queries (src/reports/queries.ts), by normalised text: they are portable
 *   SQL, so the same text runs on the warehouse;
 * - simple SELECTs from one known table or view (columns or MIN/MAX/SUM/AVG/COUNT, WHERE with
 *   comparisons joined by AND, ORDER BY, LIMIT) — a grammar on which the two dialects agree;
 * - `TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => …))` in that same grammar;
 * - `ALTER DYNAMIC TABLE x REFRESH` and `ALTER DYNAMIC TABLE x SET TARGET_LAG = …`;
 * - `SELECT 1`, `SELECT CURRENT_USER()` and friends, `USE …`, `ALTER SESSION …`;
 * - liftline's setup statements (see setup_match.ts).
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { normalizeSql, SqlSyntaxError, sqlTokens, type Token } from "../../../sql/render.ts";
import { type ColumnKind, REPORT_QUERIES, type ReportQuery } from "../../reports/queries.ts";
import { DEFINITIONS, DYNAMIC_TABLES, type DynamicTableName, META } from "../dynamic/schema.ts";
import type { DynamicTableEngine } from "../dynamic/engine.ts";
import { RefreshError } from "../dynamic/engine.ts";
import type { TableDef } from "../table_schema.ts";
import {
  type ResultColumn,
  type SessionNames,
  type SfType,
  SQL_ERRORS,
  SqlError,
  STATEMENT_TYPE,
  type StatementResult,
} from "./result.ts";
import type { EmulatorSqlNames, SetupMatcher } from "./setup_match.ts";

/** A bind value after decoding the driver's `bindings`. */
export type BindValue = string | number | null;

/** What statements run against. */
export interface StatementDeps {
  db: DatabaseSync;
  engine: DynamicTableEngine;
  names: EmulatorSqlNames;
  setup: SetupMatcher;
  /** The raw tables' definitions (column types). */
  rawTables: readonly TableDef[];
  /** Seconds since the epoch → version string of `SELECT CURRENT_VERSION()`. */
  version?: string;
}

const KIND_TYPES: Record<ColumnKind, ResultColumn> = {
  text: { name: "", type: "text" },
  int: { name: "", type: "fixed", scale: 0 },
  money: { name: "", type: "fixed", scale: 2 },
  number: { name: "", type: "real" },
  date: { name: "", type: "date" },
  timestamp: { name: "", type: "timestamp_ntz", scale: 3 },
};

const status = (text: string): StatementResult => ({
  columns: [{ name: "status", type: "text" }],
  rows: [[text]],
  statementTypeId: STATEMENT_TYPE.ddl,
});

const SESSION_OK: StatementResult = {
  columns: [{ name: "status", type: "text" }],
  rows: [["Statement executed successfully."]],
  statementTypeId: STATEMENT_TYPE.session,
};

/** Column types of the report tables and views of the local warehouse, by naming convention. */
function reportColumnType(name: string, declared: string): ResultColumn {
  if (name === "HAS_SEASON_PASS") return { name, type: "boolean" };
  if (name.endsWith("_DATE")) return { name, type: "date" };
  if (name.endsWith("_TIME") || name.endsWith("_TIMESTAMP")) {
    return { name, type: "timestamp_ntz", scale: 3 };
  }
  if (/_PCT$/.test(name)) return { name, type: "fixed", scale: 1 };
  if (/REVENUE|PRICE|_USD$/.test(name) && name !== "AVG_DAILY_REVENUE") {
    return { name, type: "fixed", scale: 2 };
  }
  if (/TEXT/i.test(declared) || ["RESORT", "RFID", "NAME", "FIRST_LIFT"].includes(name)) {
    return { name, type: "text" };
  }
  if (name.endsWith("_STATUS") || name === "IANA_TIMEZONE") return { name, type: "text" };
  return { name, type: "fixed", scale: 0 };
}

function rawColumnType(name: string, t: TableDef["columns"][number]["type"]): ResultColumn {
  switch (t.kind) {
    case "varchar":
      return { name, type: "text" };
    case "number":
      return { name, type: "fixed", scale: t.scale };
    case "float":
      return { name, type: "real" };
    case "boolean":
      return { name, type: "boolean" };
    case "timestamp":
      return { name, type: "timestamp_ntz", scale: 3 };
    case "date":
      return { name, type: "date" };
    case "variant":
      return { name, type: "variant" };
  }
}

const HISTORY_COLUMNS: ResultColumn[] = [
  { name: "NAME", type: "text" },
  { name: "SCHEMA_NAME", type: "text" },
  { name: "DATABASE_NAME", type: "text" },
  { name: "QUALIFIED_NAME", type: "text" },
  { name: "STATE", type: "text" },
  { name: "STATE_CODE", type: "text" },
  { name: "STATE_MESSAGE", type: "text" },
  { name: "QUERY_ID", type: "text" },
  { name: "DATA_TIMESTAMP", type: "timestamp_ltz", scale: 3 },
  { name: "REFRESH_START_TIME", type: "timestamp_ltz", scale: 3 },
  { name: "REFRESH_END_TIME", type: "timestamp_ltz", scale: 3 },
  { name: "STATISTICS", type: "variant" },
  { name: "REFRESH_ACTION", type: "text" },
  { name: "REFRESH_TRIGGER", type: "text" },
  { name: "TARGET_LAG_SEC", type: "fixed", scale: 0 },
];

const FUNCTIONS = new Set([
  "CURRENT_VERSION",
  "CURRENT_ACCOUNT",
  "CURRENT_USER",
  "CURRENT_ROLE",
  "CURRENT_DATABASE",
  "CURRENT_SCHEMA",
  "CURRENT_WAREHOUSE",
  "CURRENT_TIMESTAMP",
  "CURRENT_DATE",
]);

/** A relation the simple-SELECT grammar can read. */
interface Relation {
  /** SQLite text to read it (a table name, or `(SELECT …)`). */
  from: string;
  columns: Map<string, ResultColumn>;
  /** Binds the FROM part consumed (table function arguments). */
  bindsUsed: number;
}

/** A tiny cursor over tokens. */
class Cursor {
  i = 0;
  constructor(readonly tokens: readonly Token[]) {}
  peek(k = 0): string | undefined {
    return this.tokens[this.i + k]?.text;
  }
  kind(k = 0): Token["kind"] | undefined {
    return this.tokens[this.i + k]?.kind;
  }
  take(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw SQL_ERRORS.syntax("line 1 unexpected '<EOF>'.");
    return t;
  }
  accept(text: string): boolean {
    if (this.peek() === text) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(text: string): void {
    const t = this.take();
    if (t.text !== text) throw SQL_ERRORS.syntax(`unexpected '${t.text}', expected '${text}'.`);
  }
  get done(): boolean {
    return this.i >= this.tokens.length;
  }
}

/** The most rows one result may hold. */
export const MAX_RESULT_ROWS = 100_000;

const IDENT = /^[A-Z_][A-Z0-9_$]*$/;
const QUALIFIED = /^(?:[A-Z_][A-Z0-9_$]*\.){0,2}[A-Z_][A-Z0-9_$]*$/;
const COMPARE = new Set(["=", "<>", "!=", "<", ">", "<=", ">="]);
const AGGREGATES = new Set(["MIN", "MAX", "SUM", "AVG", "COUNT"]);

/** Runs recognised statements against the warehouse and the dynamic-table engine. */
export class StatementExecutor {
  readonly #deps: StatementDeps;
  readonly #reports = new Map<string, ReportQuery>();
  readonly #prepared = new Map<string, StatementSync>();
  readonly #relations = new Map<string, Map<string, ResultColumn>>();

  constructor(deps: StatementDeps) {
    this.#deps = deps;
    for (const q of REPORT_QUERIES) this.#reports.set(normalizeSql(q.sql), q);
    for (const t of deps.rawTables) {
      this.#relations.set(
        t.name,
        new Map(t.columns.map((c) => [c.name, rawColumnType(c.name, c.type)])),
      );
    }
    for (
      const name of [
        ...DYNAMIC_TABLES,
        "RESORT_CAPACITY",
        "V_DAILY_REVENUE_PERFORMANCE",
        "V_DAILY_NETWORK_METRICS",
      ]
    ) {
      const cols = deps.db.prepare("SELECT name, type FROM pragma_table_info(?)").all(name) as {
        name: string;
        type: string;
      }[];
      if (cols.length) {
        this.#relations.set(
          name,
          new Map(cols.map((c) => [c.name, reportColumnType(c.name, c.type)])),
        );
      }
    }
  }

  #stmt(sql: string): StatementSync {
    let s = this.#prepared.get(sql);
    if (!s) {
      // Clients' own SELECTs carry literals, so texts vary without end: keep the cache bounded.
      if (this.#prepared.size >= 256) this.#prepared.clear();
      s = this.#deps.db.prepare(sql);
      this.#prepared.set(sql, s);
    }
    return s;
  }

  #select(sql: string, binds: readonly BindValue[], columns: ResultColumn[]): StatementResult {
    const stmt = this.#stmt(sql);
    // Arrays keep every column, also two of the same name (node:sqlite has it; Deno's types lag).
    (stmt as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
    const rows: unknown[][] = [];
    for (const row of stmt.iterate(...(binds as SQLInputValue[]))) {
      // Results travel as one JSON body (no result chunks here): refuse what would not fit.
      if (rows.length === MAX_RESULT_ROWS) {
        throw new SqlError(
          "000002",
          "0A000",
          `liftline emulator: results are limited to ${MAX_RESULT_ROWS} rows; add a LIMIT.`,
        );
      }
      rows.push(row as unknown as unknown[]);
    }
    return { columns, rows, statementTypeId: STATEMENT_TYPE.select };
  }

  /**
   * Runs one statement for `session` (which USE statements change). Throws {@link SqlError} for
   * anything not recognised or failing.
   */
  async execute(
    sql: string,
    binds: readonly BindValue[],
    session: SessionNames,
  ): Promise<StatementResult> {
    let tokens: Token[];
    let normalized: string;
    try {
      tokens = sqlTokens(sql);
      normalized = normalizeSql(sql);
    } catch (e) {
      if (e instanceof SqlSyntaxError) throw SQL_ERRORS.syntax(e.message);
      throw e;
    }
    if (tokens.length === 0) throw new SqlError("000900", "42601", "Empty SQL statement.");
    if (tokens.some((t) => t.text === ";")) {
      throw SQL_ERRORS.unsupported("one statement per request");
    }
    const marks = tokens.filter((t) => t.text === "?").length;
    const report = this.#reports.get(normalized);
    if (report) {
      this.#checkBinds(marks, binds);
      return this.#select(
        report.sql,
        binds,
        Object.entries(report.columns).map(([name, kind]) => ({ ...KIND_TYPES[kind], name })),
      );
    }
    const head = tokens[0].text;
    if (head === "SELECT") return this.#selectStatement(tokens, binds, marks);
    if (marks > 0) throw SQL_ERRORS.unsupported("bind variables in this statement");
    if (head === "USE") return this.#use(tokens, session);
    if (head === "ALTER" && tokens[1]?.text === "SESSION") return SESSION_OK;
    if (head === "ALTER" && tokens[1]?.text === "DYNAMIC") return await this.#alterDynamic(tokens);
    const setup = this.#deps.setup.match(normalized);
    if (setup) return this.#setup(setup);
    if (head === "SHOW" || head === "DESCRIBE" || head === "DESC") {
      throw SQL_ERRORS.unsupported(`${head} statements`);
    }
    throw SQL_ERRORS.unsupported();
  }

  #checkBinds(marks: number, binds: readonly BindValue[]): void {
    if (marks !== binds.length) throw SQL_ERRORS.binds(marks, binds.length);
  }

  #use(tokens: Token[], session: SessionNames): StatementResult {
    const c = new Cursor(tokens);
    c.expect("USE");
    let what = c.peek();
    if (what === "ROLE" || what === "WAREHOUSE" || what === "DATABASE" || what === "SCHEMA") {
      c.take();
    } else {
      what = "DATABASE";
    }
    const name = c.take();
    if (!c.done || !(name.kind === "word" && QUALIFIED.test(name.text))) {
      throw SQL_ERRORS.unsupported("USE takes one unquoted name");
    }
    const n = this.#deps.names;
    if (what === "ROLE") session.role = name.text;
    else if (what === "WAREHOUSE") session.warehouse = name.text;
    else if (what === "DATABASE") {
      if (name.text !== n.database) throw SQL_ERRORS.doesNotExist(`Database '${name.text}'`);
      session.database = name.text;
    } else {
      const parts = name.text.split(".");
      if (parts.length > 2) throw SQL_ERRORS.syntax(`unexpected '${name.text}'.`);
      const [db, schema] = parts.length === 2 ? parts : [session.database ?? n.database, parts[0]];
      if (db !== n.database) throw SQL_ERRORS.doesNotExist(`Database '${db}'`);
      if (schema !== n.schema) throw SQL_ERRORS.doesNotExist(`Schema '${db}.${schema}'`);
      session.database = db;
      session.schema = schema;
    }
    return SESSION_OK;
  }

  /** Strips a `DB.SCHEMA.` or `SCHEMA.` prefix naming this emulator's; returns the object name. */
  #objectName(qualified: string): string {
    const parts = qualified.split(".");
    const n = this.#deps.names;
    if (parts.length === 3 && parts[0] !== n.database) {
      throw SQL_ERRORS.doesNotExist(`Database '${parts[0]}'`);
    }
    if (parts.length >= 2 && parts[parts.length - 2] !== n.schema) {
      throw SQL_ERRORS.doesNotExist(`Schema '${parts.slice(0, -1).join(".")}'`);
    }
    return parts[parts.length - 1];
  }

  #dynamicTable(qualified: string): DynamicTableName {
    const name = this.#objectName(qualified);
    if (!(DYNAMIC_TABLES as readonly string[]).includes(name)) {
      throw SQL_ERRORS.doesNotExist(`Dynamic table '${qualified}'`);
    }
    return name as DynamicTableName;
  }

  async #alterDynamic(tokens: Token[]): Promise<StatementResult> {
    const c = new Cursor(tokens);
    c.expect("ALTER");
    c.expect("DYNAMIC");
    c.expect("TABLE");
    const target = c.take();
    if (target.kind !== "word" || !QUALIFIED.test(target.text)) {
      throw SQL_ERRORS.syntax(`unexpected '${target.text}'.`);
    }
    const name = this.#dynamicTable(target.text);
    const action = c.take().text;
    if (action === "REFRESH" && c.done) {
      try {
        const outcomes = await this.#deps.engine.refresh(name, "MANUAL");
        const own = outcomes.find((o) => o.name === name)!;
        return status(
          `Dynamic table ${name} refreshed at data timestamp ${own.dataTimestamp.toISOString()} ` +
            `(${own.stats.inserted} inserted, ${own.stats.updated} updated, ` +
            `${own.stats.deleted} deleted; ${outcomes.length - 1} upstream refreshed first).`,
        );
      } catch (e) {
        if (e instanceof RefreshError) throw new SqlError("091009", "XX000", e.message);
        throw e;
      }
    }
    if (action === "SET" && c.accept("TARGET_LAG")) {
      c.expect("=");
      const value = c.take();
      if (!c.done) throw SQL_ERRORS.unsupported("ALTER DYNAMIC TABLE … SET takes TARGET_LAG only");
      try {
        this.#deps.engine.setTargetLag(name, value.text);
      } catch (e) {
        throw new SqlError(
          "001008",
          "22023",
          `Invalid value ${value.text} for TARGET_LAG: ${(e as Error).message}`,
        );
      }
      return status("Statement executed successfully.");
    }
    throw SQL_ERRORS.unsupported(`ALTER DYNAMIC TABLE … ${action}`);
  }

  #setup(m: ReturnType<SetupMatcher["match"]> & object): StatementResult {
    if (m.verb === "MERGE") {
      // The statement carries resorts.json's rows, which the warehouse holds already (the engine
      // fills RESORT_CAPACITY from the same file): every row matches and is updated in place.
      const n = Number(
        (this.#deps.db.prepare("SELECT count(*) AS n FROM RESORT_CAPACITY").get() as { n: number })
          .n,
      );
      return {
        columns: [
          { name: "number of rows inserted", type: "fixed", scale: 0 },
          { name: "number of rows updated", type: "fixed", scale: 0 },
        ],
        rows: [[0, n]],
        statementTypeId: STATEMENT_TYPE.merge,
      };
    }
    if (m.verb === "CREATE" && m.objectType && m.objectName) {
      const type = m.objectType.toLowerCase();
      const title = type[0].toUpperCase() + type.slice(1);
      if (m.mode === "IF NOT EXISTS") {
        return status(`${m.objectName} already exists, statement succeeded.`);
      }
      if (m.objectType === "DYNAMIC TABLE") {
        // Re-creating restores the definition's target lag, as in Snowflake. The local table keeps
        // its rows: it already holds exactly what the definition computes.
        const def = DEFINITIONS.find((d) => d.name === m.objectName);
        if (def) this.#deps.engine.setTargetLag(def.name, def.targetLag);
      }
      return status(`${title} ${m.objectName} successfully created.`);
    }
    return status("Statement executed successfully.");
  }

  #selectStatement(tokens: Token[], binds: readonly BindValue[], marks: number): StatementResult {
    const trivial = this.#trivialSelect(tokens);
    if (trivial) {
      this.#checkBinds(marks, binds);
      return trivial;
    }
    return this.#simpleSelect(tokens, binds, marks);
  }

  /** `SELECT 1`, `SELECT CURRENT_USER()`, … */
  #trivialSelect(tokens: Token[]): StatementResult | undefined {
    const c = new Cursor(tokens);
    c.expect("SELECT");
    const columns: ResultColumn[] = [];
    const row: unknown[] = [];
    const n = this.#deps.names;
    for (;;) {
      let value: unknown;
      let col: ResultColumn;
      const t = c.peek();
      if (t !== undefined && /^\d+$/.test(t)) {
        c.take();
        value = Number(t);
        col = { name: t, type: "fixed", scale: 0 };
      } else if (t !== undefined && FUNCTIONS.has(t) && c.peek(1) === "(" && c.peek(2) === ")") {
        c.i += 3;
        const now = new Date();
        value = {
          CURRENT_VERSION: this.#deps.version ?? "9.0.0",
          CURRENT_ACCOUNT: n.account,
          CURRENT_USER: n.user,
          CURRENT_ROLE: null,
          CURRENT_DATABASE: null,
          CURRENT_SCHEMA: null,
          CURRENT_WAREHOUSE: null,
          CURRENT_TIMESTAMP: now,
          CURRENT_DATE: now.toISOString().slice(0, 10),
        }[t];
        const type: SfType = t === "CURRENT_TIMESTAMP"
          ? "timestamp_ltz"
          : t === "CURRENT_DATE"
          ? "date"
          : "text";
        col = { name: `${t}()`, type, scale: type === "timestamp_ltz" ? 3 : undefined };
      } else {
        return undefined;
      }
      if (c.accept("AS")) {
        const alias = c.take();
        if (alias.kind !== "word" || !IDENT.test(alias.text)) return undefined;
        col = { ...col, name: alias.text };
      }
      columns.push(col);
      row.push(value);
      if (c.done) break;
      if (!c.accept(",")) return undefined;
    }
    return { columns, rows: [row], statementTypeId: STATEMENT_TYPE.select };
  }

  /**
   * `SELECT items FROM relation [WHERE …] [ORDER BY …] [LIMIT n]` over one known relation, in a
   * grammar whose meaning is the same in Snowflake and SQLite; rebuilt token by token for SQLite.
   */
  #simpleSelect(tokens: Token[], binds: readonly BindValue[], marks: number): StatementResult {
    const fromAt = tokens.findIndex((t) => t.text === "FROM");
    if (fromAt < 0) throw SQL_ERRORS.unsupported();
    const rel = this.#relation(tokens, fromAt + 1, binds);
    const c = new Cursor(tokens);
    c.expect("SELECT");
    const distinct = c.accept("DISTINCT");
    const out: string[] = [];
    const columns: ResultColumn[] = [];
    const columnOf = (name: string): ResultColumn => {
      const col = rel.columns.get(name);
      if (!col) {
        throw new SqlError(
          "000904",
          "42000",
          `SQL compilation error: error line 1 invalid identifier '${name}'`,
        );
      }
      return col;
    };
    if (c.accept("*")) {
      for (const col of rel.columns.values()) {
        out.push(col.name);
        columns.push(col);
      }
    } else {
      for (;;) {
        const t = c.take();
        let expr: string;
        let col: ResultColumn;
        if (t.kind === "word" && AGGREGATES.has(t.text) && c.peek() === "(") {
          c.expect("(");
          const arg = c.take();
          c.expect(")");
          if (arg.text === "*" && t.text === "COUNT") {
            expr = "COUNT(*)";
            col = { name: "COUNT(*)", type: "fixed", scale: 0 };
          } else {
            if (arg.kind !== "word" || !IDENT.test(arg.text)) throw SQL_ERRORS.unsupported();
            const base = columnOf(arg.text);
            expr = `${t.text}(${arg.text})`;
            col = t.text === "COUNT"
              ? { name: expr, type: "fixed", scale: 0 }
              : t.text === "AVG"
              ? { name: expr, type: "real" }
              : { ...base, name: expr };
          }
        } else if (t.kind === "word" && IDENT.test(t.text)) {
          expr = t.text;
          col = columnOf(t.text);
        } else {
          throw SQL_ERRORS.unsupported(`select item '${t.text}'`);
        }
        if (c.accept("AS")) {
          const alias = c.take();
          if (alias.kind !== "word" || !IDENT.test(alias.text)) throw SQL_ERRORS.unsupported();
          col = { ...col, name: alias.text };
          expr += ` AS ${alias.text}`;
        } else if (expr !== col.name) {
          expr += ` AS "${col.name}"`;
        }
        out.push(expr);
        columns.push(col);
        if (!c.accept(",")) break;
      }
    }
    c.expect("FROM");
    c.i = rel.end;
    let sql = `SELECT ${distinct ? "DISTINCT " : ""}${out.join(", ")} FROM ${rel.from}`;
    const aliases = new Set(columns.map((x) => x.name));
    if (c.accept("WHERE")) {
      const conds: string[] = [];
      for (;;) {
        const left = c.take();
        if (left.kind !== "word" || !IDENT.test(left.text)) throw SQL_ERRORS.unsupported();
        columnOf(left.text);
        if (c.accept("IS")) {
          const not = c.accept("NOT");
          c.expect("NULL");
          conds.push(`${left.text} IS ${not ? "NOT " : ""}NULL`);
        } else if (c.accept("IN")) {
          c.expect("(");
          const values: string[] = [];
          do values.push(this.#literal(c.take())); while (c.accept(","));
          c.expect(")");
          conds.push(`${left.text} IN (${values.join(", ")})`);
        } else {
          const op = c.take().text;
          if (!COMPARE.has(op)) throw SQL_ERRORS.unsupported(`operator '${op}'`);
          conds.push(`${left.text} ${op} ${this.#literal(c.take())}`);
        }
        if (!c.accept("AND")) break;
      }
      sql += ` WHERE ${conds.join(" AND ")}`;
    }
    if (c.accept("GROUP")) {
      c.expect("BY");
      const keys: string[] = [];
      do {
        const k = c.take();
        if (k.kind !== "word" || !IDENT.test(k.text)) throw SQL_ERRORS.unsupported();
        columnOf(k.text);
        keys.push(k.text);
      } while (c.accept(","));
      sql += ` GROUP BY ${keys.join(", ")}`;
    }
    if (c.accept("ORDER")) {
      c.expect("BY");
      const keys: string[] = [];
      do {
        const k = c.take();
        if (k.kind !== "word" || !IDENT.test(k.text)) throw SQL_ERRORS.unsupported();
        if (!aliases.has(k.text)) columnOf(k.text);
        const dir = c.accept("DESC") ? " DESC" : (c.accept("ASC"), "");
        // Snowflake sorts NULL last ascending and first descending; SQLite the other way round.
        keys.push(`${k.text}${dir}${dir ? " NULLS FIRST" : " NULLS LAST"}`);
      } while (c.accept(","));
      sql += ` ORDER BY ${keys.join(", ")}`;
    }
    if (c.accept("LIMIT")) {
      const n = c.take();
      if (!/^\d+$/.test(n.text)) throw SQL_ERRORS.unsupported("LIMIT takes a number");
      sql += ` LIMIT ${n.text}`;
    }
    if (!c.done) throw SQL_ERRORS.unsupported(`'${c.peek()}'`);
    const rest = binds.slice(rel.bindsUsed);
    this.#checkBinds(marks - rel.bindsUsed, rest);
    return this.#select(sql, rest, columns);
  }

  #literal(t: Token): string {
    if (t.text === "?" || t.kind === "string") return t.text;
    if (
      /^-?\d+(\.\d+)?$/.test(t.text) || t.text === "TRUE" || t.text === "FALSE" || t.text === "NULL"
    ) {
      return t.text;
    }
    throw SQL_ERRORS.unsupported(`value '${t.text}'`);
  }

  /** The relation at `at`: a known table or view, or the refresh-history table function. */
  #relation(
    tokens: Token[],
    at: number,
    binds: readonly BindValue[],
  ): Relation & { end: number } {
    const t = tokens[at];
    if (!t) throw SQL_ERRORS.syntax("line 1 unexpected '<EOF>'.");
    if (t.text === "TABLE" && tokens[at + 1]?.text === "(") {
      return this.#historyRelation(tokens, at, binds);
    }
    if (t.kind !== "word" || !QUALIFIED.test(t.text)) throw SQL_ERRORS.unsupported();
    const name = this.#objectName(t.text);
    const columns = this.#relations.get(name);
    if (!columns) throw SQL_ERRORS.doesNotExist(`Object '${t.text}'`);
    return { from: name, columns, bindsUsed: 0, end: at + 1 };
  }

  #historyRelation(
    tokens: Token[],
    at: number,
    binds: readonly BindValue[],
  ): Relation & { end: number } {
    const c = new Cursor(tokens);
    c.i = at;
    c.expect("TABLE");
    c.expect("(");
    const fn = c.take().text.split(".");
    if (
      fn[fn.length - 1] !== "DYNAMIC_TABLE_REFRESH_HISTORY" ||
      (fn.length >= 2 && fn[fn.length - 2] !== "INFORMATION_SCHEMA") ||
      (fn.length === 3 && fn[0] !== this.#deps.names.database) || fn.length > 3
    ) {
      throw SQL_ERRORS.unsupported("table functions other than DYNAMIC_TABLE_REFRESH_HISTORY");
    }
    c.expect("(");
    const args = new Map<string, string | number | boolean | null>();
    let used = 0;
    if (!c.accept(")")) {
      do {
        const key = c.take().text;
        c.expect("=>");
        const v = c.take();
        let value: string | number | boolean | null;
        if (v.text === "?") value = binds[used++] ?? null;
        else if (v.kind === "string") value = v.text.slice(1, -1).replaceAll("''", "'");
        else if (/^\d+$/.test(v.text)) value = Number(v.text);
        else if (v.text === "TRUE" || v.text === "FALSE") value = v.text === "TRUE";
        else throw SQL_ERRORS.unsupported(`argument ${key}`);
        args.set(key, value);
      } while (c.accept(","));
      c.expect(")");
    }
    c.expect(")");
    const n = this.#deps.names;
    const where: string[] = [];
    const qualified = `'${n.database}.${n.schema}.' || NAME`;
    for (const [key, value] of args) {
      if (key === "NAME") {
        const parts = String(value ?? "").toUpperCase().split(".");
        const name = this.#dynamicTableOrNone(parts);
        where.push(`NAME = '${name}'`);
      } else if (key === "NAME_PREFIX") {
        const prefix = String(value ?? "").toUpperCase().replaceAll("'", "''");
        where.push(`substr(${qualified}, 1, ${prefix.length}) = '${prefix}'`);
      } else if (key === "ERROR_ONLY") {
        if (value === true || value === "TRUE") {
          where.push("STATE IN ('FAILED', 'UPSTREAM_FAILED', 'CANCELLED')");
        }
      } else if (key !== "RESULT_LIMIT") {
        throw SQL_ERRORS.unsupported(`argument ${key} of DYNAMIC_TABLE_REFRESH_HISTORY`);
      }
    }
    const limit = Number(args.get("RESULT_LIMIT") ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new SqlError("001015", "22023", "RESULT_LIMIT must be between 1 and 10000.");
    }
    const from = `(SELECT NAME, '${n.schema}' AS SCHEMA_NAME, '${n.database}' AS DATABASE_NAME,
        ${qualified} AS QUALIFIED_NAME, STATE, STATE_CODE, STATE_MESSAGE,
        'liftline-refresh-' || ID AS QUERY_ID, DATA_TIMESTAMP, REFRESH_START_TIME, REFRESH_END_TIME,
        json_object('numInsertedRows', ROWS_INSERTED + ROWS_UPDATED,
          'numDeletedRows', ROWS_DELETED + ROWS_UPDATED, 'numCopiedRows', 0,
          'numAddedPartitions', 0, 'numRemovedPartitions', 0) AS STATISTICS,
        REFRESH_ACTION, REFRESH_TRIGGER, TARGET_LAG_SEC
      FROM ${META.history}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ID DESC LIMIT ${limit})`;
    return {
      from,
      columns: new Map(HISTORY_COLUMNS.map((col) => [col.name, col])),
      bindsUsed: used,
      end: c.i,
    };
  }

  /** A dynamic table's bare name from a possibly qualified NAME argument. */
  #dynamicTableOrNone(parts: string[]): string {
    const qualified = parts.join(".");
    return this.#dynamicTable(qualified);
  }
}

/** Decodes the driver's `bindings` object (`{"1": {type, value}, …}`) into positional values. */
export function decodeBindings(bindings: unknown): BindValue[] {
  if (bindings === undefined || bindings === null) return [];
  if (typeof bindings !== "object" || Array.isArray(bindings)) {
    throw new SqlError("002049", "42601", "bindings must be an object keyed by position.");
  }
  const entries = Object.entries(bindings as Record<string, unknown>);
  const out: BindValue[] = new Array(entries.length);
  for (const [key, raw] of entries) {
    const pos = Number(key);
    if (!Number.isInteger(pos) || pos < 1 || pos > entries.length) {
      throw new SqlError("002049", "42601", `binding ${JSON.stringify(key)} is not a position.`);
    }
    const b = raw as { type?: unknown; value?: unknown } | null;
    if (!b || typeof b !== "object") {
      throw new SqlError("002049", "42601", `binding ${key} is malformed.`);
    }
    const v = b.value;
    if (Array.isArray(v)) throw SQL_ERRORS.unsupported("array binds");
    if (v === null || v === undefined) {
      out[pos - 1] = null;
      continue;
    }
    const type = String(b.type ?? "TEXT").toUpperCase();
    const text = String(v);
    if (type === "FIXED" || type === "REAL") {
      const n = Number(text);
      if (!Number.isFinite(n)) {
        throw new SqlError("100038", "22018", `Numeric value '${text}' is not recognized`);
      }
      out[pos - 1] = n;
    } else if (type === "BOOLEAN") {
      out[pos - 1] = /^(true|1)$/i.test(text) ? 1 : 0;
    } else if (type === "TEXT") {
      out[pos - 1] = text;
    } else {
      throw SQL_ERRORS.unsupported(`${type} binds`);
    }
  }
  return out;
}
