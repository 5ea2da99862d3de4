/**
 * Dynamic tables created while the scheduler refreshes others: a CREATE's transaction records the
 * new table before it commits, and a scheduled refresh must not pick it up from there (it would
 * read a table and change log its snapshot does not have, and fail).
 */
import assert from "node:assert/strict";
import { createLogger } from "../../../src/log.ts";
import { withSqlEmulator } from "./helpers.ts";

Deno.test("dynamic tables created while the scheduler runs refresh without a failure", async () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), format: "json" });
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    await q(`CREATE TABLE EVENTS (ID NUMBER, SHOP VARCHAR, AMOUNT NUMBER(10,2))`);
    await q(`INSERT INTO EVENTS SELECT SEQ4(), 'S' || (SEQ4() % 7), SEQ4() / 10
      FROM TABLE(GENERATOR(ROWCOUNT => 1000))`);
    // A chain, as a setup script makes one: each new table reads the one before.
    let source = "EVENTS";
    for (let i = 0; i < 12; i++) {
      await q(`CREATE OR REPLACE DYNAMIC TABLE STEP_${i} TARGET_LAG = '1 minute' WAREHOUSE = WH
        AS SELECT SHOP, COUNT(*) AS N, SUM(AMOUNT) AS AMOUNT FROM ${source} GROUP BY SHOP`);
      await q(`INSERT INTO EVENTS VALUES (${1000 + i}, 'NEW', 1)`);
      source = `STEP_${i}`;
    }
    // Replaced in the middle of the chain, as a changed setup script replaces them.
    for (let round = 0; round < 4; round++) {
      for (const i of [3, 4, 5]) {
        const from = i === 0 ? "EVENTS" : `STEP_${i - 1}`;
        await q(`CREATE OR REPLACE DYNAMIC TABLE STEP_${i} TARGET_LAG = '1 minute' WAREHOUSE = WH
          AS SELECT SHOP, COUNT(*) + ${round} AS N, SUM(AMOUNT) AS AMOUNT FROM ${from} GROUP BY SHOP`);
        await q(`INSERT INTO EVENTS VALUES (${2000 + round * 10 + i}, 'NEW', 1)`);
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    const history = await q(`SELECT NAME, STATE, STATE_MESSAGE
      FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(RESULT_LIMIT => 10000))
      WHERE STATE <> 'SUCCEEDED'`);
    assert.deepEqual(history, [], "refreshes that did not succeed");
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) =>
      l.level !== "info" && l.level !== "debug"
    );
    assert.deepEqual(warnings, [], "warnings of the dynamic table engine");
    // Each step after the first has one row per shop with the shop's total: the chain's end
    // agrees with the source once brought up to date.
    await q(`ALTER DYNAMIC TABLE STEP_11 REFRESH`);
    const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
    assert.deepEqual(
      sorted(await q(`SELECT SHOP, N, AMOUNT FROM STEP_11`)),
      sorted(await q(`SELECT SHOP, 1 AS N, SUM(AMOUNT) AS AMOUNT FROM EVENTS GROUP BY SHOP`)),
    );
  }, { liftline: false, dynamic: { autoRefresh: true, tickMs: 1, lagScale: 0.00001, log } });
});
