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
    await new Promise((r) => setTimeout(r, 300));
    const history = await q(`SELECT NAME, STATE, STATE_MESSAGE
      FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(RESULT_LIMIT => 10000))
      WHERE STATE <> 'SUCCEEDED'`);
    assert.deepEqual(history, [], "refreshes that did not succeed");
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) =>
      l.level !== "info" && l.level !== "debug"
    );
    assert.deepEqual(warnings, [], "warnings of the dynamic table engine");
    const last = await q(`SELECT SUM(N) AS N FROM STEP_11`);
    assert.ok(Number(last[0].N) > 0, "the end of the chain has rows");
  }, { liftline: false, dynamic: { autoRefresh: true, tickMs: 1, lagScale: 0.00001, log } });
});
