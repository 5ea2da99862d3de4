/**
 * The report chain's state read straight from the embedded emulator's warehouse: definitions and
 * data timestamps, the newest refresh of each table, and how far the chain is behind the
 * committed rides. One cheap read, meant for about once a second.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import {
  dynamicTableBacklog,
  dynamicTableHistory,
  dynamicTableStates,
} from "../emulator/dynamic/engine.ts";
import { parseTimestamp } from "../emulator/dynamic/schema.ts";
import type { ChainSource, ChainTable, LastRefresh } from "../reports/chain.ts";

/** How many history rows back the newest refresh of every table is looked for. */
const RECENT_HISTORY = 60;

/** A {@link ChainSource} over the warehouse connection `db`. */
export function localChainSource(db: DatabaseSync): ChainSource {
  return {
    read() {
      const last = new Map<string, LastRefresh>();
      for (const r of dynamicTableHistory(db, RECENT_HISTORY)) {
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
