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
  const quoted = `'${text.replaceAll("'", "''")}'`;
  // DuckDB's parser ends a statement's text at a NUL; Snowflake strings may hold one (`'\0'`).
  if (!text.includes("\0")) return quoted;
  return `(${quoted.split("\0").join("' || chr(0) || '")})`;
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
