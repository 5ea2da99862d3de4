/**
 * Row numbers for `INSERT … SELECT`: hidden `$ROW`s and change-log sequences are drawn from a
 * temporary sequence rather than `row_number() OVER ()`, which makes DuckDB hold every row of
 * the insert in memory at once (a window over the whole input) before writing any.
 *
 * @module
 */
import type { LaneSession } from "./duckdb.ts";
import { type CatalogObject, changeLogOf, ROW_COLUMN, tableOf } from "./catalog.ts";
import type { Warehouse } from "./warehouse.ts";
import { qi } from "../sql/translate/quote.ts";

let counter = 0;

/**
 * Runs `fn` with a SQL expression (`nextval(…)`) that numbers the rows it is evaluated for,
 * consecutively from `first`, in the lane's transaction.
 */
export async function numbered<T>(
  s: LaneSession,
  first: number,
  fn: (next: string) => Promise<T>,
): Promise<T> {
  const name = `"_ll_seq_${++counter}"`;
  await s.run(`CREATE TEMP SEQUENCE ${name} START ${first}`);
  try {
    return await fn(`nextval('${name.slice(1, -1)}')`);
  } finally {
    await s.run(`DROP SEQUENCE IF EXISTS ${name}`).catch(() => {});
  }
}

/**
 * Writes the current versions of object `o`'s rows that `rowsSql` selects (by `$ROW`; every row
 * when null) to its change log, numbered on from the log's next sequence, before an update or
 * delete replaces them. Nothing when the object keeps no change log.
 */
export async function logOldVersions(
  w: Warehouse,
  s: LaneSession,
  o: CatalogObject,
  rowsSql: string | null,
): Promise<void> {
  // Rows updated or deleted: the table is altered whether or not it keeps a change log.
  w.markAltered(o.id);
  if (!o.props.changeLog) return;
  const cols = o.columns.map((c) => `, ${qi(c.name)}`).join("");
  const n = await numbered(s, w.nextLogSeq(o.id), (next) =>
    s.changes(
      `INSERT INTO ${changeLogOf(o)} ("$SEQ", ${qi(ROW_COLUMN)}${cols})
       SELECT ${next}, ${qi(ROW_COLUMN)}${cols} FROM ${tableOf(o)}
       ${rowsSql ? `WHERE ${qi(ROW_COLUMN)} IN (${rowsSql})` : ""}`,
    ));
  w.reserveLogSeq(o.id, n);
}

/**
 * Inserts the rows of `selectSql` (the values of `columns`, in order) into object `o` with new
 * `$ROW`s; returns how many.
 */
export async function insertNumbered(
  w: Warehouse,
  s: LaneSession,
  o: CatalogObject,
  columns: readonly string[],
  selectSql: string,
): Promise<number> {
  const n = await numbered(s, w.nextRow(o.id), (next) =>
    s.changes(
      `INSERT INTO ${tableOf(o)} (${columns.map((c) => qi(c)).join(", ")}, ${qi(ROW_COLUMN)})
       SELECT *, ${next} FROM (${selectSql})`,
    ));
  w.reserveRows(o.id, n);
  return n;
}
