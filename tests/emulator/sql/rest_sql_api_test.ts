/**
 * Snowflake's SQL API (`/api/v2/statements`) as a client without a driver uses it: plain fetch,
 * a key-pair JWT as the bearer token, results as `jsonv2` strings in partitions.
 */
import assert from "node:assert/strict";
import { KeyPairJwt } from "../../../src/snowflake/jwt.ts";
import { type SqlEmulator, withSqlEmulator } from "./helpers.ts";
import { MAX_RUNNING } from "../../../src/emulator/sql/sql_api.ts";

/** Calls the SQL API of `e` as its user; answers the status, the JSON body and the headers. */
async function apiClient(e: SqlEmulator) {
  const jwt = await KeyPairJwt.create({
    account: "LIFTLINE",
    user: "STREAMING_INGEST",
    privateKeyPem: e.keys.privateKeyPem,
  });
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${e.emu.url}${path}`, {
      method,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: `Bearer ${await jwt.token()}`,
        "X-Snowflake-Authorization-Token-Type": "KEYPAIR_JWT",
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    // deno-lint-ignore no-explicit-any
    const json: any = await res.json();
    return { status: res.status, body: json, headers: res.headers };
  };
}

Deno.test("SQL API: statements, types, binds, DML stats, errors, context", async () => {
  await withSqlEmulator(async (e) => {
    const api = await apiClient(e);
    const run = (statement: string, extra: Record<string, unknown> = {}, query = "") =>
      api("POST", `/api/v2/statements${query}`, { statement, ...extra });

    const r = await run(`SELECT 12.50::NUMBER(10,2) AS PRICE, 'ana' AS NAME, TRUE AS OK,
      '2026-12-05'::DATE AS DAY, '2026-12-05 10:30:00'::TIMESTAMP_NTZ AS AT, NULL AS NOTHING`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.code, "090001");
    assert.equal(r.body.resultSetMetaData.format, "jsonv2");
    assert.equal(r.body.resultSetMetaData.numRows, 1);
    assert.deepEqual(
      r.body.resultSetMetaData.rowType.map((c: { name: string; type: string }) => [c.name, c.type]),
      [
        ["PRICE", "fixed"],
        ["NAME", "text"],
        ["OK", "boolean"],
        ["DAY", "date"],
        ["AT", "timestamp_ntz"],
        ["NOTHING", "text"],
      ],
    );
    const day = String(Date.UTC(2026, 11, 5) / 86_400_000);
    const at = `${Date.UTC(2026, 11, 5, 10, 30) / 1000}.000000000`;
    assert.deepEqual(r.body.data, [["12.50", "ana", "true", day, at, null]]);
    // The handle is the statement's query id.
    const scan = await run(`SELECT NAME FROM TABLE(RESULT_SCAN('${r.body.statementHandle}'))`);
    assert.deepEqual(scan.body.data, [["ana"]]);
    const again = await api("GET", `/api/v2/statements/${r.body.statementHandle}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.data, r.body.data);

    const strict = await run("SELECT NULL AS N", {}, "?nullable=false");
    assert.deepEqual(strict.body.data, [["null"]]);
    // The POST's nullable=false holds for the statement's later answers too (a GET cannot say it).
    const later = await api("GET", `/api/v2/statements/${strict.body.statementHandle}`);
    assert.deepEqual(later.body.data, [["null"]]);

    const bound = await run("SELECT ? + 1 AS X, ? AS S", {
      bindings: { "1": { type: "FIXED", value: "41" }, "2": { type: "TEXT", value: "ski" } },
    });
    assert.deepEqual(bound.body.data, [["42", "ski"]]);
    // Binds in the forms the SQL API documents: DATE in epoch milliseconds, TIME in nanoseconds
    // since midnight, TIMESTAMP_TZ in epoch nanoseconds and an offset, BINARY in hex.
    const typed = await run(
      "SELECT ?::VARCHAR AS D, ?::VARCHAR AS T, ?::TIMESTAMP_NTZ::VARCHAR AS TS, HEX_ENCODE(?) AS B, ? AS OK",
      {
        bindings: {
          "1": { type: "DATE", value: String(Date.UTC(2021, 2, 19)) },
          "2": { type: "TIME", value: String((12 * 3600 + 34 * 60 + 56) * 1e9) },
          "3": { type: "TIMESTAMP_TZ", value: `${Date.UTC(2021, 2, 19, 17, 6, 59)}000000 960` },
          "4": { type: "BINARY", value: "CAFE" },
          "5": { type: "BOOLEAN", value: "false" },
        },
      },
    );
    assert.equal(typed.status, 200, JSON.stringify(typed.body));
    assert.deepEqual(typed.body.data, [[
      "2021-03-19",
      "12:34:56",
      "2021-03-19 17:06:59.000",
      "CAFE",
      "false",
    ]]);
    const notBoolean = await run("SELECT ?", {
      bindings: { "1": { type: "BOOLEAN", value: "maybe" } },
    });
    assert.equal(notBoolean.status, 422);

    assert.equal((await run("CREATE TABLE PASSES (ID NUMBER, KIND VARCHAR)")).status, 200);
    const inserted = await run("INSERT INTO PASSES VALUES (1, 'DAY'), (2, 'SEASON')");
    assert.deepEqual(inserted.body.stats, { numRowsInserted: 2 });
    const updated = await run("UPDATE PASSES SET KIND = 'WEEK' WHERE ID = 1");
    assert.equal(updated.body.stats.numRowsUpdated, 1);

    const bad = await run("SELECT * FROM NO_SUCH_TABLE");
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, "002003");
    assert.equal(bad.body.sqlState, "42S02");
    assert.match(bad.body.message, /NO_SUCH_TABLE/);
    assert.ok(bad.body.statementHandle);

    // A name as SHOW gives it, lower case included, names that object.
    await run(`CREATE DATABASE "mixed_Db"`);
    const mixed = await run("SELECT CURRENT_DATABASE()", { database: "mixed_Db" });
    assert.deepEqual(mixed.body.data, [["mixed_Db"]]);

    const elsewhere = await run("SELECT CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S", {
      database: "snowflake_sample",
    });
    assert.equal(elsewhere.status, 422);
    assert.equal(elsewhere.body.code, "390201");
    await run("CREATE DATABASE OTHER_DB");
    const other = await run("SELECT CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S", {
      database: "other_db",
    });
    assert.deepEqual(other.body.data, [["OTHER_DB", "PUBLIC"]]);

    const zone = await run("SELECT 1", { parameters: { TIMEZONE: "Not/AZone" } });
    assert.equal(zone.status, 422);
    assert.match(zone.body.message, /TIMEZONE/);

    // A resubmitted request (same requestId, retry=true) does not run its statement again.
    const id = crypto.randomUUID();
    const first = await run("INSERT INTO PASSES VALUES (3, 'DAY')", {}, `?requestId=${id}`);
    const retried = await run(
      "INSERT INTO PASSES VALUES (3, 'DAY')",
      {},
      `?requestId=${id}&retry=true`,
    );
    assert.equal(retried.body.statementHandle, first.body.statementHandle);
    const count = await run("SELECT COUNT(*) FROM PASSES WHERE ID = 3");
    assert.deepEqual(count.body.data, [["1"]]);
    // A request that failed runs again when resubmitted.
    const lateId = crypto.randomUUID();
    const early = await run("INSERT INTO LATE SELECT 1", {}, `?requestId=${lateId}`);
    assert.equal(early.status, 422);
    await run("CREATE TABLE LATE (X NUMBER)");
    const rerun = await run("INSERT INTO LATE SELECT 1", {}, `?requestId=${lateId}&retry=true`);
    assert.equal(rerun.status, 200);
    assert.deepEqual((await run("SELECT COUNT(*) FROM LATE")).body.data, [["1"]]);
  }, { liftline: false });
});

Deno.test("SQL API: several statements, async, partitions, cancel by timeout", async () => {
  await withSqlEmulator(async (e) => {
    const api = await apiClient(e);
    const multi = await api("POST", "/api/v2/statements", {
      statement: "SELECT 1 AS A; SELECT 'two' AS B",
      parameters: { MULTI_STATEMENT_COUNT: "2" },
    });
    assert.equal(multi.status, 200, JSON.stringify(multi.body));
    assert.deepEqual(multi.body.data, [["Multiple statements executed successfully."]]);
    assert.equal(multi.body.statementHandles.length, 2);
    const parts = [];
    for (const h of multi.body.statementHandles) {
      parts.push((await api("GET", `/api/v2/statements/${h}`)).body.data);
    }
    assert.deepEqual(parts, [[["1"]], [["two"]]]);
    const miscounted = await api("POST", "/api/v2/statements", {
      statement: "SELECT 1; SELECT 2; SELECT 3",
      parameters: { MULTI_STATEMENT_COUNT: 2 },
    });
    assert.equal(miscounted.status, 422);

    const started = await api("POST", "/api/v2/statements?async=true", {
      statement: "SELECT SEQ4() AS N FROM TABLE(GENERATOR(ROWCOUNT => 25000)) ORDER BY N",
    });
    assert.equal(started.status, 202);
    assert.equal(started.body.code, "333334");
    let done = started;
    for (let i = 0; i < 200 && done.status === 202; i++) {
      await new Promise((r) => setTimeout(r, 25));
      done = await api("GET", started.body.statementStatusUrl);
    }
    assert.equal(done.status, 200);
    const info = done.body.resultSetMetaData;
    assert.equal(info.numRows, 25000);
    assert.deepEqual(info.partitionInfo.map((p: { rowCount: number }) => p.rowCount), [
      10000,
      10000,
      5000,
    ]);
    assert.match(done.headers.get("link") ?? "", /partition=1>; rel="next"/);
    const all = [...done.body.data];
    for (let p = 1; p < info.partitionInfo.length; p++) {
      const part = await api(
        "GET",
        `/api/v2/statements/${started.body.statementHandle}?partition=${p}`,
      );
      all.push(...part.body.data);
    }
    assert.deepEqual(all.map((row: string[]) => Number(row[0])), [...Array(25000).keys()]);
    const beyond = await api(
      "GET",
      `/api/v2/statements/${started.body.statementHandle}?partition=3`,
    );
    assert.equal(beyond.status, 400);
    // Being read, it outlasts the 200 results the emulator otherwise keeps.
    for (let i = 0; i < 210; i++) {
      await api("POST", "/api/v2/statements", { statement: `SELECT ${i} AS I` });
    }
    const kept = await api("GET", `/api/v2/statements/${started.body.statementHandle}?partition=2`);
    assert.equal(kept.status, 200, JSON.stringify(kept.body));
    assert.equal(kept.body.data.length, 5000);

    // A statement past its timeout is cancelled: 408.
    const slow = await api("POST", "/api/v2/statements", {
      statement: "SELECT COUNT(DISTINCT SEQ8() % 1000003) FROM TABLE(GENERATOR(ROWCOUNT => 1e11))",
      timeout: 1,
    });
    assert.equal(slow.status, 408, JSON.stringify(slow.body));
    assert.equal(slow.body.code, "000630");
    const asked = await api("GET", slow.body.statementStatusUrl);
    assert.equal(asked.status, 422, "asked later, a timed-out statement is a failure");
  }, { liftline: false });
});

Deno.test("SQL API: requests that are not well formed get a 4xx, and the server goes on", async () => {
  await withSqlEmulator(async (e) => {
    const api = await apiClient(e);
    const url = `${e.emu.url}/api/v2/statements`;
    const anonymous = await fetch(url, { method: "POST", body: '{"statement":"SELECT 1"}' });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const forged = await fetch(url, {
      method: "POST",
      headers: { Authorization: "Bearer not.a.jwt" },
      body: '{"statement":"SELECT 1"}',
    });
    assert.equal(forged.status, 401);
    await forged.body?.cancel();
    const oauth = await api("POST", "/api/v2/statements", { statement: "SELECT 1" }, {
      "X-Snowflake-Authorization-Token-Type": "OAUTH",
    });
    assert.equal(oauth.status, 401);
    assert.equal((await api("POST", "/api/v2/statements", "{not json")).status, 400);
    assert.equal((await api("POST", "/api/v2/statements", [1, 2])).status, 400);
    assert.equal((await api("POST", "/api/v2/statements", { statement: 7 })).status, 400);
    assert.equal(
      (await api("POST", "/api/v2/statements", { statement: "SELECT 1", timeout: -1 })).status,
      400,
    );
    assert.equal(
      (await api("POST", "/api/v2/statements", {
        statement: "SELECT 1",
        parameters: { MULTI_STATEMENT_COUNT: "x" },
      })).status,
      400,
    );
    const unknown = await api("GET", `/api/v2/statements/${crypto.randomUUID()}`);
    assert.equal(unknown.status, 404);
    const cancelUnknown = await api("POST", `/api/v2/statements/${crypto.randomUUID()}/cancel`);
    assert.equal(cancelUnknown.status, 422);
    assert.equal(cancelUnknown.body.code, "000709");
    const week = 604_800;
    const tooLong = await api("POST", "/api/v2/statements", {
      statement: "SELECT 1",
      timeout: week + 1,
    });
    assert.equal(tooLong.status, 400);
    const formatted = await api("POST", "/api/v2/statements", {
      statement: "SELECT CURRENT_DATE()",
      parameters: { DATE_OUTPUT_FORMAT: "MM/DD/YYYY" },
    });
    assert.equal(formatted.status, 422, "output formats are refused, not ignored");
    assert.equal((await api("GET", "/api/v2/statements/x?partition=-1")).status, 400);
    const fine = await api("POST", "/api/v2/statements", { statement: "SELECT 1 AS ONE" });
    assert.deepEqual(fine.body.data, [["1"]]);
  }, { liftline: false });
});

Deno.test("SQL API: at most MAX_RUNNING statements run at once; the rest get 429", async () => {
  await withSqlEmulator(async (e) => {
    const api = await apiClient(e);
    const slow = {
      // Minutes of work in constant memory (a growing one would be stopped at the spill cap).
      statement: "SELECT SUM(SEQ8()) FROM TABLE(GENERATOR(ROWCOUNT => 1e12))",
      timeout: 120,
    };
    const answers = [];
    for (let i = 0; i < MAX_RUNNING + 2; i++) {
      answers.push(await api("POST", "/api/v2/statements?async=true", slow));
    }
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(statuses.filter((s) => s === 202).length, MAX_RUNNING, String(statuses));
    assert.deepEqual(statuses.slice(MAX_RUNNING), [429, 429]);
    // Cancelled, they end with Snowflake's cancel error, and statements run again.
    for (const a of answers.slice(0, MAX_RUNNING)) {
      const cancelled = await api("POST", `/api/v2/statements/${a.body.statementHandle}/cancel`);
      assert.equal(cancelled.status, 200);
    }
    for (const a of answers.slice(0, MAX_RUNNING)) {
      let r = a;
      while (r.status === 202) {
        await new Promise((ok) => setTimeout(ok, 50));
        r = await api("GET", a.body.statementStatusUrl);
      }
      assert.equal(r.status, 422);
      assert.equal(r.body.code, "000604");
    }
    const after = await api("POST", "/api/v2/statements", { statement: "SELECT 1" });
    assert.equal(after.status, 200);
  }, { liftline: false });
});
