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
import { qi } from "../sql/translate/quote.ts";
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
}

/** What a refresh did. */
export interface RefreshResult {
  readonly action: "NO_DATA" | "INCREMENTAL" | "FULL" | "REINITIALIZE";
  readonly inserted: number;
  readonly deleted: number;
  readonly marks: Record<string, Mark>;
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
  const r = await s.all(
    `SELECT coalesce(max(${qi(ROW_COLUMN)}) + 1, ${base}) FROM ${tableOf(src)} WHERE ${
      qi(ROW_COLUMN)
    } >= ${base}`,
  );
  let logSeq = from?.logSeq ?? w.nextLogSeq(src.id);
  if (src.props.changeLog) {
    const l = await s.all(
      `SELECT coalesce(max("$SEQ") + 1, ${logSeq}) FROM ${
        changeLogOf(src)
      } WHERE "$SEQ" >= ${logSeq}`,
    );
    logSeq = Number(l.rows[0][0]);
  }
  return { row: Number(r.rows[0][0]), logSeq };
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

/** Zone-map friendly range for a lineage expression over a plain column, if it has one. */
async function rangeOf(
  s: LaneSession,
  template: string,
  r: Restriction,
  k: number,
): Promise<string | undefined> {
  // "x"."C", CAST("x"."C" AS DATE), date_trunc('unit', "x"."C"): monotone in the column C.
  let m = /^"x"\."((?:[^"]|"")+)"$/.exec(template);
  let col: string, unit: string | null = null;
  if (m) col = m[1];
  else if ((m = /^CAST\("x"\."((?:[^"]|"")+)" AS DATE\)$/.exec(template))) {
    col = m[1];
    unit = "day";
  } else if ((m = /^date_trunc\('(\w+)', "x"\."((?:[^"]|"")+)"\)$/.exec(template))) {
    col = m[2];
    unit = m[1];
  } else return undefined;
  const q = await s.all(
    `SELECT CAST(min(${keyCol(k)}) AS VARCHAR), CAST(max(${
      keyCol(k)
    }) AS VARCHAR), count(*) FILTER (WHERE ${keyCol(k)} IS NULL) FROM ${r.table}`,
  );
  const [lo, hi, nulls] = q.rows[0] as [string | null, string | null, bigint];
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

/** Refreshes one dynamic table in the tick's transaction. */
export async function refreshOne(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  marks: Record<string, Mark> | null,
  opts: { incremental: boolean },
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
  if (reinit) {
    const { inserted, deleted } = await replaceAll(w, s, dt, compiled);
    return { action: "REINITIALIZE", inserted, deleted, marks: positions };
  }
  if (!changed.length) return { action: "NO_DATA", inserted: 0, deleted: 0, marks: positions };
  const plans = changed.map((id) => compiled.plan.sources.get(id)!);
  if (!opts.incremental || plans.some((p) => !p || p.opaque)) {
    const { inserted, deleted } = await replaceAll(w, s, dt, compiled);
    return { action: "FULL", inserted, deleted, marks: positions };
  }
  const restrictions: Restriction[] = [];
  const temps: string[] = [];
  for (const id of changed) {
    const src = compiled.sources.get(id)!;
    const plan = compiled.plan.sources.get(id)!;
    const delta = deltaSql(src, marks![String(id)], positions[String(id)]);
    for (const r of await keysOfDelta(s, plan, delta, temps)) {
      restrictions.push(plan.expand ? await expandViaTable(s, dt, compiled, r, temps) : r);
    }
  }
  try {
    const dtMatch = (alias: string) =>
      restrictions.map((r) => matches(r, (k) => `${alias}.${qi(compiled.columns[k])}`)).join(
        " OR ",
      ) || "FALSE";
    // Delete the affected keys (old versions to the change log first, for this table's readers).
    const table = tableOf(dt);
    let deleted = 0;
    if (restrictions.length) {
      await logRows(
        w,
        s,
        dt,
        `SELECT ${qi(ROW_COLUMN)} FROM ${table} AS "d" WHERE ${dtMatch(`"d"`)}`,
      );
      deleted = await s.changes(`DELETE FROM ${table} AS "d" WHERE ${dtMatch(`"d"`)}`);
    }
    // Recompute them, each source restricted to the rows that can produce them.
    let inserted = 0;
    if (restrictions.length) {
      const overrides = new Map<string, string>();
      for (const [id, src] of compiled.sources) {
        const plan = compiled.plan.sources.get(id);
        if (!plan) continue;
        for (const occ of plan.occurrences) {
          const pred = await occurrenceFilter(s, occ, restrictions);
          if (pred) {
            overrides.set(occ.duckAlias, `(SELECT * FROM ${tableOf(src)} AS "x" WHERE ${pred})`);
          }
        }
      }
      const sql = compiled.translate((_ref, alias) => overrides.get(alias));
      inserted = await insertRows(
        w,
        s,
        dt,
        compiled,
        `SELECT * FROM (${sql}) AS "q" WHERE ${dtMatch(`"q"`)}`,
      );
    }
    return { action: "INCREMENTAL", inserted, deleted, marks: positions };
  } finally {
    for (const t of temps) await s.run(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
  }
}

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

/** The filter of one source occurrence for a set of restrictions, or undefined (read it all). */
async function occurrenceFilter(
  s: LaneSession,
  occ: { duckAlias: string; exprs: ReadonlyMap<number, string> },
  restrictions: readonly Restriction[],
): Promise<string | undefined> {
  const preds: string[] = [];
  const ranges: string[] = [];
  let rangeAll = true;
  for (const r of restrictions) {
    const ks = r.keys.filter((k) => occ.exprs.has(k));
    // A restriction this occurrence does not reach can come from any of its rows.
    if (!ks.length) return undefined;
    const part: Restriction = { keys: ks, table: r.table };
    preds.push(matches(part, (k) => realias(occ.exprs.get(k)!, occ.duckAlias, "x")));
    let range: string | undefined;
    for (const k of ks) {
      range = await rangeOf(s, realias(occ.exprs.get(k)!, occ.duckAlias, "x"), part, k);
      if (range) break;
    }
    if (range) ranges.push(range);
    else rangeAll = false;
  }
  const pred = `(${preds.join(" OR ")})`;
  return rangeAll && ranges.length ? `(${ranges.join(" OR ")}) AND ${pred}` : pred;
}

/** Writes the old versions of the table's rows `rowsSql` selects to its change log. */
async function logRows(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  rowsSql: string | null,
): Promise<void> {
  if (!dt.props.changeLog) return;
  const base = w.nextLogSeq(dt.id);
  const cols = dt.columns.map((c) => qi(c.name)).join(", ");
  const n = await s.changes(
    `INSERT INTO ${changeLogOf(dt)} ("$SEQ", ${qi(ROW_COLUMN)}, ${cols})
     SELECT ${base} + row_number() OVER () - 1, ${qi(ROW_COLUMN)}, ${cols} FROM ${tableOf(dt)}
     ${rowsSql ? `WHERE ${qi(ROW_COLUMN)} IN (${rowsSql})` : ""}`,
  );
  w.reserveLogSeq(dt.id, n);
}

/** Inserts the rows of `sql` (the definition's columns) with new `$ROW`s. */
async function insertRows(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
  sql: string,
): Promise<number> {
  const first = w.nextRow(dt.id);
  const cols = compiled.columns.map((c) => qi(c)).join(", ");
  const casts = compiled.columns.map((c, i) => `CAST("r".${qi(c)} AS ${compiled.duckTypes[i]})`)
    .join(", ");
  const n = await s.changes(
    `INSERT INTO ${tableOf(dt)} (${cols}, ${qi(ROW_COLUMN)})
     SELECT ${casts}, ${first} + row_number() OVER () - 1 FROM (${sql}) AS "r"`,
  );
  w.reserveRows(dt.id, n);
  return n;
}

/** Replaces every row (FULL and REINITIALIZE). */
async function replaceAll(
  w: Warehouse,
  s: LaneSession,
  dt: CatalogObject,
  compiled: Compiled,
): Promise<{ inserted: number; deleted: number }> {
  await logRows(w, s, dt, null);
  const deleted = await s.changes(`DELETE FROM ${tableOf(dt)}`);
  const inserted = await insertRows(w, s, dt, compiled, compiled.translate());
  return { inserted, deleted };
}
