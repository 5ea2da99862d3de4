/**
 * Session variables (`SET x = …`, `$x`, `UNSET x`, `SHOW VARIABLES`) and `IDENTIFIER(…)`, which
 * names an object or a column by a string or a variable.
 *
 * A variable keeps its value as text with its Snowflake type, so `$x` reads back as the type it
 * was set with (`SET d = CURRENT_DATE()` makes `$d + 1` a date).
 *
 * @module
 */
import type { Ident, Node } from "./ast.ts";
import { identName, payload, variant } from "./ast.ts";
import { type Token, tokenize } from "./lexer.ts";
import { SQL_ERRORS, SqlError } from "./errors.ts";
import { duckType, type SfType } from "../warehouse/types.ts";
import type { Expr } from "./translate/context.ts";
import { qs } from "./translate/quote.ts";

/** One session variable. */
export interface SessionVariable {
  /** The value as text; null for NULL. */
  readonly text: string | null;
  readonly type: SfType;
  readonly createdOn: Date;
  readonly updatedOn: Date;
}

/** A `$name` placeholder's variable name (stored spelling), or undefined for `?`, `:1`, `$1`. */
export function variableName(placeholder: string): string | undefined {
  const m = /^\$([A-Za-z_][A-Za-z0-9_$]*)$/.exec(placeholder);
  return m ? m[1].toUpperCase() : undefined;
}

/** Snowflake's error for a variable the session has not set. */
export function noSuchVariable(name: string): SqlError {
  return new SqlError(
    "002211",
    "02000",
    `SQL compilation error:\nSession variable '$${name}' does not exist`,
  );
}

/** A variable as a translated constant of its type. */
export function variableExpr(v: SessionVariable): Expr {
  const duck = duckType(v.type);
  if (v.text === null) return { sql: `CAST(NULL AS ${duck})`, type: v.type, constant: true };
  return { sql: `CAST(${qs(v.text)} AS ${duck})`, type: v.type, constant: true };
}

/**
 * The identifiers a string names, as IDENTIFIER reads it: dot-separated parts, each unquoted
 * (stored upper-case) or double-quoted (kept as written, `""` for a quote).
 */
export function identifiersOf(text: string): Ident[] {
  const parts: Ident[] = [];
  let i = 0;
  const s = text.trim();
  while (i <= s.length) {
    if (s[i] === '"') {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= s.length) throw SQL_ERRORS.syntax(`in IDENTIFIER('${text}'): unclosed quote.`);
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            value += '"';
            j += 2;
            continue;
          }
          break;
        }
        value += s[j++];
      }
      parts.push({ value, quote_style: '"' });
      i = j + 1;
    } else {
      const dot = s.indexOf(".", i);
      const value = (dot < 0 ? s.slice(i) : s.slice(i, dot)).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(value)) {
        throw SQL_ERRORS.syntax(`invalid identifier '${text}' in IDENTIFIER.`);
      }
      parts.push({ value, quote_style: null });
      i = dot < 0 ? s.length : dot;
    }
    if (i >= s.length) break;
    if (s[i] !== ".") throw SQL_ERRORS.syntax(`invalid identifier '${text}' in IDENTIFIER.`);
    i++;
  }
  return parts;
}

/**
 * The statement's text with every `IDENTIFIER('name')` and `IDENTIFIER($variable)` replaced by the
 * name it gives, so that every kind of statement (a DROP, a CREATE, a column in a SELECT) takes it
 * as if written out. Unquoted parts stay unquoted (upper-cased, as written names are), quoted
 * ones stay quoted.
 */
export function rewriteIdentifiers(
  text: string,
  variables: ReadonlyMap<string, SessionVariable>,
): string {
  if (!/IDENTIFIER/i.test(text)) return text;
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    // Left for the parser to report.
    return text;
  }
  let out = "";
  let last = 0;
  for (let i = 0; i + 3 < tokens.length; i++) {
    const [word, open, arg, close] = tokens.slice(i, i + 4);
    if (
      word.kind !== "word" || word.text !== "IDENTIFIER" || open.text !== "(" ||
      close.text !== ")"
    ) continue;
    let value: string;
    if (arg.kind === "string") value = arg.text;
    else if (arg.kind === "word" && arg.text.startsWith("$")) {
      const name = arg.text.slice(1);
      const v = variables.get(name);
      if (!v) throw noSuchVariable(name);
      if (v.text === null) throw SQL_ERRORS.syntax(`IDENTIFIER of $${name}, which is NULL.`);
      value = v.text;
    } else {throw SQL_ERRORS.unsupported(
        "IDENTIFIER of an expression (a string or a variable only)",
      );}
    const name = identifiersOf(value).map((p) =>
      p.quote_style ? `"${p.value.replaceAll('"', '""')}"` : p.value
    ).join(".");
    out += text.slice(last, word.start) + name;
    last = close.end;
    i += 3;
  }
  return out + text.slice(last);
}

/** The variables a `SET` statement assigns, with the value expressions, in order. */
export function setAssignments(set: Node): { names: string[]; values: Node[] } {
  const v = variant(set);
  const p = payload(set);
  if (v === "SingleAssignment") {
    const name = (p.variable as Node[]).map((x) => identName(x.Identifier ?? x));
    if (name.length !== 1) throw SQL_ERRORS.syntax("SET names one variable.");
    if (p.values.length !== 1) throw SQL_ERRORS.syntax("SET gives one value per variable.");
    return { names: name, values: p.values };
  }
  if (v === "ParenthesizedAssignments") {
    const names = (p.variables as Node[][]).map((parts) => {
      if (parts.length !== 1) throw SQL_ERRORS.syntax("SET names one variable per value.");
      return identName(parts[0].Identifier ?? parts[0]);
    });
    if (names.length !== p.values.length) {
      throw SQL_ERRORS.syntax(
        `SET names ${names.length} variables for ${p.values.length} values.`,
      );
    }
    return { names, values: p.values };
  }
  throw SQL_ERRORS.unsupported(`SET ${v}`);
}
