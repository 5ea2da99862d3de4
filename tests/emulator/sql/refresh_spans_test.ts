/**
 * A large incremental refresh of a dynamic table keyed by time (the usual shape: events arriving
 * in time order, grouped by hour) stays incremental and is split by spans of that key, so that
 * each part reads only its own span of the source; one without a time key still recomputes the
 * whole table when most of its source is new. Either way the table holds its definition's rows.
 */
import assert from "node:assert/strict";
import { createLogger } from "../../../src/log.ts";
import { withSqlEmulator } from "./helpers.ts";

/** `n` events from id `from`, seven seconds apart from `start`, some with no time, some late. */
function events(from: number, n: number, start: string): string {
  return `INSERT INTO EVENTS
    SELECT ${from} + SEQ4(),
      DECODE(MOD(SEQ4(), 4), 0, 'ALTA', 1, 'BRIGHTON', 2, 'SNOWBIRD', 'SOLITUDE'),
      'U' || MOD(SEQ4() * 13, 211),
      MOD(SEQ4() * 37, 9000) / 100 + 0.05,
      CASE
        WHEN MOD(SEQ4(), 997) = 0 THEN NULL
        WHEN MOD(SEQ4(), 101) = 0 THEN '2026-12-02 10:30:00'::TIMESTAMP_NTZ
        ELSE DATEADD('second', SEQ4() * 7, '${start}'::TIMESTAMP_NTZ)
      END
    FROM TABLE(GENERATOR(ROWCOUNT => ${n}))`;
}

const HOURLY = `SELECT DATE_TRUNC('HOUR', AT) AS HOUR, SHOP, COUNT(*) AS N, SUM(AMOUNT) AS REVENUE,
    COUNT(DISTINCT USER_ID) AS USERS
  FROM EVENTS GROUP BY DATE_TRUNC('HOUR', AT), SHOP`;
const BY_SHOP = `SELECT SHOP, COUNT(*) AS N, SUM(AMOUNT) AS REVENUE FROM EVENTS GROUP BY SHOP`;

Deno.test("a large refresh keyed by time stays incremental, in spans of that key", async () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), format: "json", debug: true });
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

    await q(`CREATE TABLE EVENTS (ID NUMBER, SHOP VARCHAR, USER_ID VARCHAR, AMOUNT NUMBER(10,2),
      AT TIMESTAMP_NTZ)`);
    await q(events(1, 10_000, "2026-12-01 00:00:00"));
    for (const [name, sql] of [["HOURLY", HOURLY], ["BY_SHOP", BY_SHOP]]) {
      await q(`CREATE DYNAMIC TABLE ${name} TARGET_LAG = '1 hour' WAREHOUSE = WH AS ${sql}`);
    }
    // Six times as many rows as were there: most of the source is new.
    await q(events(10_001, 60_000, "2026-12-06 00:00:00"));
    lines.length = 0;
    await q("ALTER DYNAMIC TABLE HOURLY REFRESH");
    await q("ALTER DYNAMIC TABLE BY_SHOP REFRESH");

    const history = await q(
      `SELECT NAME, REFRESH_ACTION FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY())
       QUALIFY ROW_NUMBER() OVER (PARTITION BY NAME ORDER BY REFRESH_START_TIME DESC) = 1`,
    );
    assert.deepEqual(
      Object.fromEntries(history.map((r) => [r.NAME, r.REFRESH_ACTION])),
      { HOURLY: "INCREMENTAL", BY_SHOP: "FULL" },
    );
    // A few hundred changed keys, but 60,000 changed rows: split by the rows, 20,000 a part.
    const parts = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "refreshed in parts");
    assert.deepEqual(parts.map((l) => l.dynamic_table), ["HOURLY"]);
    assert.ok(parts[0].parts >= 3, `HOURLY refreshed in ${parts[0].parts} parts`);

    for (const [name, sql] of [["HOURLY", HOURLY], ["BY_SHOP", BY_SHOP]]) {
      const stored = sorted(await q(`SELECT * FROM ${name}`));
      assert.deepEqual(stored, sorted(await q(sql)), name);
    }
    // The rows with no time are one group per shop, in the first span.
    const untimed = await q(`SELECT SUM(N) AS N FROM HOURLY WHERE HOUR IS NULL`);
    assert.equal(
      Number(untimed[0].N),
      Number((await q(`SELECT COUNT(*) AS N FROM EVENTS WHERE AT IS NULL`))[0].N),
    );
  }, { liftline: false, dynamic: { autoRefresh: false, rowsPerPart: 20_000, log } });
});

Deno.test("a refresh in spans of a time key writes the rows one statement writes", async () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), format: "json", debug: true });
  // A first visit per user, shop and day, with the user's tier from a dimension table (whose
  // changes reach the table's keys through its own rows), and an hourly count over it.
  const definitions: Record<string, string> = {
    FIRST_VISITS: `WITH F AS (
        SELECT TO_DATE(AT) AS DAY, SHOP, USER_ID, AT, AMOUNT FROM EVENTS
        QUALIFY ROW_NUMBER() OVER (PARTITION BY TO_DATE(AT), SHOP, USER_ID ORDER BY AT, ID) = 1)
      SELECT F.DAY, F.SHOP, F.USER_ID, F.AT, F.AMOUNT, M.TIER
      FROM F LEFT JOIN MEMBERS AS M ON M.USER_ID = F.USER_ID`,
    HOURLY_FIRSTS: `SELECT DATE_TRUNC('HOUR', AT) AS HOUR, SHOP, COUNT(*) AS VISITS,
        COUNT_IF(TIER = 'GOLD') AS GOLD, SUM(AMOUNT) AS AMOUNT
      FROM FIRST_VISITS GROUP BY DATE_TRUNC('HOUR', AT), SHOP`,
  };
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
    await q(`CREATE TABLE EVENTS (ID NUMBER, SHOP VARCHAR, USER_ID VARCHAR, AMOUNT NUMBER(10,2),
      AT TIMESTAMP_NTZ)`);
    await q(`CREATE TABLE MEMBERS (USER_ID VARCHAR, TIER VARCHAR)`);
    await q(`INSERT INTO MEMBERS SELECT 'U' || (SEQ4() * 5), 'GOLD'
      FROM TABLE(GENERATOR(ROWCOUNT => 30))`);
    await q(events(1, 3_000, "2026-12-01 00:00:00"));
    for (const [name, sql] of Object.entries(definitions)) {
      await q(`CREATE DYNAMIC TABLE ${name} TARGET_LAG = '1 hour' WAREHOUSE = WH AS ${sql}`);
    }
    const steps: [string, string[]][] = [
      ["new rows, some late and some with no time", [events(3_001, 4_000, "2026-12-01 05:00:00")]],
      ["updates and deletes across the days", [
        "UPDATE EVENTS SET AT = DATEADD('hour', 30, AT) WHERE MOD(ID, 13) = 0",
        "UPDATE EVENTS SET AMOUNT = AMOUNT + 1 WHERE MOD(ID, 7) = 0",
        "DELETE FROM EVENTS WHERE MOD(ID, 17) = 0",
      ]],
      ["a dimension change", [
        "UPDATE MEMBERS SET TIER = 'SILVER' WHERE USER_ID IN ('U5', 'U10', 'U100')",
        "INSERT INTO MEMBERS VALUES ('U1', 'GOLD'), ('U2', 'GOLD')",
      ]],
    ];
    for (const [step, statements] of steps) {
      for (const s of statements) await q(s);
      lines.length = 0;
      await q("ALTER DYNAMIC TABLE HOURLY_FIRSTS REFRESH");
      const split = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "refreshed in parts");
      // A handful of changed rows is one part; the others are more than a part's 500.
      assert.equal(split.length > 0, step !== "a dimension change", `${step}: split into spans`);
      for (const [name, sql] of Object.entries(definitions)) {
        assert.deepEqual(
          sorted(await q(`SELECT * FROM ${name}`)),
          sorted(await q(sql)),
          `${name}, ${step}`,
        );
      }
    }
  }, { liftline: false, dynamic: { autoRefresh: false, rowsPerPart: 500, keysPerPart: 400, log } });
});

Deno.test("keys a source gives as text are split and restricted as the table stores them", async () => {
  // DAY is a date from one source and text from the other (a UNION's common type is DATE); U is
  // a number from one and text from the other. Both used to go wrong once a refresh was split
  // into parts: a text key compared with a date bound failed the refresh, and text bounds read
  // the number column in text order ('12' before '3'), so no row was read for those keys.
  const definitions: Record<string, string> = {
    BY_DAY: `SELECT DAY, SHOP, COUNT(*) AS N FROM (
        SELECT TO_DATE(AT) AS DAY, SHOP FROM EVENTS UNION ALL SELECT S AS DAY, SHOP FROM LEGACY)
      GROUP BY DAY, SHOP`,
    BY_CODE:
      `SELECT U, COUNT(*) AS N FROM (SELECT U FROM CODES UNION ALL SELECT CODE AS U FROM LEGACY)
      GROUP BY U`,
  };
  await withSqlEmulator(async (e) => {
    const q = async (sql: string) => (await e.sql.query(sql)).rows;
    const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
    await q(`CREATE TABLE EVENTS (ID NUMBER, SHOP VARCHAR, USER_ID VARCHAR, AMOUNT NUMBER(10,2),
      AT TIMESTAMP_NTZ)`);
    await q(`CREATE TABLE LEGACY (SHOP VARCHAR, S VARCHAR, CODE VARCHAR)`);
    await q(`CREATE TABLE CODES (U NUMBER)`);
    const legacy = (n: number, start: string) =>
      `INSERT INTO LEGACY SELECT 'S' || MOD(SEQ4(), 4),
        TO_VARCHAR(DATEADD('day', MOD(SEQ4(), 9), '${start}'::DATE)), TO_VARCHAR(MOD(SEQ4(), 15))
      FROM TABLE(GENERATOR(ROWCOUNT => ${n}))`;
    await q(events(1, 400, "2026-12-01 00:00:00"));
    await q(legacy(200, "2026-11-29"));
    await q(`INSERT INTO CODES SELECT MOD(SEQ4(), 15) FROM TABLE(GENERATOR(ROWCOUNT => 100))`);
    for (const [name, sql] of Object.entries(definitions)) {
      await q(`CREATE DYNAMIC TABLE ${name} TARGET_LAG = '1 hour' WAREHOUSE = WH AS ${sql}`);
    }
    const steps: [string, string[]][] = [
      ["events", [events(10_001, 300, "2026-12-03 05:00:00")]],
      ["legacy rows", [legacy(150, "2026-12-02")]],
      ["both", [
        events(20_001, 300, "2026-12-05 05:00:00"),
        legacy(150, "2026-12-04"),
        "INSERT INTO CODES VALUES (12), (3)",
      ]],
    ];
    for (const [step, statements] of steps) {
      for (const s of statements) await q(s);
      for (const [name, sql] of Object.entries(definitions)) {
        await q(`ALTER DYNAMIC TABLE ${name} REFRESH`);
        assert.deepEqual(
          sorted(await q(`SELECT * FROM ${name}`)),
          sorted(await q(sql)),
          `${name}, ${step}`,
        );
      }
    }
  }, { liftline: false, dynamic: { autoRefresh: false, parts: 8, keysPerPart: 5 } });
});
