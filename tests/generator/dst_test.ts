/**
 * Opening hours across daylight-saving changes: US DST ends on 2026-11-01 and starts on
 * 2027-03-14. Lifts open 08:00–16:00 local on both sides, so in UTC they move by an hour.
 */
import assert from "node:assert/strict";
import { calendarFor, dayOfWeek, dayToIso, isWeekend } from "../../src/generator/local_time.ts";
import { RESORTS } from "../../src/generator/resorts.ts";
import { DAY_MS, groupBy, local, parsedSpan } from "./helpers.ts";

const zoneOf = new Map(RESORTS.map((r) => [r.name, r.timezone]));

for (
  const [name, start, until, before, after] of [
    ["autumn (DST ends 2026-11-01)", "2026-10-29T00:00:00Z", "2026-11-04T00:00:00Z", 14, 15],
    ["spring (DST starts 2027-03-14)", "2027-03-11T00:00:00Z", "2027-03-17T00:00:00Z", 15, 14],
  ] as const
) {
  Deno.test(`every ride is within 08:00–16:00 local across the ${name} change`, () => {
    const { rides } = parsedSpan(`dst-${name}`, start, until, 2000);
    assert.ok(rides.length > 100_000);
    const zones = new Set<string>();
    for (const r of rides) {
      const zone = zoneOf.get(r.RESORT)!;
      zones.add(zone);
      const m = local(zone, Date.parse(r.RIDE_TIME)).minuteOfDay;
      assert.ok(m >= 8 * 60 && m < 16 * 60, `${r.RIDE_TIME} at ${r.RESORT}: ${m} min local`);
    }
    assert.deepEqual([...zones].sort(), ["America/Denver", "America/Los_Angeles"]);
    // In UTC, Denver's first rides move by an hour: 14:xx under DST, 15:xx without.
    const denver = rides.filter((r) => zoneOf.get(r.RESORT) === "America/Denver");
    const byDate = groupBy(denver, (r) => local("America/Denver", Date.parse(r.RIDE_TIME)).date);
    const firstHour = (date: string) => Number(byDate.get(date)![0].RIDE_TIME.slice(11, 13));
    const dates = [...byDate.keys()].sort();
    assert.equal(firstHour(dates[0]), before);
    assert.equal(firstHour(dates[dates.length - 1]), after);
  });
}

Deno.test("opening and closing instants follow the zone's offset on each local date", () => {
  const denver = calendarFor("America/Denver");
  const la = calendarFor("America/Los_Angeles");
  const day = (iso: string) => Date.parse(iso) / DAY_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  // Saturday before the autumn change: MDT (UTC−6); the Sunday of the change: MST (UTC−7).
  assert.equal(iso(denver.hours(day("2026-10-31")).open), "2026-10-31T14:00:00.000Z");
  assert.equal(iso(denver.hours(day("2026-11-01")).open), "2026-11-01T15:00:00.000Z");
  assert.equal(iso(denver.hours(day("2026-11-01")).close), "2026-11-01T23:00:00.000Z");
  assert.equal(iso(la.hours(day("2026-11-01")).close), "2026-11-02T00:00:00.000Z");
  // Spring: the Saturday before is PST (UTC−8), the Sunday of the change PDT (UTC−7).
  assert.equal(iso(la.hours(day("2027-03-13")).open), "2027-03-13T16:00:00.000Z");
  assert.equal(iso(la.hours(day("2027-03-14")).open), "2027-03-14T15:00:00.000Z");
  // The local date of an instant: 05:30 UTC is still the previous evening in Denver.
  assert.equal(dayToIso(denver.dayOf(Date.parse("2026-11-26T05:30:00Z"))), "2026-11-25");
  assert.equal(dayToIso(denver.dayOf(Date.parse("2026-11-26T07:30:00Z"))), "2026-11-26");
  // Weekdays of local dates.
  assert.equal(dayOfWeek(day("2026-11-28")), 6);
  assert.ok(isWeekend(day("2026-11-29")) && !isWeekend(day("2026-11-30")));
});
