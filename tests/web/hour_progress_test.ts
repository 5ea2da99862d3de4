/**
 * Whether the resort page's latest reported hour is whole, still filling, or behind the rides.
 */
import assert from "node:assert/strict";
import { hourProgress } from "../../src/web/pages/resort.tsx";

const at = (iso: string) => new Date(iso);
/** Vail's 15:00–16:00 MST hour is 22:00–23:00 UTC. */
const VAIL_LAST_HOUR = Date.parse("2026-12-08T22:00:00Z");

Deno.test("the last hour of the day is whole once rows of later times arrive, though no ride does", () => {
  // Lifts closed at 16:00 MST: the last ride was 15:59, and tickets sold overnight are newer.
  assert.deepEqual(
    hourProgress(VAIL_LAST_HOUR, at("2026-12-08T22:59:00Z"), {
      latestRowTime: at("2026-12-09T10:30:00Z"),
      latestReportedHour: at("2026-12-08T22:00:00Z"),
    }),
    { kind: "whole" },
  );
});

Deno.test("an hour is whole once the report has a later hour of another resort", () => {
  assert.deepEqual(
    hourProgress(VAIL_LAST_HOUR, at("2026-12-08T22:59:00Z"), {
      latestRowTime: at("2026-12-08T23:05:00Z"),
      latestReportedHour: at("2026-12-08T23:00:00Z"),
    }),
    { kind: "whole" },
  );
});

Deno.test("an hour the rides are still in is filling, up to the latest ride", () => {
  const ride = at("2026-12-08T22:41:00Z");
  assert.deepEqual(
    hourProgress(VAIL_LAST_HOUR, ride, {
      latestRowTime: at("2026-12-08T22:42:00Z"),
      latestReportedHour: at("2026-12-08T22:00:00Z"),
    }),
    { kind: "filling", through: ride },
  );
});

Deno.test("an hour the rides have left behind, with no later hour reported, is the report lagging", () => {
  // 08:00–09:00 MST reported with 175 rides while the rides are at 16:39: the report is behind.
  const ride = at("2026-12-11T23:39:00Z");
  assert.deepEqual(
    hourProgress(Date.parse("2026-12-11T15:00:00Z"), ride, {
      latestRowTime: ride,
      latestReportedHour: at("2026-12-11T15:00:00Z"),
    }),
    { kind: "behind", through: ride },
  );
});
