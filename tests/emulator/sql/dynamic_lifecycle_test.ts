/**
 * A dynamic table's life beside its inputs, as an outside data engineer met it: a view it reads
 * replaced, a column of a `SELECT *` input dropped, several properties set at once, a suspension
 * that reaches the tables downstream, and a table that keeps failing on schedule (Snowflake
 * suspends it after five errors in a row, and its dependents with it).
 */
import assert from "node:assert/strict";
import { withSqlEmulator } from "./helpers.ts";
import { AUTO_SUSPEND_ERRORS } from "../../../src/emulator/dynamic/service.ts";

type Rows = Record<string, unknown>[];
const sorted = (rows: Rows) => rows.map((r) => JSON.stringify(r)).sort();
/** A VARIANT column's value (the in-process client parses it already). */
const json = (v: unknown) => typeof v === "string" ? JSON.parse(v) : v as Record<string, unknown>;

Deno.test("a view replaced under a dynamic table reinitializes it: it reads the new view", async () => {
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    await q("CREATE TABLE VT (ID INT, G VARCHAR, V INT)");
    await q("INSERT INTO VT VALUES (1, 'a', 1), (2, 'a', 5), (3, 'b', 1), (4, 'b', 5)");
    await q("CREATE VIEW VW AS SELECT * FROM VT WHERE V > 2");
    const body = "SELECT G, COUNT(*) AS N, SUM(V) AS S FROM VW GROUP BY G";
    await q(`CREATE DYNAMIC TABLE VD TARGET_LAG = '1 minute' WAREHOUSE = W AS ${body}`);
    await q("CREATE OR REPLACE VIEW VW AS SELECT * FROM VT WHERE V > 0");
    const [r] = await q("ALTER DYNAMIC TABLE VD REFRESH");
    assert.match(String(Object.values(r)[0]), /REINITIALIZE/);
    assert.deepEqual(sorted(await q("SELECT G, N, S FROM VD")), sorted(await q(body)));
    const reasons = await q(`SELECT REFRESH_TRIGGER, REINIT_REASON FROM
      TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'VD'))
      WHERE REFRESH_ACTION = 'REINITIALIZE' ORDER BY REFRESH_START_TIME`);
    assert.deepEqual(reasons, [
      { REFRESH_TRIGGER: "CREATION", REINIT_REASON: "The dynamic table was created." },
      {
        REFRESH_TRIGGER: "MANUAL",
        REINIT_REASON: "An input of the dynamic table was replaced or altered.",
      },
    ]);
    // Later changes are incremental again, over the new view.
    await q("INSERT INTO VT VALUES (5, 'a', 1)");
    await q("ALTER DYNAMIC TABLE VD REFRESH");
    assert.deepEqual(sorted(await q("SELECT G, N, S FROM VD")), sorted(await q(body)));
    // Dropped and created again with another body: the same.
    await q("DROP VIEW VW");
    await q("CREATE VIEW VW AS SELECT * FROM VT WHERE G = 'b'");
    await q("ALTER DYNAMIC TABLE VD REFRESH");
    assert.deepEqual(sorted(await q("SELECT G, N, S FROM VD")), sorted(await q(body)));
  }, { liftline: false });
});

Deno.test("a SELECT * dynamic table whose input lost a column fails its refresh, saying so", async () => {
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    await q("CREATE TABLE ST1 (ID INT, G VARCHAR)");
    await q("INSERT INTO ST1 VALUES (1, 'a'), (2, 'b')");
    await q("CREATE DYNAMIC TABLE SD1 TARGET_LAG = '1 minute' WAREHOUSE = W AS SELECT * FROM ST1");
    await q("ALTER TABLE ST1 ADD COLUMN X INT");
    await q("ALTER TABLE ST1 DROP COLUMN G");
    // Not a success over stale rows, and not the new column's values filed under the old one.
    await assert.rejects(
      () => q("ALTER DYNAMIC TABLE SD1 REFRESH"),
      (err: Error & { code?: string }) => {
        assert.match(err.message, /no longer 'G'/);
        assert.match(err.message, /CREATE OR REPLACE DYNAMIC TABLE/);
        return true;
      },
    );
    assert.deepEqual(
      sorted(await q("SELECT * FROM SD1")),
      sorted([{ ID: 1, G: "a" }, { ID: 2, G: "b" }]),
    );
  }, { liftline: false });
});

Deno.test("ALTER DYNAMIC TABLE … SET applies every property it names; SUSPEND reaches downstream", async () => {
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    const show = async () =>
      Object.fromEntries(
        (await q("SHOW DYNAMIC TABLES")).map((r) => [r.name, r] as const),
      ) as Record<string, Record<string, unknown>>;
    await q("CREATE TABLE B (K INT, V INT)");
    await q("INSERT INTO B VALUES (1, 1)");
    await q(
      "CREATE DYNAMIC TABLE D1 TARGET_LAG = '1 minute' WAREHOUSE = W AS SELECT K, SUM(V) AS V FROM B GROUP BY K",
    );
    await q("CREATE DYNAMIC TABLE D2 TARGET_LAG = DOWNSTREAM WAREHOUSE = W AS SELECT K, V FROM D1");
    await q("ALTER DYNAMIC TABLE D1 SET TARGET_LAG = '3 minutes' WAREHOUSE = W2 COMMENT = 'daily'");
    let s = await show();
    assert.deepEqual(
      [s.D1.target_lag, s.D1.warehouse, s.D1.comment, s.D1.scheduling_state],
      ["3 minutes", "W2", "daily", "ACTIVE"],
    );
    await q("ALTER DYNAMIC TABLE D1 SET WAREHOUSE = W4, TARGET_LAG = '4 minutes'");
    s = await show();
    assert.deepEqual([s.D1.target_lag, s.D1.warehouse], ["4 minutes", "W4"]);
    await q("ALTER DYNAMIC TABLE D1 SUSPEND");
    s = await show();
    assert.deepEqual([s.D1.scheduling_state, s.D2.scheduling_state], ["SUSPENDED", "SUSPENDED"]);
    const states = Object.fromEntries(
      (await q(`SELECT NAME, SCHEDULING_STATE FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLES())`))
        .map((r) => [r.NAME, json(r.SCHEDULING_STATE)]),
    );
    assert.equal(states.D1.state, "SUSPENDED");
    assert.equal(states.D1.reason_code, "USER_SUSPENDED");
    assert.equal(states.D2.reason_code, "UPSTREAM_USER_SUSPENDED");
    await q("ALTER DYNAMIC TABLE D1 RESUME");
    const resumed = Object.fromEntries(
      (await q(`SELECT NAME, SCHEDULING_STATE FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLES())`))
        .map((r) => [r.NAME, json(r.SCHEDULING_STATE)]),
    );
    // The table suspended only because D1 was comes back with it.
    assert.deepEqual([resumed.D1, resumed.D2], [{ state: "ACTIVE" }, { state: "ACTIVE" }]);
  }, { liftline: false });
});

Deno.test("a dynamic table that fails on schedule five times in a row is suspended, with its dependents", async () => {
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    await q("CREATE TABLE FAILB (ID INT, G VARCHAR)");
    await q("INSERT INTO FAILB VALUES (1, 'a')");
    await q(`CREATE DYNAMIC TABLE FAIL_DT TARGET_LAG = '1 minute' WAREHOUSE = W
      AS SELECT G, COUNT(*) AS N FROM FAILB GROUP BY G`);
    await q(
      "CREATE DYNAMIC TABLE FAIL_NEXT TARGET_LAG = '1 minute' WAREHOUSE = W AS SELECT G FROM FAIL_DT",
    );
    await q("DROP TABLE FAILB");
    const deadline = Date.now() + 20_000;
    let state: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      state = Object.fromEntries(
        (await q("SHOW DYNAMIC TABLES")).map((r) => [r.name, r.scheduling_state]),
      );
      if (state.FAIL_DT === "SUSPENDED") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(state, { FAIL_DT: "SUSPENDED", FAIL_NEXT: "SUSPENDED" });
    // Five failures, then no more: the scheduler leaves a suspended table alone.
    await new Promise((r) => setTimeout(r, 500));
    const failed = await q(`SELECT COUNT(*) AS N FROM
      TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'FAIL_DT', RESULT_LIMIT => 10000))
      WHERE STATE = 'FAILED'`);
    assert.deepEqual(failed, [{ N: AUTO_SUSPEND_ERRORS }]);
    const why = json(
      (await q(`SELECT SCHEDULING_STATE FROM
      TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLES(NAME => 'FAIL_DT'))`))[0].SCHEDULING_STATE,
    );
    assert.equal(why.reason_code, "SUSPENDED_DUE_TO_ERRORS");
  }, { liftline: false, dynamic: { autoRefresh: true, tickMs: 20, lagScale: 0.001 } });
});

Deno.test("a dynamic table's column comments and TRANSIENT are kept, shown and in its DDL", async () => {
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    await q("CREATE TABLE B (K INT, V INT)");
    await q(`CREATE TRANSIENT DYNAMIC TABLE DD1 (REGION COMMENT 'the region', N COMMENT 'count')
      TARGET_LAG = '1 minute' WAREHOUSE = W COMMENT = 'hello' AS SELECT K, SUM(V) FROM B GROUP BY K`);
    const columns = async () =>
      await q(`SELECT COLUMN_NAME, COMMENT FROM INFORMATION_SCHEMA.COLUMNS
        WHERE TABLE_NAME = 'DD1' ORDER BY ORDINAL_POSITION`);
    const described = [
      { COLUMN_NAME: "REGION", COMMENT: "the region" },
      { COLUMN_NAME: "N", COMMENT: "count" },
    ];
    assert.deepEqual(await columns(), described);
    assert.deepEqual(
      await q(
        "SELECT IS_TRANSIENT, IS_DYNAMIC FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'DD1'",
      ),
      [{ IS_TRANSIENT: "YES", IS_DYNAMIC: "YES" }],
    );
    // GET_DDL's text creates the same table again.
    const [ddl] = await q("SELECT GET_DDL('TABLE', 'DD1') AS D");
    assert.match(String(ddl.D), /^create or replace transient dynamic table DD1\(/);
    assert.match(String(ddl.D), /REGION COMMENT 'the region'/);
    assert.match(String(ddl.D), /COMMENT='hello'/);
    await q(String(ddl.D));
    assert.deepEqual(await columns(), described);
    const [shown] = await q("SHOW DYNAMIC TABLES LIKE 'DD1'");
    assert.equal(shown.comment, "hello");
  }, { liftline: false });
});

Deno.test("a global aggregate is INCREMENTAL as in Snowflake, and stays exact", async () => {
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    await q("CREATE TABLE C (ID INT, TIER VARCHAR)");
    await q("CREATE TABLE O (ID INT, C_ID INT, AMOUNT NUMBER(10,2))");
    await q("INSERT INTO C VALUES (1, 'gold'), (2, 'silver')");
    await q("INSERT INTO O VALUES (1, 1, 10.50), (2, 2, 5.25), (3, 3, 1.00)");
    const body = "SELECT COUNT(*) AS N, SUM(AMOUNT) AS S FROM O";
    // REFRESH_MODE = INCREMENTAL is accepted (it was refused with 091352), and AUTO resolves to it.
    await q(`CREATE DYNAMIC TABLE G1 TARGET_LAG = '1 minute' WAREHOUSE = W
      REFRESH_MODE = INCREMENTAL AS ${body}`);
    await q(
      "CREATE DYNAMIC TABLE G2 TARGET_LAG = '1 minute' WAREHOUSE = W AS SELECT COUNT(*) AS N FROM C",
    );
    // A grouping key from the null-supplying side of an outer join: FULL, and the reason says why.
    await q(`CREATE DYNAMIC TABLE G3 TARGET_LAG = '1 minute' WAREHOUSE = W AS
      SELECT COALESCE(c.TIER, 'U') AS T, COUNT(*) AS N FROM O o LEFT JOIN C c ON o.C_ID = c.ID GROUP BY 1`);
    const modes = Object.fromEntries(
      (await q("SHOW DYNAMIC TABLES")).map((
        r,
      ) => [r.name, [r.refresh_mode, r.refresh_mode_reason]]),
    );
    assert.deepEqual(modes.G1, ["INCREMENTAL", null]);
    assert.deepEqual(modes.G2, ["INCREMENTAL", null]);
    assert.equal(modes.G3[0], "FULL");
    assert.match(String(modes.G3[1]), /null-supplying side of an outer join/);
    await q("INSERT INTO O VALUES (4, 1, 2.00)");
    await q("DELETE FROM O WHERE ID = 2");
    await q("ALTER DYNAMIC TABLE G1 REFRESH");
    assert.deepEqual(await q("SELECT N, S FROM G1"), await q(body));
    assert.deepEqual(await q("SELECT N, S FROM G1"), [{ N: 3, S: 13.5 }]);
  }, { liftline: false });
});
