/**
 * `liftline setup`: the printed script, and `--apply` against the emulator (twice: idempotent),
 * with failures naming the statement and carrying Snowflake's message.
 */
import assert from "node:assert/strict";
import { buildConfig } from "../../../src/config/load.ts";
import { applySetup, printSetup, SetupError, setupStatements } from "../../../src/cli/setup.ts";
import { generateKeyPair, publicKeyBody } from "../../../src/snowflake/keys.ts";
import { SnowflakeSqlError } from "../../../src/snowflake/sdk.ts";
import facts from "../../../src/generator/resorts.json" with { type: "json" };
import { withSqlEmulator } from "./helpers.ts";

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

Deno.test("setup --apply runs every statement against the emulator, twice over", async () => {
  await withSqlEmulator(async (e) => {
    const config = buildConfig({
      DATA_DIR: e.dir,
      TARGET: "local",
      EMULATOR_URL: e.emu.url,
      SNOWFLAKE_WAREHOUSE: "MY_WH",
    });
    const done: string[] = [];
    const total = await applySetup(config, {
      privateKeyPem: e.keys.privateKeyPem,
      onStatement: (s) => done.push(s.label),
    });
    assert.equal(total, setupStatements(config, e.keys.publicKeyPem).length);
    assert.equal(done.length, total);
    assert.ok(done.includes("CREATE DYNAMIC TABLE WEEKLY_RESORT_SUMMARY"));
    assert.equal(await applySetup(config, { privateKeyPem: e.keys.privateKeyPem }), total);
    // Re-creating a dynamic table restores its definition's target lag.
    e.ext.engine.setTargetLag("HOURLY_RESORT_SUMMARY", "3 hours");
    await applySetup(config, { privateKeyPem: e.keys.privateKeyPem });
    assert.equal(
      e.ext.engine.tables().find((t) => t.name === "HOURLY_RESORT_SUMMARY")!.targetLag,
      "1 minute",
    );
    assert.equal(e.ext.sessions.size, 0, "each apply signs out");
  });
});

Deno.test("setup --apply stops at the first statement the target refuses, naming it", async () => {
  await withSqlEmulator(async (e) => {
    const config = buildConfig({
      DATA_DIR: e.dir,
      TARGET: "local",
      EMULATOR_URL: e.emu.url,
      DATABASE_NAME: "OTHER_DB",
    });
    const done: string[] = [];
    await assert.rejects(
      applySetup(config, {
        privateKeyPem: e.keys.privateKeyPem,
        onStatement: (s) => done.push(s.label),
      }),
      (err: unknown) => {
        assert.ok(err instanceof SetupError);
        assert.equal(err.statement.label, "CREATE DATABASE OTHER_DB");
        assert.equal(err.position, done.length + 1);
        assert.equal(err.code, "002003");
        assert.match(err.snowflakeMessage, /STREAMING_INGEST, not OTHER_DB/);
        assert.match(err.message, /CREATE DATABASE IF NOT EXISTS OTHER_DB/);
        return true;
      },
    );
    assert.deepEqual(done.slice(0, 2), [
      "CREATE WAREHOUSE STREAMING_INGEST",
      "CREATE ROLE STREAMING_INGEST",
    ]);
    // Registering a key other than the trusted one is refused, not pretended.
    const other = await generateKeyPair();
    const sql = await e.connect();
    await assert.rejects(
      sql.query(
        `ALTER USER STREAMING_INGEST SET RSA_PUBLIC_KEY = '${publicKeyBody(other.publicKeyPem)}'`,
      ),
      (err: unknown) =>
        err instanceof SnowflakeSqlError && /trusts the public key/.test(err.message),
    );
    await sql.query(
      `ALTER USER STREAMING_INGEST SET RSA_PUBLIC_KEY = '${publicKeyBody(e.keys.publicKeyPem)}'`,
    );
  });
});
