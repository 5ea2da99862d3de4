/**
 * The local dynamic-table engine against the reference model: whole chain, incremental steps,
 * late rows, the downstream chain, refresh history, target lag state and failures.
 */
import assert from "node:assert/strict";
import { DynamicTableEngine, RefreshError } from "../../src/emulator/dynamic/engine.ts";
import { ensureSchema } from "../../src/emulator/dynamic/schema.ts";
import { assertMatchesModel } from "./compare.ts";
import {
  CAPACITY,
  concatRows,
  DAY_MS,
  FRIDAY_START,
  parseRows,
  simulate,
  SMALL_CAPACITY,
  tempWarehouse,
} from "./fixtures.ts";
import { computeModel, mondayOf } from "./model.ts";
import type { ResortCapacityRow } from "../../sql/render.ts";

const capacities = (rows: readonly ResortCapacityRow[]) =>
  rows.map((r) => ({ resort: r.resort, maxCapacity: r.maxCapacity }));

/** Nine days from a Friday: three days of one week, six of the next. */
const NINE_DAYS = simulate(9);

Deno.test("the chain equals the reference model over nine days across a week boundary", async () => {
  const w = await tempWarehouse();
  try {
    ensureSchema(w.warehouse.db, SMALL_CAPACITY);
    const engine = new DynamicTableEngine(w.warehouse.db);
    w.load(NINE_DAYS);
    const outcomes = await engine.refresh("WEEKLY_RESORT_SUMMARY");
    assert.ok(outcomes.every((o) => o.state === "SUCCEEDED"));
    const model = computeModel(parseRows(NINE_DAYS), capacities(SMALL_CAPACITY));
    const counts = assertMatchesModel(w.warehouse.db, model);
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
    // The comparison itself notices a one-cent difference anywhere.
    w.warehouse.db.exec(
      `UPDATE DAILY_RESORT_SUMMARY SET TOTAL_PASS_REVENUE = TOTAL_PASS_REVENUE + 0.01
       WHERE (RIDE_DATE, RESORT) IN (SELECT RIDE_DATE, RESORT FROM DAILY_RESORT_SUMMARY LIMIT 1)`,
    );
    assert.throws(() => assertMatchesModel(w.warehouse.db, model), /DAILY_RESORT_SUMMARY/);
    await engine.stop();
  } finally {
    await w.close();
  }
});

Deno.test("refreshing in many small steps, with cards arriving after their rides, ends equal", async () => {
  const w = await tempWarehouse();
  try {
    ensureSchema(w.warehouse.db, CAPACITY);
    // Small chunks make each refresh work through its backlog in several transactions.
    const engine = new DynamicTableEngine(w.warehouse.db, { chunkRides: 7000 });
    const rides = NINE_DAYS.LIFT_RIDE;
    const steps = 6;
    for (let i = 0; i < steps; i++) {
      const part = (xs: string[]) =>
        xs.slice(Math.floor((xs.length * i) / steps), Math.floor((xs.length * (i + 1)) / steps));
      // Rides of a step land before the cards of the same step: the streams are independent.
      w.load({ LIFT_RIDE: part(rides) });
      await engine.refresh(i % 2 ? "WEEKLY_RESORT_SUMMARY" : "HOURLY_RESORT_SUMMARY");
      w.load({
        RESORT_TICKET: part(NINE_DAYS.RESORT_TICKET),
        SEASON_PASS: part(NINE_DAYS.SEASON_PASS),
      });
    }
    await engine.refreshAll();
    assertMatchesModel(w.warehouse.db, computeModel(parseRows(NINE_DAYS), capacities(CAPACITY)));
    await engine.stop();
  } finally {
    await w.close();
  }
});

Deno.test("a ride that arrives after its hour was reported is included at the next refresh", async () => {
  const w = await tempWarehouse();
  try {
    ensureSchema(w.warehouse.db, SMALL_CAPACITY);
    const engine = new DynamicTableEngine(w.warehouse.db);
    const days = simulate(2, { seed: "late" });
    w.load(days);
    await engine.refreshAll();
    const db = w.warehouse.db;
    const before = db.prepare(
      `SELECT * FROM HOURLY_RESORT_SUMMARY WHERE RESORT = 'Vail' AND RIDE_DATE = '2026-11-27'
       ORDER BY RIDE_HOUR LIMIT 1 OFFSET 2`,
    ).get() as Record<string, unknown>;
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
    w.load(late);
    const out = await engine.refresh("HOURLY_RESORT_SUMMARY");
    assert.equal(out.find((o) => o.name === "HOURLY_RESORT_SUMMARY")!.stats.updated, 1);
    const after = db.prepare(
      `SELECT * FROM HOURLY_RESORT_SUMMARY WHERE RESORT = 'Vail' AND RIDE_DATE = '2026-11-27'
       AND RIDE_HOUR = ?`,
    ).get(hour) as Record<string, unknown>;
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
    w.load(earlier);
    await engine.refreshAll();
    const visit = db.prepare(
      "SELECT FIRST_RIDE_TIME, FIRST_LIFT FROM DAILY_VISITS WHERE RFID = '0xlate'",
    ).get() as Record<string, unknown>;
    assert.equal(visit.FIRST_LIFT, "Eagle Bahn Gondola");
    assertMatchesModel(
      db,
      computeModel(parseRows(concatRows(days, late, earlier)), capacities(SMALL_CAPACITY)),
    );
    await engine.stop();
  } finally {
    await w.close();
  }
});

Deno.test("refreshing a table refreshes what it reads first, at one data timestamp, and nothing below", async () => {
  const w = await tempWarehouse();
  try {
    ensureSchema(w.warehouse.db, CAPACITY);
    let clock = Date.parse("2026-12-01T12:00:00Z");
    const engine = new DynamicTableEngine(w.warehouse.db, { now: () => clock });
    w.load(simulate(1, { seed: "chain" }));
    const out = await engine.refresh("HOURLY_RESORT_SUMMARY");
    assert.deepEqual(out.map((o) => o.name), [
      "DAILY_VISITS",
      "HOURLY_LIFT_ACTIVITY",
      "HOURLY_AMORTIZED_REVENUE",
      "HOURLY_RESORT_SUMMARY",
    ]);
    assert.ok(out.every((o) => o.dataTimestamp.getTime() === clock && o.trigger === "MANUAL"));
    const db = w.warehouse.db;
    const count = (t: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    assert.ok(count("HOURLY_RESORT_SUMMARY") > 0);
    assert.equal(count("DAILY_RESORT_SUMMARY"), 0, "DAILY_RESORT_SUMMARY was not asked to refresh");
    const state = new Map(engine.tables().map((t) => [t.name, t.dataTimestamp?.getTime() ?? null]));
    assert.equal(state.get("HOURLY_RESORT_SUMMARY"), clock);
    assert.equal(state.get("DAILY_RESORT_SUMMARY"), null);
    clock += 5000;
    const weekly = await engine.refresh("WEEKLY_RESORT_SUMMARY");
    assert.deepEqual(weekly.map((o) => o.name), [
      "DAILY_VISITS",
      "HOURLY_LIFT_ACTIVITY",
      "HOURLY_AMORTIZED_REVENUE",
      "HOURLY_RESORT_SUMMARY",
      "DAILY_RESORT_SUMMARY",
      "WEEKLY_RESORT_SUMMARY",
    ]);
    // Nothing new upstream; the daily and weekly tables catch up from what was pending.
    assert.equal(weekly[0].action, "NO_DATA");
    assert.equal(weekly[4].action, "INCREMENTAL");
    assert.equal(count("DAILY_RESORT_SUMMARY"), 5);
    assert.equal(count("WEEKLY_RESORT_SUMMARY"), 5);
    await engine.stop();
  } finally {
    await w.close();
  }
});

Deno.test("refresh history records each refresh like DYNAMIC_TABLE_REFRESH_HISTORY", async () => {
  const w = await tempWarehouse();
  try {
    ensureSchema(w.warehouse.db, CAPACITY);
    let clock = Date.parse("2026-12-01T12:00:00Z");
    const engine = new DynamicTableEngine(w.warehouse.db, { now: () => clock });
    const day = simulate(1, { seed: "history" });
    w.load(day);
    await engine.refreshAll();
    clock += 60_000;
    await engine.refresh("DAILY_RESORT_SUMMARY");
    const rows = engine.history("DAILY_RESORT_SUMMARY");
    assert.equal(rows.length, 2);
    const [second, first] = rows;
    assert.equal(first.STATE, "SUCCEEDED");
    assert.equal(first.REFRESH_ACTION, "INCREMENTAL");
    assert.equal(first.REFRESH_TRIGGER, "MANUAL");
    assert.equal(first.ROWS_INSERTED, 5);
    assert.equal(first.DATA_TIMESTAMP, "2026-12-01 12:00:00.000");
    assert.equal(first.TARGET_LAG_SEC, 60);
    assert.equal(second.REFRESH_ACTION, "NO_DATA");
    assert.equal(second.ROWS_INSERTED + second.ROWS_UPDATED + second.ROWS_DELETED, 0);
    assert.equal(second.DATA_TIMESTAMP, "2026-12-01 12:01:00.000");
    const visits = engine.history("DAILY_VISITS")[1];
    assert.equal(
      visits.ROWS_INSERTED,
      (w.warehouse.db.prepare("SELECT count(*) AS n FROM DAILY_VISITS").get() as { n: number }).n,
    );
    assert.equal(visits.TARGET_LAG_SEC, null);
    await engine.stop();
  } finally {
    await w.close();
  }
});

Deno.test("a refresh touches only the groups its new rows touch", async () => {
  const w = await tempWarehouse();
  try {
    ensureSchema(w.warehouse.db, CAPACITY);
    const engine = new DynamicTableEngine(w.warehouse.db);
    w.load(NINE_DAYS);
    await engine.refreshAll();
    // Ten rides of existing riders, all in one hour at one resort, on the last day.
    const lastDay = "2026-12-05";
    const riders = w.warehouse.db.prepare(
      `SELECT DISTINCT RFID FROM DAILY_VISITS WHERE RESORT = 'Keystone' AND VISIT_DATE = ? LIMIT 10`,
    ).all(lastDay) as { RFID: string }[];
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
    w.load({ LIFT_RIDE: rides });
    const out = new Map((await engine.refreshAll()).map((o) => [o.name, o.stats]));
    const touched = (n: string) => out.get(n as never)!.inserted + out.get(n as never)!.updated;
    assert.ok(touched("HOURLY_LIFT_ACTIVITY") <= 1);
    assert.ok(touched("HOURLY_RESORT_SUMMARY") <= 1);
    assert.equal(touched("DAILY_RESORT_SUMMARY"), 1);
    assert.equal(touched("WEEKLY_RESORT_SUMMARY"), 1);
    assert.equal(out.get("HOURLY_LIFT_ACTIVITY")!.deleted, 0);
    assertMatchesModel(
      w.warehouse.db,
      computeModel(parseRows(concatRows(NINE_DAYS, { LIFT_RIDE: rides })), capacities(CAPACITY)),
    );
    await engine.stop();
  } finally {
    await w.close();
  }
});

Deno.test("a failed refresh changes nothing, is recorded, and the next one catches up", async () => {
  const w = await tempWarehouse();
  try {
    ensureSchema(w.warehouse.db, CAPACITY);
    const engine = new DynamicTableEngine(w.warehouse.db);
    const day = simulate(2, { seed: "fail" });
    w.load(day);
    const db = w.warehouse.db;
    db.exec(
      `CREATE TEMP TRIGGER fail_daily BEFORE INSERT ON main.DAILY_RESORT_SUMMARY
       BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`,
    );
    await assert.rejects(engine.refresh("WEEKLY_RESORT_SUMMARY"), (e: unknown) => {
      assert.ok(e instanceof RefreshError);
      assert.match(e.message, /DAILY_RESORT_SUMMARY.*disk on fire/);
      return true;
    });
    const states = new Map(engine.history().map((h) => [h.NAME, h.STATE]));
    assert.equal(states.get("DAILY_RESORT_SUMMARY"), "FAILED");
    assert.equal(states.get("WEEKLY_RESORT_SUMMARY"), "UPSTREAM_FAILED");
    assert.equal(
      (db.prepare("SELECT count(*) AS n FROM DAILY_VISITS").get() as { n: number }).n,
      0,
    );
    assert.ok(engine.tables().every((t) => t.dataTimestamp === null));
    db.exec("DROP TRIGGER fail_daily");
    await engine.refresh("WEEKLY_RESORT_SUMMARY");
    assertMatchesModel(db, computeModel(parseRows(day), capacities(CAPACITY)));
    await engine.stop();
  } finally {
    await w.close();
  }
});

Deno.test("target lag is stored state: the scheduler refreshes what is due, ALTER changes it", async () => {
  const w = await tempWarehouse();
  try {
    ensureSchema(w.warehouse.db, CAPACITY);
    // "1 minute" becomes 60 ms.
    const engine = new DynamicTableEngine(w.warehouse.db, { lagScale: 0.001 });
    const t0 = Date.now();
    assert.deepEqual(engine.dueTables(t0), [
      "HOURLY_RESORT_SUMMARY",
      "DAILY_RESORT_SUMMARY",
      "WEEKLY_RESORT_SUMMARY",
    ]);
    w.load(simulate(1, { seed: "lag", start: FRIDAY_START + 3 * DAY_MS }));
    engine.start();
    const deadline = Date.now() + 20_000;
    while (engine.history("WEEKLY_RESORT_SUMMARY").length === 0) {
      if (Date.now() > deadline) throw new Error("no scheduled refresh within 20 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    await engine.stop();
    const h = engine.history("WEEKLY_RESORT_SUMMARY")[0];
    assert.equal(h.REFRESH_TRIGGER, "SCHEDULED");
    assert.equal(h.STATE, "SUCCEEDED");
    const weekly = w.warehouse.db.prepare("SELECT WEEK_START_DATE FROM WEEKLY_RESORT_SUMMARY")
      .all();
    assert.ok(weekly.length > 0);
    assert.equal(
      (weekly[0] as { WEEK_START_DATE: string }).WEEK_START_DATE,
      mondayOf("2026-11-30"),
    );

    engine.setTargetLag("DAILY_RESORT_SUMMARY", "DOWNSTREAM");
    engine.setTargetLag("WEEKLY_RESORT_SUMMARY", "'2 hours'");
    const lags = new Map(engine.tables().map((t) => [t.name, [t.targetLag, t.targetLagSeconds]]));
    assert.deepEqual(lags.get("DAILY_RESORT_SUMMARY"), ["DOWNSTREAM", null]);
    assert.deepEqual(lags.get("WEEKLY_RESORT_SUMMARY"), ["2 hours", 7200]);
    const last = engine.tables().find((t) => t.name === "WEEKLY_RESORT_SUMMARY")!.dataTimestamp!;
    // 2 hours × 0.001 = 7.2 s: not due 1 s after its last refresh, due 8 s after.
    assert.ok(!engine.dueTables(last.getTime() + 1000).includes("WEEKLY_RESORT_SUMMARY"));
    assert.ok(engine.dueTables(last.getTime() + 8000).includes("WEEKLY_RESORT_SUMMARY"));
    assert.ok(!engine.dueTables(last.getTime() + 8000).includes("DAILY_RESORT_SUMMARY"));
    assert.throws(() => engine.setTargetLag("DAILY_RESORT_SUMMARY", "5 parsecs"), /TARGET_LAG/);
  } finally {
    await w.close();
  }
});
