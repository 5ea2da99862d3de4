/**
 * The harness itself, and the session a client gets: the raw snowflake-sdk signs in to the
 * emulator with key-pair auth and runs a statement.
 */
import assert from "node:assert/strict";
import { conformance, expectRows } from "./harness.ts";

// https://docs.snowflake.com/en/developer-guide/node-js/nodejs-driver-authenticate
// (key-pair authentication: authenticator SNOWFLAKE_JWT with a private key)
conformance(
  "session: snowflake-sdk signs in with key-pair auth and runs SELECT 1",
  async ({ db }, t) => {
    await t.step("SELECT 1 returns one row, column named 1", async () => {
      // Snowflake names an unaliased column after its expression text.
      const r = await expectRows(db, "SELECT 1", { columns: ["1"], rows: [["1"]] });
      assert.equal(r.columns[0].type, "fixed");
      assert.equal(r.columns[0].scale, 0);
    });

    await t.step("every statement has a query ID", async () => {
      const r = await db.run("SELECT 1");
      assert.match(r.queryId, /^[0-9a-f-]{36}$/i);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/current_database
// https://docs.snowflake.com/en/sql-reference/functions/current_schema
// The connection names database and schema STREAMING_INGEST and warehouse W (expected values
// computed from the connection options, not printed on the pages).
conformance(
  "session: the connection's database, schema and warehouse are current",
  async ({ db }, t) => {
    await t.step("CURRENT_DATABASE(), CURRENT_SCHEMA(), CURRENT_WAREHOUSE()", async () => {
      await expectRows(db, "SELECT CURRENT_DATABASE(), CURRENT_SCHEMA(), CURRENT_WAREHOUSE()", {
        columns: ["CURRENT_DATABASE()", "CURRENT_SCHEMA()", "CURRENT_WAREHOUSE()"],
        rows: [["STREAMING_INGEST", "STREAMING_INGEST", "W"]],
      });
    });
  },
);

// https://docs.snowflake.com/en/developer-guide/node-js/nodejs-driver-execute (Executing a batch
// of SQL statements: MULTI_STATEMENT_COUNT, hasNext() and NextResult())
conformance("Several statements in one request, with MULTI_STATEMENT_COUNT", async ({ db }, t) => {
  await t.step("MULTI_STATEMENT_COUNT = 0: each statement's result in turn", async () => {
    const results = await db.script(
      "CREATE OR REPLACE TABLE multi_t (x NUMBER); INSERT INTO multi_t VALUES (1), (2); " +
        "SELECT SUM(x) AS total FROM multi_t;",
    );
    assert.equal(results.length, 3);
    assert.deepEqual(results[1].rows, [["2"]]);
    assert.deepEqual(results[2].columns.map((c) => c.name), ["TOTAL"]);
    assert.deepEqual(results[2].rows, [["3"]]);
    assert.equal(new Set(results.map((r) => r.queryId)).size, 3, "a query id each");
  });

  await t.step("a count that does not match is 000008, and nothing runs", async () => {
    await assert.rejects(
      db.script("INSERT INTO multi_t VALUES (10); INSERT INTO multi_t VALUES (20);", 3),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, "000008");
        assert.match(
          e.message,
          /Actual statement count 2 did not match the desired statement count 3/,
        );
        return true;
      },
    );
    await expectRows(db, "SELECT COUNT(*) FROM multi_t;", { rows: [["2"]] });
  });

  await t.step("the first failing statement stops the rest; what ran before stays", async () => {
    await assert.rejects(
      db.script(
        "INSERT INTO multi_t VALUES (3); SELECT * FROM no_such_table; INSERT INTO multi_t VALUES (4);",
      ),
      (e: Error & { code?: string }) => e.code === "002003",
    );
    await expectRows(db, "SELECT x FROM multi_t ORDER BY x;", { rows: [["1"], ["2"], ["3"]] });
  });

  await t.step("without the parameter, two statements are still refused", async () => {
    await db.expectError("SELECT 1; SELECT 2;", { code: "000008" });
  });

  await t.step(
    "ALTER SESSION SET MULTI_STATEMENT_COUNT = 0 allows them for the session",
    async () => {
      await db.run("ALTER SESSION SET MULTI_STATEMENT_COUNT = 0;");
      try {
        const results = await db.script("SELECT 1 AS a; SELECT 2 AS b;", 0);
        assert.deepEqual(results.map((r) => r.rows), [[["1"]], [["2"]]]);
        await expectRows(db, "SELECT 7 AS c; SELECT 8 AS d;", { rows: [["7"]] });
      } finally {
        await db.run("ALTER SESSION SET MULTI_STATEMENT_COUNT = 1;");
      }
      await db.expectError("SELECT 1; SELECT 2;", { code: "000008" });
    },
  );
});

// https://docs.snowflake.com/en/sql-reference/sql/show-parameters
conformance("SHOW PARAMETERS: each parameter once, filtered by LIKE", async ({ db }, t) => {
  await t.step("LIKE 'TIMEZONE' shows only TIMEZONE", async () => {
    const r = await db.run("SHOW PARAMETERS LIKE 'TIMEZONE';");
    assert.deepEqual(r.rows.map((x) => x[0]), ["TIMEZONE"]);
  });

  await t.step("a parameter the session set shows once, with its value and default", async () => {
    await db.run("ALTER SESSION SET WEEK_START = 1;");
    const r = await db.run("SHOW PARAMETERS LIKE 'week_s%';");
    assert.deepEqual(r.rows.map((x) => x.slice(0, 4)), [["WEEK_START", "1", "0", "SESSION"]]);
    await db.run("ALTER SESSION SET WEEK_START = 0;");
  });

  await t.step("the parameters the emulator honours are listed with their defaults", async () => {
    const before = await db.run("SHOW PARAMETERS LIKE 'AUTOCOMMIT';");
    assert.deepEqual(before.rows.map((x) => x.slice(0, 3)), [["AUTOCOMMIT", "true", "true"]]);
    await db.run("ALTER SESSION SET AUTOCOMMIT = FALSE;");
    const after = await db.run("SHOW PARAMETERS LIKE 'AUTOCOMMIT';");
    assert.deepEqual(after.rows.map((x) => x.slice(0, 4)), [[
      "AUTOCOMMIT",
      "false",
      "true",
      "SESSION",
    ]]);
    await db.run("ALTER SESSION UNSET AUTOCOMMIT;");
    const names = (await db.run("SHOW PARAMETERS;")).rows.map((x) => x[0]);
    for (
      const name of ["ERROR_ON_NONDETERMINISTIC_MERGE", "STATEMENT_TIMEOUT_IN_SECONDS", "TIMEZONE"]
    ) assert.ok(names.includes(name), `${name} in ${names}`);
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/execute-immediate
conformance("EXECUTE IMMEDIATE runs the statement in its string", async ({ db }, t) => {
  await t.step("a quoted string and a $$ string", async () => {
    await expectRows(db, "EXECUTE IMMEDIATE 'SELECT ''it''''s'' AS t';", {
      columns: ["T"],
      rows: [["it's"]],
    });
    await db.run("EXECUTE IMMEDIATE $$CREATE TABLE ei_t (n NUMBER)$$;");
    await db.run("EXECUTE IMMEDIATE 'INSERT INTO ei_t VALUES (1), (2)';");
    await expectRows(db, "SELECT SUM(n) FROM ei_t;", { rows: [["3"]] });
  });

  await t.step("a Snowflake Scripting block is refused by name, as one statement", async () => {
    for (
      const sql of [
        "BEGIN\n  CREATE TABLE blk (n NUMBER);\n  INSERT INTO blk VALUES (1);\nEND;",
        "DECLARE n NUMBER DEFAULT 1; BEGIN RETURN n; END;",
        "EXECUTE IMMEDIATE $$BEGIN RETURN 1; END$$;",
      ]
    ) {
      await db.expectError(sql, { code: "000002", message: "Snowflake Scripting blocks" });
    }
    await db.expectError("SELECT * FROM blk;", { code: "002003" });
  });

  await t.step("UNDROP is refused as Time Travel; DESCRIBE TRANSACTION by name", async () => {
    await db.expectError("UNDROP TABLE ei_t;", { code: "000002", message: "UNDROP" });
    await db.expectError("DESCRIBE TRANSACTION 1234;", {
      code: "000002",
      message: "DESCRIBE TRANSACTION",
    });
  });
});
