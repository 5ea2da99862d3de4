/**
 * Snowpipe Streaming pipes: CREATE [OR REPLACE] PIPE … AS COPY INTO <table> FROM
 * TABLE(DATA_SOURCE(TYPE => 'STREAMING')) [MATCH_BY_COLUMN_NAME = CASE_SENSITIVE], listed by
 * SHOW PIPES. This is the form liftline's sql/pipes.sql uses.
 *
 * The CREATE PIPE page's streaming examples that select columns out of $1 (in-flight
 * transformations) are created here; rows streamed through one are in
 * tests/emulator/sql/transform_pipe_test.ts.
 */
import assert from "node:assert/strict";
import { assertHasColumns, assertRecord, conformance, once, records } from "./harness.ts";

const DB = "STREAMING_INGEST";
const SCHEMA = "STREAMING_INGEST";

// https://docs.snowflake.com/en/sql-reference/sql/create-pipe (Snowpipe Streaming with
// high-performance architecture)
// https://docs.snowflake.com/en/sql-reference/sql/show-pipes (Output)
conformance(
  "CREATE PIPE … FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')): listed by SHOW PIPES",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.run("CREATE TABLE my_table (c1 VARCHAR, ts TIMESTAMP_NTZ, n NUMBER);");
    });

    await t.step(
      "CREATE OR REPLACE PIPE … MATCH_BY_COLUMN_NAME = CASE_SENSITIVE succeeds",
      async () => {
        await ready();
        await db.run(`CREATE OR REPLACE PIPE my_streaming_pipe
      AS COPY INTO my_table
      FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))
      MATCH_BY_COLUMN_NAME = CASE_SENSITIVE;`);
      },
    );

    await t.step("SHOW PIPES has every column its page lists", async () => {
      await ready();
      const r = await db.run("SHOW PIPES LIKE 'my_streaming_pipe';");
      assertHasColumns(r, [
        "created_on",
        "name",
        "database_name",
        "schema_name",
        "definition",
        "owner",
        "notification_channel",
        "comment",
        "integration",
        "pattern",
        "error_integration",
        "owner_role_type",
        "invalid_reason",
        "kind",
      ]);
    });

    await t.step(
      "SHOW PIPES lists the pipe with its database, schema and COPY definition",
      async () => {
        await ready();
        const r = await db.run("SHOW PIPES LIKE 'my_streaming_pipe';");
        const row = assertRecord(r, "name", "MY_STREAMING_PIPE", {
          database_name: DB,
          schema_name: SCHEMA,
        });
        // "definition: COPY statement used to load data".
        assert.match(row.definition ?? "", /^\s*COPY INTO\s+my_table\b/i);
        assert.match(row.definition ?? "", /DATA_SOURCE\s*\(\s*TYPE\s*=>\s*'STREAMING'\s*\)/i);
      },
    );

    await t.step("a pipe that transforms $1 is created and listed", async () => {
      await ready();
      await db.run(`CREATE OR REPLACE PIPE transform_pipe
      AS COPY INTO my_table (c1, ts, n)
      FROM (SELECT $1:c1, $1:ts::TIMESTAMP_NTZ, $1:n::NUMBER
        FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')));`);
      const r = await db.run("SHOW PIPES LIKE 'transform_pipe';");
      const row = assertRecord(r, "name", "TRANSFORM_PIPE", { database_name: DB });
      assert.match(row.definition ?? "", /FROM \(SELECT \$1:c1/);
    });

    await t.step("a pipe without MATCH_BY_COLUMN_NAME is accepted too", async () => {
      await ready();
      await db.run(`CREATE PIPE my_plain_pipe
      AS COPY INTO my_table
      FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'));`);
      const r = await db.run("SHOW PIPES LIKE 'my_plain_pipe';");
      assertRecord(r, "name", "MY_PLAIN_PIPE", { database_name: DB, schema_name: SCHEMA });
    });

    await t.step("SHOW PIPES LIKE 'my_%' lists both pipes", async () => {
      await ready();
      const r = await db.run("SHOW PIPES LIKE 'my_%';");
      const names = records(r).map((row) => row.name).sort();
      assert.deepEqual(names, ["MY_PLAIN_PIPE", "MY_STREAMING_PIPE"]);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/create-pipe (Usage notes: "The OR REPLACE and
// IF NOT EXISTS clauses are mutually exclusive.")
conformance("CREATE PIPE IF NOT EXISTS and OR REPLACE can be run again", async ({ db }, t) => {
  const ready = once(async () => {
    await db.run("CREATE TABLE events (id NUMBER, body VARCHAR);");
  });
  const ifNotExists = `CREATE PIPE IF NOT EXISTS events_pipe
    AS COPY INTO events
    FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))
    MATCH_BY_COLUMN_NAME = CASE_SENSITIVE;`;

  await t.step("CREATE PIPE IF NOT EXISTS twice leaves one pipe", async () => {
    await ready();
    await db.run(ifNotExists);
    await db.run(ifNotExists);
    const r = await db.run("SHOW PIPES LIKE 'events_pipe';");
    assert.equal(records(r).filter((row) => row.name === "EVENTS_PIPE").length, 1);
  });

  await t.step("CREATE OR REPLACE PIPE over it still leaves one pipe", async () => {
    await ready();
    await db.run(`CREATE OR REPLACE PIPE events_pipe
      AS COPY INTO events
      FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))
      MATCH_BY_COLUMN_NAME = CASE_SENSITIVE;`);
    const r = await db.run("SHOW PIPES LIKE 'events_pipe';");
    assert.equal(records(r).filter((row) => row.name === "EVENTS_PIPE").length, 1);
  });

  await t.step("OR REPLACE together with IF NOT EXISTS is refused", async () => {
    await ready();
    await db.expectError(`CREATE OR REPLACE PIPE IF NOT EXISTS events_pipe
      AS COPY INTO events
      FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'));`);
  });
});
