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

/** The text an IDENTIFIER call's argument gives: a string, or a variable holding one. */
function identifierText(args: Node[], variables: ReadonlyMap<string, SessionVariable>): string {
  if (args.length !== 1) throw SQL_ERRORS.syntax("IDENTIFIER takes one argument.");
  const arg = args[0]?.Unnamed?.Expr ?? args[0]?.Unnamed ?? args[0];
  const value = arg?.Value?.value ?? arg?.Value;
  if (value?.SingleQuotedString !== undefined) return String(value.SingleQuotedString);
  if (value?.Placeholder !== undefined) {
    const name = variableName(String(value.Placeholder));
    if (name === undefined) throw SQL_ERRORS.unsupported("IDENTIFIER of a bind");
    const v = variables.get(name);
    if (!v) throw noSuchVariable(name);
    if (v.text === null) throw SQL_ERRORS.syntax(`IDENTIFIER of $${name}, which is NULL.`);
    return v.text;
  }
  throw SQL_ERRORS.unsupported("IDENTIFIER of an expression (a string or a variable only)");
}

/** `IDENTIFIER(…)` as a name part of an object name: `{Function: {name, args}}`. */
function isIdentifierPart(part: Node): boolean {
  const f = part?.Function;
  return !!f && !Array.isArray(f.name) && String(f.name?.value).toUpperCase() === "IDENTIFIER";
}

/** `IDENTIFIER(…)` as an expression: a call of the function IDENTIFIER. */
function identifierCall(node: Node): Node[] | undefined {
  const f = node?.Function;
  if (!f || !Array.isArray(f.name) || f.name.length !== 1) return undefined;
  const name = f.name[0]?.Identifier ?? f.name[0];
  if (identName(name) !== "IDENTIFIER") return undefined;
  return f.args?.List?.args ?? [];
}

/**
 * Replaces every `IDENTIFIER(…)` in a statement's tree by the names it gives, in place: in object
 * names (a table, a view, INSERT's target) and in expressions (a column).
 */
export function resolveIdentifiers(
  tree: Node,
  variables: ReadonlyMap<string, SessionVariable>,
): void {
  const go = (n: Node): void => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) {
        if (isIdentifierPart(n[i])) {
          const parts = identifiersOf(identifierText(n[i].Function.args ?? [], variables));
          n.splice(i, 1, ...parts.map((p) => ({ Identifier: p })));
          i += parts.length - 1;
        } else go(n[i]);
      }
      return;
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === "span") continue;
      const args = identifierCall(v);
      if (args) {
        const parts = identifiersOf(identifierText(args, variables));
        n[k] = parts.length === 1 ? { Identifier: parts[0] } : { CompoundIdentifier: parts };
      } else go(v);
    }
  };
  go(tree);
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
