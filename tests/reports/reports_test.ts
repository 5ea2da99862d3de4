/**
 * The dashboard's reports, run both ways — through the embedded emulator's in-process SQL client
 * (what `run` uses) and through snowflake-sdk against the emulator's SQL API (what an account or an
 * emulator elsewhere gets), the same SQL text — and checked against the reference model.
 */
import assert from "node:assert/strict";
import {
  capacityLabel,
  localMidnight,
  periodRanges,
  Reports,
  ridesPerHour,
  sqlSource,
  zonedParts,
} from "../../src/reports/mod.ts";
import {
  capacities as capacitiesOf,
  CAPACITY,
  connectSdk,
  parseRows,
  simulate,
  startReportsEmulator,
} from "./fixtures.ts";
import { computeModel, type Model, modelLiftPerformance, type RawTables } from "./model.ts";

const capacities = capacitiesOf(CAPACITY);
const ROWS = simulate(9, { seed: "reports-api" });
const RAW: RawTables = parseRows(ROWS);
const MODEL: Model = computeModel(RAW, capacities);

const cents = (n: number) => Math.round(n * 100);
const sumOver = (m: Model, from: string, to: string) => {
  const days = [...m.network.values()].filter((d) => d.RIDE_DATE >= from && d.RIDE_DATE <= to);
  return {
    visitors: days.reduce((s, d) => s + d.TOTAL_NETWORK_VISITORS, 0),
    cents: days.reduce((s, d) => s + d.TOTAL_NETWORK_CENTS, 0),
    rides: days.reduce((s, d) => s + d.TOTAL_NETWORK_RIDES, 0),
    avgTenths: days.length
      ? days.reduce((s, d) => s + d.AVG_NETWORK_CAPACITY_TENTHS, 0) / days.length
      : null,
    days: days.length,
  };
};

async function withEmulator(
  fn: (reports: { local: Reports; sdk: Reports }) => Promise<void>,
): Promise<void> {
  const e = await startReportsEmulator({ capacity: CAPACITY });
  let sdk: Awaited<ReturnType<typeof connectSdk>> | undefined;
  try {
    await e.load(ROWS);
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    sdk = await connectSdk(e.emu.url, e.dir);
    await fn({ local: new Reports(sqlSource(e.sql)), sdk: new Reports(sqlSource(sdk)) });
  } finally {
    await sdk?.close();
    await e.close();
  }
}

Deno.test("every dashboard report is the same through snowflake-sdk and in process, and right", async () => {
  await withEmulator(async ({ local, sdk }) => {
    for (const [way, reports] of [["local", local], ["sdk", sdk]] as const) {
      const clock = await reports.clock();
      const allTimes = [
        ...RAW.LIFT_RIDE.map((r) => Date.parse(r.RIDE_TIME as string)),
        ...RAW.RESORT_TICKET.map((r) => Date.parse(r.PURCHASE_TIME as string)),
        ...RAW.SEASON_PASS.map((r) => Date.parse(r.PURCHASE_TIME as string)),
      ];
      assert.equal(clock.latestWorldTime?.getTime(), Math.max(...allTimes), way);
      const lastHour = [...MODEL.hourly.values()].map((h) => h.RIDE_HOUR_TIMESTAMP).sort().at(-1)!;
      assert.equal(clock.latestReportedHour?.toISOString(), `${lastHour.replace(" ", "T")}Z`, way);
      assert.equal(clock.reportingDate, "2026-12-05", way);

      for (const period of ["today", "last7", "mtd"] as const) {
        const o = await reports.networkOverview(period, clock.reportingDate!);
        const cur = sumOver(MODEL, o.ranges.current.from, o.ranges.current.to);
        const prev = sumOver(MODEL, o.ranges.previous.from, o.ranges.previous.to);
        assert.equal(o.current.visitors, cur.visitors, `${way} ${period}`);
        assert.equal(cents(o.current.revenue), cur.cents, `${way} ${period}`);
        assert.equal(o.current.rides, cur.rides, `${way} ${period}`);
        assert.equal(o.current.days, cur.days, `${way} ${period}`);
        assert.ok(
          Math.abs(o.current.avgCapacityPct! * 10 - cur.avgTenths!) < 1e-6,
          `${way} ${period}`,
        );
        assert.equal(o.previous.visitors, prev.visitors, `${way} ${period} previous`);
        assert.equal(cents(o.previous.revenue), prev.cents, `${way} ${period} previous`);
        if (prev.rides > 0) {
          assert.equal(
            o.change.rides,
            Math.round(((cur.rides - prev.rides) / prev.rides) * 1000) / 10,
          );
        } else {
          assert.equal(o.change.rides, null);
        }
      }

      // Today against yesterday up to the same hour: a day in progress is not set against a
      // whole one. Five hours before the last reported hour, the day is well under way.
      const through = new Date(clock.latestReportedHour!.getTime() - 5 * 3_600_000);
      const early = await reports.networkOverview("today", clock.reportingDate!, through);
      const cutoff = new Date(through.getTime() - 24 * 3_600_000).toISOString()
        .replace("T", " ").slice(0, 23);
      assert.equal(early.previousThrough?.getTime(), through.getTime() - 24 * 3_600_000);
      const hours = [...MODEL.hourly.values()].filter((h) =>
        h.RIDE_DATE === early.ranges.previous.from && h.RIDE_HOUR_TIMESTAMP <= cutoff
      );
      assert.ok(
        hours.length > 0 &&
          hours.length <
            [...MODEL.hourly.values()].filter((h) => h.RIDE_DATE === early.ranges.previous.from)
              .length,
        `${way}: part of yesterday`,
      );
      const sum = (f: (h: (typeof hours)[number]) => number) => hours.reduce((n, h) => n + f(h), 0);
      assert.equal(early.previous.visitors, sum((h) => h.TICKET_ACTIVATIONS + h.PASS_ACTIVATIONS));
      assert.equal(cents(early.previous.revenue), sum((h) => h.TOTAL_CENTS), way);
      assert.equal(early.previous.rides, sum((h) => h.TOTAL_RIDES), way);
      const byResort = new Map<string, number[]>();
      for (const h of hours) {
        byResort.set(h.RESORT, [...byResort.get(h.RESORT) ?? [], h.CAPACITY_TENTHS]);
      }
      const perResort = [...byResort.values()].map((t) =>
        Math.round(t.reduce((a, b) => a + b, 0) / t.length) / 10
      );
      assert.equal(
        early.previous.avgCapacityPct,
        Math.round((perResort.reduce((a, b) => a + b, 0) / perResort.length) * 10) / 10,
        way,
      );
      // Up to the day's last hour, nothing of yesterday is left out: no cut to speak of.
      const whole = await reports.networkOverview(
        "today",
        clock.reportingDate!,
        clock.latestReportedHour,
      );
      assert.equal(whole.previousThrough, null, way);
      // The day itself is all of it, as before.
      assert.deepEqual(
        early.current,
        (await reports.networkOverview("today", clock.reportingDate!)).current,
      );

      const range = periodRanges("last7", clock.reportingDate!).current;
      const totals = await reports.resortTotals(range);
      assert.deepEqual(totals.map((t) => t.resort), CAPACITY.map((c) => c.resort).sort(), way);
      for (const t of totals) {
        const days = [...MODEL.daily.values()].filter((d) =>
          d.RESORT === t.resort && d.RIDE_DATE >= range.from && d.RIDE_DATE <= range.to
        );
        assert.equal(
          t.visitors,
          days.reduce((s, d) => s + d.TOTAL_VISITORS, 0),
          `${way} ${t.resort}`,
        );
        assert.equal(
          cents(t.revenue),
          days.reduce((s, d) => s + d.TOTAL_CENTS, 0),
          `${way} ${t.resort}`,
        );
        assert.equal(t.rides, days.reduce((s, d) => s + d.TOTAL_RIDES, 0), `${way} ${t.resort}`);
        assert.equal(t.status, capacityLabel(t.capacityPct));
      }

      const trend = await reports.dailyTrend(range);
      const expectedTrend = [...MODEL.daily.values()]
        .filter((d) => d.RIDE_DATE >= range.from && d.RIDE_DATE <= range.to)
        .sort((a, b) => (a.RIDE_DATE + a.RESORT < b.RIDE_DATE + b.RESORT ? -1 : 1));
      assert.deepEqual(
        trend.map((
          p,
        ) => [
          p.date,
          p.resort,
          p.visitors,
          cents(p.revenue),
          Math.round(p.capacityPct! * 10),
          p.rides,
        ]),
        expectedTrend.map((
          d,
        ) => [
          d.RIDE_DATE,
          d.RESORT,
          d.TOTAL_VISITORS,
          d.TOTAL_CENTS,
          d.AVG_CAPACITY_TENTHS,
          d.TOTAL_RIDES,
        ]),
        way,
      );
    }
  });
});

Deno.test("the resort operations center matches the model, both ways", async () => {
  await withEmulator(async ({ local, sdk }) => {
    const centers = [];
    for (const reports of [local, sdk]) {
      for (const resort of ["Vail", "Heavenly"]) {
        const c = (await reports.resortCenter(resort))!;
        centers.push(c);
        const tz = c.resort.timezone;
        const hours = [...MODEL.hourly.values()].filter((h) => h.RESORT === resort)
          .sort((a, b) => (a.RIDE_HOUR_TIMESTAMP < b.RIDE_HOUR_TIMESTAMP ? -1 : 1));
        const last = hours.at(-1)!;
        assert.equal(c.thisHour!.visitors, last.VISITOR_COUNT);
        assert.equal(c.thisHour!.rides, last.TOTAL_RIDES);
        assert.equal(cents(c.thisHour!.revenue), last.TOTAL_CENTS);
        assert.equal(Math.round(c.thisHour!.capacityPct * 10), last.CAPACITY_TENTHS);
        assert.equal(c.thisHour!.capacityStatus, last.CAPACITY_STATUS);

        // Hourly pattern: the resort's local reporting day, every hour of it, local hours 8–15.
        const localDate =
          zonedParts(Date.parse(`${last.RIDE_HOUR_TIMESTAMP.replace(" ", "T")}Z`), tz).date;
        assert.equal(c.localDate, localDate);
        const from = localMidnight(localDate, tz);
        const day = hours.filter((h) => {
          const t = Date.parse(`${h.RIDE_HOUR_TIMESTAMP.replace(" ", "T")}Z`);
          return t >= from && t < from + 86_400_000;
        });
        assert.deepEqual(
          c.hourly.map((h) => [h.visitors, h.rides]),
          day.map((h) => [h.VISITOR_COUNT, h.TOTAL_RIDES]),
        );
        assert.ok(
          c.hourly.every((h) => h.localHour >= 8 && h.localHour < 16 && h.localDate === localDate),
        );

        const perf = MODEL.revenuePerformance.get(`${last.RIDE_DATE}|${resort}`)!;
        assert.equal(cents(c.revenueTarget!.revenue), perf.TOTAL_CENTS);
        assert.equal(c.revenueTarget!.target, perf.REVENUE_TARGET_USD);
        assert.equal(Math.round(c.revenueTarget!.targetPct * 10), perf.REVENUE_TARGET_TENTHS);
        assert.equal(c.revenueTarget!.status, perf.PERFORMANCE_STATUS);

        const weeks = [...MODEL.weekly.values()].filter((w) => w.RESORT === resort)
          .sort((a, b) => (a.WEEK_START_DATE > b.WEEK_START_DATE ? -1 : 1)).slice(0, 4);
        assert.deepEqual(
          c.weeks.map((
            w,
          ) => [
            w.weekStart,
            w.visitors,
            w.rides,
            cents(w.revenue),
            w.avgDailyRevenue,
            w.operationDays,
          ]),
          weeks.map((
            w,
          ) => [
            w.WEEK_START_DATE,
            w.WEEK_TOTAL_VISITORS,
            w.WEEK_TOTAL_RIDES,
            w.TOTAL_CENTS,
            w.AVG_DAILY_REVENUE,
            w.OPERATION_DAYS,
          ]),
        );

        const lifts = modelLiftPerformance(RAW, capacities, resort).slice(0, 10);
        assert.equal(c.topLifts.length, lifts.length);
        assert.ok(lifts.length > 3, "enough lifts in 30 minutes to rank");
        assert.deepEqual(
          c.topLifts.map((
            l,
          ) => [
            l.lift,
            l.rides,
            l.uniqueVisitors,
            l.firstActivity.getTime(),
            l.lastActivity.getTime(),
            l.usageRankInResort,
            l.overallUsageRank,
            l.ridesPerHour,
          ]),
          lifts.map((
            l,
          ) => [
            l.LIFT,
            l.RIDES,
            l.UNIQUE_VISITORS,
            l.FIRST_ACTIVITY_TIME,
            l.LAST_ACTIVITY_TIME,
            l.USAGE_RANK_IN_RESORT,
            l.OVERALL_USAGE_RANK,
            l.RIDES_PER_HOUR_TENTHS === null ? null : l.RIDES_PER_HOUR_TENTHS / 10,
          ]),
        );
      }
    }
    // Same SQL text, same typed answers.
    assert.deepEqual(centers.slice(0, 2), centers.slice(2));
    assert.equal(await local.resortCenter("Nowhere"), null);
    assert.equal(await sdk.resortCenter("Nowhere"), null);
  });
});

Deno.test("periods, labels, rides per hour and local days follow the documented rules", () => {
  assert.deepEqual(periodRanges("today", "2026-03-01"), {
    period: "today",
    current: { from: "2026-03-01", to: "2026-03-01" },
    previous: { from: "2026-02-28", to: "2026-02-28" },
  });
  assert.deepEqual(periodRanges("last7", "2026-12-05").current, {
    from: "2026-11-29",
    to: "2026-12-05",
  });
  assert.deepEqual(periodRanges("last7", "2026-12-05").previous, {
    from: "2026-11-22",
    to: "2026-11-28",
  });
  // Month to date against the same days of the previous month, clipped to its length.
  assert.deepEqual(periodRanges("mtd", "2026-03-31").previous, {
    from: "2026-02-01",
    to: "2026-02-28",
  });
  assert.deepEqual(periodRanges("mtd", "2026-01-15").previous, {
    from: "2025-12-01",
    to: "2025-12-15",
  });
  assert.deepEqual(
    [
      capacityLabel(null),
      capacityLabel(70),
      capacityLabel(70.1),
      capacityLabel(90),
      capacityLabel(90.1),
    ],
    // The hourly CAPACITY_STATUS's cut-offs: over 70, over 90.
    ["Normal", "Normal", "Busy", "Busy", "At capacity"],
  );
  const t = (s: string) => new Date(`2026-12-01T${s}Z`);
  assert.equal(ridesPerHour(5, t("10:00:10"), t("10:00:50")), null);
  // 10:00:59 → 10:01:00 is one minute by DATEDIFF's count; 3 rides → 180 an hour.
  assert.equal(ridesPerHour(3, t("10:00:59"), t("10:01:00")), 180);
  assert.equal(ridesPerHour(7, t("10:00:00"), t("10:29:00")), 14.5);
  // Denver: UTC−7 in winter, UTC−6 in summer; a local day starts at 07:00 or 06:00 UTC.
  assert.equal(
    new Date(localMidnight("2026-12-05", "America/Denver")).toISOString(),
    "2026-12-05T07:00:00.000Z",
  );
  assert.equal(
    new Date(localMidnight("2026-07-05", "America/Denver")).toISOString(),
    "2026-07-05T06:00:00.000Z",
  );
  assert.deepEqual(zonedParts(Date.parse("2026-12-05T23:30:00Z"), "America/Los_Angeles").hour, 15);
});
