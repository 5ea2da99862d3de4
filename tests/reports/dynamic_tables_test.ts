/**
 * The report chain of sql/dynamic_tables.sql, run by the emulator's dynamic tables (set up
 * through SQL, refreshed with `ALTER DYNAMIC TABLE … REFRESH` or by the scheduler), against the
 * reference model: whole chain, incremental steps, late rows, the upstream chain at one data
 * timestamp, refresh history, target lag and failures. Everything is read through SQL.
 */
import assert from "node:assert/strict";
import { assertMatchesModel } from "./compare.ts";
import {
  capacities,
  CAPACITY,
  concatRows,
  DAY_MS,
  FRIDAY_START,
  parseRows,
  type Query,
  refreshHistory,
  type RefreshRow,
  showDynamicTables,
  simulate,
  SMALL_CAPACITY,
  startReportsEmulator,
} from "./fixtures.ts";
import { computeModel, mondayOf } from "./model.ts";
import { DYNAMIC_TABLE_NAMES } from "../../sql/mod.ts";

/** Nine days from a Friday: three days of one week, six of the next. */
const NINE_DAYS = simulate(9);

/** The history rows of one refresh (all tables it refreshed share its data timestamp). */
const at = (rows: readonly RefreshRow[], t: number) =>
  rows.filter((r) => r.DATA_TIMESTAMP.getTime() === t);

/** Rows inserted plus rows deleted by a refresh (an updated row counts as one of each). */
const written = (r: RefreshRow | undefined) =>
  (r?.STATISTICS.numInsertedRows ?? 0) + (r?.STATISTICS.numDeletedRows ?? 0);

const count = async (query: Query, table: string) =>
  Number((await query(`SELECT COUNT(*) AS N FROM ${table}`))[0].N);

Deno.test("the chain equals the reference model over nine days across a week boundary", async () => {
  let clock = Date.parse("2026-12-06T12:00:00Z");
  const e = await startReportsEmulator({ capacity: SMALL_CAPACITY, dynamic: { now: () => clock } });
  try {
    await e.load(NINE_DAYS);
    clock += 60_000;
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    // One refresh of the whole chain, every table at the same data timestamp.
    const refreshed = at(await refreshHistory(e.query), clock);
    assert.deepEqual(refreshed.map((r) => r.NAME).sort(), [...DYNAMIC_TABLE_NAMES].sort());
    assert.ok(refreshed.every((r) => r.STATE === "SUCCEEDED" && r.REFRESH_TRIGGER === "MANUAL"));

    const model = computeModel(parseRows(NINE_DAYS), capacities(SMALL_CAPACITY));
    const counts = await assertMatchesModel(e.query, model);
    // The data is rich enough for the comparison to mean something.
    assert.ok(counts.DAILY_VISITS > 3000, `visits: ${counts.DAILY_VISITS}`);
    assert.equal(counts.DAILY_RESORT_SUMMARY, 45);
    const weeks = new Set([...model.weekly.values()].map((r) => r.WEEK_START_DATE));
    assert.deepEqual([...weeks].sort(), ["2026-11-23", "2026-11-30"]);
    const statuses = new Set([...model.hourly.values()].map((h) => h.CAPACITY_STATUS));
    assert.deepEqual([...statuses].sort(), ["HIGH", "MODERATE", "NORMAL"]);
    assert.ok([...model.visits.values()].some((v) => v.HAS_SEASON_PASS));
    assert.ok(
      [...model.revenuePerformance.values()].some((r) => r.PERFORMANCE_STATUS !== "BELOW_TARGET"),
    );
    // The comparison itself notices a one-cent difference anywhere: the same rows, with one
    // day's pass revenue a cent higher.
    let bumped = false;
    const offByOneCent: Query = async (sql, binds) => {
      const rows = await e.query(sql, binds);
      if (!/FROM DAILY_RESORT_SUMMARY/.test(sql)) return rows;
      return rows.map((r) => {
        if (bumped) return r;
        bumped = true;
        return { ...r, TOTAL_PASS_REVENUE: Number(r.TOTAL_PASS_REVENUE) + 0.01 };
      });
    };
    await assert.rejects(assertMatchesModel(offByOneCent, model), /DAILY_RESORT_SUMMARY/);
    assert.ok(bumped);
  } finally {
    await e.close();
  }
});

Deno.test("refreshing in many small steps, with cards arriving after their rides, ends equal", async () => {
  let clock = Date.parse("2026-12-06T12:00:00Z");
  const e = await startReportsEmulator({ capacity: CAPACITY, dynamic: { now: () => clock } });
  try {
    const rides = NINE_DAYS.LIFT_RIDE;
    const steps = 6;
    const part = (xs: string[], i: number) =>
      xs.slice(Math.floor((xs.length * i) / steps), Math.floor((xs.length * (i + 1)) / steps));
    const upTo = (xs: string[], n: number) => xs.slice(0, Math.floor((xs.length * n) / steps));
    for (let i = 0; i < steps; i++) {
      // Rides of a step land before the cards of the same step: the streams are independent.
      await e.load({ LIFT_RIDE: part(rides, i) });
      clock += 60_000;
      const target = i % 2 ? "WEEKLY_RESORT_SUMMARY" : "HOURLY_RESORT_SUMMARY";
      await e.refresh(target);
      const refreshed = at(await refreshHistory(e.query), clock);
      // Each step's refresh works on what changed, not on everything.
      for (const r of refreshed) {
        assert.match(r.REFRESH_ACTION, /^(INCREMENTAL|NO_DATA)$/, `${i} ${r.NAME}`);
        assert.equal(r.STATE, "SUCCEEDED", `${i} ${r.NAME}`);
      }
      assert.ok(refreshed.some((r) => r.NAME === target && r.REFRESH_ACTION !== "NO_DATA"));
      if (target === "WEEKLY_RESORT_SUMMARY") {
        // Mid-way, the whole chain equals the model of exactly what had arrived: the rides so
        // far, and the cards of the steps before (this step's cards are still on their way).
        await assertMatchesModel(
          e.query,
          computeModel(
            parseRows({
              LIFT_RIDE: upTo(rides, i + 1),
              RESORT_TICKET: upTo(NINE_DAYS.RESORT_TICKET, i),
              SEASON_PASS: upTo(NINE_DAYS.SEASON_PASS, i),
            }),
            capacities(CAPACITY),
          ),
        );
      }
      await e.load({
        RESORT_TICKET: part(NINE_DAYS.RESORT_TICKET, i),
        SEASON_PASS: part(NINE_DAYS.SEASON_PASS, i),
      });
    }
    clock += 60_000;
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    await assertMatchesModel(e.query, computeModel(parseRows(NINE_DAYS), capacities(CAPACITY)));
  } finally {
    await e.close();
  }
});

Deno.test("a ride that arrives after its hour was reported is included at the next refresh", async () => {
  let clock = Date.parse("2026-12-06T12:00:00Z");
  const e = await startReportsEmulator({ capacity: SMALL_CAPACITY, dynamic: { now: () => clock } });
  try {
    const days = simulate(2, { seed: "late" });
    await e.load(days);
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    const [before] = await e.query(
      `SELECT * FROM HOURLY_RESORT_SUMMARY WHERE RESORT = 'Vail' AND RIDE_DATE = '2026-11-27'
       ORDER BY RIDE_HOUR LIMIT 1 OFFSET 2`,
    );
    // A pass holder's rides, late: one in an hour already reported, one earlier than any other
    // ride of that holder that day (its visit's first ride moves, and its revenue hour with it).
    const hour = before.RIDE_HOUR as number;
    const late = {
      SEASON_PASS: [JSON.stringify({
        TXID: "late-pass",
        RFID: "0xlate",
        PURCHASE_TIME: "2026-11-20T10:00:00Z",
        PRICE_USD: 1051,
        EXPIRATION_TIME: "2027-11-20",
        NAME: "Late Skier",
      })],
      LIFT_RIDE: [
        JSON.stringify({
          TXID: "late-1",
          RFID: "0xlate",
          RESORT: "Vail",
          LIFT: "Gondola One",
          RIDE_TIME: `2026-11-27T${String(hour).padStart(2, "0")}:30:00.000Z`,
          ACTIVATION_DAY_COUNT: 3,
        }),
      ],
    };
    const summaryRows = async () =>
      new Set((await e.query("SELECT * FROM HOURLY_RESORT_SUMMARY")).map((r) => JSON.stringify(r)));
    const was = await summaryRows();
    await e.load(late);
    clock += 60_000;
    await e.refresh("HOURLY_RESORT_SUMMARY");
    // One hour's row of the summary changed, and nothing else did.
    const is = await summaryRows();
    const gone = [...was].filter((r) => !is.has(r)).map((r) => JSON.parse(r));
    const added = [...is].filter((r) => !was.has(r)).map((r) => JSON.parse(r));
    const where = (r: Record<string, unknown>) => `${r.RIDE_DATE}|${r.RIDE_HOUR}|${r.RESORT}`;
    assert.deepEqual(gone.map(where), [`2026-11-27|${hour}|Vail`]);
    assert.deepEqual(added.map(where), [`2026-11-27|${hour}|Vail`]);
    // Incrementally, and the history says so: one row replaced (one deleted, one inserted).
    const [summary] = await refreshHistory(e.query, "HOURLY_RESORT_SUMMARY", 1);
    assert.equal(summary.DATA_TIMESTAMP.getTime(), clock);
    assert.equal(summary.REFRESH_ACTION, "INCREMENTAL");
    assert.deepEqual(
      [summary.STATISTICS.numInsertedRows, summary.STATISTICS.numDeletedRows],
      [1, 1],
    );
    const [after] = await e.query(
      `SELECT * FROM HOURLY_RESORT_SUMMARY WHERE RESORT = 'Vail' AND RIDE_DATE = '2026-11-27'
       AND RIDE_HOUR = ?`,
      [hour],
    );
    assert.equal(after.TOTAL_RIDES, (before.TOTAL_RIDES as number) + 1);
    assert.equal(after.VISITOR_COUNT, (before.VISITOR_COUNT as number) + 1);
    assert.equal(after.ACTIVE_PASSES, (before.ACTIVE_PASSES as number) + 1);
    assert.equal(
      Math.round((after.RECOGNIZED_PASS_REVENUE as number) * 100),
      Math.round((before.RECOGNIZED_PASS_REVENUE as number) * 100) + 5255,
    );
    // An even earlier ride of the same holder: the visit's first hour moves.
    const earlier = {
      LIFT_RIDE: [JSON.stringify({
        TXID: "late-0",
        RFID: "0xlate",
        RESORT: "Vail",
        LIFT: "Eagle Bahn Gondola",
        RIDE_TIME: `2026-11-27T${String(hour - 1).padStart(2, "0")}:55:00.000Z`,
        ACTIVATION_DAY_COUNT: 3,
      })],
    };
    await e.load(earlier);
    clock += 60_000;
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    const [visit] = await e.query(
      "SELECT FIRST_RIDE_TIME, FIRST_LIFT FROM DAILY_VISITS WHERE RFID = '0xlate'",
    );
    assert.equal(visit.FIRST_LIFT, "Eagle Bahn Gondola");
    assert.equal(
      (visit.FIRST_RIDE_TIME as Date).toISOString(),
      `2026-11-27T${String(hour - 1).padStart(2, "0")}:55:00.000Z`,
    );
    await assertMatchesModel(
      e.query,
      computeModel(parseRows(concatRows(days, late, earlier)), capacities(SMALL_CAPACITY)),
    );
  } finally {
    await e.close();
  }
});

Deno.test("refreshing a table refreshes what it reads first, at one data timestamp, and nothing below", async () => {
  const created = Date.parse("2026-12-01T11:00:00Z");
  let clock = created;
  const e = await startReportsEmulator({ capacity: CAPACITY, dynamic: { now: () => clock } });
  try {
    await e.load(simulate(1, { seed: "chain" }));
    clock = Date.parse("2026-12-01T12:00:00Z");
    await e.refresh("HOURLY_RESORT_SUMMARY");
    const first = at(await refreshHistory(e.query), clock);
    assert.deepEqual(first.map((r) => r.NAME).sort(), [
      "DAILY_VISITS",
      "HOURLY_AMORTIZED_REVENUE",
      "HOURLY_LIFT_ACTIVITY",
      "HOURLY_RESORT_SUMMARY",
    ]);
    assert.ok(first.every((r) => r.REFRESH_TRIGGER === "MANUAL" && r.STATE === "SUCCEEDED"));
    assert.ok(first.every((r) => r.REFRESH_ACTION === "INCREMENTAL"), JSON.stringify(first));
    assert.ok(await count(e.query, "HOURLY_RESORT_SUMMARY") > 0);
    assert.equal(
      await count(e.query, "DAILY_RESORT_SUMMARY"),
      0,
      "DAILY_RESORT_SUMMARY was not asked to refresh",
    );
    const stamps = async () =>
      new Map(
        [...await showDynamicTables(e.query)].map(([n, t]) => [n, t.dataTimestamp?.getTime()]),
      );
    let state = await stamps();
    for (const n of first.map((r) => r.NAME)) assert.equal(state.get(n), clock, n);
    // Below it, the data timestamps are still those of the creation.
    assert.equal(state.get("DAILY_RESORT_SUMMARY"), created);
    assert.equal(state.get("WEEKLY_RESORT_SUMMARY"), created);

    clock += 5000;
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    state = await stamps();
    for (const n of DYNAMIC_TABLE_NAMES) assert.equal(state.get(n), clock, n);
    const weekly = new Map(at(await refreshHistory(e.query), clock).map((r) => [r.NAME, r]));
    // Nothing new upstream; the daily and weekly tables catch up from what was pending.
    for (
      const n of [
        "DAILY_VISITS",
        "HOURLY_LIFT_ACTIVITY",
        "HOURLY_AMORTIZED_REVENUE",
        "HOURLY_RESORT_SUMMARY",
      ]
    ) {
      // (A manual refresh records no row for an upstream table that had nothing new.)
      assert.equal(weekly.get(n)?.REFRESH_ACTION ?? "NO_DATA", "NO_DATA", n);
    }
    assert.equal(weekly.get("DAILY_RESORT_SUMMARY")?.REFRESH_ACTION, "INCREMENTAL");
    assert.equal(weekly.get("WEEKLY_RESORT_SUMMARY")?.REFRESH_ACTION, "INCREMENTAL");
    assert.equal(await count(e.query, "DAILY_RESORT_SUMMARY"), 5);
    assert.equal(await count(e.query, "WEEKLY_RESORT_SUMMARY"), 5);
  } finally {
    await e.close();
  }
});

Deno.test("refresh history records each refresh like DYNAMIC_TABLE_REFRESH_HISTORY", async () => {
  const created = Date.parse("2026-12-01T11:59:00Z");
  let clock = created;
  const e = await startReportsEmulator({ capacity: CAPACITY, dynamic: { now: () => clock } });
  try {
    await e.load(simulate(1, { seed: "history" }));
    clock = Date.parse("2026-12-01T12:00:00Z");
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    clock += 60_000;
    await e.refresh("DAILY_RESORT_SUMMARY");
    const all = await refreshHistory(e.query, "DAILY_RESORT_SUMMARY");
    // Newest first: this refresh, the one before, and before them the initial refresh of its
    // CREATE (the tables created after it, which read it, bring it along to their data
    // timestamp: that is one more row of the creation).
    const creation = all.filter((r) => r.REFRESH_TRIGGER === "CREATION");
    assert.ok(creation.length >= 1);
    assert.ok(
      creation.every((r) => r.DATA_TIMESTAMP.getTime() === created && r.STATE === "SUCCEEDED"),
    );
    const rows = all.filter((r) => r.REFRESH_TRIGGER !== "CREATION");
    assert.deepEqual(all.slice(0, 2), rows);
    assert.equal(rows.length, 2);
    const [second, first] = rows;
    assert.equal(first.STATE, "SUCCEEDED");
    assert.equal(first.STATE_CODE, null);
    assert.equal(first.REFRESH_ACTION, "INCREMENTAL");
    assert.equal(first.REFRESH_TRIGGER, "MANUAL");
    assert.equal(first.STATISTICS.numInsertedRows, 5);
    assert.equal(first.STATISTICS.numDeletedRows, 0);
    assert.equal(first.DATA_TIMESTAMP.toISOString(), "2026-12-01T12:00:00.000Z");
    assert.equal(first.TARGET_LAG_SEC, 60);
    assert.ok(first.REFRESH_END_TIME!.getTime() >= first.REFRESH_START_TIME.getTime());
    assert.equal(second.STATE, "SUCCEEDED");
    assert.equal(second.REFRESH_ACTION, "NO_DATA");
    assert.equal(written(second), 0);
    assert.equal(second.DATA_TIMESTAMP.toISOString(), "2026-12-01T12:01:00.000Z");
    const noon = Date.parse("2026-12-01T12:00:00Z");
    const [visits] = at(await refreshHistory(e.query, "DAILY_VISITS"), noon);
    assert.equal(visits.STATISTICS.numInsertedRows, await count(e.query, "DAILY_VISITS"));
    assert.equal(visits.TARGET_LAG_SEC, null);
  } finally {
    await e.close();
  }
});

Deno.test("a refresh touches only the groups its new rows touch", async () => {
  let clock = Date.parse("2026-12-06T12:00:00Z");
  const e = await startReportsEmulator({ capacity: CAPACITY, dynamic: { now: () => clock } });
  try {
    await e.load(NINE_DAYS);
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    // Ten rides of riders already there, whose day started before, all in one hour at one
    // resort on the last day: no visit, first ride or revenue hour changes.
    const lastDay = "2026-12-05";
    const riders = await e.query(
      `SELECT RFID FROM DAILY_VISITS WHERE RESORT = 'Keystone' AND VISIT_DATE = ?
       AND FIRST_RIDE_TIME < '2026-12-05 19:00:00' ORDER BY RFID LIMIT 10`,
      [lastDay],
    );
    assert.equal(riders.length, 10);
    const rides = riders.map((r, i) =>
      JSON.stringify({
        TXID: `extra-${i}`,
        RFID: r.RFID,
        RESORT: "Keystone",
        LIFT: "River Run Gondola",
        RIDE_TIME: `${lastDay}T19:${String(10 + i).padStart(2, "0")}:00.000Z`,
        ACTIVATION_DAY_COUNT: 2,
      })
    );
    const snapshot = async () => {
      const out = new Map<string, Set<string>>();
      for (const n of DYNAMIC_TABLE_NAMES) {
        out.set(n, new Set((await e.query(`SELECT * FROM ${n}`)).map((r) => JSON.stringify(r))));
      }
      return out;
    };
    const before = await snapshot();
    await e.load({ LIFT_RIDE: rides });
    clock += 60_000;
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    const after = await snapshot();
    // What changed: exactly one row of each table that counts rides, nothing else.
    const changed = (n: string) => {
      const b = before.get(n)!, a = after.get(n)!;
      return {
        gone: [...b].filter((r) => !a.has(r)).map((r) => JSON.parse(r)),
        new: [...a].filter((r) => !b.has(r)).map((r) => JSON.parse(r)),
      };
    };
    const keys = (rows: Record<string, unknown>[], cols: string[]) =>
      rows.map((r) => cols.map((c) => String(r[c])).join("|"));
    for (const n of ["DAILY_VISITS", "HOURLY_AMORTIZED_REVENUE"]) {
      assert.deepEqual(changed(n), { gone: [], new: [] }, n);
    }
    for (const n of ["HOURLY_LIFT_ACTIVITY", "HOURLY_RESORT_SUMMARY"]) {
      const c = changed(n);
      assert.deepEqual(keys(c.gone, ["RIDE_DATE", "RIDE_HOUR", "RESORT"]), [
        `${lastDay}|19|Keystone`,
      ], n);
      assert.deepEqual(keys(c.new, ["RIDE_DATE", "RIDE_HOUR", "RESORT"]), [
        `${lastDay}|19|Keystone`,
      ], n);
      assert.equal(c.new[0].TOTAL_RIDES, c.gone[0].TOTAL_RIDES + 10, n);
    }
    assert.deepEqual(keys(changed("DAILY_RESORT_SUMMARY").new, ["RIDE_DATE", "RESORT"]), [
      `${lastDay}|Keystone`,
    ]);
    assert.deepEqual(keys(changed("WEEKLY_RESORT_SUMMARY").new, ["WEEK_START_DATE", "RESORT"]), [
      `${mondayOf(lastDay)}|Keystone`,
    ]);
    // And the refresh wrote just that: each table that counts rides was refreshed
    // incrementally, replacing its one row (an update counts one row deleted and one inserted);
    // the others were refreshed with nothing to write, or had nothing new at all.
    const refreshed = new Map(at(await refreshHistory(e.query), clock).map((r) => [r.NAME, r]));
    for (
      const n of [
        "HOURLY_LIFT_ACTIVITY",
        "HOURLY_RESORT_SUMMARY",
        "DAILY_RESORT_SUMMARY",
        "WEEKLY_RESORT_SUMMARY",
      ]
    ) {
      const r = refreshed.get(n);
      assert.equal(r?.REFRESH_ACTION, "INCREMENTAL", n);
      assert.deepEqual([r.STATISTICS.numInsertedRows, r.STATISTICS.numDeletedRows], [1, 1], n);
    }
    for (const n of ["DAILY_VISITS", "HOURLY_AMORTIZED_REVENUE"]) {
      const r = refreshed.get(n);
      assert.match(r?.REFRESH_ACTION ?? "NO_DATA", /^(INCREMENTAL|NO_DATA)$/, n);
      assert.equal(written(r), 0, n);
    }
    await assertMatchesModel(
      e.query,
      computeModel(parseRows(concatRows(NINE_DAYS, { LIFT_RIDE: rides })), capacities(CAPACITY)),
    );
  } finally {
    await e.close();
  }
});

Deno.test("a failed refresh changes nothing it could not finish, is recorded, and the next one catches up", async () => {
  let clock = Date.parse("2026-12-01T11:00:00Z");
  const e = await startReportsEmulator({ capacity: CAPACITY, dynamic: { now: () => clock } });
  try {
    const first = simulate(1, { seed: "fail" });
    const second = simulate(1, { seed: "fail-2", start: FRIDAY_START + DAY_MS });
    await e.load(first);
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    const refreshedAt = clock;
    const failing = ["HOURLY_RESORT_SUMMARY", "DAILY_RESORT_SUMMARY", "WEEKLY_RESORT_SUMMARY"];
    const rowsOf = async (n: string) =>
      (await e.query(`SELECT * FROM ${n}`)).map((r) => JSON.stringify(r)).sort();
    const before = new Map<string, string[]>();
    for (const n of failing) before.set(n, await rowsOf(n));
    assert.ok(before.get("HOURLY_RESORT_SUMMARY")!.length > 0);

    await e.load(second);
    // A capacity of 0 makes CAPACITY_PCT divide by zero: Snowflake fails the statement.
    await e.query("UPDATE RESORT_CAPACITY SET MAX_CAPACITY = 0 WHERE RESORT = 'Vail'");
    clock += 60_000;
    await assert.rejects(e.refresh("WEEKLY_RESORT_SUMMARY"), /Division by zero/);
    const failed = new Map(at(await refreshHistory(e.query), clock).map((r) => [r.NAME, r]));
    assert.equal(failed.get("HOURLY_RESORT_SUMMARY")?.STATE, "FAILED");
    assert.match(failed.get("HOURLY_RESORT_SUMMARY")?.STATE_MESSAGE ?? "", /Division by zero/);
    for (const n of ["DAILY_RESORT_SUMMARY", "WEEKLY_RESORT_SUMMARY"]) {
      assert.equal(failed.get(n)?.STATE, "UPSTREAM_FAILED", n);
      assert.match(failed.get(n)?.STATE_MESSAGE ?? "", /HOURLY_RESORT_SUMMARY/, n);
    }
    // The failed tables keep their rows and data timestamps: nothing half-done shows.
    const shown = await showDynamicTables(e.query);
    for (const n of failing) {
      assert.deepEqual(await rowsOf(n), before.get(n), n);
      assert.equal(shown.get(n)?.dataTimestamp?.getTime(), refreshedAt, n);
    }
    // The tables upstream of the failure do not depend on it: each is refreshed on its own.
    for (const n of ["DAILY_VISITS", "HOURLY_LIFT_ACTIVITY", "HOURLY_AMORTIZED_REVENUE"]) {
      assert.equal(failed.get(n)?.STATE, "SUCCEEDED", n);
      assert.equal(shown.get(n)?.dataTimestamp?.getTime(), clock, n);
    }
    await e.query("UPDATE RESORT_CAPACITY SET MAX_CAPACITY = ? WHERE RESORT = 'Vail'", [
      CAPACITY.find((c) => c.resort === "Vail")!.maxCapacity,
    ]);
    clock += 60_000;
    await e.refresh("WEEKLY_RESORT_SUMMARY");
    await assertMatchesModel(
      e.query,
      computeModel(parseRows(concatRows(first, second)), capacities(CAPACITY)),
    );
  } finally {
    await e.close();
  }
});

Deno.test("target lag is stored state: the scheduler refreshes what is due, ALTER changes it", async () => {
  // "1 minute" becomes 60 ms, "2 hours" 7.2 s; a table is due at half its lag.
  const e = await startReportsEmulator({
    capacity: CAPACITY,
    dynamic: { autoRefresh: true, lagScale: 0.001 },
  });
  try {
    const day = simulate(1, { seed: "lag", start: FRIDAY_START + 3 * DAY_MS });
    await e.load(day);
    const deadline = Date.now() + 20_000;
    const scheduled = async () =>
      (await refreshHistory(e.query, "WEEKLY_RESORT_SUMMARY")).filter((h) =>
        h.REFRESH_TRIGGER === "SCHEDULED" && h.STATE === "SUCCEEDED"
      );
    // The rides reach the weekly table without anyone asking.
    while ((await e.query("SELECT * FROM WEEKLY_RESORT_SUMMARY")).length === 0) {
      if (Date.now() > deadline) throw new Error("no scheduled refresh within 20 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok((await scheduled()).length > 0);
    const weekly = await e.query("SELECT WEEK_START_DATE FROM WEEKLY_RESORT_SUMMARY");
    assert.equal(weekly[0].WEEK_START_DATE, mondayOf("2026-11-30"));

    await e.query("ALTER DYNAMIC TABLE DAILY_RESORT_SUMMARY SET TARGET_LAG = DOWNSTREAM");
    await e.query("ALTER DYNAMIC TABLE WEEKLY_RESORT_SUMMARY SET TARGET_LAG = '2 hours'");
    // A refresh under way when the lag changed ends first.
    await new Promise((r) => setTimeout(r, 200));
    const altered = Date.now();
    const shown = await showDynamicTables(e.query);
    assert.equal(shown.get("DAILY_RESORT_SUMMARY")?.targetLag, "DOWNSTREAM");
    assert.equal(shown.get("WEEKLY_RESORT_SUMMARY")?.targetLag, "2 hours");
    assert.equal(shown.get("HOURLY_RESORT_SUMMARY")?.targetLag, "1 minute");
    const lastWeekly = shown.get("WEEKLY_RESORT_SUMMARY")!.dataTimestamp!.getTime();
    // The hourly table keeps refreshing every few tens of ms; the weekly one, due 3.6 s after
    // its last refresh now, does not within the next second, nor does DOWNSTREAM daily.
    await new Promise((r) => setTimeout(r, 1000));
    const soon = await refreshHistory(e.query);
    const since = (name: string, t: number) =>
      soon.filter((h) => h.NAME === name && h.DATA_TIMESTAMP.getTime() > t);
    assert.ok(since("HOURLY_RESORT_SUMMARY", altered).length > 3);
    assert.deepEqual(since("WEEKLY_RESORT_SUMMARY", lastWeekly), []);
    assert.deepEqual(since("DAILY_RESORT_SUMMARY", lastWeekly), []);
    // …until it is due: then it refreshes with the daily table at its data timestamp, and the
    // history carries the new lags.
    let next: RefreshRow | undefined;
    while (!next) {
      if (Date.now() > altered + 20_000) throw new Error("no weekly refresh within 20 s");
      await new Promise((r) => setTimeout(r, 50));
      next = (await scheduled()).find((h) => h.DATA_TIMESTAMP.getTime() > lastWeekly);
    }
    assert.ok(next.DATA_TIMESTAMP.getTime() - lastWeekly >= 3600, "not before half of 7.2 s");
    assert.equal(next.TARGET_LAG_SEC, 7200);
    const daily = at(
      await refreshHistory(e.query, "DAILY_RESORT_SUMMARY"),
      next.DATA_TIMESTAMP
        .getTime(),
    );
    assert.equal(daily.length, 1);
    assert.equal(daily[0].TARGET_LAG_SEC, null);
    await assert.rejects(
      e.query("ALTER DYNAMIC TABLE DAILY_RESORT_SUMMARY SET TARGET_LAG = '5 parsecs'"),
      /TARGET_LAG/,
    );
    assert.equal(
      (await showDynamicTables(e.query)).get("DAILY_RESORT_SUMMARY")?.targetLag,
      "DOWNSTREAM",
    );
  } finally {
    await e.close();
  }
});
