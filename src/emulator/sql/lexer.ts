/**
 * A lexer for Snowflake SQL: words, quoted identifiers, string literals ('…' with '' and
 * backslash escapes, $$…$$), numbers, comments and punctuation, each with its offset. The
 * statement parser uses it for the object statements the SQL parser does not know (CREATE PIPE,
 * CREATE STREAM, dynamic-table options, SHOW …), and to split a request into statements.
 *
 * @module
 */

/** One token. */
export interface Token {
  readonly kind: "word" | "quoted" | "string" | "number" | "symbol";
  /** Words upper-cased; quoted identifiers and strings unescaped; symbols as written. */
  readonly text: string;
  /** Offset of the token's first character in the source. */
  readonly start: number;
  /** Offset just past the token. */
  readonly end: number;
}

/** SQL text that cannot be split into tokens. */
export class LexError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = "LexError";
    this.offset = offset;
  }
}

const SYMBOLS = ["=>", "::", "<=", ">=", "<>", "!=", "||", "->"];

/** Splits `sql` into tokens (comments and white space dropped). */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      i++;
      continue;
    }
    if (c === "-" && sql[i + 1] === "-" || c === "/" && sql[i + 1] === "/") {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      const close = sql.indexOf("*/", i + 2);
      if (close < 0) throw new LexError("unterminated comment", i);
      i = close + 2;
      continue;
    }
    const start = i;
    if (c === "'") {
      let text = "";
      i++;
      for (;;) {
        if (i >= n) throw new LexError("unterminated string literal", start);
        const ch = sql[i];
        if (ch === "\\" && i + 1 < n) {
          const [value, length] = unescape(sql, i + 1);
          text += value;
          i += 1 + length;
        } else if (ch === "'") {
          if (sql[i + 1] === "'") {
            text += "'";
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          text += ch;
          i++;
        }
      }
      out.push({ kind: "string", text, start, end: i });
      continue;
    }
    if (c === "$" && sql[i + 1] === "$") {
      const close = sql.indexOf("$$", i + 2);
      if (close < 0) throw new LexError("unterminated $$ string", start);
      out.push({ kind: "string", text: sql.slice(i + 2, close), start, end: close + 2 });
      i = close + 2;
      continue;
    }
    if (c === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= n) throw new LexError("unterminated quoted identifier", start);
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += sql[i++];
      }
      out.push({ kind: "quoted", text, start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i))!;
      i += m[0].length;
      out.push({ kind: "number", text: m[0], start, end: i });
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c) || (c === "$" && /[A-Za-z_]/.test(sql[i + 1] ?? ""))) {
      const m = /^[$A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(sql.slice(i))!;
      i += m[0].length;
      out.push({ kind: "word", text: m[0].toUpperCase(), start, end: i });
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (SYMBOLS.includes(two)) {
      out.push({ kind: "symbol", text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    out.push({ kind: "symbol", text: c, start, end: i + 1 });
    i++;
  }
  return out;
}

/**
 * The character a backslash escape at `at` (just after the backslash) stands for, and how many
 * characters the escape takes: Snowflake's escapes in single-quoted strings (`\n`, `\t`, `\0`,
 * octal `\ooo`, `\xhh`, `\uhhhh`, …); before any other character the backslash is dropped.
 */
function unescape(sql: string, at: number): [string, number] {
  const ch = sql[at];
  const code = (digits: string, radix: number) => String.fromCharCode(parseInt(digits, radix));
  switch (ch) {
    case "n":
      return ["\n", 1];
    case "t":
      return ["\t", 1];
    case "r":
      return ["\r", 1];
    case "b":
      return ["\b", 1];
    case "f":
      return ["\f", 1];
    case "x": {
      const hex = /^[0-9A-Fa-f]{2}/.exec(sql.slice(at + 1, at + 3));
      return hex ? [code(hex[0], 16), 3] : ["x", 1];
    }
    case "u": {
      const hex = /^[0-9A-Fa-f]{4}/.exec(sql.slice(at + 1, at + 5));
      return hex ? [code(hex[0], 16), 5] : ["u", 1];
    }
  }
  const octal = /^[0-7]{3}/.exec(sql.slice(at, at + 3));
  if (octal) return [code(octal[0], 8), 3];
  if (ch === "0") return ["\0", 1];
  return [ch, 1];
}

/**
 * Words between `CREATE [OR REPLACE]` and the kind of object: its lifetime (TEMPORARY and its
 * spellings, Snowpark's SCOPED, TRANSIENT) and SECURE.
 */
export const CREATE_MODIFIERS: ReadonlySet<string> = new Set([
  "TRANSIENT",
  "SCOPED",
  "TEMPORARY",
  "TEMP",
  "LOCAL",
  "GLOBAL",
  "VOLATILE",
  "SECURE",
]);

/** The statements of a request: the text of each, without the separating semicolons. */
export function splitStatements(sql: string): { text: string; start: number }[] {
  const tokens = tokenize(sql);
  const out: { text: string; start: number }[] = [];
  let from = -1;
  let last = -1;
  for (const t of tokens) {
    if (t.kind === "symbol" && t.text === ";") {
      if (from >= 0) out.push({ text: sql.slice(from, last), start: from });
      from = -1;
      continue;
    }
    if (from < 0) from = t.start;
    last = t.end;
  }
  if (from >= 0) out.push({ text: sql.slice(from, last), start: from });
  return out;
}

/** A cursor over tokens with the small helpers the statement parser needs. */
export class Cursor {
  readonly tokens: readonly Token[];
  readonly source: string;
  i = 0;

  constructor(source: string, tokens: readonly Token[] = tokenize(source)) {
    this.source = source;
    this.tokens = tokens;
  }

  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }

  /** True when the next tokens are these words (upper-case) or symbols. */
  at(...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.tokens[this.i + k];
      return t !== undefined && (t.kind === "word" || t.kind === "symbol") && t.text === w;
    });
  }

  /** Consumes the words of `set` that come next, in any number; how many it consumed. */
  acceptAll(set: ReadonlySet<string>): number {
    let n = 0;
    while (this.peek()?.kind === "word" && set.has(this.peek()!.text)) {
      this.i++;
      n++;
    }
    return n;
  }

  /** Consumes the words when they come next. */
  accept(...words: string[]): boolean {
    if (!this.at(...words)) return false;
    this.i += words.length;
    return true;
  }

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new LexError("unexpected end of statement", this.source.length);
    return t;
  }

  /** The source text from token `from` to the end. */
  rest(from = this.i): string {
    const t = this.tokens[from];
    return t ? this.source.slice(t.start) : "";
  }
}
