/**
 * Errors are Snowflake-shaped: a code, a SQLSTATE and Snowflake's message, through the SDK, and
 * the session goes on working after one. An unknown object is 002003 (42S02), a syntax error
 * 001003 (42000), division by zero 100051 (22012), an unrecognized number 100038 (22018); a
 * construct the emulator does not run is an error whose message names it, never a crash.
 */
import assert from "node:assert/strict";
import { conformance, expectRows, once } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/sql/drop-table (querying a dropped table returns an
// "object does not exist" error). The code, SQLSTATE and message text are the ones Snowflake
// returns for it: "002003 (42S02): SQL compilation error: Object 'X' does not exist or not
// authorized."
conformance(
  "An unknown table is 002003 (42S02): Object … does not exist or not authorized",
  async ({ db }, t) => {
    await t.step("SELECT from an unknown table", async () => {
      await db.expectError("SELECT * FROM no_such_table;", {
        code: "002003",
        sqlState: "42S02",
        message: /Object '(?:[A-Z_]+\.)*NO_SUCH_TABLE' does not exist or not authorized/,
      });
    });

    await t.step("INSERT into an unknown table", async () => {
      await db.expectError("INSERT INTO no_such_table VALUES (1);", {
        code: "002003",
        sqlState: "42S02",
      });
    });

    await t.step("a view over a dropped table fails with the same error", async () => {
      // "Dropping a table referenced by a view invalidates the view (that is, querying the view
      // returns an “object does not exist” error)."
      await db.runAll([
        "CREATE TABLE base_t (id NUMBER);",
        "CREATE VIEW base_v AS SELECT id FROM base_t;",
        "DROP TABLE base_t;",
      ]);
      await db.expectError("SELECT * FROM base_v;", { code: "002003", sqlState: "42S02" });
    });

    await t.step("the session still works after the errors", async () => {
      await expectRows(db, "SELECT 1", { rows: [["1"]] });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/execute-immediate-from (Troubleshooting) prints
// the shape of a syntax error: "001003 (42000): SQL compilation error: syntax error line <n> at
// position <m> unexpected '<string>'."
conformance(
  "A syntax error is 001003 (42000): syntax error line … at position … unexpected …",
  async ({ db }, t) => {
    await t.step("SELECT * FORM t", async () => {
      await db.expectError("SELECT * FORM t", {
        code: "001003",
        sqlState: "42000",
        message: /syntax error line 1 at position \d+ unexpected 'FORM'/,
      });
    });

    await t.step("an unterminated statement", async () => {
      await db.expectError("SELECT (1 + ", {
        code: "001003",
        sqlState: "42000",
        message: /syntax error/,
      });
    });

    await t.step("the session still works", async () => {
      await expectRows(db, "SELECT 2", { rows: [["2"]] });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/div0
conformance("Division by zero is 100051 (22012): Division by zero", async ({ db }, t) => {
  await t.step("select 1/0", async () => {
    await db.expectError("select 1/0;", {
      code: "100051",
      sqlState: "22012",
      message: "Division by zero",
    });
  });

  await t.step("division by a zero column value", async () => {
    await db.runAll(["CREATE TABLE z (a NUMBER, b NUMBER);", "INSERT INTO z VALUES (1, 0);"]);
    await db.expectError("SELECT a / b FROM z;", {
      code: "100051",
      sqlState: "22012",
      message: "Division by zero",
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/to_decimal ("Numeric value 'x' is not
// recognized" is the error the TO_NUMBER pages and the troubleshooting notes show)
conformance(
  "A value that is not a number is 100038 (22018): Numeric value … is not recognized",
  async ({ db }, t) => {
    await t.step("into a NUMBER column by INSERT … VALUES and by INSERT … SELECT", async () => {
      await db.run("CREATE TABLE nums (n NUMBER, d DATE);");
      for (
        const sql of ["INSERT INTO nums (n) VALUES ('abc');", "INSERT INTO nums (n) SELECT 'abc';"]
      ) {
        await db.expectError(sql, {
          code: "100038",
          sqlState: "22018",
          message: "Numeric value 'abc' is not recognized",
        });
      }
    });

    await t.step("a cast in a query", async () => {
      await db.expectError("SELECT 'x1'::NUMBER(10,2);", {
        code: "100038",
        sqlState: "22018",
        message: "Numeric value 'x1' is not recognized",
      });
    });

    await t.step("a date, a timestamp, a boolean that is not one: each its own code", async () => {
      await db.expectError("INSERT INTO nums (d) VALUES ('not a date');", {
        code: "100040",
        sqlState: "22007",
        message: "Date 'not a date' is not recognized",
      });
      await db.expectError("SELECT 'noon-ish'::TIMESTAMP_NTZ;", {
        code: "100035",
        sqlState: "22007",
        message: "Timestamp 'noon-ish' is not recognized",
      });
      await db.expectError("SELECT 'maybe'::BOOLEAN;", {
        code: "100037",
        sqlState: "22018",
        message: "Boolean value 'maybe' is not recognized",
      });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/constructs/join (usage notes): a construct
// Snowflake itself does not support is reported as
// "000002 (0A000): Unsupported feature 'lateral table function called with OUTER JOIN syntax or
// a join predicate (ON clause)'".
conformance(
  "Unsupported constructs are Snowflake-shaped errors naming the construct, never a crash",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.run("CREATE TABLE my_table (a NUMBER);");
    });

    await t.step(
      "an OUTER JOIN to a lateral table function: 000002 (0A000) Unsupported feature",
      async () => {
        await ready();
        await db.expectError(
          "SELECT * FROM my_table\n  LEFT JOIN TABLE(FLATTEN(input=>[a]))\n  ON TRUE;",
          {
            code: "000002",
            sqlState: "0A000",
            message: /Unsupported feature/,
          },
        );
      },
    );

    await t.step(
      "a JavaScript stored procedure the emulator does not run: an error naming PROCEDURE",
      async () => {
        await ready();
        // The RESULT_SCAN page's return_json procedure.
        const err = await db.expectError(`CREATE OR REPLACE PROCEDURE return_json()
      RETURNS VARCHAR
      LANGUAGE JavaScript
      AS
      $$
        return '{"keyA": "ValueA", "keyB": "ValueB"}';
      $$
      ;`);
        assert.ok(err.code, `no error code: ${err.message}`);
        assert.match(err.message, /PROCEDURE|JavaScript/i);
      },
    );

    await t.step("CREATE TASK the emulator does not run: an error naming TASK", async () => {
      await ready();
      const err = await db.expectError(`CREATE TASK mytask
      WAREHOUSE = w
      SCHEDULE = '5 MINUTE'
      AS SELECT 1;`);
      assert.ok(err.code, `no error code: ${err.message}`);
      assert.match(err.message, /TASK/i);
    });

    await t.step("DESCRIBE of a task or a stage: Unsupported feature naming it", async () => {
      await ready();
      // The public lab's notebook describes its task; there are no tasks here to describe.
      for (
        const [sql, what] of [
          ["describe task populate_daily_visits;", /DESCRIBE TASK/],
          ["DESC STAGE snowpark_apps;", /DESCRIBE STAGE/],
        ] as const
      ) {
        await db.expectError(sql, { code: "000002", sqlState: "0A000", message: what });
      }
    });

    await t.step(
      "SHOW PROCEDURES: none (none can be created), in Snowflake's columns for RESULT_SCAN",
      async () => {
        await ready();
        // The lab's check: SHOW PROCEDURES, then its rows of one schema through RESULT_SCAN.
        const shown = await db.run("SHOW PROCEDURES;");
        assert.deepEqual(shown.rows, []);
        assert.deepEqual(shown.columns.slice(0, 3).map((c) => c.name), [
          "created_on",
          "name",
          "schema_name",
        ]);
        await expectRows(
          db,
          `SELECT "name" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID())) WHERE "schema_name" = 'PUBLIC';`,
          { rows: [] },
        );
      },
    );

    await t.step("the session still works", async () => {
      await ready();
      await expectRows(db, "SELECT 3", { rows: [["3"]] });
    });
  },
);

conformance("a statement nested past the limits names the limit", async ({ db }, t) => {
  await t.step(
    "5,000 nested CASE expressions: the nesting limit, not an invalid identifier",
    async () => {
      let sql = "NULL";
      for (let i = 0; i < 5_000; i++) sql = `CASE WHEN ${sql} IS NULL THEN 1 ELSE 2 END`;
      await db.expectError(`SELECT ${sql}`, {
        code: "001003",
        message: "nests parentheses and CASE expressions deeper than 200 levels",
      });
    },
  );
});
