/**
 * A refresh split into parts (the way a large catch-up, or the retry of one that ran out of
 * memory, is done) writes exactly the rows one statement writes: for grouped, windowed, joined and
 * chained definitions, incremental and full, after inserts, updates and deletes.
 */
import assert from "node:assert/strict";
import { createLogger } from "../../../src/log.ts";
import { withSqlEmulator } from "./helpers.ts";

const SHOPS = ["ALTA", "BRIGHTON", "SNOWBIRD", "SOLITUDE"];

/** `n` events from id `from`, spread over shops, users and five days, as INSERT values. */
function events(from: number, n: number): string {
  const rows: string[] = [];
  for (let i = from; i < from + n; i++) {
    const shop = SHOPS[(i * 7) % SHOPS.length];
    const user = `U${(i * 13) % 41}`;
    const amount = ((i * 37) % 9000) / 100 + 0.05;
    const at = new Date(Date.UTC(2026, 11, 1 + (i % 5), (i * 5) % 24, i % 60)).toISOString();
    rows.push(`(${i}, '${shop}', '${user}', ${amount.toFixed(2)}, '${at.slice(0, 19)}')`);
  }
  return `INSERT INTO EVENTS VALUES ${rows.join(", ")}`;
}

const DEFINITIONS: Record<string, { mode: string; sql: string }> = {
  BY_SHOP_DAY: {
    mode: "AUTO",
    sql: `SELECT SHOP, TO_DATE(AT) AS DAY, COUNT(*) AS N, SUM(AMOUNT) AS REVENUE,
            COUNT(DISTINCT USER_ID) AS USERS
          FROM EVENTS GROUP BY SHOP, TO_DATE(AT)`,
  },
  FIRST_BUY: {
    mode: "AUTO",
    sql: `WITH FIRSTS AS (
            SELECT USER_ID, SHOP, AT, AMOUNT FROM EVENTS
            QUALIFY ROW_NUMBER() OVER (PARTITION BY USER_ID, SHOP ORDER BY AT, ID) = 1
          )
          SELECT F.USER_ID, F.SHOP, F.AT, F.AMOUNT, M.TIER
          FROM FIRSTS AS F LEFT JOIN MEMBERS AS M ON M.USER_ID = F.USER_ID`,
  },
  TOP_BY_SHOP: {
    mode: "FULL",
    sql: `SELECT SHOP, MAX(AMOUNT) AS TOP, MIN(AT) AS FIRST_AT FROM EVENTS GROUP BY SHOP`,
  },
  SHOP_TOTALS: {
    mode: "AUTO",
    sql: `SELECT SHOP, SUM(REVENUE) AS REVENUE, SUM(N) AS N, COUNT(*) AS DAYS
          FROM BY_SHOP_DAY GROUP BY SHOP`,
  },
};

Deno.test("a refresh split into parts writes the rows one statement writes", async () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), format: "json", debug: true });
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    /** A table's rows and its definition's rows, each as sorted JSON lines. */
    const assertEqualToDefinition = async (name: string, step: string) => {
      const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
      const stored = sorted(await q(`SELECT * FROM ${name}`));
      const direct = sorted(await q(DEFINITIONS[name].sql));
      assert.ok(direct.length > 0, `${name} ${step}: the definition gives rows`);
      assert.deepEqual(stored, direct, `${name} ${step}`);
    };
    const partsLogged = () =>
      lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "refreshed in parts");

    await q(`CREATE TABLE EVENTS (ID NUMBER, SHOP VARCHAR, USER_ID VARCHAR, AMOUNT NUMBER(10,2),
      AT TIMESTAMP_NTZ)`);
    await q(`CREATE TABLE MEMBERS (USER_ID VARCHAR, TIER VARCHAR)`);
    await q(events(1, 300));
    await q(
      `INSERT INTO MEMBERS SELECT 'U' || (SEQ4() * 3), 'GOLD' FROM TABLE(GENERATOR(ROWCOUNT => 10))`,
    );
    // Created in order, each initialized on creation: a REINITIALIZE in parts.
    for (const [name, d] of Object.entries(DEFINITIONS)) {
      await q(`CREATE DYNAMIC TABLE ${name} TARGET_LAG = '1 hour' WAREHOUSE = WH
        REFRESH_MODE = ${d.mode} AS ${d.sql}`);
      await assertEqualToDefinition(name, "created");
    }
    const modes = new Map(
      (await q("SHOW DYNAMIC TABLES")).map((r) => [r.name as string, r.refresh_mode as string]),
    );
    assert.deepEqual(Object.fromEntries(modes), {
      BY_SHOP_DAY: "INCREMENTAL",
      FIRST_BUY: "INCREMENTAL",
      TOP_BY_SHOP: "FULL",
      SHOP_TOTALS: "INCREMENTAL",
    });

    const steps: [string, string[]][] = [
      ["new rows", [events(301, 200)]],
      ["updates and deletes", [
        "UPDATE EVENTS SET AMOUNT = AMOUNT + 1 WHERE MOD(ID, 11) = 0",
        "DELETE FROM EVENTS WHERE MOD(ID, 17) = 0",
        "UPDATE MEMBERS SET TIER = 'PLATINUM' WHERE USER_ID IN ('U3', 'U9')",
        "INSERT INTO MEMBERS VALUES ('U40', 'SILVER')",
      ]],
    ];
    for (const [step, statements] of steps) {
      for (const s of statements) await q(s);
      lines.length = 0;
      await q("ALTER DYNAMIC TABLE SHOP_TOTALS REFRESH");
      await q("ALTER DYNAMIC TABLE FIRST_BUY REFRESH");
      await q("ALTER DYNAMIC TABLE TOP_BY_SHOP REFRESH");
      const history = await q(
        `SELECT NAME, REFRESH_ACTION FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY())
         QUALIFY ROW_NUMBER() OVER (PARTITION BY NAME ORDER BY REFRESH_START_TIME DESC) = 1`,
      );
      const actions = Object.fromEntries(history.map((r) => [r.NAME, r.REFRESH_ACTION]));
      assert.deepEqual(actions, {
        BY_SHOP_DAY: "INCREMENTAL",
        FIRST_BUY: "INCREMENTAL",
        TOP_BY_SHOP: "FULL",
        SHOP_TOTALS: "INCREMENTAL",
      }, step);
      // Each was split: into many parts where its changed keys were many.
      const parts = new Map(partsLogged().map((l) => [l.dynamic_table, l.parts]));
      for (const name of Object.keys(DEFINITIONS)) {
        assert.ok((parts.get(name) ?? 0) >= 4, `${name} ${step}: ${parts.get(name)} parts`);
        await assertEqualToDefinition(name, step);
      }
      assert.ok(
        parts.get("FIRST_BUY")! > 4,
        `FIRST_BUY's keys split further: ${parts.get("FIRST_BUY")}`,
      );
    }
  }, { liftline: false, dynamic: { autoRefresh: false, parts: 4, keysPerPart: 10, log } });
});
