/**
 * One dynamic table's refresh, inside the transaction of its refresh tick: what changed in its
 * sources since the positions it consumed, and then NO_DATA, INCREMENTAL (delete and recompute
 * the affected keys), FULL or REINITIALIZE.
 *
 * Source positions ("marks") are a table's next `$ROW` and its change log's next sequence. Rows
 * between a source's mark and the position visible in this transaction are the changes: rows
 * inserted, the old versions of rows updated or deleted (from the change log), and the current
 * versions of rows updated.
 *
 * @module
 */
import type { LaneSession } from "../warehouse/duckdb.ts";
import { type CatalogObject, changeLogOf, ROW_COLUMN, tableOf } from "../warehouse/catalog.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import { insertNumbered, logOldVersions } from "../warehouse/numbering.ts";
import { qi } from "../sql/translate/quote.ts";
import { duckType } from "../warehouse/types.ts";
import type { IncrementalPlan, SourcePlan } from "./analysis.ts";
import { realias } from "./analysis.ts";
import type { ObjectRef } from "../sql/translate/context.ts";

/** Consumed positions of one source. */
export interface Mark {
  readonly row: number;
  readonly logSeq: number;
}

/** A compiled definition, ready to be refreshed. */
export interface Compiled {
  /** Translates the definition; `override` restricts occurrences (by DuckDB alias). */
  translate(
    override?: (ref: ObjectRef, duckAlias: string, tableSql: string) => string | undefined,
  ): string;
  readonly plan: IncrementalPlan;
  /** Output column names, in order (the dynamic table's columns). */
  readonly columns: readonly string[];
  /** DuckDB types the outputs are stored as. */
  readonly duckTypes: readonly string[];
  /** Sources by id (tables and dynamic tables). */
  readonly sources: ReadonlyMap<number, CatalogObject>;
  /**
   * Views and functions the definition reads through, by id: replaced (a new id), the
   * definition reads differently, and the table is reinitialized.
   */
  readonly definitionInputs: readonly number[];
}

/** The mark under which a refresh records that it read definition input `id` (see Compiled). */
export function definitionMark(id: number): string {
  return `definition:${id}`;
}

/** What a refresh did. */
export interface RefreshResult {
  readonly action: "NO_DATA" | "INCREMENTAL" | "FULL" | "REINITIALIZE";
  readonly inserted: number;
  readonly deleted: number;
  readonly marks: Record<string, Mark>;
  /** How many parts the recompute was split into (1 when it was not; 0 when nothing ran). */
  readonly parts: number;
}

let tempCounter = 0;

/** The current positions of a source (what this transaction can see). */
async function positionsOf(
  w: Warehouse,
  s: LaneSession,
  src: CatalogObject,
  from: Mark | undefined,
): Promise<Mark> {
  const base = from?.row ?? 1;
  const logSeq = from?.logSeq ?? w.nextLogSeq(src.id);
  // One statement for both: each costs DuckDB a millisecond or two, and a chain asks per source.
  const row = `(SELECT coalesce(max(${qi(ROW_COLUMN)}) + 1, ${base}) FROM ${tableOf(src)} WHERE ${
    qi(ROW_COLUMN)
  } >= ${base})`;
  const log = src.props.changeLog
    ? `(SELECT coalesce(max("$SEQ") + 1, ${logSeq}) FROM ${
      changeLogOf(src)
    } WHERE "$SEQ" >= ${logSeq})`
    : String(logSeq);
  const r = await s.all(`SELECT ${row}, ${log}`);
  return { row: Number(r.rows[0][0]), logSeq: Number(r.rows[0][1]) };
}

/** Rows of `src` that changed between two positions (inserted, old and new versions). */
function deltaSql(src: CatalogObject, from: Mark, to: Mark): string {
  const cols = src.columns.map((c) => qi(c.name)).join(", ");
  const t = tableOf(src);
  const parts = [
    `SELECT ${cols} FROM ${t} WHERE ${qi(ROW_COLUMN)} >= ${from.row} AND ${
      qi(ROW_COLUMN)
    } < ${to.row}`,
  ];
  if (src.props.changeLog && to.logSeq > from.logSeq) {
    const log = changeLogOf(src);
    const range = `"$SEQ" >= ${from.logSeq} AND "$SEQ" < ${to.logSeq}`;
    parts.push(`SELECT ${cols} FROM ${log} WHERE ${range}`);
    parts.push(
      `SELECT ${cols} FROM ${t} WHERE ${qi(ROW_COLUMN)} < ${from.row} AND ${
        qi(ROW_COLUMN)
      } IN (SELECT ${qi(ROW_COLUMN)} FROM ${log} WHERE ${range})`,
    );
  }
  return parts.join(" UNION ALL ");
}

/** A set of key values of some key columns, in a temporary table. */
interface Restriction {
  /** Key indexes (output positions) it fixes. */
  readonly keys: readonly number[];
  readonly table: string;
}

const keyCol = (k: number) => qi(`k${k}`);

/** `EXISTS` over a restriction: `exprOf(k)` gives the SQL to compare with key k. */
function matches(r: Restriction, exprOf: (k: number) => string): string {
  return `EXISTS (SELECT 1 FROM ${r.table} AS "kr" WHERE ${
    r.keys.map((k) => `${exprOf(k)} IS NOT DISTINCT FROM "kr".${keyCol(k)}`).join(" AND ")
  })`;
}

/**
 * The column a lineage expression over alias "x" grows with, and the unit it truncates to:
 * `"x"."C"`, `CAST("x"."C" AS DATE)` (day) or `date_trunc('unit', "x"."C")`; else undefined.
 */
function monotoneColumn(template: string): { col: string; unit: string | null } | undefined {
  let m = /^"x"\."((?:[^"]|"")+)"$/.exec(template);
  if (m) return { col: m[1], unit: null };
  if ((m = /^CAST\("x"\."((?:[^"]|"")+)" AS DATE\)$/.exec(template))) {
    return { col: m[1], unit: "day" };
  }
  if ((m = /^date_trunc\('(\w+)', "x"\."((?:[^"]|"")+)"\)$/.exec(template))) {
    return { col: m[2], unit: m[1] };
  }
  return undefined;
}

/** The kind of values a DuckDB type holds, for deciding whether two types order alike. */
function family(type: string | null | undefined): string | undefined {
  if (!type) return undefined;
  if (/^(VARCHAR|TEXT|STRING)\b/i.test(type)) return "text";
  if (/^(DECIMAL|NUMERIC|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL)\b/i.test(type)) {
    return "number";
  }
  if (/^(DATE|TIMESTAMP)\b/i.test(type)) return "time";
  return type.toUpperCase();
}

/**
 * Zone-map friendly range for a lineage expression over a plain column, if it has one.
 * `columnType` gives the DuckDB type of a column of the relation read. The range is given only
 * when the key values order as the column does: key values of another kind (a text key matched
 * against a number column through a UNION's common type) would give a range in the wrong order,
 * and the semi-join alone is then the restriction.
 */
async function rangeOf(
  s: LaneSession,
  template: string,
  r: Restriction,
  k: number,
  columnType: (col: string) => string | undefined,
): Promise<string | undefined> {
  const mono = monotoneColumn(template);
  if (!mono) return undefined;
  const { col, unit } = mono;
  const q = await s.all(
    `SELECT CAST(min(${keyCol(k)}) AS VARCHAR), CAST(max(${
      keyCol(k)
    }) AS VARCHAR), count(*) FILTER (WHERE ${keyCol(k)} IS NULL),
     any_value(typeof(${keyCol(k)})) FILTER (WHERE ${keyCol(k)} IS NOT NULL) FROM ${r.table}`,
  );
  const [lo, hi, nulls, keyType] = q.rows[0] as [
    string | null,
    string | null,
    bigint,
    string | null,
  ];
  const kind = family(keyType);
  if (kind !== undefined && kind !== (unit ? "time" : family(columnType(col)))) return undefined;
  const column = `"x"."${col}"`;
  const parts: string[] = [];
  if (lo !== null && hi !== null) {
    const l = `'${lo.replaceAll("'", "''")}'`, h = `'${hi.replaceAll("'", "''")}'`;
    parts.push(
      unit
        ? `(${column} >= CAST(${l} AS TIMESTAMP) AND ${column} < CAST(${h} AS TIMESTAMP) + INTERVAL 1 ${unit})`
        : `(${column} >= ${l} AND ${column} <= ${h})`,
    );
  }
  if (Number(nulls) > 0) parts.push(`${column} IS NULL`);
  return parts.length ? `(${parts.join(" OR ")})` : "FALSE";
}

/** The DuckDB type of a column named as in a lineage template (`""` for `"`) among `names`. */
function typeAmong(
  names: readonly string[],
  types: (i: number) => string,
): (col: string) => string | undefined {
  return (col) => {
    const i = names.indexOf(col.replaceAll('""', '"'));
    return i < 0 ? undefined : types(i);
  };
}

/** Refreshes one dynamic table in the tick's transaction. */
export async function refreshOne(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  marks: Record<string, Mark> | null,
  opts: { incremental: boolean } & PartOptions,
): Promise<RefreshResult> {
  const positions: Record<string, Mark> = {};
  const changed: number[] = [];
  let reinit = marks === null;
  for (const [id, src] of compiled.sources) {
    const from = marks?.[String(id)];
    if (!from) reinit = true;
    const to = await positionsOf(w, s, src, from);
    positions[String(id)] = to;
    if (from && (to.row > from.row || to.logSeq > from.logSeq)) changed.push(id);
  }
  // A view or function replaced since the last refresh (or first read now) changes what the
  // definition computes from rows that did not change.
  for (const id of compiled.definitionInputs) {
    if (marks && !marks[definitionMark(id)]) reinit = true;
    positions[definitionMark(id)] = { row: 0, logSeq: 0 };
  }
  if (reinit) {
    const { inserted, deleted, parts } = await replaceAll(w, s, dt, compiled, opts.parts);
    return { action: "REINITIALIZE", inserted, deleted, marks: positions, parts };
  }
  if (!changed.length) {
    return { action: "NO_DATA", inserted: 0, deleted: 0, marks: positions, parts: 0 };
  }
  let changedRows = 0;
  for (const id of changed) {
    const a = marks![String(id)], b = positions[String(id)];
    changedRows += (b.row - a.row) + (b.logSeq - a.logSeq);
  }
  const plans = changed.map((id) => compiled.plan.sources.get(id)!);
  if (
    !opts.incremental || plans.some((p) => !p || p.opaque) ||
    await mostlyNew(s, compiled, changed, changedRows)
  ) {
    const { inserted, deleted, parts } = await replaceAll(w, s, dt, compiled, opts.parts);
    return { action: "FULL", inserted, deleted, marks: positions, parts };
  }
  const restrictions: Restriction[] = [];
  const temps: string[] = [];
  try {
    for (const id of changed) {
      const src = compiled.sources.get(id)!;
      const plan = compiled.plan.sources.get(id)!;
      const delta = deltaSql(src, marks![String(id)], positions[String(id)]);
      for (const r of await keysOfDelta(s, plan, delta, temps)) {
        restrictions.push(plan.expand ? await expandViaTable(s, dt, compiled, r, temps) : r);
      }
    }
    if (!restrictions.length) {
      return { action: "INCREMENTAL", inserted: 0, deleted: 0, marks: positions, parts: 0 };
    }
    const merged = await mergeRestrictions(s, restrictions, temps);
    const done = await recomputeInParts(w, s, dt, compiled, merged, changedRows, opts);
    return { action: "INCREMENTAL", ...done, marks: positions };
  } finally {
    await dropAll(s, temps);
  }
}

/**
 * One restriction per set of keys: the key tables of sources that reach the same keys (a ride's
 * keys and the keys a ticket's rows expand to), of the same types, united into one. Each restriction reads a source
 * through a semi-join of its own, and rows read by several must be united row by row (a UNION
 * over whole rows, which at full speed holds millions of them at once); united key tables leave
 * one semi-join per source.
 */
async function mergeRestrictions(
  s: LaneSession,
  restrictions: readonly Restriction[],
  temps: string[],
): Promise<Restriction[]> {
  // Only tables whose key columns have the same types: a UNION of a number key and a text key
  // would turn both into text, and text orders numbers otherwise.
  const types = new Map<string, string>();
  if (restrictions.length > 1) {
    const names = restrictions.map((r) => `'${r.table.replaceAll('"', "")}'`).join(", ");
    const q = await s.all(
      `SELECT table_name, column_name, data_type FROM duckdb_columns()
       WHERE database_name = 'temp' AND table_name IN (${names})`,
    );
    for (const [table, column, type] of q.rows) types.set(`${table}.${column}`, String(type));
  }
  const bySet = new Map<string, Restriction[]>();
  for (const r of restrictions) {
    const keys = [...r.keys].sort((a, b) => a - b);
    const table = r.table.replaceAll('"', "");
    const sig = keys.map((k) => `${k}:${types.get(`${table}.k${k}`)}`).join(",");
    bySet.set(sig, [...(bySet.get(sig) ?? []), r]);
  }
  const out: Restriction[] = [];
  for (const group of bySet.values()) {
    if (group.length === 1) {
      out.push(group[0]);
      continue;
    }
    const table = `"_ll_keys_${++tempCounter}"`;
    temps.push(table);
    const cols = group[0].keys.map(keyCol).join(", ");
    await s.run(
      `CREATE TEMP TABLE ${table} AS ${
        group.map((r) => `SELECT ${cols} FROM ${r.table}`).join(" UNION ")
      }`,
    );
    out.push({ keys: group[0].keys, table });
  }
  return out;
}

/** How a refresh may be split into parts, each a statement over a share of the keys. */
export interface PartOptions {
  /** At least this many parts (default 1): the retry of a refresh that ran out of memory. */
  readonly parts?: number;
  /** At most this many changed keys per part (default {@link KEYS_PER_PART}). */
  readonly keysPerPart?: number;
  /** At most about this many changed rows per part split by spans of a time key (default
   * {@link ROWS_PER_PART}). */
  readonly rowsPerPart?: number;
}

/**
 * Keys of changed rows recomputed by one statement. A catch-up after a pause, or a chain fed at
 * full speed, changes millions of keys at once; recomputing them in parts keeps each statement's
 * joins, windows and comparisons within DuckDB's memory limit rather than failing at it.
 */
export const KEYS_PER_PART = 100_000;

/** Changed source rows per part, when a refresh can be split by spans of a time key. */
export const ROWS_PER_PART = 1_000_000;

/**
 * Recomputes the keys of `restrictions`, in parts when they (or the changed rows behind a time
 * key) are many: each part takes the key values in its span of a time key, or else those whose
 * hash falls in its share, in every restriction alike, so the parts are disjoint and together
 * cover every key.
 */
async function recomputeInParts(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  restrictions: readonly Restriction[],
  changedRows: number,
  opts: PartOptions,
): Promise<{ inserted: number; deleted: number; parts: number }> {
  const fixed = restrictions.map((r) => r.keys);
  const ranged = timeKey(compiled, fixed);
  const key = splitKey(compiled, fixed);
  let parts = opts.parts ?? 1;
  if (key !== undefined) {
    const sizes = await s.all(
      `SELECT greatest(${restrictions.map((r) => `(SELECT count(*) FROM ${r.table})`).join(", ")})`,
    );
    parts = Math.max(
      parts,
      Math.ceil(Number(sizes.rows[0][0]) / (opts.keysPerPart ?? KEYS_PER_PART)),
    );
  }
  // Spans of a time key each read their own rows: the changed rows' count can set the parts
  // too (a few keys over millions of rows: an hourly aggregate fed at full speed).
  if (ranged !== undefined) {
    parts = Math.max(parts, Math.ceil(changedRows / (opts.rowsPerPart ?? ROWS_PER_PART)));
  }
  if (key === undefined || parts <= 1) {
    return { ...await recomputeKeys(w, s, dt, compiled, restrictions), parts: 1 };
  }
  const shares = (ranged !== undefined &&
    await rangeShares(s, compiled, restrictions, ranged, parts)) ||
    Array.from({ length: parts }, (_, part) => inPart(keyCol(key), compiled, key, part, parts));
  let inserted = 0, deleted = 0;
  for (const share of shares) {
    const temps: string[] = [];
    try {
      const mine: Restriction[] = [];
      for (const r of restrictions) {
        const table = `"_ll_keys_${++tempCounter}"`;
        temps.push(table);
        await s.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${r.table} WHERE ${share}`);
        mine.push({ keys: r.keys, table });
      }
      const n = await recomputeKeys(w, s, dt, compiled, mine);
      inserted += n.inserted;
      deleted += n.deleted;
    } finally {
      await dropAll(s, temps);
    }
  }
  return { inserted, deleted, parts: shares.length };
}

/**
 * A date or timestamp key every restriction fixes and some source occurrence computes from one
 * of its columns (the column itself, its date, or a DATE_TRUNC of it), or undefined. Event tables
 * arrive in time order, so a part that holds a span of such a key reads only that span's row
 * groups of the source; a part that holds a hash share of a key reads every changed row group.
 */
function timeKey(compiled: Compiled, fixed: readonly (readonly number[])[]): number | undefined {
  for (const k of compiled.plan.keys) {
    if (!fixed.every((keys) => keys.includes(k))) continue;
    if (!/^(DATE|TIMESTAMP)/.test(compiled.duckTypes[k])) continue;
    for (const plan of compiled.plan.sources.values()) {
      for (const occ of plan.occurrences) {
        const expr = occ.exprs.get(k);
        if (expr !== undefined && monotoneColumn(realias(expr, occ.duckAlias, "x"))) return k;
      }
    }
  }
  return undefined;
}

/**
 * Up to `parts` conditions on key `k` (over a key table's column) that split the restrictions'
 * key values into consecutive spans of about equal size, NULLs in the first; undefined when the
 * values are too few to split.
 */
async function rangeShares(
  s: LaneSession,
  compiled: Compiled,
  restrictions: readonly Restriction[],
  k: number,
  parts: number,
): Promise<string[] | undefined> {
  // As the table stores the key: a source may give it as text (a UNION with a text column), and
  // the same value must fall in the same span in every restriction.
  const type = compiled.duckTypes[k];
  const v = `TRY_CAST(${keyCol(k)} AS ${type})`;
  const values = restrictions.map((r) => `SELECT ${v} AS "v" FROM ${r.table}`).join(
    " UNION ALL ",
  );
  const fractions = Array.from({ length: parts - 1 }, (_, i) => (i + 1) / parts).join(", ");
  const q = await s.all(
    `SELECT CAST("b" AS VARCHAR) FROM (SELECT DISTINCT unnest(quantile_disc("v", [${fractions}])) AS "b"
     FROM (${values}) WHERE "v" IS NOT NULL) ORDER BY "b"`,
  );
  const bounds = q.rows.map((r) => `CAST('${String(r[0]).replaceAll("'", "''")}' AS ${type})`);
  if (bounds.length < 2) return undefined;
  return [
    `(${v} IS NULL OR ${v} <= ${bounds[0]})`,
    ...bounds.slice(1).map((b, i) => `(${v} > ${bounds[i]} AND ${v} <= ${b})`),
    `${v} > ${bounds[bounds.length - 1]}`,
  ];
}

/**
 * The key to split a refresh by: one every restriction fixes, reached by the most source
 * occurrences (each occurrence that reaches it reads only its part's rows), or undefined.
 */
function splitKey(compiled: Compiled, fixed: readonly (readonly number[])[]): number | undefined {
  let best: number | undefined, reach = -1;
  for (const k of compiled.plan.keys) {
    if (!fixed.every((keys) => keys.includes(k))) continue;
    let n = 0;
    for (const plan of compiled.plan.sources.values()) {
      for (const occ of plan.occurrences) if (occ.exprs.has(k)) n++;
    }
    if (n > reach) [best, reach] = [k, n];
  }
  return best;
}

/**
 * Whether `sql`, a value of key `k`, falls in `part` of `parts`: hashed as the table stores the
 * key, so that a value computed from a source and the same value read back agree (one that
 * does not fit hashes as NULL, in one part on both sides).
 */
function inPart(sql: string, compiled: Compiled, k: number, part: number, parts: number): string {
  return `hash(TRY_CAST(${sql} AS ${compiled.duckTypes[k]})) % ${parts} = ${part}`;
}

async function dropAll(s: LaneSession, temps: readonly string[]): Promise<void> {
  for (const t of temps) await s.run(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
}

/** Deletes and recomputes the rows of the keys `restrictions` hold, applying only what changed. */
async function recomputeKeys(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  restrictions: readonly Restriction[],
): Promise<{ inserted: number; deleted: number }> {
  const temps: string[] = [];
  try {
    // Recompute the affected keys, each source restricted to the rows that can produce them.
    const overrides = new Map<string, string>();
    for (const [id, src] of compiled.sources) {
      const plan = compiled.plan.sources.get(id);
      if (!plan) continue;
      for (const occ of plan.occurrences) {
        const relation = await occurrenceRelation(s, src, occ, restrictions);
        if (relation) overrides.set(occ.duckAlias, relation);
      }
    }
    const sql = compiled.translate((_ref, alias) => overrides.get(alias));
    const inKeys = restrictions.map((r) => matches(r, (k) => `"q".${qi(compiled.columns[k])}`))
      .join(" OR ");
    const fresh = await tempTable(
      s,
      temps,
      `SELECT ${
        castColumns(compiled, `"r"`)
      } FROM (SELECT * FROM (${sql}) AS "q" WHERE ${inKeys}) AS "r"`,
      compiled.columns,
    );
    // The table's rows of those keys now.
    const cols = compiled.columns.map((c) => qi(c)).join(", ");
    const current = await tempTable(
      s,
      temps,
      `SELECT ${qi(ROW_COLUMN)}, ${cols} FROM ${await rowsOfKeys(s, dt, compiled, restrictions)}`,
      compiled.columns,
    );
    // Apply only the difference: rows that did not change stay (and downstream tables see no
    // change in them), which also makes the history's row counts what changed.
    const same = (a: string, b: string) =>
      [...compiled.columns, "$DUP"].map((c) => `${a}.${qi(c)} IS NOT DISTINCT FROM ${b}.${qi(c)}`)
        .join(" AND ");
    const gone = `SELECT "o".${
      qi(ROW_COLUMN)
    } FROM ${current} AS "o" ANTI JOIN ${fresh} AS "n" ON ${same(`"o"`, `"n"`)}`;
    await logOldVersions(w, s, dt, gone);
    const deleted = await s.changes(
      `DELETE FROM ${tableOf(dt)} WHERE ${qi(ROW_COLUMN)} IN (${gone})`,
    );
    const inserted = await insertRows(
      w,
      s,
      dt,
      compiled,
      `SELECT "n".* FROM ${fresh} AS "n" ANTI JOIN ${current} AS "o" ON ${same(`"n"`, `"o"`)}`,
    );
    return { inserted, deleted };
  } finally {
    await dropAll(s, temps);
  }
}

/** The table's stored columns of `alias`, cast to their storage types. */
function castColumns(compiled: Compiled, alias: string): string {
  return compiled.columns.map((c, i) =>
    `CAST(${alias}.${qi(c)} AS ${compiled.duckTypes[i]}) AS ${qi(c)}`
  ).join(", ");
}

/**
 * A temporary table of `sql`'s rows, each numbered among its identical rows (`$DUP`), so that
 * comparing two of them matches rows one for one even when a table holds duplicates.
 */
async function tempTable(
  s: LaneSession,
  temps: string[],
  sql: string,
  columns: readonly string[],
): Promise<string> {
  const table = `"_ll_rows_${++tempCounter}"`;
  temps.push(table);
  await s.run(
    `CREATE TEMP TABLE ${table} AS SELECT *, row_number() OVER (PARTITION BY ${
      columns.map((c) => qi(c)).join(", ")
    }) AS "$DUP" FROM (${sql})`,
  );
  return table;
}

/** The dynamic table's rows whose keys a restriction holds, as a relation (semi-joins). */
async function rowsOfKeys(
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  restrictions: readonly Restriction[],
): Promise<string> {
  const branches: Branch[] = [];
  for (const r of restrictions) {
    const ranges: string[] = [];
    for (const k of r.keys) {
      const range = await rangeOf(
        s,
        `"x".${qi(compiled.columns[k])}`,
        r,
        k,
        typeAmong(compiled.columns, (i) => compiled.duckTypes[i]),
      );
      if (range) ranges.push(range);
    }
    branches.push({ restriction: r, exprOf: (k) => `"x".${qi(compiled.columns[k])}`, ranges });
  }
  return disjointUnion(tableOf(dt), branches);
}

/**
 * True when the changes are a large share of the changed sources (a first fill, a catch-up after
 * a long pause): recomputing the whole table is then cheaper than finding, deleting and
 * recomputing nearly every key, and needs no key tables the size of the sources. When the keys
 * the changes reach include a time key, each part of an incremental refresh reads only its span
 * of the sources, and it stays cheaper than a full one until nearly everything is new.
 */
async function mostlyNew(
  s: LaneSession,
  compiled: Compiled,
  changed: readonly number[],
  changes: number,
): Promise<boolean> {
  if (changes < FULL_REFRESH_MIN_CHANGES) return false;
  const counts: string[] = [];
  const fixed: (readonly number[])[] = [];
  for (const id of changed) {
    counts.push(`(SELECT count(*) FROM ${tableOf(compiled.sources.get(id)!)})`);
    const plan = compiled.plan.sources.get(id)!;
    for (const occ of plan.occurrences) {
      fixed.push(plan.expand ? compiled.plan.keys : [...occ.exprs.keys()]);
    }
  }
  const total = Number((await s.all(`SELECT ${counts.join(" + ")}`)).rows[0][0]);
  const share = timeKey(compiled, fixed) === undefined
    ? FULL_REFRESH_SHARE
    : FULL_REFRESH_SHARE_BY_SPANS;
  return changes > total * share;
}

/** A refresh recomputes everything when its changes are over this share of the sources' rows… */
const FULL_REFRESH_SHARE = 0.25;
/** …or this share, when it can be split by spans of a time key… */
const FULL_REFRESH_SHARE_BY_SPANS = 0.9;
/** …and at least this many (small tables stay incremental, as the tests expect). */
const FULL_REFRESH_MIN_CHANGES = 50_000;

/** The key values a source's changed rows reach, one restriction per set of keys reached. */
async function keysOfDelta(
  s: LaneSession,
  plan: SourcePlan,
  delta: string,
  temps: string[],
): Promise<Restriction[]> {
  const groups = new Map<string, { keys: number[]; selects: string[] }>();
  for (const occ of plan.occurrences) {
    const keys = [...occ.exprs.keys()].sort((a, b) => a - b);
    const sig = keys.join(",");
    const g = groups.get(sig) ?? { keys, selects: [] };
    g.selects.push(
      `SELECT ${
        keys.map((k) => `${realias(occ.exprs.get(k)!, occ.duckAlias, "x")} AS ${keyCol(k)}`).join(
          ", ",
        )
      } FROM (${delta}) AS "x"`,
    );
    groups.set(sig, g);
  }
  const out: Restriction[] = [];
  for (const g of groups.values()) {
    const table = `"_ll_keys_${++tempCounter}"`;
    temps.push(table);
    await s.run(
      `CREATE TEMP TABLE ${table} AS SELECT DISTINCT * FROM (${g.selects.join(" UNION ALL ")})`,
    );
    out.push({ keys: g.keys, table });
  }
  return out;
}

/** Completes partial key values with the table's own rows (sources that only fill in columns). */
async function expandViaTable(
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  r: Restriction,
  temps: string[],
): Promise<Restriction> {
  const keys = compiled.plan.keys;
  const table = `"_ll_keys_${++tempCounter}"`;
  temps.push(table);
  await s.run(
    `CREATE TEMP TABLE ${table} AS SELECT DISTINCT ${
      keys.map((k) => `"d".${qi(compiled.columns[k])} AS ${keyCol(k)}`).join(", ")
    }
     FROM ${tableOf(dt)} AS "d" WHERE ${matches(r, (k) => `"d".${qi(compiled.columns[k])}`)}`,
  );
  return { keys, table };
}

/**
 * The rows of one source occurrence that can produce the restricted keys, as a relation, or
 * undefined (read it all). Each restriction is a semi-join on its key table (DuckDB hashes it;
 * a correlated EXISTS with IS NOT DISTINCT FROM would compare row by row), narrowed first by the
 * zone-map ranges of every key that is a monotone function of a column.
 */
async function occurrenceRelation(
  s: LaneSession,
  src: CatalogObject,
  occ: { duckAlias: string; exprs: ReadonlyMap<number, string> },
  restrictions: readonly Restriction[],
): Promise<string | undefined> {
  const branches: Branch[] = [];
  for (const r of restrictions) {
    const ks = r.keys.filter((k) => occ.exprs.has(k));
    // A restriction this occurrence does not reach can come from any of its rows.
    if (!ks.length) return undefined;
    const part: Restriction = { keys: ks, table: r.table };
    const ranges: string[] = [];
    for (const k of ks) {
      const range = await rangeOf(
        s,
        realias(occ.exprs.get(k)!, occ.duckAlias, "x"),
        part,
        k,
        typeAmong(src.columns.map((c) => c.name), (i) => duckType(src.columns[i].type)),
      );
      if (range) ranges.push(range);
    }
    branches.push({
      restriction: part,
      exprOf: (k) => realias(occ.exprs.get(k)!, occ.duckAlias, "x"),
      ranges,
    });
  }
  return disjointUnion(tableOf(src), branches);
}

/** One semi-join of a relation on a restriction, narrowed by zone-map ranges. */
interface Branch {
  readonly restriction: Restriction;
  /** The SQL (over alias "x") compared with key k. */
  readonly exprOf: (k: number) => string;
  readonly ranges: readonly string[];
}

/**
 * The rows of `table` (alias "x") that any branch's restriction holds, each once: branch i takes
 * the rows its restriction holds and no earlier one does. The same rows as a UNION of the
 * semi-joins, without one: a UNION finds duplicates in a hash table of every row it reads,
 * millions of them at full speed, where these anti-joins hash only the key tables.
 */
function disjointUnion(table: string, branches: readonly Branch[]): string {
  const sql = branches.map((b, i) => {
    const r = b.restriction;
    const on = r.keys.map((k) => `${b.exprOf(k)} IS NOT DISTINCT FROM "kr".${keyCol(k)}`);
    const where = [...b.ranges];
    for (const e of branches.slice(0, i)) {
      where.push(`NOT ${matches(e.restriction, e.exprOf)}`);
    }
    return `SELECT "x".* FROM ${table} AS "x" SEMI JOIN ${r.table} AS "kr" ON ${on.join(" AND ")}${
      where.length ? ` WHERE ${where.join(" AND ")}` : ""
    }`;
  });
  return `(${sql.join(" UNION ALL ")})`;
}

/** Inserts the rows of `sql` (the definition's columns) with new `$ROW`s. */
function insertRows(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  sql: string,
): Promise<number> {
  const casts = compiled.columns.map((c, i) => `CAST("r".${qi(c)} AS ${compiled.duckTypes[i]})`)
    .join(", ");
  return insertNumbered(w, s, dt, compiled.columns, `SELECT ${casts} FROM (${sql}) AS "r"`);
}

/**
 * Replaces every row (FULL and REINITIALIZE), in `parts` statements when asked: each computes the
 * rows of its share of one key's values, with each source occurrence that reaches the key reading
 * only the rows of that share.
 */
async function replaceAll(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  parts = 1,
): Promise<{ inserted: number; deleted: number; parts: number }> {
  await logOldVersions(w, s, dt, null);
  const deleted = await s.changes(`DELETE FROM ${tableOf(dt)}`);
  // Stored in key order, so that the zone maps of the key columns let an incremental refresh
  // read only the row groups of the keys it recomputes (later refreshes append recent keys).
  const keys = compiled.plan.keys.map((k) => `${qi(compiled.columns[k])} NULLS FIRST`);
  const ordered = (sql: string) =>
    keys.length ? `SELECT * FROM (${sql}) ORDER BY ${keys.join(", ")}` : sql;
  const key = parts > 1 ? splitKey(compiled, []) : undefined;
  if (key === undefined) {
    const inserted = await insertRows(w, s, dt, compiled, ordered(compiled.translate()));
    return { inserted, deleted, parts: 1 };
  }
  let inserted = 0;
  for (let part = 0; part < parts; part++) {
    const overrides = new Map<string, string>();
    for (const [id, src] of compiled.sources) {
      for (const occ of compiled.plan.sources.get(id)?.occurrences ?? []) {
        const expr = occ.exprs.get(key);
        if (expr === undefined) continue;
        overrides.set(
          occ.duckAlias,
          `(SELECT "x".* FROM ${tableOf(src)} AS "x" WHERE ${
            inPart(realias(expr, occ.duckAlias, "x"), compiled, key, part, parts)
          })`,
        );
      }
    }
    const sql = compiled.translate((_ref, alias) => overrides.get(alias));
    const mine = `SELECT * FROM (${sql}) AS "q" WHERE ${
      inPart(`"q".${qi(compiled.columns[key])}`, compiled, key, part, parts)
    }`;
    inserted += await insertRows(w, s, dt, compiled, ordered(mine));
  }
  return { inserted, deleted, parts };
}
