/**
 * `liftline setup`: the printed script, and `--apply` through snowflake-sdk against an emulator
 * that starts as an empty account: it creates liftline's objects, a second run is harmless (and
 * with `skipUnchanged`, as `setup --apply` and `run` use it, leaves unchanged dynamic tables and
 * views alone, with their refresh state), and a failure names the statement and carries
 * Snowflake's message. What it created is read back through SQL.
 */
import assert from "node:assert/strict";
import { buildConfig } from "../../../src/config/load.ts";
import { applySetup, printSetup, SetupError, setupStatements } from "../../../src/cli/setup.ts";
import { generateKeyPair, publicKeyBody } from "../../../src/snowflake/keys.ts";
import { DYNAMIC_TABLE_NAMES } from "../../../sql/mod.ts";
import facts from "../../../src/generator/resorts.json" with { type: "json" };
import { type SqlEmulator, withSqlEmulator } from "./helpers.ts";

Deno.test("printed setup names the configuration's objects and is safe to run twice", async () => {
  const keys = await generateKeyPair();
  const config = buildConfig({
    DATABASE_NAME: "SKI_DB",
    SCHEMA_NAME: "RAW",
    SNOWFLAKE_WAREHOUSE: "SKI_WH",
    SNOWFLAKE_USER: "SKI_SVC",
    LIFT_RIDE_PIPE_NAME: "RIDES_IN",
  });
  const text = printSetup(config, keys.publicKeyPem);
  assert.match(text, /CREATE WAREHOUSE IF NOT EXISTS SKI_WH\b/);
  // The role defaults to the warehouse's name, as in the lab.
  assert.match(text, /CREATE ROLE IF NOT EXISTS SKI_WH;/);
  assert.match(text, /CREATE DATABASE IF NOT EXISTS SKI_DB;/);
  assert.match(text, /CREATE SCHEMA IF NOT EXISTS SKI_DB\.RAW;/);
  assert.match(text, /CREATE USER IF NOT EXISTS SKI_SVC\s+TYPE = SERVICE/);
  assert.ok(
    text.includes(`ALTER USER SKI_SVC SET RSA_PUBLIC_KEY = '${publicKeyBody(keys.publicKeyPem)}';`),
  );
  assert.match(
    text,
    /CREATE PIPE IF NOT EXISTS RIDES_IN\s+AS COPY INTO LIFT_RIDE\s+FROM TABLE\(DATA_SOURCE\(TYPE => 'STREAMING'\)\)\s+MATCH_BY_COLUMN_NAME = CASE_SENSITIVE;/,
  );
  assert.match(text, /CREATE PIPE IF NOT EXISTS RESORT_TICKET_PIPE\b/);
  assert.match(text, /ACTIVATION_DAY_COUNT NUMBER/);
  assert.doesNotMatch(text, /\{\{/);
  for (const r of facts.resorts) {
    assert.ok(
      text.includes(
        `('${r.name}', ${r.maxCapacity}, ${r.hourlyCapacity}, ${r.baseLiftCount}, '${r.timezone}')`,
      ),
      r.name,
    );
  }
  const statements = setupStatements(config, keys.publicKeyPem);
  for (const s of statements) {
    // Nothing that holds data is ever replaced; everything else is created only if missing or
    // replaced wholesale (dynamic tables, views, the function).
    if (/^CREATE OR REPLACE/i.test(s.sql)) {
      assert.match(s.sql, /^CREATE OR REPLACE (DYNAMIC TABLE|VIEW|FUNCTION) /, s.label);
    } else if (/^CREATE/i.test(s.sql)) {
      assert.match(s.sql, /^CREATE \w+ IF NOT EXISTS /, s.label);
    }
  }
  const dts = statements.filter((s) => s.label.startsWith("CREATE DYNAMIC TABLE"));
  assert.deepEqual(dts.map((s) => s.label.split(" ").at(-1)), [
    "DAILY_VISITS",
    "HOURLY_LIFT_ACTIVITY",
    "HOURLY_AMORTIZED_REVENUE",
    "HOURLY_RESORT_SUMMARY",
    "DAILY_RESORT_SUMMARY",
    "WEEKLY_RESORT_SUMMARY",
  ]);
  assert.ok(dts.slice(3).every((s) => /TARGET_LAG = '1 minute'/.test(s.sql)));
  assert.ok(dts.slice(0, 3).every((s) => /TARGET_LAG = DOWNSTREAM/.test(s.sql)));
  assert.ok(dts.every((s) => /WAREHOUSE = SKI_WH/.test(s.sql)));

  const withoutKey = printSetup(config);
  assert.doesNotMatch(withoutKey, /ALTER USER SKI_SVC SET/);
  assert.match(withoutKey, /liftline keygen/);
  assert.equal(setupStatements(config).length, statements.length - 1);
  const role = setupStatements(buildConfig({ SNOWFLAKE_ROLE: "LIFTLINE_ROLE" }));
  assert.ok(role.some((s) => s.sql === "GRANT ROLE LIFTLINE_ROLE TO USER STREAMING_INGEST"));
});

/** Names of the objects `SHOW <what>` lists, sorted. */
async function shown(sql: SqlEmulator["sql"], what: string): Promise<string[]> {
  return (await sql.query(`SHOW ${what}`)).rows.map((r) => String(r.name)).sort();
}

Deno.test("setup --apply creates liftline's objects in an empty emulator, and runs again harmlessly", async () => {
  await withSqlEmulator(async (e) => {
    const config = buildConfig({
      DATA_DIR: e.dir,
      TARGET: "local",
      EMULATOR_URL: e.emu.url,
      SNOWFLAKE_WAREHOUSE: "MY_WH",
    });
    const total = setupStatements(config, e.keys.publicKeyPem).length;
    assert.deepEqual(await shown(e.sql, "TABLES"), [], "the account starts empty");

    const done: string[] = [];
    const first = await applySetup(config, {
      privateKeyPem: e.keys.privateKeyPem,
      onStatement: (s, position, of) => {
        assert.equal(position, done.length + 1);
        assert.equal(of, total);
        done.push(s.label);
      },
    });
    assert.deepEqual(first, { ran: total, skipped: 0 });
    assert.equal(done.length, total);
    assert.ok(done.includes("CREATE DYNAMIC TABLE WEEKLY_RESORT_SUMMARY"));
    assert.equal(e.emu.context.sessions.size, 0, "each apply signs out");

    // What it created, read through SQL.
    assert.deepEqual(await shown(e.sql, "PIPES"), [
      "LIFT_RIDE_PIPE",
      "RESORT_TICKET_PIPE",
      "SEASON_PASS_PIPE",
    ]);
    assert.deepEqual(await shown(e.sql, "DYNAMIC TABLES"), [...DYNAMIC_TABLE_NAMES].sort());
    const tables = await shown(e.sql, "TABLES");
    for (const t of ["LIFT_RIDE", "RESORT_TICKET", "SEASON_PASS", "RESORT_CAPACITY"]) {
      assert.ok(tables.includes(t), `${t} in ${tables}`);
    }
    const capacity = await e.sql.query(
      "SELECT RESORT, MAX_CAPACITY FROM RESORT_CAPACITY ORDER BY RESORT",
    );
    assert.deepEqual(
      capacity.rows,
      facts.resorts.map((r) => ({ RESORT: r.name, MAX_CAPACITY: r.maxCapacity }))
        .sort((a, b) => a.RESORT < b.RESORT ? -1 : 1),
    );
    const dts = (await e.sql.query("SHOW DYNAMIC TABLES")).rows;
    assert.ok(
      dts.every((r) => r.warehouse === "MY_WH"),
      JSON.stringify(dts.map((r) => r.warehouse)),
    );
    assert.equal(
      dts.find((r) => r.name === "HOURLY_RESORT_SUMMARY")!.target_lag,
      "1 minute",
    );

    // Rows in the tables survive a second apply (nothing that holds data is replaced).
    await e.stream({
      LIFT_RIDE: [JSON.stringify({
        TXID: "t1",
        RFID: "0x01",
        RESORT: "Vail",
        LIFT: "Gondola One",
        RIDE_TIME: "2026-11-27T16:00:00Z",
        ACTIVATION_DAY_COUNT: 1,
      })],
    });
    await e.sql.query("ALTER DYNAMIC TABLE WEEKLY_RESORT_SUMMARY REFRESH");
    const dataTimestamps = async () =>
      new Map(
        (await e.sql.query("SHOW DYNAMIC TABLES")).rows.map((
          r,
        ) => [String(r.name), (r.data_timestamp as Date | null)?.getTime() ?? null]),
      );
    const refreshed = await dataTimestamps();

    // Run again as `setup --apply` and `run` do: unchanged dynamic tables and views are skipped,
    // so they keep their refresh state.
    const again = await applySetup(config, {
      privateKeyPem: e.keys.privateKeyPem,
      skipUnchanged: true,
    });
    const replaceable = setupStatements(config, e.keys.publicKeyPem)
      .filter((s) => /^CREATE OR REPLACE (DYNAMIC TABLE|VIEW) /.test(s.sql)).length;
    assert.ok(replaceable >= DYNAMIC_TABLE_NAMES.length);
    assert.deepEqual(again, { ran: total - replaceable, skipped: replaceable });
    assert.deepEqual(
      await dataTimestamps(),
      refreshed,
      "skipped tables keep their data timestamps",
    );
    assert.equal(await count(e, "LIFT_RIDE"), 1);
    assert.equal(await count(e, "WEEKLY_RESORT_SUMMARY"), 1);
    assert.equal(await count(e, "RESORT_CAPACITY"), facts.resorts.length, "not inserted twice");

    // A plain re-apply replaces the dynamic tables, which restores a target lag changed since.
    await e.sql.query("ALTER DYNAMIC TABLE HOURLY_RESORT_SUMMARY SET TARGET_LAG = '3 hours'");
    assert.deepEqual(
      await applySetup(config, { privateKeyPem: e.keys.privateKeyPem }),
      { ran: total, skipped: 0 },
    );
    const lag = (await e.sql.query("SHOW DYNAMIC TABLES LIKE 'HOURLY_RESORT_SUMMARY'")).rows;
    assert.equal(lag[0].target_lag, "1 minute");
    // Replaced tables are initialised from the rows already there.
    assert.equal(await count(e, "WEEKLY_RESORT_SUMMARY"), 1);
    assert.equal(await count(e, "LIFT_RIDE"), 1);
    assert.equal(e.emu.context.sessions.size, 0);
  }, { liftline: false });
});

Deno.test("setup --apply with other names creates them, in the database and schema it names", async () => {
  await withSqlEmulator(async (e) => {
    const config = buildConfig({
      DATA_DIR: e.dir,
      TARGET: "local",
      EMULATOR_URL: e.emu.url,
      DATABASE_NAME: "SKI_DB",
      SCHEMA_NAME: "RAW",
      LIFT_RIDE_PIPE_NAME: "RIDES_IN",
    });
    const { ran } = await applySetup(config, { privateKeyPem: e.keys.privateKeyPem });
    assert.equal(ran, setupStatements(config, e.keys.publicKeyPem).length);
    const pipes = await e.sql.query("SHOW PIPES IN SCHEMA SKI_DB.RAW");
    assert.deepEqual(pipes.rows.map((r) => String(r.name)).sort(), [
      "RESORT_TICKET_PIPE",
      "RIDES_IN",
      "SEASON_PASS_PIPE",
    ]);
    assert.equal(
      (await e.sql.query("SELECT COUNT(*) AS N FROM SKI_DB.RAW.RESORT_CAPACITY")).rows[0].N,
      facts.resorts.length,
    );
    // Nothing was created in the account's own schema.
    assert.deepEqual(await shown(e.sql, "TABLES IN SCHEMA STREAMING_INGEST.STREAMING_INGEST"), []);
  }, { liftline: false });
});

Deno.test("setup --apply stops at the first statement the target refuses, naming it", async () => {
  await withSqlEmulator(async (e) => {
    const config = buildConfig({ DATA_DIR: e.dir, TARGET: "local", EMULATOR_URL: e.emu.url });
    // A LIFT_RIDE of someone else's, without RIDE_TIME: CREATE TABLE IF NOT EXISTS leaves it, and
    // the first dynamic table that reads LIFT_RIDE.RIDE_TIME is refused.
    await e.sql.query("CREATE TABLE LIFT_RIDE (TXID VARCHAR, RFID VARCHAR, RESORT VARCHAR)");
    const done: string[] = [];
    await assert.rejects(
      applySetup(config, {
        privateKeyPem: e.keys.privateKeyPem,
        onStatement: (s) => done.push(s.label),
      }),
      (err: unknown) => {
        assert.ok(err instanceof SetupError, String(err));
        assert.equal(err.statement.label, "CREATE DYNAMIC TABLE DAILY_VISITS");
        assert.equal(err.position, done.length + 1);
        assert.equal(err.total, setupStatements(config, e.keys.publicKeyPem).length);
        assert.equal(err.code, "000904");
        assert.equal(err.sqlState, "42000");
        assert.match(err.snowflakeMessage, /invalid identifier '.*RIDE_TIME'/);
        assert.match(err.message, /CREATE OR REPLACE DYNAMIC TABLE DAILY_VISITS/);
        return true;
      },
    );
    assert.deepEqual(done.slice(0, 2), [
      "CREATE WAREHOUSE STREAMING_INGEST",
      "CREATE ROLE STREAMING_INGEST",
    ]);
    assert.ok(done.includes("CREATE TABLE LIFT_RIDE"));
    assert.ok(done.includes("CREATE PIPE LIFT_RIDE_PIPE"));
    assert.ok(!done.some((l) => l.startsWith("CREATE DYNAMIC TABLE")));
    // Nothing after the refused statement ran.
    assert.deepEqual(await shown(e.sql, "DYNAMIC TABLES"), []);
    // The table that was there is untouched.
    const columns = (await e.sql.query("DESCRIBE TABLE LIFT_RIDE")).rows.map((r) => r.name);
    assert.deepEqual(columns, ["TXID", "RFID", "RESORT"]);
    assert.equal(e.emu.context.sessions.size, 0, "a failed apply signs out too");
  }, { liftline: false });
});

async function count(e: SqlEmulator, table: string): Promise<number> {
  return Number((await e.sql.query(`SELECT COUNT(*) AS N FROM ${table}`)).rows[0].N);
}
