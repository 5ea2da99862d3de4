/**
 * Quoting for the emitted DuckDB SQL.
 *
 * @module
 */

/** A DuckDB identifier, always quoted (so case and reserved words never matter). */
export function qi(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal. */
export function qs(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The DuckDB schema that holds a Snowflake database's schema. */
export function duckSchema(database: string, schema: string): string {
  return `${database}.${schema}`;
}

/** A qualified DuckDB table name for a Snowflake object. */
export function duckTable(database: string, schema: string, name: string): string {
  return `${qi(duckSchema(database, schema))}.${qi(name)}`;
}

/** The next number of DuckDB sequence `sequence` (its qualified name). */
export function nextvalSql(sequence: string): string {
  return `nextval('${sequence.replaceAll("'", "''")}')`;
}
