/**
 * Turns the `.sql` templates of this folder into the ordered statements `liftline setup` runs:
 * placeholders (`{{DATABASE}}`, …) are filled with validated identifiers, files are split into
 * statements, and each statement gets a short label. Also the one SQL normaliser that both the
 * setup code and the emulator use to compare statements, so formatting never decides a match.
 *
 * @module
 */
import {
  ACCOUNT_SQL,
  DYNAMIC_TABLES_SQL,
  LIFT_PERFORMANCE_SQL,
  PIPES_SQL,
  RESORT_CAPACITY_SQL,
  TABLES_SQL,
  VIEWS_SQL,
} from "./mod.ts";

/** The names a setup script is rendered with (all plain Snowflake identifiers). */
export interface SetupNames {
  warehouse: string;
  role: string;
  database: string;
  schema: string;
  user: string;
  pipes: { RESORT_TICKET: string; SEASON_PASS: string; LIFT_RIDE: string };
  /** Base64 body of the public key; without it the ALTER USER statement is left out. */
  rsaPublicKey?: string;
}

/** One row of RESORT_CAPACITY. */
export interface ResortCapacityRow {
  resort: string;
  maxCapacity: number;
  hourlyCapacity: number;
  baseLiftCount: number;
  ianaTimezone: string;
}

/** One statement of the setup script. */
export interface SetupStatement {
  /** The statement text, without the trailing semicolon. */
  sql: string;
  /** A short description such as `CREATE DYNAMIC TABLE DAILY_VISITS`. */
  label: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Throws unless `value` is a plain (unquoted) Snowflake identifier. */
export function checkIdentifier(what: string, value: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new Error(
      `${what} must be a Snowflake identifier (letters, digits, _ or $, not starting with a digit): ` +
        JSON.stringify(value),
    );
  }
  return value;
}

/** Quotes text as a SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Replaces every `{{NAME}}` in `template` with `values.NAME`. A placeholder without a value is an
 * error, so a typo never reaches Snowflake as literal braces.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for placeholder {{${name}}}`);
    return v;
  });
}

/** SQL text that cannot be split into tokens (an unterminated string, name or `$$` block). */
export class SqlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlSyntaxError";
  }
}

/** A lexical token of SQL text. */
export interface Token {
  kind: "word" | "string" | "quoted" | "dollar" | "punct";
  text: string;
}

/**
 * Splits SQL text into tokens, dropping whitespace and comments. `$$…$$` bodies are kept whole so
 * that semicolons inside them do not end the statement.
 */
function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      while (i < n && sql[i] !== "\n") i++;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'") {
      let j = i + 1;
      let text = "'";
      while (j < n) {
        if (sql[j] === "'" && sql[j + 1] === "'") {
          text += "''";
          j += 2;
        } else if (sql[j] === "'") {
          break;
        } else if (sql[j] === "\\" && j + 1 < n) {
          text += sql[j] + sql[j + 1];
          j += 2;
        } else {
          text += sql[j++];
        }
      }
      if (j >= n) throw new SqlSyntaxError(`unterminated string literal at position ${i}`);
      out.push({ kind: "string", text: text + "'" });
      i = j + 1;
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end === -1) throw new SqlSyntaxError(`unterminated quoted name at position ${i}`);
      const j = end;
      out.push({ kind: "quoted", text: sql.slice(i, j + 1) });
      i = j + 1;
    } else if (c === "$" && sql[i + 1] === "$") {
      const end = sql.indexOf("$$", i + 2);
      if (end === -1) throw new SqlSyntaxError(`unterminated $$ block at position ${i}`);
      const j = end;
      out.push({ kind: "dollar", text: sql.slice(i + 2, j) });
      i = j + 2;
    } else if (/[A-Za-z0-9_$.]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_$.]/.test(sql[j])) j++;
      out.push({ kind: "word", text: sql.slice(i, j) });
      i = j;
    } else {
      const two = sql.slice(i, i + 2);
      if (["<=", ">=", "<>", "!=", "=>", "::", "||"].includes(two)) {
        out.push({ kind: "punct", text: two });
        i += 2;
      } else {
        out.push({ kind: "punct", text: c });
        i++;
      }
    }
  }
  return out;
}

/**
 * The tokens of one statement, as {@link normalizeSql} sees them: words upper-cased, string
 * literals and quoted names as written, no comments, no trailing `;`.
 */
export function sqlTokens(sql: string): Token[] {
  const tokens = tokenize(sql);
  while (tokens.length && tokens[tokens.length - 1].text === ";") tokens.pop();
  return tokens.map((t) => (t.kind === "word" ? { kind: t.kind, text: t.text.toUpperCase() } : t));
}

function joinTokens(tokens: readonly Token[]): string {
  return tokens.map((t) => {
    if (t.kind === "word") return t.text.toUpperCase();
    if (t.kind === "dollar") return `$$ ${normalizeSql(t.text)} $$`;
    return t.text;
  }).join(" ");
}

/**
 * A canonical form of one statement: comments and layout removed, tokens separated by one space,
 * words upper-cased (string literals and quoted identifiers kept as written), no trailing `;`.
 * Two statements that differ only in formatting or keyword case normalise to the same text.
 */
export function normalizeSql(sql: string): string {
  const tokens = tokenize(sql);
  while (tokens.length && tokens[tokens.length - 1].text === ";") tokens.pop();
  return joinTokens(tokens);
}

/**
 * Splits a script into statements at top-level semicolons (not inside strings, quoted names,
 * comments or `$$` bodies). Each statement is returned as written, comments before it dropped.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const flush = (end: number) => {
    const text = stripLeadingComments(script.slice(start, end)).trim();
    if (text) out.push(text);
  };
  while (i < n) {
    const c = script[i];
    if (c === "-" && script[i + 1] === "-") {
      while (i < n && script[i] !== "\n") i++;
    } else if (c === "/" && script[i + 1] === "*") {
      const end = script.indexOf("*/", i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'") {
      i++;
      while (i < n) {
        if (script[i] === "'" && script[i + 1] === "'") i += 2;
        else if (script[i] === "\\") i += 2;
        else if (script[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      const end = script.indexOf('"', i + 1);
      i = end === -1 ? n : end + 1;
    } else if (c === "$" && script[i + 1] === "$") {
      const end = script.indexOf("$$", i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === ";") {
      flush(i);
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  flush(n);
  return out;
}

function stripLeadingComments(text: string): string {
  let t = text;
  for (;;) {
    const trimmed = t.trimStart();
    if (trimmed.startsWith("--")) {
      const nl = trimmed.indexOf("\n");
      t = nl === -1 ? "" : trimmed.slice(nl + 1);
    } else if (trimmed.startsWith("/*")) {
      const end = trimmed.indexOf("*/");
      t = end === -1 ? "" : trimmed.slice(end + 2);
    } else {
      return trimmed;
    }
  }
}

/** A short label for a statement: its leading keywords and the object it names. */
export function statementLabel(sql: string): string {
  const words = tokenize(sql).slice(0, 12).map((t) => t.kind === "word" ? t.text : t.text);
  const upper = words.map((w) => w.toUpperCase());
  const stop = new Set(["AS", "(", "WAREHOUSE_SIZE", "TYPE", "TARGET_LAG", "RETURNS", "USING"]);
  const label: string[] = [];
  for (let k = 0; k < upper.length; k++) {
    if (stop.has(upper[k]) && k > 1) break;
    if (upper[k] === "SET" && upper[0] === "ALTER") {
      label.push("SET", words[k + 1] ?? "");
      break;
    }
    label.push(/^[A-Z_ ]+$/.test(upper[k]) && !/^[a-z]/.test(words[k]) ? upper[k] : words[k]);
    if (label.length >= 8) break;
  }
  return label.join(" ").replace(/\bIF NOT EXISTS /, "").replace(/\bOR REPLACE /, "");
}

/** RESORT_CAPACITY rows from the generator's resort facts (`resorts.json`). */
export function resortCapacityRows(
  facts: {
    resorts: readonly {
      name: string;
      timezone: string;
      maxCapacity: number;
      hourlyCapacity: number;
      baseLiftCount: number;
    }[];
  },
): ResortCapacityRow[] {
  return facts.resorts.map((r) => ({
    resort: r.name,
    maxCapacity: r.maxCapacity,
    hourlyCapacity: r.hourlyCapacity,
    baseLiftCount: r.baseLiftCount,
    ianaTimezone: r.timezone,
  }));
}

function capacityValues(rows: readonly ResortCapacityRow[]): string {
  const num = (v: number, what: string) => {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${what} must be a whole number: ${v}`);
    return String(v);
  };
  return rows.map((r) =>
    `    (${sqlString(r.resort)}, ${num(r.maxCapacity, "maxCapacity")}, ` +
    `${num(r.hourlyCapacity, "hourlyCapacity")}, ${num(r.baseLiftCount, "baseLiftCount")}, ` +
    `${sqlString(r.ianaTimezone)})`
  ).join(",\n");
}

/**
 * The whole setup, in order: account objects, raw tables, pipes, RESORT_CAPACITY, dynamic tables,
 * views and the lift-performance function. Throws when a name is not a plain identifier.
 */
export function setupScript(
  names: SetupNames,
  resorts: readonly ResortCapacityRow[],
): SetupStatement[] {
  const values: Record<string, string> = {
    WAREHOUSE: checkIdentifier("warehouse", names.warehouse),
    ROLE: checkIdentifier("role", names.role),
    DATABASE: checkIdentifier("database", names.database),
    SCHEMA: checkIdentifier("schema", names.schema),
    USER: checkIdentifier("user", names.user),
    RESORT_TICKET_PIPE: checkIdentifier("RESORT_TICKET pipe", names.pipes.RESORT_TICKET),
    SEASON_PASS_PIPE: checkIdentifier("SEASON_PASS pipe", names.pipes.SEASON_PASS),
    LIFT_RIDE_PIPE: checkIdentifier("LIFT_RIDE pipe", names.pipes.LIFT_RIDE),
    RSA_PUBLIC_KEY: names.rsaPublicKey ?? "",
    RESORT_CAPACITY_ROWS: capacityValues(resorts),
  };
  if (names.rsaPublicKey !== undefined && !/^[A-Za-z0-9+/=]+$/.test(names.rsaPublicKey)) {
    throw new Error("the RSA public key must be the base64 body of a PEM public key");
  }
  const scripts = [
    ACCOUNT_SQL,
    TABLES_SQL,
    PIPES_SQL,
    RESORT_CAPACITY_SQL,
    DYNAMIC_TABLES_SQL,
    VIEWS_SQL,
    LIFT_PERFORMANCE_SQL,
  ];
  const out: SetupStatement[] = [];
  for (const script of scripts) {
    for (const statement of splitStatements(script)) {
      if (names.rsaPublicKey === undefined && statement.includes("{{RSA_PUBLIC_KEY}}")) continue;
      const sql = renderTemplate(statement, values);
      out.push({ sql, label: statementLabel(sql) });
    }
  }
  return out;
}
