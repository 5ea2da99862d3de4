/**
 * A user-defined chain: nothing of liftline's, all through snowflake-sdk (the conformance
 * harness's raw driver, values as text) against an emulator started as an empty account.
 *
 * A coffee roaster's till streams orders into a table of its own through a named pipe
 * (`CREATE PIPE … AS COPY INTO … FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))`) with the project's
 * Snowpipe Streaming client; a dynamic table aggregates them per shop and day, and a second one
 * aggregates that per shop. The emulator's scheduler runs with a time scale, so that target lags
 * of minutes pass in seconds. The test never refreshes by hand: both tables must reflect each
 * batch within their (scaled) target lag, the refreshes that bring the rows in must be
 * INCREMENTAL and SCHEDULED, and the tables' contents must equal a reference computed here, in
 * TypeScript, from the rows streamed (decimals compared as exact text).
 */
import assert from "node:assert/strict";
import type { StreamingClient } from "../../../src/snowflake/streaming_client.ts";
import { openSession, testStreamingClient } from "./helpers.ts";
import {
  assertResult,
  type Cell,
  records,
  type Result,
  type Session,
} from "./conformance/harness.ts";

/** Target lags are scaled by this: '1 minute' is 6 s, '2 minutes' 12 s. */
const LAG_SCALE = 0.1;
const DAILY_LAG_MS = 60_000 * LAG_SCALE;
const TOTALS_LAG_MS = 120_000 * LAG_SCALE;

const PIPE = "ORDERS_IN";
const CHANNEL = "till-1";

const SETUP = [
  `CREATE TABLE ORDERS (
     ORDER_ID VARCHAR NOT NULL,
     SHOP VARCHAR,
     ITEM VARCHAR,
     QTY NUMBER(6,0),
     UNIT_PRICE NUMBER(8,2),
     ORDERED_AT TIMESTAMP_NTZ
   )`,
  `CREATE PIPE ${PIPE} AS COPY INTO ORDERS FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))`,
  `CREATE DYNAMIC TABLE SHOP_DAILY
     TARGET_LAG = '1 minute'
     WAREHOUSE = ROASTER_WH
   AS
     SELECT SHOP, TO_DATE(ORDERED_AT) AS DAY, COUNT(*) AS ORDERS, SUM(QTY) AS ITEMS,
       SUM(QTY * UNIT_PRICE) AS REVENUE, MAX(UNIT_PRICE) AS TOP_PRICE
     FROM ORDERS
     GROUP BY SHOP, TO_DATE(ORDERED_AT)`,
  `CREATE DYNAMIC TABLE SHOP_TOTALS
     TARGET_LAG = '2 minutes'
     WAREHOUSE = ROASTER_WH
   AS
     SELECT SHOP, COUNT(*) AS DAYS, SUM(ORDERS) AS ORDERS, SUM(REVENUE) AS REVENUE,
       MAX(REVENUE) AS BEST_DAY, ROUND(SUM(REVENUE) / SUM(ORDERS), 2) AS AVG_ORDER
     FROM SHOP_DAILY
     GROUP BY SHOP`,
];

const DAILY_QUERY = "SELECT * FROM SHOP_DAILY ORDER BY SHOP, DAY";
const DAILY_COLUMNS = ["SHOP", "DAY", "ORDERS", "ITEMS", "REVENUE", "TOP_PRICE"];
const TOTALS_QUERY = "SELECT * FROM SHOP_TOTALS ORDER BY SHOP";
const TOTALS_COLUMNS = ["SHOP", "DAYS", "ORDERS", "REVENUE", "BEST_DAY", "AVG_ORDER"];

// ------------------------------------------------------------------------------------------------
// The orders, and the reference

/** One order as the till knows it: money in cents. */
interface Order {
  id: string;
  shop: string | null;
  item: string;
  qty: number;
  priceCents: number;
  /** `YYYY-MM-DDTHH:MM:SS`, wall time. */
  at: string;
}

/** A small deterministic PRNG (mulberry32). */
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

/** `count` orders from `shops` over `days` (March 2026), numbered from `first`. */
function orders(
  seed: number,
  first: number,
  count: number,
  shops: readonly (string | null)[],
  days: readonly number[],
): Order[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: count }, (_, i) => {
    const hh = String(6 + Math.floor(r() * 14)).padStart(2, "0");
    const mm = String(Math.floor(r() * 60)).padStart(2, "0");
    const ss = String(Math.floor(r() * 60)).padStart(2, "0");
    return {
      id: `o-${first + i}`,
      shop: pick(shops),
      item: pick(["espresso", "flat white", "beans 250 g", "filter", "cortado"]),
      qty: 1 + Math.floor(r() * 5),
      // 1.05 to 39.99: cents that a double holds inexactly (x.x5, x.x9) included.
      priceCents: 105 + Math.floor(r() * 3895),
      at: `2026-03-${String(pick(days)).padStart(2, "0")}T${hh}:${mm}:${ss}`,
    };
  });
}

/** An order as the till streams it: prices sometimes as JSON numbers, sometimes as text. */
function orderJson(o: Order, i: number): string {
  const price = (o.priceCents / 100).toFixed(2);
  return JSON.stringify({
    ORDER_ID: o.id,
    SHOP: o.shop,
    ITEM: o.item,
    QTY: o.qty,
    UNIT_PRICE: i % 3 === 0 ? price : Number(price),
    ORDERED_AT: o.at,
  });
}

/** Cents as NUMBER(…, 2) text: `1234n` → `12.34`. */
function money(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

/** Rounds `n / d` (both positive) half up to a whole number. */
function roundedQuotient(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/** Snowflake's order: ascending, NULLs last. */
function byKeys<T>(key: (t: T) => (string | null)[]): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] === kb[i]) continue;
      if (ka[i] === null) return 1;
      if (kb[i] === null) return -1;
      return ka[i]! < kb[i]! ? -1 : 1;
    }
    return 0;
  };
}

interface DailyRow {
  shop: string | null;
  day: string;
  orders: bigint;
  items: bigint;
  revenue: bigint;
  top: bigint;
}

/** SHOP_DAILY and SHOP_TOTALS computed from the orders, as the docs' output tables print them. */
function reference(all: readonly Order[]): { daily: Cell[][]; totals: Cell[][] } {
  const daily = new Map<string, DailyRow>();
  for (const o of all) {
    const day = o.at.slice(0, 10);
    const key = JSON.stringify([o.shop, day]);
    const row = daily.get(key) ??
      { shop: o.shop, day, orders: 0n, items: 0n, revenue: 0n, top: 0n };
    row.orders += 1n;
    row.items += BigInt(o.qty);
    row.revenue += BigInt(o.qty) * BigInt(o.priceCents);
    if (BigInt(o.priceCents) > row.top) row.top = BigInt(o.priceCents);
    daily.set(key, row);
  }
  const dailyRows = [...daily.values()].sort(byKeys((r) => [r.shop, r.day]));
  const totals = new Map<
    string | null,
    { shop: string | null; days: bigint; orders: bigint; revenue: bigint; best: bigint }
  >();
  for (const d of dailyRows) {
    const t = totals.get(d.shop) ??
      { shop: d.shop, days: 0n, orders: 0n, revenue: 0n, best: 0n };
    t.days += 1n;
    t.orders += d.orders;
    t.revenue += d.revenue;
    if (d.revenue > t.best) t.best = d.revenue;
    totals.set(d.shop, t);
  }
  const totalRows = [...totals.values()].sort(byKeys((t) => [t.shop]));
  return {
    daily: dailyRows.map((d) => [
      d.shop,
      d.day,
      String(d.orders),
      String(d.items),
      money(d.revenue),
      money(d.top),
    ]),
    totals: totalRows.map((t) => {
      // REVENUE (scale 2) / ORDERS (scale 0) has scale 8 (the dividend's plus 6), rounded half
      // away from zero; ROUND(…, 2) then rounds that, half away from zero too.
      const q8 = roundedQuotient(t.revenue * 1_000_000n, t.orders);
      return [
        t.shop,
        String(t.days),
        String(t.orders),
        money(t.revenue),
        money(t.best),
        money(roundedQuotient(q8, 1_000_000n)),
      ];
    }),
  };
}

// ------------------------------------------------------------------------------------------------
// Streaming and waiting

/** The till's channel: appends continue one continuation token to the next. */
class Till {
  #token: string | undefined;
  #next = 1;
  constructor(readonly client: StreamingClient) {}

  async open(): Promise<void> {
    const opened = await this.client.openChannel(PIPE, CHANNEL);
    assert.equal(opened.status.statusCode, "SUCCESS");
    this.#token = opened.continuationToken;
    this.#next = Number(opened.status.committedOffsetToken ?? 0) + 1;
  }

  /** Appends the orders and waits until the channel reports them committed. */
  async send(batch: readonly Order[]): Promise<void> {
    const rows = batch.map((o, i) => ({ id: this.#next + i, json: orderJson(o, this.#next + i) }));
    for (const body of await this.client.prepareAppend(rows)) {
      this.#token = await this.client.appendRows(PIPE, CHANNEL, this.#token!, body);
    }
    this.#next += batch.length;
    const last = String(this.#next - 1);
    for (let i = 0;; i++) {
      const st = (await this.client.channelStatus(PIPE, [CHANNEL])).get(CHANNEL);
      assert.equal(st?.rowsErrorCount, 0, `rows rejected: ${st?.lastErrorMessage}`);
      if (st?.committedOffsetToken === last) return;
      assert.ok(i < 3000, `offset ${last} never committed (at ${st?.committedOffsetToken})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/**
 * Polls `query` until its rows equal `expected`, and returns how long after `since` that was
 * seen. Gives up (the caller's assertion then fails) well after the lag.
 */
async function reflected(
  db: Session,
  query: string,
  expected: Cell[][],
  since: number,
  giveUpMs: number,
): Promise<{ ms: number; last: Result }> {
  for (;;) {
    const last = await db.run(query);
    const ms = Date.now() - since;
    if (JSON.stringify(last.rows) === JSON.stringify(expected)) return { ms, last };
    if (ms > giveUpMs) return { ms: Infinity, last };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Refreshes of `name` whose data timestamp is at or after `sinceMs`, oldest first. */
async function refreshesSince(
  db: Session,
  name: string,
  sinceMs: number,
): Promise<Record<string, Cell>[]> {
  const r = await db.run(
    `SELECT NAME, STATE, REFRESH_ACTION, REFRESH_TRIGGER,
       DATE_PART(EPOCH_MILLISECOND, DATA_TIMESTAMP) AS DATA_MS, STATISTICS
     FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => ?))
     ORDER BY DATA_TIMESTAMP`,
    [name],
  );
  return records(r).filter((row) => Number(row.DATA_MS) >= sinceMs);
}

/** The refreshes that brought rows in after `sinceMs`: every one INCREMENTAL, on schedule. */
async function assertIncrementalSince(db: Session, name: string, sinceMs: number): Promise<void> {
  const rows = await refreshesSince(db, name, sinceMs);
  const changed = rows.filter((r) => r.REFRESH_ACTION !== "NO_DATA");
  assert.ok(changed.length >= 1, `${name}: no refresh after the rows: ${JSON.stringify(rows)}`);
  for (const r of changed) {
    assert.deepEqual(
      [r.STATE, r.REFRESH_ACTION, r.REFRESH_TRIGGER],
      ["SUCCEEDED", "INCREMENTAL", "SCHEDULED"],
      `${name}: ${JSON.stringify(r)}`,
    );
  }
  // Nothing after the rows was refreshed by hand, and nothing failed.
  for (const r of rows) {
    assert.equal(r.REFRESH_TRIGGER, "SCHEDULED", `${name}: ${JSON.stringify(r)}`);
    assert.equal(r.STATE, "SUCCEEDED", `${name}: ${JSON.stringify(r)}`);
  }
}

// ------------------------------------------------------------------------------------------------

Deno.test({
  name: "a user-defined chain: streamed rows reach two dynamic tables within their target lag",
  // snowflake-sdk keeps sockets and timers of its own.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "liftline-user-chain-" });
    const { emu, db: sql, privateKeyPem, close } = await openSession(dataDir, {
      dynamic: { lagScale: LAG_SCALE },
    });
    try {
      await sql.runAll(SETUP);
      const till = new Till(await testStreamingClient(emu.url, privateKeyPem));
      await till.open();
      const streamed: Order[] = [];

      await t.step("both tables are incremental, on their declared lags", async () => {
        const shown = records(await sql.run("SHOW DYNAMIC TABLES"));
        const by = new Map(shown.map((r) => [r.name, r]));
        assert.deepEqual(
          ["SHOP_DAILY", "SHOP_TOTALS"].map((n) => [
            by.get(n)?.target_lag,
            by.get(n)?.refresh_mode,
            by.get(n)?.scheduling_state,
          ]),
          [["1 minute", "INCREMENTAL", "ACTIVE"], ["2 minutes", "INCREMENTAL", "ACTIVE"]],
        );
        // Initialised on creation, over an empty table.
        assertResult(await sql.run(DAILY_QUERY), { columns: DAILY_COLUMNS, rows: [] });
        assertResult(await sql.run(TOTALS_QUERY), { columns: TOTALS_COLUMNS, rows: [] });
      });

      const batches = [
        {
          name: "first batch: three shops over four days",
          orders: orders(1, 1, 400, ["Fitzroy", "Carlton", "Brunswick", null], [2, 3, 4, 5]),
        },
        {
          name: "second batch: the same groups grow, a new shop and new days appear",
          orders: orders(2, 401, 250, ["Carlton", "Brunswick", "Collingwood", null], [5, 6, 7]),
        },
      ];
      for (const batch of batches) {
        await t.step(batch.name, async () => {
          const before = Date.now();
          await till.send(batch.orders);
          const committed = Date.now();
          streamed.push(...batch.orders);
          assertResult(await sql.run("SELECT COUNT(*) AS N FROM ORDERS"), {
            rows: [[String(streamed.length)]],
          });
          const want = reference(streamed);

          // No ALTER … REFRESH anywhere: the scheduler brings each table up to date within its
          // lag (the rows committed by `committed`).
          const daily = await reflected(sql, DAILY_QUERY, want.daily, committed, 4 * TOTALS_LAG_MS);
          assertResult(daily.last, { columns: DAILY_COLUMNS, rows: want.daily });
          assert.ok(
            daily.ms <= DAILY_LAG_MS,
            `SHOP_DAILY reflected the rows ${daily.ms} ms after their commit; lag ${DAILY_LAG_MS} ms`,
          );
          const totals = await reflected(
            sql,
            TOTALS_QUERY,
            want.totals,
            committed,
            4 * TOTALS_LAG_MS,
          );
          assertResult(totals.last, { columns: TOTALS_COLUMNS, rows: want.totals });
          assert.ok(
            totals.ms <= TOTALS_LAG_MS,
            `SHOP_TOTALS reflected the rows ${totals.ms} ms after their commit; lag ${TOTALS_LAG_MS} ms`,
          );

          await assertIncrementalSince(sql, "SHOP_DAILY", before);
          await assertIncrementalSince(sql, "SHOP_TOTALS", before);
        });
      }

      await t.step(
        "the chain keeps refreshing with nothing new: NO_DATA, contents kept",
        async () => {
          const since = Date.now();
          await new Promise((r) => setTimeout(r, DAILY_LAG_MS));
          const rows = await refreshesSince(sql, "SHOP_DAILY", since);
          assert.ok(rows.length >= 1, "the scheduler keeps SHOP_DAILY within its lag");
          assert.ok(rows.every((r) => r.REFRESH_ACTION === "NO_DATA"), JSON.stringify(rows));
          const want = reference(streamed);
          assertResult(await sql.run(DAILY_QUERY), { columns: DAILY_COLUMNS, rows: want.daily });
          assertResult(await sql.run(TOTALS_QUERY), { columns: TOTALS_COLUMNS, rows: want.totals });
        },
      );
    } finally {
      await close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
