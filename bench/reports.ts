/**
 * Bench group "reports": the dynamic-table chain's incremental refresh at 1M and 5M rides of
 * history (`dt_refresh_ms_1m`, `dt_refresh_ms_5m`: the whole chain after 10,000 new rides), and
 * the slowest dashboard query's p95 at 5M rides (`dashboard_query_p95_ms`).
 *
 * History is built fast: synthetic rides (and the tickets and passes they belong to) are inserted
 * straight into the warehouse's raw tables, then one full refresh; the measured refresh follows
 * 10,000 rides in the next hour of the latest day, as streaming would deliver them.
 */
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { Warehouse, WAREHOUSE_FILE } from "../src/emulator/warehouse.ts";
import { ensureSchema } from "../src/emulator/dynamic/schema.ts";
import { DynamicTableEngine } from "../src/emulator/dynamic/engine.ts";
import { resortCapacityRows } from "../sql/render.ts";
import facts from "../src/generator/resorts.json" with { type: "json" };
import { periodRanges, Reports, warehouseSource } from "../src/reports/mod.ts";
import type { BenchResult } from "./main.ts";
import { lendHistory } from "./shared_history.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Synthetic rides per simulated day (about what 8,000 tickets a day make). */
const RIDES_PER_DAY = 100_000;
const RIDES_PER_VISIT = 14;
const START = Date.parse("2026-01-05T00:00:00Z");

/** A small seeded PRNG (mulberry32): the same history every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const stamp = (t: number) => new Date(t).toISOString().replace("T", " ").slice(0, 23);

/** Inserts synthetic history into the raw tables until LIFT_RIDE holds `targetRides` rows. */
export class History {
  readonly #db: DatabaseSync;
  readonly #rand = prng(20261125);
  readonly #resorts = facts.resorts;
  #day = 0;
  #card = 0;
  #ride = 0;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  get rides(): number {
    return this.#ride;
  }

  /** Whole days of visits until at least `targetRides` rides exist. */
  fillTo(targetRides: number): void {
    const db = this.#db;
    const ride = db.prepare(
      `INSERT INTO LIFT_RIDE (TXID, RFID, RESORT, LIFT, RIDE_TIME, ACTIVATION_DAY_COUNT)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const ticket = db.prepare(
      `INSERT INTO RESORT_TICKET (TXID, RFID, RESORT, PURCHASE_TIME, PRICE_USD, EXPIRATION_TIME,
         DAYS, NAME) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const pass = db.prepare(
      `INSERT INTO SEASON_PASS (TXID, RFID, PURCHASE_TIME, PRICE_USD, EXPIRATION_TIME, NAME)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const r = this.#rand;
    while (this.#ride < targetRides) {
      const dayStart = START + this.#day * DAY_MS;
      db.exec("BEGIN");
      const visits = Math.round(RIDES_PER_DAY / RIDES_PER_VISIT);
      for (let v = 0; v < visits; v++) {
        const resort = this.#resorts[Math.floor(r() * this.#resorts.length)];
        const rfid = `0x${(++this.#card).toString(16).padStart(24, "0")}`;
        const isPass = r() < 0.05;
        const bought = dayStart + 13 * HOUR_MS + Math.floor(r() * HOUR_MS);
        if (isPass) {
          pass.run(`p${this.#card}`, rfid, stamp(bought), 783, "2027-01-01", "Synthetic Pass");
        } else {
          const days = 1 + Math.floor(r() * 3);
          ticket.run(
            `t${this.#card}`,
            rfid,
            resort.name,
            stamp(bought),
            resort.ticketBasePriceUsd * days,
            "2027-01-01",
            days,
            "Synthetic Ticket",
          );
        }
        let t = dayStart + 15 * HOUR_MS + Math.floor(r() * 3 * HOUR_MS);
        for (let k = 0; k < RIDES_PER_VISIT; k++) {
          const lift = resort.lifts[Math.floor(r() * resort.lifts.length)];
          ride.run(`r${++this.#ride}`, rfid, resort.name, lift, stamp(t), 1);
          t += 10 * 60_000 + Math.floor(r() * 20 * 60_000);
        }
      }
      db.exec("COMMIT");
      this.#day++;
    }
  }

  /** `n` rides by existing riders of the latest day, in one hour after its last ride. */
  addRecentRides(n: number): void {
    const db = this.#db;
    const lastDay = START + (this.#day - 1) * DAY_MS;
    const riders = db.prepare(
      `SELECT RFID, RESORT FROM DAILY_VISITS WHERE VISIT_DATE = ? LIMIT 2000`,
    ).all(new Date(lastDay).toISOString().slice(0, 10)) as { RFID: string; RESORT: string }[];
    const ride = db.prepare(
      `INSERT INTO LIFT_RIDE (TXID, RFID, RESORT, LIFT, RIDE_TIME, ACTIVATION_DAY_COUNT)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const hourStart = lastDay + 23 * HOUR_MS;
    db.exec("BEGIN");
    for (let i = 0; i < n; i++) {
      const who = riders[i % riders.length];
      ride.run(
        `n${++this.#ride}`,
        who.RFID,
        who.RESORT,
        "Bench Lift",
        stamp(hourStart + Math.floor((i / n) * HOUR_MS)),
        1,
      );
    }
    db.exec("COMMIT");
  }
}

async function timedIncremental(engine: DynamicTableEngine, history: History): Promise<number> {
  history.addRecentRides(10_000);
  const t0 = performance.now();
  await engine.refreshAll();
  return performance.now() - t0;
}

/** Runs the group. */
export default async function reports(report: (r: BenchResult) => void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bench-reports-" });
  const warehouse = new Warehouse(join(dir, WAREHOUSE_FILE));
  let lent = false;
  try {
    ensureSchema(warehouse.db, resortCapacityRows(facts));
    const engine = new DynamicTableEngine(warehouse.db, { chunkRides: 200_000 });
    const history = new History(warehouse.db);

    let t0 = performance.now();
    history.fillTo(1_000_000);
    const fill1 = performance.now() - t0;
    t0 = performance.now();
    await engine.refreshAll();
    const full1 = performance.now() - t0;
    // Median of three, so one hiccup of a shared machine does not decide the figure.
    const at1m: number[] = [];
    for (let i = 0; i < 3; i++) at1m.push(await timedIncremental(engine, history));
    const dt1 = at1m.sort((a, b) => a - b)[1];
    report({
      name: "dt_refresh_ms_1m",
      value: Math.round(dt1),
      unit: "ms",
      note: `${history.rides} rides; history insert ${Math.round(fill1)} ms, ` +
        `full refresh ${Math.round(full1)} ms`,
    });

    t0 = performance.now();
    history.fillTo(5_000_000);
    const fill5 = performance.now() - t0;
    t0 = performance.now();
    await engine.refreshAll();
    const full5 = performance.now() - t0;
    const at5m: number[] = [];
    for (let i = 0; i < 3; i++) at5m.push(await timedIncremental(engine, history));
    const dt5 = at5m.sort((a, b) => a - b)[1];
    report({
      name: "dt_refresh_ms_5m",
      value: Math.round(dt5),
      unit: "ms",
      note: `${history.rides} rides; ratio to 1M ${(dt5 / dt1).toFixed(2)} (target ≤ 1.5); ` +
        `history insert ${Math.round(fill5)} ms, catch-up refresh ${Math.round(full5)} ms`,
    });

    const dashboard = await dashboardP95(warehouse);
    report({
      name: "dashboard_query_p95_ms",
      value: Number(dashboard.p95.toFixed(2)),
      unit: "ms",
      note: `slowest: ${dashboard.name} at ${history.rides} rides (target ≤ 50)`,
    });
    await engine.stop();
    // The web group measures pages over this same history: hand it on rather than build it twice.
    lendHistory({ warehouse, dir, rides: history.rides });
    lent = true;
  } finally {
    if (!lent) {
      warehouse.close();
      await Deno.remove(dir, { recursive: true });
    }
  }
}

/**
 * Each dashboard read (src/reports) run repeatedly on the warehouse; the slowest p95 wins. The
 * operations center is measured for every resort.
 */
async function dashboardP95(w: Warehouse): Promise<{ name: string; p95: number }> {
  const reports = new Reports(warehouseSource(w.db));
  const clock = await reports.clock();
  const date = clock.reportingDate!;
  const resorts = await reports.resorts();
  const latest = await reports.latestRides();
  const reads: [string, () => Promise<unknown>][] = [
    ["clock", () => reports.clock()],
    ["resorts", () => reports.resorts()],
    ["network_today", () => reports.networkOverview("today", date)],
    ["network_last7", () => reports.networkOverview("last7", date)],
    ["network_mtd", () => reports.networkOverview("mtd", date)],
    ["resort_totals_mtd", () => reports.resortTotals(periodRanges("mtd", date).current)],
    ["daily_trend_mtd", () => reports.dailyTrend(periodRanges("mtd", date).current)],
  ];
  for (const r of resorts) {
    reads.push(
      [`current_hour ${r.resort}`, () => reports.resortCurrentHour(r.resort)],
      [`top_lifts ${r.resort}`, () => reports.topLifts(r.resort, latest.get(r.resort)!)],
      [`hourly ${r.resort}`, () => reports.hourlyPattern(r.resort, r.timezone, date)],
      [`revenue_target ${r.resort}`, () => reports.revenueTarget(r.resort, date)],
      [`weeks ${r.resort}`, () => reports.lastFourWeeks(r.resort)],
    );
  }
  let worst = { name: "", p95: -1 };
  for (const [name, read] of reads) {
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      await read();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.ceil(times.length * 0.95) - 1];
    if (p95 > worst.p95) worst = { name, p95 };
  }
  return worst;
}

if (import.meta.main) {
  await reports((r) => console.log(JSON.stringify(r)));
}
