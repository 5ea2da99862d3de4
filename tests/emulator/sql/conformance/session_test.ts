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
