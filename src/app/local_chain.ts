/**
 * The report chain's state read straight from the embedded emulator's warehouse: definitions and
 * data timestamps, the newest refresh of each table, and how far the chain is behind the
 * committed rides. One cheap read, meant for about once a second.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { dynamicTableBacklog, dynamicTableStates } from "../emulator/dynamic/engine.ts";
import { META, parseTimestamp } from "../emulator/dynamic/schema.ts";
import type { ChainSource, ChainTable, LastRefresh } from "../reports/chain.ts";

interface HistoryRow {
  NAME: string;
  STATE: string;
  STATE_MESSAGE: string | null;
  REFRESH_START_TIME: string;
  REFRESH_END_TIME: string | null;
  ROWS_INSERTED: number;
  ROWS_UPDATED: number;
  ROWS_DELETED: number;
}

/** How many history rows back the newest refresh of every table is looked for. */
const RECENT_HISTORY = 60;

/** A {@link ChainSource} over the warehouse connection `db`. */
export function localChainSource(db: DatabaseSync): ChainSource {
  let recent: StatementSync | undefined;
  return {
    read() {
      // Prepared lazily: the engine creates its tables when the emulator starts.
      recent ??= db.prepare(
        `SELECT NAME, STATE, STATE_MESSAGE, REFRESH_START_TIME, REFRESH_END_TIME, ROWS_INSERTED,
           ROWS_UPDATED, ROWS_DELETED
         FROM ${META.history} ORDER BY ID DESC LIMIT ${RECENT_HISTORY}`,
      );
      const last = new Map<string, LastRefresh>();
      for (const r of recent.all() as unknown as HistoryRow[]) {
        if (last.has(r.NAME)) continue;
        last.set(r.NAME, {
          state: r.STATE,
          start: new Date(parseTimestamp(r.REFRESH_START_TIME)),
          end: r.REFRESH_END_TIME ? new Date(parseTimestamp(r.REFRESH_END_TIME)) : null,
          rowsInserted: Number(r.ROWS_INSERTED),
          rowsUpdated: Number(r.ROWS_UPDATED),
          rowsDeleted: Number(r.ROWS_DELETED),
          message: r.STATE_MESSAGE,
        });
      }
      const tables: ChainTable[] = dynamicTableStates(db).map((t) => ({
        name: t.name,
        targetLag: t.targetLag,
        targetLagSeconds: t.targetLagSeconds,
        upstream: t.upstream,
        dataTimestamp: t.dataTimestamp,
        lastRefresh: last.get(t.name) ?? null,
      }));
      return Promise.resolve({ tables, backlog: dynamicTableBacklog(db) });
    },
  };
}
