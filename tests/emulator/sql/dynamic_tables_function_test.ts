/**
 * `TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLES())`: each dynamic table's target lag, scheduling state
 * and the lag its refresh history shows. The history is written into the warehouse file between
 * two starts (refreshes minutes apart would take minutes), so that the lag figures have known
 * values: between two successful refreshes the lag grows from the first refresh's end minus its
 * data timestamp to the next refresh's end minus that same data timestamp.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { WAREHOUSE_FILE } from "../../../src/emulator/mod.ts";
import { HISTORY_TABLE } from "../../../src/emulator/dynamic/history.ts";
import { openDuckDB } from "../../../src/emulator/warehouse/duckdb.ts";
import { records } from "./conformance/harness.ts";
import { openSession } from "./helpers.ts";

const open = (dataDir: string) => openSession(dataDir);

Deno.test({
  name: "DYNAMIC_TABLES() reports target lag, scheduling state and the lag of the refresh history",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "liftline-dt-function-" });
    let e = await open(dataDir);
    try {
      await e.db.runAll([
        "CREATE TABLE SALES (SHOP VARCHAR, AMOUNT NUMBER(8,2))",
        "INSERT INTO SALES VALUES ('north', 10.50)",
        `CREATE DYNAMIC TABLE SHOP_TOTALS TARGET_LAG = '1 minute' WAREHOUSE = W
           AS SELECT SHOP, SUM(AMOUNT) AS TOTAL FROM SALES GROUP BY SHOP`,
        `CREATE DYNAMIC TABLE SHOPS TARGET_LAG = DOWNSTREAM WAREHOUSE = W
           AS SELECT DISTINCT SHOP FROM SHOP_TOTALS`,
        "ALTER DYNAMIC TABLE SHOPS SUSPEND",
      ]);
      await e.close();

      // SHOP_TOTALS's history replaced by two successful refreshes 100 s apart and a failed one:
      // data at now−115 s, done 10 s later; data at now−15 s, done at now−5 s.
      const duck = await openDuckDB(join(dataDir, WAREHOUSE_FILE));
      const c = await duck.connect();
      try {
        const id = `(SELECT id FROM ${HISTORY_TABLE} WHERE name = 'SHOP_TOTALS' LIMIT 1)`;
        await c.run(`CREATE TEMP TABLE keep AS SELECT * FROM ${HISTORY_TABLE}
          WHERE name = 'SHOP_TOTALS' LIMIT 1`);
        await c.run(`DELETE FROM ${HISTORY_TABLE} WHERE id = ${id}`);
        const at = (s: number) => `current_timestamp - INTERVAL ${s} SECOND`;
        for (
          const [seq, state, d, end] of [
            [1_000_001, "SUCCEEDED", 115, 105],
            [1_000_002, "SUCCEEDED", 15, 5],
            [1_000_003, "FAILED", 3, 2],
          ] as const
        ) {
          await c.run(`INSERT INTO ${HISTORY_TABLE} SELECT * REPLACE (${seq} AS seq,
            '${state}' AS state, ${state === "FAILED" ? "'099999'" : "NULL"} AS state_code,
            ${state === "FAILED" ? "'the refresh failed'" : "NULL"} AS state_message,
            ${at(d)} AS data_timestamp, ${at(end + 1)} AS refresh_start_time,
            ${at(end)} AS refresh_end_time) FROM keep`);
        }
      } finally {
        c.closeSync();
        duck.closeSync();
      }

      e = await open(dataDir);
      const rows = records(
        await e.db.run("SELECT * FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLES()) ORDER BY NAME"),
      );
      assert.deepEqual(rows.map((r) => r.NAME), ["SHOPS", "SHOP_TOTALS"]);
      const [shops, totals] = rows;
      assert.equal(totals.QUALIFIED_NAME, "STREAMING_INGEST.STREAMING_INGEST.SHOP_TOTALS");
      assert.equal(totals.TARGET_LAG_SEC, "60");
      assert.equal(totals.TARGET_LAG_TYPE, "USER_DEFINED");
      assert.equal(JSON.parse(totals.SCHEDULING_STATE!).state, "ACTIVE");
      // 100 s from 10 to 110 s of lag, then from 10 s to about 15 s (until the query).
      assert.equal(totals.MAXIMUM_LAG_SEC, "110");
      assert.equal(totals.TIME_ABOVE_TARGET_LAG_SEC, "50");
      const mean = Number(totals.MEAN_LAG_SEC);
      assert.ok(mean >= 52 && mean <= 58, `mean lag ${mean}`);
      const within = Number(totals.TIME_WITHIN_TARGET_LAG_RATIO);
      assert.ok(within > 0.5 && within < 0.57, `within ${within}`);
      assert.equal(totals.LAST_COMPLETED_REFRESH_STATE, "FAILED");
      assert.equal(totals.LAST_COMPLETED_REFRESH_STATE_MESSAGE, "the refresh failed");
      assert.ok(totals.LATEST_DATA_TIMESTAMP, "the newest successful refresh's data timestamp");

      assert.equal(shops.TARGET_LAG_SEC, null);
      assert.equal(shops.TARGET_LAG_TYPE, "DOWNSTREAM");
      assert.equal(JSON.parse(shops.SCHEDULING_STATE!).state, "SUSPENDED");
      assert.equal(shops.TIME_ABOVE_TARGET_LAG_SEC, null);
      assert.equal(shops.LAST_COMPLETED_REFRESH_STATE, "SUCCEEDED");

      const one = await e.db.run(
        "SELECT NAME FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLES(NAME => 'shops'))",
      );
      assert.deepEqual(one.rows, [["SHOPS"]]);
      const prefixed = await e.db.run(`SELECT NAME FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLES(
        NAME_PREFIX => 'STREAMING_INGEST.STREAMING_INGEST.SHOP_'))`);
      assert.deepEqual(prefixed.rows, [["SHOP_TOTALS"]]);
      await e.db.expectError(
        "SELECT * FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLES(INCLUDE_CONNECTED => TRUE))",
        { code: "000002" },
      );
    } finally {
      await e.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
