/**
 * A report chain's state as the status store holds it, for tests of what pages say about it.
 */
import type { ReportsStatus } from "../../src/status/store.ts";

/** HOURLY_RESORT_SUMMARY (1-minute lag) last refreshed `secondsAgo` before `now`, or never (null). */
export function reportsRefreshed(now: number, secondsAgo: number | null): ReportsStatus {
  return {
    source: "embedded warehouse",
    checkedAt: new Date(now).toISOString(),
    dynamicTables: [{
      name: "HOURLY_RESORT_SUMMARY",
      targetLag: "1 minute",
      effectiveLagSeconds: 60,
      dataTimestamp: secondsAgo === null ? null : new Date(now - secondsAgo * 1000).toISOString(),
      freshnessSeconds: secondsAgo,
      state: secondsAgo === null ? "waiting" : "ok",
      lastRefresh: null,
    }],
    catchingUp: null,
    lastError: null,
  };
}
