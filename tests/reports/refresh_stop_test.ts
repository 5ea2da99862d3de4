/**
 * Stopping the dynamic-table engine in the middle of a catch-up refresh: it ends at a chunk
 * boundary, keeps what it committed, says CANCELLED, leaves the data timestamp alone, and the
 * next engine on the same warehouse resumes to exactly what one uninterrupted refresh gives.
 * Also the backlog figures (reflected of committed rides) against a full count.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import {
  dynamicTableBacklog,
  DynamicTableEngine,
  RefreshCancelledError,
} from "../../src/emulator/dynamic/engine.ts";
import { DYNAMIC_TABLES, ensureSchema } from "../../src/emulator/dynamic/schema.ts";
import { WAREHOUSE_FILE } from "../../src/emulator/warehouse.ts";
import { assertMatchesModel } from "./compare.ts";
import { parseRows, simulate, SMALL_CAPACITY, tempWarehouse } from "./fixtures.ts";
import { computeModel } from "./model.ts";

const capacities = SMALL_CAPACITY.map((r) => ({ resort: r.resort, maxCapacity: r.maxCapacity }));

/** Four days: the first day is refreshed completely, the other three are the backlog. */
const FIRST_DAY = simulate(1, { seed: "stop-first" });
const BACKLOG = simulate(3, { seed: "stop-backlog", start: Date.parse("2026-11-28T14:00:00Z") });
const CHUNK = 1000;

const count = (db: DatabaseSync, sql: string) =>
  Number((db.prepare(sql).get() as { n: number | bigint }).n);

Deno.test("an engine stopped mid-catch-up ends at a chunk boundary and the next one resumes exactly", async () => {
  const w = await tempWarehouse();
  try {
    const db = w.warehouse.db;
    ensureSchema(db, SMALL_CAPACITY);
    let clock = Date.parse("2026-12-01T12:00:00Z");
    const first = new DynamicTableEngine(db, { chunkRides: CHUNK, now: () => clock });
    w.load(FIRST_DAY);
    await first.refreshAll();
    const firstStamp = clock;
    const base = first.backlog();
    assert.deepEqual(base, {
      reflectedRides: FIRST_DAY.LIFT_RIDE.length,
      committedRides: FIRST_DAY.LIFT_RIDE.length,
    });

    w.load(BACKLOG);
    clock += 60_000;
    const committed = base.committedRides + BACKLOG.LIFT_RIDE.length;
    const catchUp = first.refreshAll("SCHEDULED");
    const outcome = catchUp.then(() => undefined, (e: unknown) => e);
    // Let a few chunks commit, then stop.
    while (first.backlog().reflectedRides < base.reflectedRides + 3 * CHUNK) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const t0 = performance.now();
    await first.stop();
    const stopMs = performance.now() - t0;
    // At most one chunk of 1,000 rides (a few ms here) and no pause: 2 s is a generous bound.
    assert.ok(stopMs < 2000, `stop took ${stopMs.toFixed(0)} ms`);

    const error = await outcome;
    assert.ok(error instanceof RefreshCancelledError, `cancelled: ${error}`);
    assert.deepEqual(
      error.outcomes.map((o) => [o.name, o.state]),
      DYNAMIC_TABLES.map((n) => [n, "CANCELLED"]),
    );
    const cut = first.backlog();
    assert.equal(cut.committedRides, committed);
    assert.ok(cut.reflectedRides < committed, "the refresh was cut short");
    assert.equal((cut.reflectedRides - base.reflectedRides) % CHUNK, 0, "at a chunk boundary");

    // History: one CANCELLED row per table, at the refresh's data timestamp, saying why.
    for (const name of DYNAMIC_TABLES) {
      const [h] = first.history(name, 1);
      assert.equal(h.STATE, "CANCELLED", name);
      assert.equal(h.STATE_CODE, "CANCELLED", name);
      assert.equal(h.REFRESH_TRIGGER, "SCHEDULED", name);
      assert.match(h.STATE_MESSAGE ?? "", /resumes/, name);
    }
    // The data timestamp did not move: rows committed before the cut are not all reflected.
    for (const t of first.tables()) assert.equal(t.dataTimestamp?.getTime(), firstStamp, t.name);

    // What the cut-short refresh committed is exactly the rides up to its mark, through the whole
    // chain (the marks are written in each chunk's own transaction): no ride twice, none missed.
    const reflected = BACKLOG.LIFT_RIDE.slice(0, cut.reflectedRides - base.reflectedRides);
    assertMatchesModel(
      db,
      computeModel(
        parseRows({
          RESORT_TICKET: [...FIRST_DAY.RESORT_TICKET, ...BACKLOG.RESORT_TICKET],
          SEASON_PASS: [...FIRST_DAY.SEASON_PASS, ...BACKLOG.SEASON_PASS],
          LIFT_RIDE: [...FIRST_DAY.LIFT_RIDE, ...reflected],
        }),
        capacities,
      ),
    );

    // A new engine on the same warehouse (a restart) resumes from the marks.
    clock += 60_000;
    const second = new DynamicTableEngine(db, { chunkRides: CHUNK, now: () => clock });
    assert.deepEqual(second.dueTables(clock), [
      "HOURLY_RESORT_SUMMARY",
      "DAILY_RESORT_SUMMARY",
      "WEEKLY_RESORT_SUMMARY",
    ]);
    const out = await second.refreshAll("SCHEDULED");
    assert.ok(out.every((o) => o.state === "SUCCEEDED"));
    assert.deepEqual(second.backlog(), { reflectedRides: committed, committedRides: committed });
    for (const t of second.tables()) assert.equal(t.dataTimestamp?.getTime(), clock, t.name);
    // Every table equals the reference model of all rows: what one uninterrupted refresh gives.
    assertMatchesModel(
      db,
      computeModel(
        parseRows({
          RESORT_TICKET: [...FIRST_DAY.RESORT_TICKET, ...BACKLOG.RESORT_TICKET],
          SEASON_PASS: [...FIRST_DAY.SEASON_PASS, ...BACKLOG.SEASON_PASS],
          LIFT_RIDE: [...FIRST_DAY.LIFT_RIDE, ...BACKLOG.LIFT_RIDE],
        }),
        capacities,
      ),
    );
    assert.equal(
      count(db, "SELECT sum(TOTAL_RIDES) AS n FROM HOURLY_RESORT_SUMMARY"),
      count(db, "SELECT count(*) AS n FROM LIFT_RIDE"),
    );
    await second.stop();
  } finally {
    await w.close();
  }
});

Deno.test("a refresh asked for after stop is cancelled before it consumes anything", async () => {
  const w = await tempWarehouse();
  try {
    const db = w.warehouse.db;
    ensureSchema(db, SMALL_CAPACITY);
    const engine = new DynamicTableEngine(db, { chunkRides: CHUNK });
    w.load(FIRST_DAY);
    await engine.stop();
    await assert.rejects(engine.refresh("DAILY_RESORT_SUMMARY"), RefreshCancelledError);
    assert.deepEqual(engine.backlog(), {
      reflectedRides: 0,
      committedRides: FIRST_DAY.LIFT_RIDE.length,
    });
    assert.ok(engine.tables().every((t) => t.dataTimestamp === null));
    assert.deepEqual(
      engine.history().map((h) => [h.NAME, h.STATE, h.REFRESH_ACTION]).reverse(),
      [
        "DAILY_VISITS",
        "HOURLY_LIFT_ACTIVITY",
        "HOURLY_AMORTIZED_REVENUE",
        "HOURLY_RESORT_SUMMARY",
        "DAILY_RESORT_SUMMARY",
      ].map((n) => [n, "CANCELLED", "NO_DATA"]),
    );
    // Nor does a stopped engine's scheduler start again.
    engine.start();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(engine.backlog().reflectedRides, 0);
  } finally {
    await w.close();
  }
});

Deno.test("the backlog equals a full count, also on a read-only connection of another reader", async () => {
  const w = await tempWarehouse();
  const reader = () => new DatabaseSync(join(w.dir, WAREHOUSE_FILE), { readOnly: true });
  try {
    const db = w.warehouse.db;
    ensureSchema(db, SMALL_CAPACITY);
    const engine = new DynamicTableEngine(db, { chunkRides: CHUNK });
    const full = () => ({
      reflectedRides: count(
        db,
        "SELECT coalesce(sum(TOTAL_RIDES), 0) AS n FROM HOURLY_LIFT_ACTIVITY",
      ),
      committedRides: count(db, "SELECT count(*) AS n FROM LIFT_RIDE"),
    });
    assert.deepEqual(engine.backlog(), { reflectedRides: 0, committedRides: 0 });
    w.load(FIRST_DAY);
    assert.deepEqual(engine.backlog(), full());
    await engine.refreshAll();
    w.load(BACKLOG);
    const behind = engine.backlog();
    assert.deepEqual(behind, full());
    assert.ok(behind.reflectedRides < behind.committedRides);
    const other = reader();
    try {
      assert.deepEqual(dynamicTableBacklog(other), behind);
      await engine.refreshAll();
      assert.deepEqual(engine.backlog(), full());
      assert.deepEqual(dynamicTableBacklog(other), full());
      assert.equal(full().reflectedRides, full().committedRides);
    } finally {
      other.close();
    }
    await engine.stop();
  } finally {
    await w.close();
  }
});
