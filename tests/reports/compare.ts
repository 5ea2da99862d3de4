/**
 * Compares every dynamic table and view of the report chain, read through SQL, with the reference
 * model: the same set of keys, counts exactly, money to the cent, percentages to the tenth, dates
 * as `YYYY-MM-DD`, timestamps to the millisecond, booleans as booleans.
 */
import assert from "node:assert/strict";
import type { Query } from "./fixtures.ts";
import type { Model } from "./model.ts";

const c = (v: unknown) => (v === null ? null : Math.round(Number(v) * 100));
const t = (v: unknown) => (v === null ? null : Math.round(Number(v) * 10));
/** A TIMESTAMP_NTZ value (a Date holding the wall time as UTC) as `YYYY-MM-DD HH:MM:SS.mmm`. */
const wall = (v: unknown) =>
  v instanceof Date ? v.toISOString().replace("T", " ").slice(0, 23) : `not a timestamp: ${v}`;
const ts = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 23);

function sameKeys(table: string, actual: Map<string, unknown>, expected: Map<string, unknown>) {
  const missing = [...expected.keys()].filter((k) => !actual.has(k));
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  assert.deepEqual(
    { missing: missing.slice(0, 5), extra: extra.slice(0, 5) },
    { missing: [], extra: [] },
    `${table}: ${missing.length} rows missing, ${extra.length} unexpected`,
  );
}

/** Asserts that every dynamic table and view `query` reads equals the model. Returns row counts. */
export async function assertMatchesModel(
  query: Query,
  m: Model,
): Promise<Record<string, number>> {
  const visits = new Map(
    (await query("SELECT * FROM DAILY_VISITS")).map((
      r,
    ) => [`${r.VISIT_DATE}|${r.RESORT}|${r.RFID}`, r]),
  );
  sameKeys("DAILY_VISITS", visits, m.visits);
  for (const [k, e] of m.visits) {
    const a = visits.get(k)!;
    assert.deepEqual(
      {
        NAME: a.NAME,
        FIRST_RIDE_TIME: wall(a.FIRST_RIDE_TIME),
        FIRST_LIFT: a.FIRST_LIFT,
        HAS_SEASON_PASS: a.HAS_SEASON_PASS,
        PRICE: c(a.PURCHASE_PRICE_USD),
        ACTIVATION_USAGE_COUNT: a.ACTIVATION_USAGE_COUNT,
        TICKET_ORIGINAL_DURATION: a.TICKET_ORIGINAL_DURATION,
      },
      {
        NAME: e.NAME,
        FIRST_RIDE_TIME: ts(e.FIRST_RIDE_TIME),
        FIRST_LIFT: e.FIRST_LIFT,
        HAS_SEASON_PASS: e.HAS_SEASON_PASS,
        PRICE: e.PURCHASE_PRICE_CENTS,
        ACTIVATION_USAGE_COUNT: e.ACTIVATION_USAGE_COUNT,
        TICKET_ORIGINAL_DURATION: e.TICKET_ORIGINAL_DURATION,
      },
      `DAILY_VISITS ${k}`,
    );
  }

  const lift = new Map(
    (await query("SELECT * FROM HOURLY_LIFT_ACTIVITY")).map((r) => [
      `${r.RIDE_DATE}|${r.RIDE_HOUR}|${r.RESORT}`,
      r,
    ]),
  );
  sameKeys("HOURLY_LIFT_ACTIVITY", lift, m.liftHours);
  for (const [k, e] of m.liftHours) {
    const a = lift.get(k)!;
    assert.deepEqual(
      [wall(a.RIDE_HOUR_TIMESTAMP), a.TOTAL_RIDES, a.VISITOR_COUNT, a.ACTIVE_PASSES, a.PASS_RIDES],
      [
        `${e.RIDE_DATE} ${String(e.RIDE_HOUR).padStart(2, "0")}:00:00.000`,
        e.TOTAL_RIDES,
        e.VISITOR_COUNT,
        e.ACTIVE_PASSES,
        e.PASS_RIDES,
      ],
      `HOURLY_LIFT_ACTIVITY ${k}`,
    );
  }

  const rev = new Map(
    (await query("SELECT * FROM HOURLY_AMORTIZED_REVENUE")).map((r) => [
      `${r.RIDE_DATE}|${r.RIDE_HOUR}|${r.RESORT}`,
      r,
    ]),
  );
  sameKeys("HOURLY_AMORTIZED_REVENUE", rev, m.revenueHours);
  for (const [k, e] of m.revenueHours) {
    const a = rev.get(k)!;
    assert.deepEqual(
      [
        c(a.RECOGNIZED_TICKET_REVENUE),
        a.TICKET_ACTIVATIONS,
        c(a.RECOGNIZED_PASS_REVENUE),
        a.PASS_ACTIVATIONS,
      ],
      [e.TICKET_CENTS, e.TICKET_ACTIVATIONS, e.PASS_CENTS, e.PASS_ACTIVATIONS],
      `HOURLY_AMORTIZED_REVENUE ${k}`,
    );
  }

  const hourly = new Map(
    (await query("SELECT * FROM HOURLY_RESORT_SUMMARY")).map((r) => [
      `${r.RIDE_DATE}|${r.RIDE_HOUR}|${r.RESORT}`,
      r,
    ]),
  );
  sameKeys("HOURLY_RESORT_SUMMARY", hourly, m.hourly);
  for (const [k, e] of m.hourly) {
    const a = hourly.get(k)!;
    assert.deepEqual(
      {
        RIDE_HOUR_TIMESTAMP: wall(a.RIDE_HOUR_TIMESTAMP),
        VISITOR_COUNT: a.VISITOR_COUNT,
        TOTAL_RIDES: a.TOTAL_RIDES,
        TICKET_ACTIVATIONS: a.TICKET_ACTIVATIONS,
        PASS_ACTIVATIONS: a.PASS_ACTIVATIONS,
        ACTIVE_PASSES: a.ACTIVE_PASSES,
        PASS_RIDES: a.PASS_RIDES,
        ACTIVE_TICKETS: a.ACTIVE_TICKETS,
        TICKET_RIDES: a.TICKET_RIDES,
        TICKET: c(a.RECOGNIZED_TICKET_REVENUE),
        PASS: c(a.RECOGNIZED_PASS_REVENUE),
        TOTAL: c(a.TOTAL_RECOGNIZED_REVENUE),
        CAPACITY: t(a.CAPACITY_PCT),
        CAPACITY_STATUS: a.CAPACITY_STATUS,
      },
      {
        RIDE_HOUR_TIMESTAMP: e.RIDE_HOUR_TIMESTAMP,
        VISITOR_COUNT: e.VISITOR_COUNT,
        TOTAL_RIDES: e.TOTAL_RIDES,
        TICKET_ACTIVATIONS: e.TICKET_ACTIVATIONS,
        PASS_ACTIVATIONS: e.PASS_ACTIVATIONS,
        ACTIVE_PASSES: e.ACTIVE_PASSES,
        PASS_RIDES: e.PASS_RIDES,
        ACTIVE_TICKETS: e.ACTIVE_TICKETS,
        TICKET_RIDES: e.TICKET_RIDES,
        TICKET: e.TICKET_CENTS,
        PASS: e.PASS_CENTS,
        TOTAL: e.TOTAL_CENTS,
        CAPACITY: e.CAPACITY_TENTHS,
        CAPACITY_STATUS: e.CAPACITY_STATUS,
      },
      `HOURLY_RESORT_SUMMARY ${k}`,
    );
  }

  const daily = new Map(
    (await query("SELECT * FROM DAILY_RESORT_SUMMARY")).map((
      r,
    ) => [`${r.RIDE_DATE}|${r.RESORT}`, r]),
  );
  sameKeys("DAILY_RESORT_SUMMARY", daily, m.daily);
  for (const [k, e] of m.daily) {
    const a = daily.get(k)!;
    assert.deepEqual(
      [
        a.PEAK_HOURLY_VISITORS,
        a.TOTAL_VISITOR_HOURS,
        a.TOTAL_RIDES,
        c(a.TOTAL_TICKET_REVENUE),
        c(a.TOTAL_PASS_REVENUE),
        c(a.TOTAL_REVENUE),
        a.TOTAL_TICKET_ACTIVATIONS,
        a.TOTAL_PASS_ACTIVATIONS,
        a.TOTAL_PASS_RIDES,
        a.TOTAL_TICKET_RIDES,
        t(a.AVG_CAPACITY_PCT),
        t(a.PEAK_CAPACITY_PCT),
        a.OPERATION_HOURS,
        a.TOTAL_VISITORS,
      ],
      [
        e.PEAK_HOURLY_VISITORS,
        e.TOTAL_VISITOR_HOURS,
        e.TOTAL_RIDES,
        e.TICKET_CENTS,
        e.PASS_CENTS,
        e.TOTAL_CENTS,
        e.TOTAL_TICKET_ACTIVATIONS,
        e.TOTAL_PASS_ACTIVATIONS,
        e.TOTAL_PASS_RIDES,
        e.TOTAL_TICKET_RIDES,
        e.AVG_CAPACITY_TENTHS,
        e.PEAK_CAPACITY_TENTHS,
        e.OPERATION_HOURS,
        e.TOTAL_VISITORS,
      ],
      `DAILY_RESORT_SUMMARY ${k}`,
    );
  }

  const weekly = new Map(
    (await query("SELECT * FROM WEEKLY_RESORT_SUMMARY")).map((r) => [
      `${r.WEEK_START_DATE}|${r.RESORT}`,
      r,
    ]),
  );
  sameKeys("WEEKLY_RESORT_SUMMARY", weekly, m.weekly);
  for (const [k, e] of m.weekly) {
    const a = weekly.get(k)!;
    assert.deepEqual(
      [
        a.MAX_DAILY_UNIQUE_VISITORS,
        a.AVG_DAILY_UNIQUE_VISITORS,
        a.WEEK_TOTAL_VISITORS,
        a.WEEK_TOTAL_RIDES,
        a.WEEK_TOTAL_PASS_RIDES,
        a.WEEK_TOTAL_TICKET_RIDES,
        c(a.WEEK_TOTAL_TICKET_REVENUE),
        c(a.WEEK_TOTAL_PASS_REVENUE),
        c(a.WEEK_TOTAL_REVENUE),
        a.AVG_DAILY_REVENUE,
        a.WEEK_TOTAL_TICKET_ACTIVATIONS,
        a.WEEK_TOTAL_PASS_ACTIVATIONS,
        t(a.AVG_WEEK_CAPACITY_PCT),
        t(a.WEEK_PEAK_CAPACITY_PCT),
        a.OPERATION_DAYS,
      ],
      [
        e.MAX_DAILY_UNIQUE_VISITORS,
        e.AVG_DAILY_UNIQUE_VISITORS,
        e.WEEK_TOTAL_VISITORS,
        e.WEEK_TOTAL_RIDES,
        e.WEEK_TOTAL_PASS_RIDES,
        e.WEEK_TOTAL_TICKET_RIDES,
        e.TICKET_CENTS,
        e.PASS_CENTS,
        e.TOTAL_CENTS,
        e.AVG_DAILY_REVENUE,
        e.WEEK_TOTAL_TICKET_ACTIVATIONS,
        e.WEEK_TOTAL_PASS_ACTIVATIONS,
        e.AVG_WEEK_CAPACITY_TENTHS,
        e.WEEK_PEAK_CAPACITY_TENTHS,
        e.OPERATION_DAYS,
      ],
      `WEEKLY_RESORT_SUMMARY ${k}`,
    );
  }

  const perf = new Map(
    (await query("SELECT * FROM V_DAILY_REVENUE_PERFORMANCE")).map((r) => [
      `${r.RIDE_DATE}|${r.RESORT}`,
      r,
    ]),
  );
  sameKeys("V_DAILY_REVENUE_PERFORMANCE", perf, m.revenuePerformance);
  for (const [k, e] of m.revenuePerformance) {
    const a = perf.get(k)!;
    assert.deepEqual(
      [c(a.TOTAL_REVENUE), a.REVENUE_TARGET_USD, t(a.REVENUE_TARGET_PCT), a.PERFORMANCE_STATUS],
      [e.TOTAL_CENTS, e.REVENUE_TARGET_USD, e.REVENUE_TARGET_TENTHS, e.PERFORMANCE_STATUS],
      `V_DAILY_REVENUE_PERFORMANCE ${k}`,
    );
  }

  const network = new Map(
    (await query("SELECT * FROM V_DAILY_NETWORK_METRICS")).map((r) => [String(r.RIDE_DATE), r]),
  );
  sameKeys("V_DAILY_NETWORK_METRICS", network, m.network);
  for (const [k, e] of m.network) {
    const a = network.get(k)!;
    assert.deepEqual(
      [
        a.TOTAL_NETWORK_VISITORS,
        c(a.TOTAL_NETWORK_REVENUE),
        t(a.AVG_NETWORK_CAPACITY_PCT),
        a.TOTAL_NETWORK_RIDES,
        a.ACTIVE_RESORTS,
      ],
      [
        e.TOTAL_NETWORK_VISITORS,
        e.TOTAL_NETWORK_CENTS,
        e.AVG_NETWORK_CAPACITY_TENTHS,
        e.TOTAL_NETWORK_RIDES,
        e.ACTIVE_RESORTS,
      ],
      `V_DAILY_NETWORK_METRICS ${k}`,
    );
  }
  return {
    DAILY_VISITS: visits.size,
    HOURLY_LIFT_ACTIVITY: lift.size,
    HOURLY_AMORTIZED_REVENUE: rev.size,
    HOURLY_RESORT_SUMMARY: hourly.size,
    DAILY_RESORT_SUMMARY: daily.size,
    WEEKLY_RESORT_SUMMARY: weekly.size,
  };
}
