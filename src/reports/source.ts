/**
 * Where report queries run: anything that takes SQL text with `?` binds and returns rows keyed by
 * column name. Two sources exist: a snowflake-sdk connection (real account or the emulator's SQL
 * API) and the local warehouse file read directly. Both get the same text.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Report reads asked for before the target is reachable (pages say they are waiting for it). */
export class SourceNotReadyError extends Error {
  constructor(message = "still connecting to the target") {
    super(message);
    this.name = "SourceNotReadyError";
  }
}

/** A value bound to a `?`. */
export type Bind = string | number | boolean | null;

/** Runs SQL text with binds and returns rows keyed by column name. */
export interface ReportSource {
  /** Runs one statement. */
  query(sql: string, binds: readonly Bind[]): Promise<Record<string, unknown>[]>;
}

/** Anything with the {@link ReportSource} shape of `SnowflakeSql` (src/snowflake/sdk.ts). */
export interface SqlRunner {
  query(sql: string, binds?: readonly Bind[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** A source over a snowflake-sdk connection (or anything that runs SQL the same way). */
export function sqlSource(runner: SqlRunner): ReportSource {
  return {
    async query(sql, binds) {
      return (await runner.query(sql, binds)).rows;
    },
  };
}

/**
 * A source reading the local warehouse directly (local mode without the SQL API round trip).
 * Statements are prepared once per text. Booleans bind as 1/0, SQLite's booleans.
 */
export function warehouseSource(db: DatabaseSync): ReportSource {
  const prepared = new Map<string, StatementSync>();
  return {
    query(sql, binds) {
      let stmt = prepared.get(sql);
      if (!stmt) {
        stmt = db.prepare(sql);
        prepared.set(sql, stmt);
      }
      const values = binds.map((b) => (typeof b === "boolean" ? (b ? 1 : 0) : b));
      return Promise.resolve(stmt.all(...values) as Record<string, unknown>[]);
    },
  };
}
