/**
 * What pages say while they wait for the reports: how fresh the reports are, never a countdown
 * that a refresh arriving sooner would belie.
 */
import assert from "node:assert/strict";
import { refreshNote } from "../../src/web/waiting.ts";
import { StatusStore } from "../../src/status/store.ts";
import { reportsRefreshed } from "./reports_status.ts";

const NOW = Date.parse("2026-12-05T12:00:00Z");

function withRefresh(secondsAgo: number | null): StatusStore {
  const status = new StatusStore();
  status.reports = reportsRefreshed(NOW, secondsAgo);
  return status;
}

Deno.test("the refresh note says how old the reports are and the lag that bounds them", () => {
  assert.equal(
    refreshNote(withRefresh(12), NOW),
    "The reports are refreshed at least every 1 min; the latest refresh was 12 s ago.",
  );
  assert.equal(refreshNote(withRefresh(75), NOW), "A report refresh is due now.");
  assert.equal(
    refreshNote(withRefresh(null), NOW),
    "Waiting for the first refresh of the reports.",
  );
  assert.equal(refreshNote(new StatusStore(), NOW), "Waiting for the report chain.");
});
