/**
 * Streams: the changes of a table since the stream's offset, with Snowflake's METADATA$ columns.
 *
 * A table's rows carry their insertion sequence (`$ROW`), and updates and deletes write the old
 * versions of the rows they change to the table's change log with a log sequence. A stream's
 * offset is a pair (next `$ROW`, next log sequence) at the moment it was created or last
 * consumed, so its rows are, per changed row identity:
 *
 * - present now, absent at the offset (inserted since): INSERT;
 * - present at the offset, absent now (deleted since): DELETE of its old version;
 * - present at both, changed: DELETE of the old version and INSERT of the new, both with
 *   METADATA$ISUPDATE = TRUE.
 *
 * An append-only stream shows only rows inserted since the offset, as they were inserted. With SHOW_INITIAL_ROWS, the
 * first consumption also returns the rows the table held when the stream was created.
 *
 * @module
 */
import { type CatalogObject, changeLogOf, ROW_COLUMN, tableOf } from "../warehouse/catalog.ts";
import { qi } from "./translate/quote.ts";

/** A stream's offset: the first `$ROW` and the first change-log sequence not yet consumed. */
export interface StreamOffset {
  readonly row: number;
  readonly logSeq: number;
}

/** The stream's offset as stored in its catalog properties. */
export function streamOffset(stream: CatalogObject): StreamOffset & { initial: boolean } {
  const p = stream.props as { offsetRow?: number; offsetLogSeq?: number; initialPending?: boolean };
  return { row: p.offsetRow ?? 1, logSeq: p.offsetLogSeq ?? 1, initial: p.initialPending === true };
}

/** DuckDB SQL returning the stream's rows: the source's columns and the METADATA$ columns. */
export function streamChangesSql(stream: CatalogObject, source: CatalogObject): string {
  const { row, logSeq, initial } = streamOffset(stream);
  const cols = source.columns.map((c) => qi(c.name));
  const rowId = (a: string) => `md5(${source.id} || ':' || ${a}.${qi(ROW_COLUMN)})`;
  const sel = (a: string) => cols.map((c) => `${a}.${c}`).join(", ");
  const table = tableOf(source);
  if (initial) {
    // The first consumption of a SHOW_INITIAL_ROWS stream: everything the table holds now.
    return `SELECT ${sel("t")}, 'INSERT' AS "METADATA$ACTION", FALSE AS "METADATA$ISUPDATE",
      ${rowId("t")} AS "METADATA$ROW_ID" FROM ${table} AS t`;
  }
  const insertedNow = `SELECT ${
    sel("t")
  }, 'INSERT' AS "METADATA$ACTION", FALSE AS "METADATA$ISUPDATE",
      ${rowId("t")} AS "METADATA$ROW_ID" FROM ${table} AS t WHERE t.${qi(ROW_COLUMN)} >= ${row}`;
  if (!source.props.changeLog) return insertedNow;
  const log = changeLogOf(source);
  if (stream.props.appendOnly) {
    // Rows inserted since the offset as they were inserted: a row changed or deleted since has
    // its first version in the change log.
    return `WITH "first" AS (
        SELECT * FROM ${log} WHERE ${qi(ROW_COLUMN)} >= ${row}
        QUALIFY row_number() OVER (PARTITION BY ${qi(ROW_COLUMN)} ORDER BY "$SEQ") = 1
      )
      SELECT ${sel("f")}, 'INSERT' AS "METADATA$ACTION", FALSE AS "METADATA$ISUPDATE",
        ${rowId("f")} AS "METADATA$ROW_ID" FROM "first" AS f
      UNION ALL
      ${insertedNow} AND t.${qi(ROW_COLUMN)} NOT IN (SELECT ${qi(ROW_COLUMN)} FROM "first")`;
  }
  return `WITH "old" AS (
      SELECT * FROM ${log} WHERE "$SEQ" >= ${logSeq} AND ${qi(ROW_COLUMN)} < ${row}
      QUALIFY row_number() OVER (PARTITION BY ${qi(ROW_COLUMN)} ORDER BY "$SEQ") = 1
    ), "cur" AS (
      SELECT * FROM ${table} AS t WHERE t.${qi(ROW_COLUMN)} >= ${row}
        OR t.${qi(ROW_COLUMN)} IN (SELECT ${qi(ROW_COLUMN)} FROM "old")
    )
    SELECT ${sel("c")}, 'INSERT' AS "METADATA$ACTION", (o.${
    qi(ROW_COLUMN)
  } IS NOT NULL) AS "METADATA$ISUPDATE",
      ${rowId("c")} AS "METADATA$ROW_ID"
    FROM "cur" AS c LEFT JOIN "old" AS o ON o.${qi(ROW_COLUMN)} = c.${qi(ROW_COLUMN)}
    UNION ALL
    SELECT ${sel("o")}, 'DELETE', (c.${qi(ROW_COLUMN)} IS NOT NULL), ${rowId("o")}
    FROM "old" AS o LEFT JOIN "cur" AS c ON c.${qi(ROW_COLUMN)} = o.${qi(ROW_COLUMN)}`;
}
