/**
 * The emulator's SQL API: with snowflake-sdk (what liftline uses) and with raw HTTP (what
 * Snowflake documents), so that the emulator is never only tested by our own client. Rows arrive
 * the way they do in production, streamed over Snowpipe Streaming v2; every check reads through
 * SQL.
 */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import {
  generateKeyPair,
  importPrivateKey,
  publicKeyFingerprint,
} from "../../../src/snowflake/keys.ts";
import { SnowflakeSql, SnowflakeSqlError } from "../../../src/snowflake/sdk.ts";
import { sqlSource } from "../../../src/reports/source.ts";
import { chainStatus, chainVersion, sqlChainSource } from "../../../src/reports/chain.ts";
import { REPORT_CHAIN } from "../../../src/reports/declared.ts";
import { DYNAMIC_TABLE_NAMES } from "../../../sql/mod.ts";
import { generateRows } from "../../../src/generator/mod.ts";
import facts from "../../../src/generator/resorts.json" with { type: "json" };
import { type SqlEmulator, withSqlEmulator } from "./helpers.ts";

/** A Friday's simulated day (14:00 UTC to 14:00 UTC), as the generator writes it. */
const START = Date.parse("2026-11-27T14:00:00Z");
const DAY = generateRows({
  seed: "sql-api",
  start: START,
  ticketsPerDay: 300,
  until: START + 86_400_000,
});
const NAMES = { database: "STREAMING_INGEST", schema: "STREAMING_INGEST" };

async function jwtFor(privateKeyPem: string, publicKeyPem: string, user = "STREAMING_INGEST") {
  const fp = await publicKeyFingerprint(publicKeyPem);
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(`LIFTLINE.${user}.${fp}`)
    .setSubject(`LIFTLINE.${user}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(await importPrivateKey(privateKeyPem));
}

async function expectSqlError(
  p: Promise<unknown>,
  code: string,
  sqlState: string,
  message?: RegExp,
) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SnowflakeSqlError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.sqlState, sqlState, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

Deno.test("snowflake-sdk signs in with a key-pair JWT; results are typed; binds bind", async () => {
  await withSqlEmulator(async (e) => {
    await e.stream(DAY);
    const sql = await e.connect();
    const refreshed = await sql.query("ALTER DYNAMIC TABLE WEEKLY_RESORT_SUMMARY REFRESH");
    assert.match(String(refreshed.rows[0].status), /WEEKLY_RESORT_SUMMARY refreshed/);
    const ok = await sql.query("SELECT 1");
    assert.deepEqual(ok.rows, [{ "1": 1 }]);

    const visits = await sql.query(
      `SELECT VISIT_DATE, RFID, FIRST_RIDE_TIME, HAS_SEASON_PASS, PURCHASE_PRICE_USD,
         ACTIVATION_USAGE_COUNT FROM DAILY_VISITS WHERE HAS_SEASON_PASS = ? AND RESORT = ?
       ORDER BY FIRST_RIDE_TIME LIMIT 3`,
      [false, "Vail"],
    );
    assert.equal(visits.rows.length, 3);
    for (const r of visits.rows) {
      assert.equal(r.VISIT_DATE, "2026-11-27");
      assert.ok(r.FIRST_RIDE_TIME instanceof Date);
      assert.equal(r.HAS_SEASON_PASS, false);
      assert.equal(typeof r.PURCHASE_PRICE_USD, "number");
      assert.equal(typeof r.ACTIVATION_USAGE_COUNT, "number");
    }
    const types = Object.fromEntries(visits.columns.map((c) => [c.name, c.type]));
    assert.deepEqual(types, {
      VISIT_DATE: "date",
      RFID: "text",
      FIRST_RIDE_TIME: "timestamp_ntz",
      HAS_SEASON_PASS: "boolean",
      PURCHASE_PRICE_USD: "fixed",
      ACTIVATION_USAGE_COUNT: "fixed",
    });
    // The first ride time round-trips to the millisecond: it is the card's first Vail ride of
    // the day among the rows streamed.
    const first = visits.rows[0];
    const rides = DAY.LIFT_RIDE.map((r) => JSON.parse(r)).filter((r) =>
      r.RFID === first.RFID && r.RESORT === "Vail" && r.RIDE_TIME?.startsWith("2026-11-27")
    );
    assert.ok(rides.length > 0);
    assert.equal(
      (first.FIRST_RIDE_TIME as Date).getTime(),
      Math.min(...rides.map((r) => Date.parse(r.RIDE_TIME))),
    );

    // VARIANT comes back parsed, DECIMAL(7,2) as a number, DATE as text.
    const ticket = JSON.parse(DAY.RESORT_TICKET.find((t) => JSON.parse(t).ADDRESS !== null)!);
    const t = await sql.query(
      "SELECT ADDRESS, PRICE_USD, EXPIRATION_TIME, DAYS FROM RESORT_TICKET WHERE TXID = ?",
      [ticket.TXID],
    );
    assert.deepEqual(t.rows, [{
      ADDRESS: ticket.ADDRESS,
      PRICE_USD: ticket.PRICE_USD,
      EXPIRATION_TIME: ticket.EXPIRATION_TIME,
      DAYS: ticket.DAYS,
    }]);
    const counted = await sql.query(
      "SELECT COUNT(*) AS N, MAX(RIDE_TIME) FROM LIFT_RIDE WHERE RESORT = ?",
      ["Keystone"],
    );
    const keystone = DAY.LIFT_RIDE.map((r) => JSON.parse(r)).filter((r) => r.RESORT === "Keystone");
    assert.equal(counted.rows[0].N, keystone.length);
    assert.equal(
      (counted.rows[0]["MAX(RIDE_TIME)"] as Date).getTime(),
      Math.max(...keystone.map((r) => Date.parse(r.RIDE_TIME))),
    );
  });
});

Deno.test("a JWT of another key or user is refused at login", async () => {
  await withSqlEmulator(async (e) => {
    const other = await generateKeyPair();
    await assert.rejects(
      SnowflakeSql.connect(e.sdkOptions({ privateKeyPem: other.privateKeyPem })),
      (err: unknown) => {
        assert.ok(err instanceof SnowflakeSqlError);
        assert.equal(err.code, "390144");
        assert.match(err.message, /JWT token is invalid/);
        return true;
      },
    );
    await assert.rejects(
      SnowflakeSql.connect(e.sdkOptions({ username: "SOMEONE_ELSE" })),
      (err: unknown) => err instanceof SnowflakeSqlError && err.code === "390144",
    );
    assert.equal(e.emu.context.sessions.size, 0);
  });
});

/** A raw HTTP client of `e`'s SQL API, and the answer of its key-pair login. */
async function rawLogin(e: SqlEmulator) {
  const post = (path: string, body: unknown, token?: string, init: RequestInit = {}) =>
    fetch(`${e.emu.url}${path}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        ...(token ? { Authorization: `Snowflake Token="${token}"` } : {}),
        ...(init.headers ?? {}),
      },
      body: typeof body === "string" || body instanceof Uint8Array
        ? body as BodyInit
        : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const jwt = await jwtFor(e.keys.privateKeyPem, e.keys.publicKeyPem);
  const login = await post("/session/v1/login-request?databaseName=STREAMING_INGEST", {
    data: {
      AUTHENTICATOR: "SNOWFLAKE_JWT",
      TOKEN: jwt,
      LOGIN_NAME: "STREAMING_INGEST",
      ACCOUNT_NAME: "LIFTLINE",
    },
  });
  return { post, login };
}

Deno.test("raw HTTP: login, query, renew, heartbeat, logout, and malformed requests get 4xx", async () => {
  await withSqlEmulator(async (e) => {
    const { post, login } = await rawLogin(e);
    const jwt = await jwtFor(e.keys.privateKeyPem, e.keys.publicKeyPem);
    assert.equal(login.status, 200);
    assert.equal(login.body.success, true);
    const { token, masterToken } = login.body.data;
    assert.equal(typeof token, "string");
    assert.equal(login.body.data.sessionInfo.databaseName, "STREAMING_INGEST");

    const vail = facts.resorts.find((r) => r.name === "Vail")!;
    const q = await post("/queries/v1/query-request", {
      sqlText: "select resort, max_capacity from resort_capacity where resort = ?",
      bindings: { "1": { type: "TEXT", value: "Vail" } },
    }, token);
    assert.equal(q.status, 200);
    assert.equal(q.body.success, true);
    assert.deepEqual(
      q.body.data.rowtype.map((c: { name: string; type: string }) => [c.name, c.type]),
      [
        ["RESORT", "text"],
        ["MAX_CAPACITY", "fixed"],
      ],
    );
    assert.deepEqual(q.body.data.rowset, [["Vail", String(vail.maxCapacity)]]);

    // A gzip body, as snowflake-sdk may send.
    const gz = new Uint8Array(
      await new Response(
        new Blob([JSON.stringify({ sqlText: "SELECT 1" })]).stream().pipeThrough(
          new CompressionStream("gzip"),
        ),
      ).arrayBuffer(),
    );
    const zipped = await post("/queries/v1/query-request", gz, token, {
      headers: { "Content-Encoding": "gzip" },
    });
    assert.deepEqual(zipped.body.data.rowset, [["1"]]);

    // A login naming a database that does not exist is refused, as Snowflake does.
    const nowhere = await post("/session/v1/login-request?databaseName=NOWHERE", {
      data: { AUTHENTICATOR: "SNOWFLAKE_JWT", TOKEN: jwt, LOGIN_NAME: "STREAMING_INGEST" },
    });
    assert.deepEqual([nowhere.status, nowhere.body.success, nowhere.body.code], [
      200,
      false,
      "390201",
    ]);

    const heartbeat = await post("/session/heartbeat", {}, token);
    assert.equal(heartbeat.body.success, true);
    const telemetry = await post("/telemetry/send", { logs: [] }, token);
    assert.equal(telemetry.body.success, true);

    const renewed = await post("/session/token-request", {
      requestType: "RENEW",
      oldSessionToken: token,
    }, masterToken);
    assert.equal(renewed.body.success, true);
    const fresh = renewed.body.data.sessionToken;
    assert.notEqual(fresh, token);
    const stale = await post("/queries/v1/query-request", { sqlText: "SELECT 1" }, token);
    assert.deepEqual([stale.status, stale.body.success, stale.body.code], [200, false, "390104"]);

    assert.equal((await post("/queries/v1/query-request", { sqlText: "SELECT 1" })).status, 401);
    assert.equal((await post("/queries/v1/query-request", "{not json", fresh)).status, 400);
    assert.equal((await post("/queries/v1/query-request", { sql: "SELECT 1" }, fresh)).status, 400);
    assert.equal((await post("/session/v1/login-request", "[]")).status, 400);
    const badJwt = await post("/session/v1/login-request", {
      data: { AUTHENTICATOR: "SNOWFLAKE_JWT", TOKEN: "a.b.c" },
    });
    assert.deepEqual([badJwt.status, badJwt.body.success, badJwt.body.code], [
      200,
      false,
      "390144",
    ]);
    const password = await post("/session/v1/login-request", {
      data: { LOGIN_NAME: "X", PASSWORD: "y" },
    });
    assert.equal(password.body.success, false);
    assert.match(password.body.message, /key-pair/);

    const logout = await fetch(`${e.emu.url}/session?delete=true`, {
      method: "POST",
      headers: { Authorization: `Snowflake Token="${fresh}"` },
    });
    assert.equal((await logout.json()).success, true);
    const after = await post("/queries/v1/query-request", { sqlText: "SELECT 1" }, fresh);
    assert.equal(after.body.code, "390104");
    assert.equal(e.emu.context.sessions.size, 0);
  });
});

Deno.test("errors are Snowflake-shaped (code, SQLSTATE, message) and the session survives them", async () => {
  await withSqlEmulator(async (e) => {
    const sql = await e.connect();
    await expectSqlError(
      sql.query("SELECT * FROM NO_SUCH_TABLE"),
      "002003",
      "42S02",
      /NO_SUCH_TABLE/,
    );
    // Snowflake names the place: line from 1, position from 0 (here the 8th character).
    await expectSqlError(
      sql.query("SELECT NOPE FROM RESORT_CAPACITY"),
      "000904",
      "42000",
      /error line 1 at position 7\ninvalid identifier 'NOPE'/,
    );
    await expectSqlError(
      sql.query("SELECT RESORT,\n  C.NOPE\nFROM RESORT_CAPACITY AS C"),
      "000904",
      "42000",
      /error line 2 at position 2\ninvalid identifier 'C.NOPE'/,
    );
    await expectSqlError(sql.query("SELECT NO_SUCH_FUNCTION(1)"), "002140", "42601");
    await expectSqlError(sql.query("SELECT 'unterminated"), "001003", "42000");
    await expectSqlError(sql.query("SELEC 1"), "001003", "42000");
    await expectSqlError(sql.query("ALTER DYNAMIC TABLE NOT_A_DT REFRESH"), "002003", "42S02");
    await expectSqlError(sql.query("USE DATABASE ELSEWHERE"), "002003", "42S02");
    await expectSqlError(sql.query("SELECT 1 / 0"), "100051", "22012");
    await expectSqlError(sql.query("SELECT 'abc'::NUMBER"), "100038", "22018");
    // Binds: one missing, and one too many.
    await expectSqlError(
      sql.query("SELECT * FROM RESORT_CAPACITY WHERE RESORT = ?", []),
      "002049",
      "42601",
    );
    await expectSqlError(sql.query("SELECT 1", ["extra"]), "002049", "42601");
    // One statement per request, as the driver's default MULTI_STATEMENT_COUNT = 1 asks.
    await expectSqlError(sql.query("SELECT 1; SELECT 2"), "000008", "0A000");
    // A Snowflake statement the emulator does not run says so.
    await expectSqlError(
      sql.query("CREATE STAGE MY_STAGE"),
      "000002",
      "0A000",
      /Unsupported feature/,
    );
    // Liftline's raw tables are ordinary tables: DML on a dynamic table is refused.
    await expectSqlError(
      sql.query("DELETE FROM DAILY_VISITS"),
      "002261",
      "42601",
    );
    // The session survives errors.
    assert.deepEqual((await sql.query("SELECT CURRENT_USER() AS U")).rows, [{
      U: "STREAMING_INGEST",
    }]);
    await sql.query("USE SCHEMA STREAMING_INGEST.STREAMING_INGEST");
    await sql.query("ALTER SESSION SET QUERY_TAG = 'liftline'");
    await sql.query("USE WAREHOUSE ANY_WAREHOUSE");
    assert.deepEqual((await sql.query("SELECT CURRENT_WAREHOUSE() AS W")).rows, [{
      W: "ANY_WAREHOUSE",
    }]);
  });
});

Deno.test("ALTER DYNAMIC TABLE … REFRESH and the refresh history through snowflake-sdk", async () => {
  await withSqlEmulator(async (e) => {
    await e.stream(DAY);
    const sql = await e.connect();
    const before = await sql.query("SELECT COUNT(*) AS N FROM WEEKLY_RESORT_SUMMARY");
    assert.equal(before.rows[0].N, 0, "nothing refreshes on its own here (autoRefresh off)");
    const out = await sql.query(
      "ALTER DYNAMIC TABLE STREAMING_INGEST.STREAMING_INGEST.WEEKLY_RESORT_SUMMARY REFRESH",
    );
    assert.match(String(out.rows[0].status), /WEEKLY_RESORT_SUMMARY refreshed \(INCREMENTAL\)/);
    const weekly = await sql.query(
      "SELECT WEEK_START_DATE, RESORT, WEEK_TOTAL_RIDES FROM WEEKLY_RESORT_SUMMARY ORDER BY RESORT",
    );
    assert.equal(weekly.rows.length, 5);
    assert.equal(
      weekly.rows.reduce((s, r) => s + (r.WEEK_TOTAL_RIDES as number), 0),
      DAY.LIFT_RIDE.length,
    );
    assert.ok(weekly.rows.every((r) => r.WEEK_START_DATE === "2026-11-23"));

    // The refresh brought every table upstream to the same data timestamp: DAILY_RESORT_SUMMARY's
    // newest refresh is that one; before it, only the refreshes of setup (creating it, and then
    // the table downstream of it).
    const history = await sql.query(
      `SELECT NAME, STATE, REFRESH_ACTION, REFRESH_TRIGGER, DATA_TIMESTAMP, REFRESH_START_TIME,
         REFRESH_END_TIME, STATISTICS, QUALIFIED_NAME
       FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => ?))
       ORDER BY DATA_TIMESTAMP DESC`,
      ["streaming_ingest.streaming_ingest.daily_resort_summary"],
    );
    const triggers = history.rows.map((r) => r.REFRESH_TRIGGER);
    assert.equal(triggers[0], "MANUAL");
    assert.ok(
      triggers.length > 1 && triggers.slice(1).every((t) => t === "CREATION"),
      `${triggers}`,
    );
    const h = history.rows[0];
    assert.deepEqual(
      [h.NAME, h.STATE, h.REFRESH_ACTION, h.REFRESH_TRIGGER, h.QUALIFIED_NAME],
      [
        "DAILY_RESORT_SUMMARY",
        "SUCCEEDED",
        "INCREMENTAL",
        "MANUAL",
        "STREAMING_INGEST.STREAMING_INGEST.DAILY_RESORT_SUMMARY",
      ],
    );
    assert.ok(h.DATA_TIMESTAMP instanceof Date && h.REFRESH_END_TIME instanceof Date);
    assert.ok((h.REFRESH_END_TIME as Date) >= (h.REFRESH_START_TIME as Date));
    // It inserted every row the table has (one per resort and day).
    const daily = await sql.query("SELECT COUNT(*) AS N FROM DAILY_RESORT_SUMMARY");
    assert.ok((daily.rows[0].N as number) >= 5);
    assert.equal((h.STATISTICS as Record<string, number>).numInsertedRows, daily.rows[0].N);

    // Nothing new since: a second manual refresh of a table is NO_DATA, and it is its newest row.
    await sql.query("ALTER DYNAMIC TABLE HOURLY_RESORT_SUMMARY REFRESH");
    const latest = await sql.query(
      `SELECT NAME, REFRESH_ACTION, REFRESH_TRIGGER
       FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'HOURLY_RESORT_SUMMARY'))
       ORDER BY DATA_TIMESTAMP DESC LIMIT 1`,
    );
    assert.deepEqual(latest.rows, [{
      NAME: "HOURLY_RESORT_SUMMARY",
      REFRESH_ACTION: "NO_DATA",
      REFRESH_TRIGGER: "MANUAL",
    }]);
    const limited = await sql.query(
      "SELECT NAME FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(RESULT_LIMIT => 4))",
    );
    assert.equal(limited.rows.length, 4);
    const errors = await sql.query(
      "SELECT NAME FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(ERROR_ONLY => TRUE))",
    );
    assert.equal(errors.rows.length, 0);

    await sql.query("ALTER DYNAMIC TABLE DAILY_RESORT_SUMMARY SET TARGET_LAG = '5 minutes'");
    const shown = await sql.query("SHOW DYNAMIC TABLES LIKE 'DAILY_RESORT_SUMMARY'");
    assert.equal(shown.rows.length, 1);
    assert.equal(shown.rows[0].target_lag, "5 minutes");
    await assert.rejects(
      sql.query("ALTER DYNAMIC TABLE DAILY_RESORT_SUMMARY SET TARGET_LAG = '1 second'"),
      (err: unknown) => err instanceof SnowflakeSqlError && /lag/i.test(err.message),
    );
    const kept = await sql.query("SHOW DYNAMIC TABLES LIKE 'DAILY_RESORT_SUMMARY'");
    assert.equal(kept.rows[0].target_lag, "5 minutes");
  });
});

Deno.test("the report chain's state is the same through snowflake-sdk and in process", async () => {
  await withSqlEmulator(async (e) => {
    await e.stream(DAY);
    const sql = await e.connect();
    // As the report feed reads it: over snowflake-sdk for an emulator elsewhere, in process for
    // the embedded one.
    const viaSdk = sqlChainSource(sqlSource(sql), NAMES, REPORT_CHAIN, { backlog: true });
    const local = sqlChainSource(sqlSource(e.sql), NAMES, REPORT_CHAIN, { backlog: true });

    const before = await viaSdk.read();
    assert.deepEqual(before.tables.map((t) => t.name), [...DYNAMIC_TABLE_NAMES]);
    // Each table was refreshed once, empty, when setup created it.
    assert.ok(before.tables.every((t) => t.lastRefresh?.state === "SUCCEEDED"));
    const created = new Map(before.tables.map((t) => [t.name, t.dataTimestamp!.getTime()]));
    assert.deepEqual(before.backlog, { reflectedRides: 0, committedRides: DAY.LIFT_RIDE.length });

    await sql.query("ALTER DYNAMIC TABLE HOURLY_RESORT_SUMMARY REFRESH");
    const history = await sql.query(
      `SELECT DATA_TIMESTAMP FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(
         NAME => 'HOURLY_RESORT_SUMMARY')) ORDER BY DATA_TIMESTAMP DESC LIMIT 1`,
    );
    const refreshedAt = (history.rows[0].DATA_TIMESTAMP as Date).getTime();
    const now = refreshedAt + 42_000;
    const [remote, here] = [await viaSdk.read(), await local.read()];
    for (const state of [remote, here]) {
      const byName = new Map(state.tables.map((t) => [t.name, t]));
      assert.equal(byName.get("HOURLY_RESORT_SUMMARY")!.dataTimestamp?.getTime(), refreshedAt);
      // Upstream tables were brought to the same data timestamp.
      assert.equal(byName.get("DAILY_VISITS")!.dataTimestamp?.getTime(), refreshedAt);
      // Downstream ones were not refreshed.
      assert.equal(
        byName.get("WEEKLY_RESORT_SUMMARY")!.dataTimestamp?.getTime(),
        created.get("WEEKLY_RESORT_SUMMARY"),
      );
      assert.equal(byName.get("HOURLY_RESORT_SUMMARY")!.lastRefresh?.state, "SUCCEEDED");
      const status = chainStatus(state, "test", now);
      const summary = status.dynamicTables.find((t) => t.name === "HOURLY_RESORT_SUMMARY")!;
      assert.equal(summary.freshnessSeconds, 42);
      assert.equal(summary.effectiveLagSeconds, 60);
      assert.equal(summary.state, "ok");
      // DOWNSTREAM tables are held to the lag of the tables that read them.
      const visits = status.dynamicTables.find((t) => t.name === "DAILY_VISITS")!;
      assert.equal(visits.effectiveLagSeconds, 60);
      // The chain also tells how far it is behind the committed rides.
      const rides = DAY.LIFT_RIDE.length;
      assert.deepEqual(state.backlog, { reflectedRides: rides, committedRides: rides });
    }
    assert.equal(chainVersion(remote), chainVersion(here));
  });
});

Deno.test("startEmulator serves the SQL API of an empty account", async () => {
  await withSqlEmulator(async (e) => {
    // Account and user names are case-insensitive, as in Snowflake.
    const sql = await SnowflakeSql.connect(
      e.sdkOptions({ account: "liftline", username: "streaming_ingest" }),
    );
    try {
      const r = await sql.query(
        "SELECT CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S, CURRENT_ACCOUNT() AS A",
      );
      assert.deepEqual(r.rows, [{ D: "STREAMING_INGEST", S: "STREAMING_INGEST", A: "LIFTLINE" }]);
      assert.deepEqual((await sql.query("SHOW TABLES")).rows, []);
      await expectSqlError(sql.query("SELECT * FROM LIFT_RIDE"), "002003", "42S02", /LIFT_RIDE/);
      // No role asked for: the session has the user's default role, which owns what it creates.
      assert.deepEqual((await sql.query("SELECT CURRENT_ROLE() AS R")).rows, [{
        R: "STREAMING_INGEST",
      }]);
      await sql.query("CREATE TABLE T (X INT)");
      await sql.query(
        "CREATE DYNAMIC TABLE D TARGET_LAG = '1 minute' WAREHOUSE = W AS SELECT X FROM T",
      );
      assert.equal((await sql.query("SHOW TABLES LIKE 'T'")).rows[0].owner, "STREAMING_INGEST");
      assert.equal((await sql.query("SHOW DYNAMIC TABLES")).rows[0].owner, "STREAMING_INGEST");
    } finally {
      await sql.close();
    }
  }, { liftline: false });
});

Deno.test("snowflake-sdk renews an expired session token with the master token", async () => {
  // The session store's clock, moved past the token's life instead of sleeping through it.
  let skew = 0;
  await withSqlEmulator(async (e) => {
    const sql = await e.connect();
    assert.deepEqual((await sql.query("SELECT 1 AS ONE")).rows, [{ ONE: 1 }]);
    assert.equal(e.emu.context.sessions.renewals, 0);
    skew = 1200;
    // The session token is now older than its one-second life; the driver renews and retries.
    assert.deepEqual((await sql.query("SELECT 2 AS TWO")).rows, [{ TWO: 2 }]);
    assert.equal(e.emu.context.sessions.renewals, 1);
    assert.equal(e.emu.context.sessions.size, 1);
  }, { sessions: { sessionTtlSeconds: 1, now: () => Date.now() + skew } });
});

Deno.test("a large result's chunks stay fetchable while many small queries run", async () => {
  await withSqlEmulator(async (e) => {
    const { post, login } = await rawLogin(e);
    const token = login.body.data.token;
    const big = await post("/queries/v1/query-request", {
      sqlText: "SELECT SEQ4() AS N FROM TABLE(GENERATOR(ROWCOUNT => 250000))",
    }, token);
    const { chunks, chunkHeaders } = big.body.data;
    assert.ok(chunks.length >= 10, `${chunks.length} chunks`);
    // The dashboard's kind of traffic: many small results stored after the large one.
    for (let i = 0; i < 60; i++) {
      const q = await post("/queries/v1/query-request", { sqlText: `SELECT ${i} AS I` }, token);
      assert.equal(q.body.success, true);
    }
    let rows = big.body.data.rowset.length;
    for (const chunk of chunks) {
      const res = await fetch(chunk.url, { headers: chunkHeaders });
      assert.equal(res.status, 200, `chunk ${chunk.url}`);
      rows += JSON.parse(`[${await res.text()}]`).length;
    }
    assert.equal(rows, 250_000);
  }, { liftline: false });
});

Deno.test("a session's latest results stay for RESULT_SCAN however many queries another session runs", async () => {
  await withSqlEmulator(async (e) => {
    const user = await rawLogin(e);
    const dashboard = await rawLogin(e);
    const query = (who: typeof user, sqlText: string) =>
      who.post("/queries/v1/query-request", { sqlText }, who.login.body.data.token);
    const mine = await query(user, "SELECT 'kept' AS WHICH, 7 AS N");
    assert.equal(mine.body.success, true);
    // More results than the emulator keeps in all: the dashboard's kind of traffic.
    const theirs: string[] = [];
    for (let i = 0; i < 600; i++) {
      const q = await query(dashboard, `SELECT ${i} AS I`);
      assert.equal(q.body.success, true);
      theirs.push(q.body.data.queryId);
    }
    const scan = await query(user, `SELECT * FROM TABLE(RESULT_SCAN('${mine.body.data.queryId}'))`);
    assert.equal(scan.body.success, true, JSON.stringify(scan.body.message));
    assert.deepEqual(scan.body.data.rowset, [["kept", "7"]]);
    // The busy session keeps its own latest results, not all 600 of them.
    const recent = await query(dashboard, `SELECT I FROM TABLE(RESULT_SCAN('${theirs.at(-2)}'))`);
    assert.deepEqual(recent.body.data.rowset, [["598"]]);
    const old = await query(dashboard, `SELECT I FROM TABLE(RESULT_SCAN('${theirs[100]}'))`);
    assert.equal(old.body.success, false);
    assert.match(old.body.message, /not found/);
  }, { liftline: false });
});

/** snowflake-sdk's array binds as the request carries them: one list of values per column. */
function arrayBinds(rows: readonly (readonly string[])[]): Record<string, unknown> {
  return Object.fromEntries(
    rows[0].map((_, c) => [String(c + 1), { type: "TEXT", value: rows.map((r) => r[c]) }]),
  );
}

/** A signed-in session over raw HTTP: `q` runs a statement and answers the response's body. */
async function rawSession(e: SqlEmulator) {
  const { post, login } = await rawLogin(e);
  const token = login.body.data.token as string;
  const q = async (
    sqlText: string,
    extra: Record<string, unknown> = {},
    requestId: string = crypto.randomUUID(),
  ) =>
    (await post(`/queries/v1/query-request?requestId=${requestId}`, { sqlText, ...extra }, token))
      .body;
  /** The driver's cancel of the request `requestId`. */
  const abort = async (requestId: string) =>
    (await post("/queries/v1/abort-request", { requestId }, token)).body;
  const get = (path: string) =>
    fetch(`${e.emu.url}${path}`, {
      headers: { Authorization: `Snowflake Token="${token}"`, Accept: "application/json" },
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  return { q, get, abort };
}

Deno.test("a multi-statement request's every result stays fetchable, however many statements it has", async () => {
  await withSqlEmulator(async (e) => {
    const s = await rawSession(e);
    const text = Array.from({ length: 130 }, (_, i) => `SELECT ${i + 1} AS N;`).join(" ");
    const answer = await s.q(text, { parameters: { MULTI_STATEMENT_COUNT: 0 } });
    assert.equal(answer.success, true, answer.message);
    const ids: string[] = answer.data.resultIds.split(",");
    assert.equal(ids.length, 130);
    for (const [i, id] of ids.entries()) {
      const got = await s.get(`/queries/${id}/result`);
      assert.equal(got.status, 200, `statement ${i + 1}`);
      assert.deepEqual(got.body.data.rowset, [[String(i + 1)]]);
    }
  }, { liftline: false });
});

Deno.test("LAST_QUERY_ID(-n) reaches back 100 statements, an array-bind statement counting as one", async () => {
  await withSqlEmulator(async (e) => {
    const s = await rawSession(e);
    await s.q("CREATE TABLE T (N INTEGER)");
    const before = await s.q("SELECT 42 AS ANSWER");
    // 150 bind sets: the UPDATE runs once per set, but is one statement with one result.
    const sets = Array.from({ length: 150 }, (_, i) => [String(i)]);
    const updated = await s.q("UPDATE T SET N = N WHERE N = ?", { bindings: arrayBinds(sets) });
    assert.equal(updated.success, true, updated.message);
    const last = await s.q("SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))");
    assert.deepEqual(last.data.rowset, [["0", "0"]], "the UPDATE's own counts");
    const scan = await s.q(`SELECT ANSWER FROM TABLE(RESULT_SCAN('${before.data.queryId}'))`);
    assert.deepEqual(scan.data.rowset, [["42"]], scan.message);
    for (let i = 1; i <= 100; i++) await s.q(`SELECT ${i} AS N`);
    const back = await s.q("SELECT N FROM TABLE(RESULT_SCAN(LAST_QUERY_ID(-75)))");
    assert.deepEqual(back.data.rowset, [["26"]], back.message);
  }, { liftline: false });
});

Deno.test("an array-bind statement's own transaction takes in no other statement of its session", async () => {
  await withSqlEmulator(async (e) => {
    const s = await rawSession(e);
    const other = await rawSession(e);
    await s.q("CREATE TABLE T (N INTEGER)");
    await s.q("CREATE TABLE T2 (N INTEGER)");
    await s.q("INSERT INTO T SELECT SEQ4() FROM TABLE(GENERATOR(ROWCOUNT => 2000))");
    // 400 parts (an UPDATE runs once per set); the last set fails, so the UPDATE changes nothing.
    const failing = Array.from({ length: 400 }, (_, i) => [i === 399 ? "abc" : String(i)]);
    const big = s.q("UPDATE T SET N = N + 1 WHERE N = ?", { bindings: arrayBinds(failing) });
    await new Promise((r) => setTimeout(r, 100));
    // The same session meanwhile: its INSERT commits on its own, whatever becomes of the UPDATE.
    const single = await s.q("INSERT INTO T2 VALUES (7)");
    assert.equal(single.success, true, single.message);
    assert.equal((await big).success, false);
    assert.deepEqual((await other.q("SELECT COUNT(*), SUM(N) FROM T2")).data.rowset, [["1", "7"]]);
    assert.deepEqual((await other.q("SELECT SUM(N) FROM T")).data.rowset, [["1999000"]]);

    // A transaction the session begins meanwhile is its own: its ROLLBACK undoes its INSERT.
    const ok = Array.from({ length: 400 }, (_, i) => [String(i)]);
    const update = s.q("UPDATE T SET N = N WHERE N = ?", { bindings: arrayBinds(ok) });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await s.q("BEGIN")).success, true);
    assert.equal((await s.q("INSERT INTO T2 VALUES (8)")).success, true);
    assert.equal((await update).success, true);
    assert.equal((await s.q("ROLLBACK")).success, true);
    assert.deepEqual((await other.q("SELECT COUNT(*) FROM T2")).data.rowset, [["1"]]);
  }, { liftline: false });
});

Deno.test("an array-bind statement whose transaction is cut short says so, and the session goes on", async () => {
  await withSqlEmulator(async (e) => {
    const s = await rawSession(e);
    const other = await rawSession(e);
    await s.q("CREATE TABLE T (N INTEGER)");
    await s.q("CREATE TABLE W (N INTEGER)");
    // Storing a part's result is made slow, so the transaction goes past its hold limit after
    // the last part wrote, while another session's write waits for the writer.
    const store = e.emu.context.sql.results;
    const fromRows = store.fromRows.bind(store);
    let slow = true;
    store.fromRows = async (...args: Parameters<typeof fromRows>) => {
      if (slow) await new Promise((r) => setTimeout(r, 500));
      return await fromRows(...args);
    };
    const insert = s.q("INSERT INTO T VALUES (?)", { bindings: arrayBinds([["1"], ["2"], ["3"]]) });
    await new Promise((r) => setTimeout(r, 100));
    const waiting = other.q("INSERT INTO W VALUES (1)");
    const answer = await insert;
    slow = false;
    assert.equal((await waiting).success, true);
    assert.equal(answer.success, false, "the rows were rolled back: the INSERT must not succeed");
    assert.match(answer.message, /Statement rolled back/);
    assert.deepEqual((await other.q("SELECT COUNT(*) FROM T")).data.rowset, [["0"]]);
    // The session began no transaction, so it has none to end.
    const next = await s.q("SELECT 1");
    assert.equal(next.success, true, next.message);
  }, {
    liftline: false,
    transactions: { transactionContendedHoldMs: 100, transactionContendedIdleMs: 200 },
  });
});

Deno.test("LAST_QUERY_ID counts back from the latest with -n and on from the first with n", async () => {
  await withSqlEmulator(async (e) => {
    const s = await rawSession(e);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await s.q(`SELECT ${n} AS N`)).data.queryId);
    // The page: "-1 … the most recent query", "1 … the first query in the session".
    const r = await s.q(
      "SELECT LAST_QUERY_ID(-1), LAST_QUERY_ID(-3), LAST_QUERY_ID(1), LAST_QUERY_ID()",
    );
    assert.deepEqual(r.data.rowset, [[ids[2], ids[0], ids[0], ids[2]]]);
  }, { liftline: false });
});

Deno.test("an array-bind UPDATE answers the rows all its bind sets updated", async () => {
  await withSqlEmulator(async (e) => {
    const s = await rawSession(e);
    await s.q("CREATE TABLE T (N INTEGER, S VARCHAR)");
    await s.q("INSERT INTO T (N) VALUES (1), (2), (2)");
    const r = await s.q("UPDATE T SET S = 'x' WHERE N = ?", {
      bindings: arrayBinds([["1"], ["2"], ["9"]]),
    });
    assert.deepEqual(r.data.rowset, [["3", "0"]], r.message);
  }, { liftline: false });
});

Deno.test("an array-bind statement cancelled while it waits for its session never runs", async () => {
  await withSqlEmulator(async (e) => {
    const s = await rawSession(e);
    await s.q("CREATE TABLE T (N INTEGER)");
    // A query of the same session made slow, so that the INSERT waits for it.
    const store = e.emu.context.sql.results;
    const fromQuery = store.fromQuery.bind(store);
    store.fromQuery = async (...args: Parameters<typeof fromQuery>) => {
      await new Promise((r) => setTimeout(r, 800));
      return await fromQuery(...args);
    };
    const slow = s.q("SELECT 1 AS ONE");
    await new Promise((r) => setTimeout(r, 100));
    const requestId = crypto.randomUUID();
    const insert = s.q("INSERT INTO T VALUES (?)", {
      bindings: arrayBinds([["1"], ["2"]]),
    }, requestId);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await s.abort(requestId)).success, true);
    const answer = await insert;
    assert.equal(answer.success, false);
    assert.equal(answer.code, "000604");
    assert.equal((await slow).success, true);
    store.fromQuery = fromQuery;
    assert.deepEqual((await s.q("SELECT COUNT(*) FROM T")).data.rowset, [["0"]]);
  }, { liftline: false });
});

Deno.test("a query cancelled or timed out while it waits behind another of its session never runs", async () => {
  await withSqlEmulator(async (e) => {
    const s = await rawSession(e);
    // The session's first query holds its reader lane for a while: the next ones queue behind.
    const store = e.emu.context.sql.results;
    const fromQuery = store.fromQuery.bind(store);
    let ran = 0;
    store.fromQuery = async (...args: Parameters<typeof fromQuery>) => {
      if (ran++ === 0) await new Promise((r) => setTimeout(r, 1500));
      return await fromQuery(...args);
    };
    try {
      const slow = s.q("SELECT 1 AS ONE");
      await new Promise((r) => setTimeout(r, 100));
      const requestId = crypto.randomUUID();
      const cancelled = s.q("SELECT 2 AS TWO", {}, requestId);
      const timedOut = s.q("SELECT 3 AS THREE", {
        parameters: { STATEMENT_TIMEOUT_IN_SECONDS: 1 },
      });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await s.abort(requestId)).success, true);
      assert.equal((await slow).success, true);
      const c = await cancelled;
      assert.equal(c.success, false, JSON.stringify(c.data?.rowset));
      assert.equal(c.code, "000604");
      const t = await timedOut;
      assert.equal(t.success, false, JSON.stringify(t.data?.rowset));
      assert.equal(t.code, "000630");
      assert.equal(ran, 1, "neither waiting query ran");
      // The session goes on.
      assert.deepEqual((await s.q("SELECT 4 AS FOUR")).data.rowset, [["4"]]);
    } finally {
      store.fromQuery = fromQuery;
    }
  }, { liftline: false });
});

Deno.test("a result bigger than one response comes in chunks, in order, whole", async () => {
  await withSqlEmulator(async (e) => {
    const rides = Array.from({ length: 30_000 }, (_, i) =>
      JSON.stringify({
        TXID: `r${String(i).padStart(6, "0")}`,
        RFID: `0x${i.toString(16)}`,
        RESORT: "Vail",
        LIFT: "Gondola One",
        RIDE_TIME: "2026-11-27T16:00:00Z",
        ACTIVATION_DAY_COUNT: 1,
      }));
    await e.stream({ LIFT_RIDE: rides });
    const sql = await e.connect();
    const n = (await sql.query("SELECT COUNT(*) AS N FROM LIFT_RIDE")).rows[0].N as number;
    assert.equal(n, rides.length);
    const all = await sql.query("SELECT TXID FROM LIFT_RIDE ORDER BY TXID");
    assert.equal(all.rows.length, rides.length);
    assert.ok(all.rows.every((r, i) => r.TXID === `r${String(i).padStart(6, "0")}`));
    const some = await sql.query("SELECT TXID FROM LIFT_RIDE ORDER BY TXID LIMIT 5");
    assert.equal(some.rows.length, 5);
  });
});
