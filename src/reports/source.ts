/**
 * Where report queries run: anything that takes SQL text with `?` binds and returns rows keyed by
 * column name — a snowflake-sdk connection (a real account, or an emulator in another process) or
 * the embedded emulator's in-process SQL client. Both get the same text.
 *
 * @module
 */

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
