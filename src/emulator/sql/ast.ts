/**
 * The parser's syntax tree, as JSON, and small helpers to read it. The tree is the serde
 * serialisation of datafusion-sqlparser-rs: an enum value is either a string (a variant without
 * data, `"Null"`) or an object with one key naming the variant (`{"BinaryOp": {…}}`).
 *
 * @module
 */

/** Any node of the tree. */
// deno-lint-ignore no-explicit-any
export type Node = any;

/** The variant name of an enum node (`"BinaryOp"`), or the string of a unit variant. */
export function variant(node: Node): string {
  if (typeof node === "string") return node;
  if (node && typeof node === "object" && !Array.isArray(node)) {
    const keys = Object.keys(node);
    if (keys.length === 1) return keys[0];
  }
  return "";
}

/** The payload of an enum node (`node.BinaryOp`). */
export function payload(node: Node): Node {
  if (node && typeof node === "object" && !Array.isArray(node)) {
    const keys = Object.keys(node);
    if (keys.length === 1) return node[keys[0]];
  }
  return undefined;
}

/** An identifier as written. */
export interface Ident {
  readonly value: string;
  /** `"` for a quoted identifier. */
  readonly quote_style?: string | null;
  readonly span?: Span;
}

/** A source position range (1-based lines and columns). */
export interface Span {
  readonly start: { readonly line: number; readonly column: number };
  readonly end: { readonly line: number; readonly column: number };
}

/**
 * The stored name of an identifier: unquoted identifiers are upper-cased, quoted ones keep their
 * spelling, as in Snowflake.
 */
export function identName(ident: Ident): string {
  return ident.quote_style ? ident.value : ident.value.toUpperCase();
}

/** The parts of an `ObjectName` (`[{Identifier: …}, …]` or older `[{value…}]`) as stored names. */
export function objectNameParts(name: Node): string[] {
  const parts: Node[] = Array.isArray(name) ? name : (name?.ObjectName ?? name?.[0] ?? []);
  return parts.map((p: Node) => {
    const ident: Ident = p?.Identifier ?? p;
    if (typeof ident?.value !== "string") throw new Error("unsupported object name part");
    return identName(ident);
  });
}

/** Deep copy of a node (the tree is plain JSON). */
export function clone<T>(node: T): T {
  return structuredClone(node);
}

/** Calls `visit` on every object in the tree (depth first); return false to skip a subtree. */
export function walk(node: Node, visit: (n: Node, parentKey: string) => boolean | void): void {
  const go = (n: Node, key: string) => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const x of n) go(x, key);
      return;
    }
    if (visit(n, key) === false) return;
    for (const [k, v] of Object.entries(n)) if (k !== "span") go(v, k);
  };
  go(node, "");
}

/** Where each line of a text starts, and which lines are ASCII only. */
interface LineIndex {
  readonly text: string;
  readonly starts: readonly number[];
  readonly ascii: readonly boolean[];
}

// One statement's spans are resolved together: the index of the last text is kept.
let lastIndex: LineIndex | undefined;

function lineIndex(text: string): LineIndex {
  if (lastIndex?.text === text) return lastIndex;
  const starts = [0];
  const ascii: boolean[] = [];
  let from = 0;
  for (;;) {
    const nl = text.indexOf("\n", from);
    const end = nl < 0 ? text.length : nl;
    // deno-lint-ignore no-control-regex -- the ASCII range, control characters included
    ascii.push(!/[^\x00-\x7f]/.test(text.slice(from, end)));
    if (nl < 0) break;
    from = nl + 1;
    starts.push(from);
  }
  lastIndex = { text, starts, ascii };
  return lastIndex;
}

/**
 * Converts a line/column position to an offset in `text`. Each call costs the length of one line
 * at most (an ASCII line none), not of the text before it: a statement has a span per node, and a
 * 50,000-item IN list must not cost 50,000 scans of everything before each item.
 */
export function offsetOf(text: string, line: number, column: number): number {
  const index = lineIndex(text);
  if (line > index.starts.length) return text.length;
  const offset = index.starts[line - 1];
  const lineEnd = line < index.starts.length ? index.starts[line] - 1 : text.length;
  if (index.ascii[line - 1] && offset + column - 1 <= lineEnd) return offset + column - 1;
  // Columns count characters (code points), not UTF-16 units.
  let i = offset;
  for (let c = 1; c < column && i < text.length; c++) {
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** Where a node begins in its statement (line and column from 1), if any span in it says. */
export function startOf(node: Node): { line: number; column: number } | undefined {
  let best: { line: number; column: number } | undefined;
  walk(node, (n) => {
    const span = (n as { span?: Span } | null)?.span;
    const s = span?.start;
    if (
      s && s.line > 0 &&
      (!best || s.line < best.line || (s.line === best.line && s.column < best.column))
    ) {
      best = { line: s.line, column: s.column };
    }
  });
  return best;
}

/**
 * The offsets of the first and last positions of every span inside a node: where its first
 * positioned token starts and its last one ends. Undefined when nothing in it carries a position.
 */
export function sourceRange(text: string, node: Node): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  const visitSpan = (s: Span | undefined) => {
    if (!s || !s.start || s.start.line === 0) return;
    const a = offsetOf(text, s.start.line, s.start.column);
    const b = offsetOf(text, s.end.line, s.end.column);
    if (a < lo) lo = a;
    if (b > hi) hi = b;
  };
  const go = (n: Node) => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const x of n) go(x);
      return;
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === "span") visitSpan(v as Span);
      else go(v);
    }
  };
  go(node);
  return Number.isFinite(lo) ? [lo, hi] : undefined;
}

/**
 * The source text a node was parsed from, extended to close the parentheses it opened: the
 * smallest and largest positions of every span inside it. Undefined when nothing in it carries
 * a position.
 */
export function sourceText(text: string, node: Node): string | undefined {
  const range = sourceRange(text, node);
  if (!range) return undefined;
  const [lo, hi] = range;
  let slice = text.slice(lo, hi);
  // Spans end at the last token inside: close what the slice left open (calls, CASE … END).
  let depth = 0;
  let quote: string | null = null;
  for (const ch of slice) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
  }
  let end = hi;
  // A call whose arguments carry no position (`COUNT(*)`, `CURRENT_DATE()`): take its parentheses.
  if (depth === 0 && /[A-Za-z0-9_$"]$/.test(slice)) {
    const m = /^\s*\(/.exec(text.slice(end));
    if (m) {
      end += m[0].length;
      depth = 1;
    }
  }
  let q: string | null = null;
  while (depth > 0 && end < text.length) {
    const ch = text[end];
    end++;
    if (q) {
      if (ch === q) q = null;
    } else if (ch === "'" || ch === '"') q = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
  }
  slice = text.slice(lo, end);
  if (/^CASE\b/i.test(slice) && !/\bEND$/i.test(slice)) {
    const m = /^\s*END\b/i.exec(text.slice(end));
    if (m) slice = text.slice(lo, end + m[0].length);
  }
  return slice;
}
