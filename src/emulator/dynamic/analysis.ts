/**
 * Can a dynamic table be refreshed incrementally, and by which keys? This works on any
 * definition, from the structure the translator records for each SELECT block.
 *
 * **Keys.** An output column is a key when restricting the table to some of its values can be
 * pushed down to the sources without changing the rows that survive: it is a grouping key (or
 * made of them) of every aggregating block it passes, a PARTITION BY key of every window it
 * passes, and it comes from the preserved side of every outer join it crosses. Equalities of join
 * conditions and WHERE let a key reach the other side of a join (`V.VISIT_DATE =
 * TO_DATE(R.RIDE_TIME)` makes RIDE_DATE a key of both sides).
 *
 * **Lineage.** For each occurrence of a source table, each key it reaches is an expression over
 * that table's columns: `TO_DATE(RIDE_TIME)` for RIDE_DATE over LIFT_RIDE. A refresh evaluates
 * those expressions over the rows that changed in the source (inserted, deleted, old and new
 * versions of updated rows) to find the key values whose output rows may have changed; deletes
 * the table's rows with those key values; and recomputes the definition with each source
 * restricted to the rows whose lineage matches them (see `refresh.ts`).
 *
 * A source that only fills in attributes of rows other sources decide (the null-supplying side
 * of a LEFT JOIN in a plain top-level SELECT) can only change rows the table already has, so its
 * changed key values are completed from the table itself: a new ticket changes the visits of its
 * card that exist, found in DAILY_VISITS rather than in every ride.
 *
 * @module
 */
import type { BlockInfo, BlockRelation } from "../sql/translate/translator.ts";
import type { ObjectRef } from "../sql/translate/context.ts";

/** How one occurrence of a source reaches the keys: key index → SQL over the occurrence's alias. */
export interface Occurrence {
  readonly duckAlias: string;
  readonly exprs: ReadonlyMap<number, string>;
}

/** One source of a dynamic table. */
export interface SourcePlan {
  readonly ref: ObjectRef;
  readonly occurrences: readonly Occurrence[];
  /** Its changes only fill in columns of rows the table already has (see the module doc). */
  readonly expand: boolean;
  /** No occurrence reaches a key: a change forces a full refresh. */
  readonly opaque: boolean;
}

/** The analysis of a definition. */
export interface IncrementalPlan {
  /** Whether the definition can be refreshed incrementally. */
  readonly incremental: boolean;
  /** Why not (SHOW DYNAMIC TABLES' refresh_mode_reason), or null. */
  readonly reason: string | null;
  /** Key columns: output positions. */
  readonly keys: readonly number[];
  /** Sources by object id. */
  readonly sources: ReadonlyMap<number, SourcePlan>;
}

const COLUMN_REF = /"((?:[^"]|"")*)"\."((?:[^"]|"")*)"/g;

/** Splits SQL into string literals and the rest, so that rewrites leave literals alone. */
function segments(sql: string): { text: string; literal: boolean }[] {
  const out: { text: string; literal: boolean }[] = [];
  let i = 0;
  while (i < sql.length) {
    const q = sql.indexOf("'", i);
    if (q < 0) {
      out.push({ text: sql.slice(i), literal: false });
      break;
    }
    out.push({ text: sql.slice(i, q), literal: false });
    let j = q + 1;
    for (;;) {
      const e = sql.indexOf("'", j);
      if (e < 0) {
        j = sql.length;
        break;
      }
      if (sql[e + 1] === "'") {
        j = e + 2;
        continue;
      }
      j = e + 1;
      break;
    }
    out.push({ text: sql.slice(q, j), literal: true });
    i = j;
  }
  return out;
}

/** The `"alias"."column"` references of an expression. */
export function columnRefs(sql: string): { alias: string; column: string; text: string }[] {
  const out: { alias: string; column: string; text: string }[] = [];
  for (const seg of segments(sql)) {
    if (seg.literal) continue;
    for (const m of seg.text.matchAll(COLUMN_REF)) {
      out.push({
        alias: m[1].replaceAll('""', '"'),
        column: m[2].replaceAll('""', '"'),
        text: m[0],
      });
    }
  }
  return out;
}

/** Replaces references to `alias`'s columns (`"alias"."C"` → `replace(C)`; undefined aborts). */
export function substitute(
  sql: string,
  alias: string,
  replace: (column: string) => string | undefined,
): string | undefined {
  let failed = false;
  const out = segments(sql).map((seg) =>
    seg.literal ? seg.text : seg.text.replace(COLUMN_REF, (m, a: string, c: string) => {
      if (a.replaceAll('""', '"') !== alias) return m;
      const r = replace(c.replaceAll('""', '"'));
      if (r === undefined) failed = true;
      return r ?? m;
    })
  ).join("");
  return failed ? undefined : out;
}

/** Renames an alias in an expression (`"t3"."X"` → `"x"."X"`). */
export function realias(sql: string, from: string, to: string): string {
  const q = `"${to.replaceAll('"', '""')}"`;
  return substitute(sql, from, (c) => `${q}."${c.replaceAll('"', '""')}"`)!;
}

/** A union-find of equal expressions (by their SQL text). */
class Equivalences {
  readonly #parent = new Map<string, string>();
  find(x: string): string {
    let p = this.#parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.#parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.#parent.set(ra, rb);
  }
  /** Every text equal to `x` (including itself). */
  members(x: string, all: Iterable<string>): string[] {
    const r = this.find(x);
    const out = new Set([x]);
    for (const y of all) if (this.find(y) === r) out.add(y);
    return [...out];
  }
}

/** Strips redundant outer parentheses. */
function bare(sql: string): string {
  let s = sql.trim();
  while (s.startsWith("(") && s.endsWith(")")) {
    let depth = 0, ok = true;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === "(") depth++;
      else if (s[i] === ")") depth--;
      if (depth === 0 && i < s.length - 1) {
        ok = false;
        break;
      }
    }
    if (!ok) break;
    s = s.slice(1, -1).trim();
  }
  return s;
}

interface Found {
  readonly alias: string;
  readonly object: ObjectRef;
  readonly expr: string;
}

/** The analysis over one translation's blocks. */
class Analyzer {
  readonly #blocks: readonly BlockInfo[];
  readonly #cteUses: ReadonlyMap<number, number>;
  readonly #eq = new Map<number, { eq: Equivalences; texts: string[] }>();

  constructor(blocks: readonly BlockInfo[], cteUses: ReadonlyMap<number, number>) {
    this.#blocks = blocks;
    this.#cteUses = cteUses;
  }

  #equivalences(b: BlockInfo) {
    let e = this.#eq.get(b.id);
    if (!e) {
      const eq = new Equivalences();
      const texts: string[] = [];
      for (const [x, y] of b.equalities) {
        const bx = bare(x), by = bare(y);
        eq.union(bx, by);
        texts.push(bx, by);
      }
      e = { eq, texts };
      this.#eq.set(b.id, e);
    }
    return e;
  }

  #relation(b: BlockInfo, alias: string): BlockRelation | undefined {
    return b.relations.find((r) => r.duckAlias === alias);
  }

  /** True when restricting `e`'s values in block `b` removes whole groups and partitions only. */
  #keyable(b: BlockInfo, e: string): boolean {
    if (b.limit || b.blockers.length) return false;
    const x = bare(e);
    const out = b.outputs.find((o) => bare(o.sql) === x);
    if (out && (out.aggregate || out.window)) return false;
    const refs = columnRefs(x).map((r) => r.text);
    const within = (keys: readonly string[]) => {
      const set = new Set(keys.map(bare));
      return set.has(x) || (refs.length > 0 && refs.every((r) => set.has(r)));
    };
    if (b.groupKeys === null && b.aggregate) return false;
    if (b.groupKeys !== null && !within(b.groupKeys)) return false;
    for (const w of b.windows) if (!within(w)) return false;
    return true;
  }

  /** Where expression `e` of block `b` comes from, in source tables. */
  lineage(blockId: number, e: string, depth = 0): Found[] {
    if (depth > 64) return [];
    const b = this.#blocks[blockId];
    if (b.kind === "setop") {
      const idx = b.outputs.findIndex((o) => bare(o.sql) === bare(e));
      if (idx < 0) return [];
      const out: Found[] = [];
      for (const br of b.branches) {
        const bb = this.#blocks[br];
        if (bb.outputs[idx]) out.push(...this.lineage(br, bb.outputs[idx].sql, depth + 1));
      }
      return out;
    }
    if (!this.#keyable(b, e)) return [];
    const x = bare(e);
    // The key itself must come from preserved relations: a NULL from an unmatched outer-join row
    // is not a key value any source could reproduce.
    const own = new Set(columnRefs(x).map((r) => r.alias));
    for (const a of own) {
      const r = this.#relation(b, a);
      if (r?.nullable) return [];
    }
    const { eq, texts } = this.#equivalences(b);
    const out: Found[] = [];
    for (const cand of eq.members(x, texts)) {
      const refs = new Set(columnRefs(cand).map((r) => r.alias));
      if (refs.size !== 1) continue;
      const [alias] = refs;
      const r = this.#relation(b, alias);
      if (!r || r.opaque) continue;
      if (r.object) {
        out.push({ alias, object: r.object, expr: cand });
        continue;
      }
      if (r.block === undefined) continue;
      if ((this.#cteUses.get(r.block) ?? 1) > 1) continue;
      const inner = this.#blocks[r.block];
      const inside = substitute(cand, alias, (col) => {
        const o = inner.outputs.find((o) => o.duck === col);
        if (!o || o.aggregate || o.window) return undefined;
        return `(${o.sql})`;
      });
      if (inside === undefined) continue;
      if (inner.kind === "setop") {
        // A set operation's output is referenced by column: follow that column.
        const col = columnRefs(cand)[0]?.column;
        const idx = inner.outputs.findIndex((o) => o.duck === col);
        if (idx >= 0 && bare(cand) === columnRefs(cand)[0]?.text) {
          out.push(...this.lineage(inner.id, inner.outputs[idx].sql, depth + 1));
        }
        continue;
      }
      out.push(...this.lineage(inner.id, inside, depth + 1));
    }
    return out;
  }

  /** Occurrences (aliases) of catalog objects under a relation of block `b`. */
  occurrencesUnder(r: BlockRelation, into: Set<string>): void {
    if (r.object) into.add(r.duckAlias);
    if (r.block !== undefined) this.#occurrencesIn(this.#blocks[r.block], into);
  }

  #occurrencesIn(b: BlockInfo, into: Set<string>): void {
    for (const br of b.branches) this.#occurrencesIn(this.#blocks[br], into);
    for (const r of b.relations) this.occurrencesUnder(r, into);
  }
}

/** What the translator recorded about a definition. */
export interface AnalysisInput {
  readonly blocks: readonly BlockInfo[];
  readonly cteUses: ReadonlyMap<number, number>;
  /** Reasons found outside any block. */
  readonly blockers: readonly string[];
  /** The block of the definition's output. */
  readonly top: number | undefined;
  /** Every source object the definition reads, with the aliases of its occurrences. */
  readonly sources: ReadonlyMap<number, { ref: ObjectRef; aliases: readonly string[] }>;
}

/** Analyses a definition: its keys, and how each source reaches them. */
export function analyze(input: AnalysisInput): IncrementalPlan {
  const blockers = [...input.blockers, ...input.blocks.flatMap((b) => b.blockers)];
  if (input.top === undefined) {
    return {
      incremental: false,
      reason: "the definition reads no table",
      keys: [],
      sources: new Map(),
    };
  }
  const a = new Analyzer(input.blocks, input.cteUses);
  const top = input.blocks[input.top];
  const keys: number[] = [];
  const byAlias = new Map<string, Map<number, string>>();
  top.outputs.forEach((o, i) => {
    const found = a.lineage(top.id, o.sql);
    if (!found.length) return;
    keys.push(i);
    for (const f of found) {
      const m = byAlias.get(f.alias) ?? new Map<number, string>();
      if (!m.has(i)) m.set(i, f.expr);
      byAlias.set(f.alias, m);
    }
  });
  // Sources reached only through the null-supplying side of the top SELECT's outer joins.
  const plainTop = top.kind === "select" && top.groupKeys === null && !top.aggregate &&
    !top.distinct &&
    top.windows.length === 0;
  const nullableOccurrences = new Set<string>();
  const preservedOccurrences = new Set<string>();
  if (plainTop) {
    for (const r of top.relations) {
      a.occurrencesUnder(r, r.nullable ? nullableOccurrences : preservedOccurrences);
    }
  }
  const sources = new Map<number, SourcePlan>();
  let anyOpaque = false;
  for (const [id, s] of input.sources) {
    const occurrences = s.aliases.map((alias) => ({
      duckAlias: alias,
      exprs: byAlias.get(alias) ?? new Map<number, string>(),
    }));
    const opaque = occurrences.some((o) => o.exprs.size === 0);
    anyOpaque ||= opaque;
    const expand = plainTop &&
      s.aliases.every((al) => nullableOccurrences.has(al) && !preservedOccurrences.has(al));
    sources.set(id, { ref: s.ref, occurrences, expand, opaque });
  }
  // A global aggregate (no GROUP BY) is one row: Snowflake refreshes it incrementally, and here
  // every source is opaque, so each change recomputes that row (REFRESH_ACTION FULL).
  const globalAggregate = top.kind === "select" && top.aggregate && top.groupKeys === null &&
    top.windows.length === 0;
  let reason: string | null = null;
  if (blockers.length) {
    reason = `The definition uses ${blockers[0]}, which incremental refresh does not support.`;
  } else if (!keys.length && !globalAggregate) {
    reason = top.groupKeys?.length
      ? "No grouping key of the definition can be traced to every source it reads (for example a key from the null-supplying side of an outer join)."
      : "The definition has no grouping or partition key to refresh by (for example a LIMIT).";
  }
  void anyOpaque;
  return { incremental: reason === null, reason, keys, sources };
}
