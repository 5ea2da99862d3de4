/**
 * The text of a select item as written, which Snowflake upper-cases into the column name of an
 * expression without an alias (`SELECT SUBSTR(s, 2, 3) FROM t` has a column `SUBSTR(S, 2, 3)`).
 * The parser's spans cover only some tokens of an expression (literals and names, not keywords,
 * casts or a call's parentheses), so the item is found from one of its positions by the tokens
 * around it: it begins after the SELECT (and DISTINCT or ALL) or the comma before it, and ends
 * before the next comma, clause keyword or closing parenthesis at its own depth.
 *
 * @module
 */
import { type Node, sourceRange } from "../ast.ts";
import { type Token, tokenize } from "../lexer.ts";

/** Words that end a select list at depth 0. */
const CLAUSE_WORDS = new Set([
  "FROM",
  "WHERE",
  "GROUP",
  "HAVING",
  "QUALIFY",
  "ORDER",
  "LIMIT",
  "OFFSET",
  "FETCH",
  "UNION",
  "EXCEPT",
  "MINUS",
  "INTERSECT",
  "WINDOW",
  "INTO",
]);

// One statement's items are named together: the tokens of the last text are kept.
let last: { text: string; tokens: Token[] } | undefined;

function tokensOf(text: string): Token[] | undefined {
  if (last?.text !== text) {
    try {
      last = { text, tokens: tokenize(text) };
    } catch {
      return undefined;
    }
  }
  return last.tokens;
}

/** The select item `node` as written in `text`; undefined when nothing in it has a position. */
export function selectItemText(text: string, node: Node): string | undefined {
  const range = sourceRange(text, node);
  const tokens = range && tokensOf(text);
  if (!range || !tokens) return undefined;
  let first = tokens.findIndex((t) => t.end > range[0]);
  if (first < 0) return undefined;
  // Back to just after the separator before the item (a paren opened before its first positioned
  // token, as in `CAST(x AS …)`, belongs to it).
  let depth = 0;
  let i = first - 1;
  for (; i >= 0; i--) {
    const t = tokens[i];
    if (t.kind === "symbol" && t.text === ")") depth++;
    else if (t.kind === "symbol" && t.text === "(") depth--;
    else if (depth <= 0 && t.kind === "symbol" && t.text === ",") break;
    else if (depth <= 0 && t.kind === "word" && t.text === "SELECT") break;
  }
  first = i + 1;
  if (tokens[i]?.text === "SELECT") {
    while (tokens[first]?.kind === "word" && /^(DISTINCT|ALL)$/.test(tokens[first].text)) first++;
  }
  // Forward to the end of the item at its own depth.
  depth = 0;
  let end = first;
  for (; end < tokens.length; end++) {
    const t = tokens[end];
    if (t.kind === "symbol" && t.text === "(") depth++;
    else if (t.kind === "symbol" && t.text === ")") {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && t.kind === "symbol" && (t.text === "," || t.text === ";")) break;
    else if (depth === 0 && t.kind === "word" && CLAUSE_WORDS.has(t.text)) break;
  }
  if (end <= first) return undefined;
  const from = tokens[first].start;
  const to = tokens[end - 1].end;
  // The positioned tokens must lie inside: otherwise the guess went wrong.
  if (from > range[0] || to < range[1]) return undefined;
  return text.slice(from, to);
}
