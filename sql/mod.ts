/**
 * The Snowflake SQL under `sql/`, embedded as text so that `deno compile` and `deno bundle`
 * outputs carry it.
 *
 * @module
 */
import tablesSql from "./tables.sql" with { type: "text" };

/** DDL of the three raw tables: the one source of their columns and types. */
export const TABLES_SQL: string = tablesSql;
