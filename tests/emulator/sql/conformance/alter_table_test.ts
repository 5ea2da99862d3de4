/**
 * ALTER TABLE forms that tools and Snowflake's own guides send (dynamic tables ask for change
 * tracking; dbt and Terraform set retention, clustering and keys): recorded as Snowflake records
 * them, shown by SHOW TABLES, DESCRIBE and SHOW PRIMARY KEYS, and bad values refused.
 */
import assert from "node:assert/strict";
import { conformance } from "./harness.ts";

/** SHOW TABLES' columns of one table, by name. */
async function shown(db: import("./harness.ts").Session, table: string, cols: string[]) {
  await db.run(`SHOW TABLES LIKE '${table}'`);
  const r = await db.run(
    `SELECT ${cols.map((c) => `"${c}"`).join(", ")} FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))`,
  );
  return r.rows[0];
}

// https://docs.snowflake.com/en/sql-reference/sql/alter-table
conformance("ALTER TABLE: properties, column comments, keys, clustering", async ({ db }, t) => {
  await db.run("CREATE TABLE EVENTS (ID NUMBER, NOTE VARCHAR)");
  const columns = ["comment", "cluster_by", "retention_time", "change_tracking"];

  await t.step("SET and UNSET table properties, several at once", async () => {
    await db.run("ALTER TABLE EVENTS SET CHANGE_TRACKING = TRUE");
    await db.run("ALTER TABLE EVENTS SET DATA_RETENTION_TIME_IN_DAYS = 7 COMMENT = 'events'");
    assert.deepEqual(await shown(db, "EVENTS", columns), ["events", "", "7", "ON"]);
    await db.run("ALTER TABLE EVENTS UNSET CHANGE_TRACKING, DATA_RETENTION_TIME_IN_DAYS");
    assert.deepEqual(await shown(db, "EVENTS", columns), ["events", "", "1", "OFF"]);
  });

  await t.step("bad values and missing tables are refused; IF EXISTS is quiet", async () => {
    await assert.rejects(() => db.run("ALTER TABLE EVENTS SET DATA_RETENTION_TIME_IN_DAYS = 91"));
    await assert.rejects(() => db.run("ALTER TABLE EVENTS SET CHANGE_TRACKING = MAYBE"));
    await assert.rejects(() => db.run("ALTER TABLE NOPE SET CHANGE_TRACKING = TRUE"), /NOPE/);
    await db.run("ALTER TABLE IF EXISTS NOPE SET CHANGE_TRACKING = TRUE");
  });

  await t.step("a column's comment, set and unset", async () => {
    await db.run("ALTER TABLE EVENTS ALTER COLUMN NOTE COMMENT 'free text'");
    const described = async () => {
      await db.run("DESCRIBE TABLE EVENTS");
      return (await db.run(
        `SELECT "name", "comment" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID())) ORDER BY 1`,
      )).rows;
    };
    assert.deepEqual(await described(), [["ID", null], ["NOTE", "free text"]]);
    await db.run("ALTER TABLE EVENTS MODIFY COLUMN NOTE UNSET COMMENT");
    assert.deepEqual(await described(), [["ID", null], ["NOTE", null]]);
  });

  await t.step("ADD and DROP PRIMARY KEY, ADD UNIQUE", async () => {
    const keys = async () => {
      await db.run("SHOW PRIMARY KEYS IN TABLE EVENTS");
      return (await db.run(
        `SELECT "column_name" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))`,
      )).rows;
    };
    await db.run("ALTER TABLE EVENTS ADD PRIMARY KEY (ID)");
    assert.deepEqual(await keys(), [["ID"]]);
    await db.run("ALTER TABLE EVENTS DROP PRIMARY KEY");
    assert.deepEqual(await keys(), []);
    await db.run("ALTER TABLE EVENTS ADD CONSTRAINT ONE_NOTE UNIQUE (NOTE)");
    await assert.rejects(() => db.run("ALTER TABLE EVENTS ADD PRIMARY KEY (NOPE)"), /NOPE/);
  });

  await t.step(
    "CLUSTER BY is recorded, DROP CLUSTERING KEY clears it; RECLUSTER is a no-op",
    async () => {
      await db.run("ALTER TABLE EVENTS CLUSTER BY (ID, NOTE)");
      assert.equal((await shown(db, "EVENTS", ["cluster_by"]))[0], "LINEAR(ID, NOTE)");
      await db.run("ALTER TABLE EVENTS SUSPEND RECLUSTER");
      await db.run("ALTER TABLE EVENTS RESUME RECLUSTER");
      await db.run("ALTER TABLE EVENTS DROP CLUSTERING KEY");
      assert.equal((await shown(db, "EVENTS", ["cluster_by"]))[0], "");
    },
  );

  await t.step("ALTER VIEW … SET SECURE is accepted; BITSHIFTLEFT / RIGHT", async () => {
    await db.run("CREATE VIEW EVENTS_V AS SELECT * FROM EVENTS");
    await db.run("ALTER VIEW EVENTS_V SET SECURE");
    const r = await db.run("SELECT BITSHIFTLEFT(1, 4), BITSHIFTRIGHT(16, 2)");
    assert.deepEqual(r.rows, [["16", "4"]]);
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/create-schema
conformance("CREATE SCHEMA options, ALTER SCHEMA | DATABASE properties", async ({ db }) => {
  await db.run("CREATE SCHEMA IF NOT EXISTS GOVERNED WITH MANAGED ACCESS");
  await db.run("CREATE SCHEMA KEPT DATA_RETENTION_TIME_IN_DAYS = 3");
  await db.run("CREATE OR REPLACE TRANSIENT SCHEMA SCRATCH WITH MANAGED ACCESS");
  await db.run("SHOW SCHEMAS");
  const names = (await db.run(
    `SELECT "name" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))
     WHERE "name" IN ('GOVERNED', 'KEPT', 'SCRATCH') ORDER BY 1`,
  )).rows;
  assert.deepEqual(names, [["GOVERNED"], ["KEPT"], ["SCRATCH"]]);
  await db.run("ALTER SCHEMA GOVERNED SET DATA_RETENTION_TIME_IN_DAYS = 1");
  await db.run("ALTER SCHEMA GOVERNED DISABLE MANAGED ACCESS");
  await db.run("ALTER DATABASE IF EXISTS NOPE SET DATA_RETENTION_TIME_IN_DAYS = 1");
  await assert.rejects(() => db.run("ALTER SCHEMA GOVERNED RENAME TO OTHER"), /Unsupported/);
  await assert.rejects(() => db.run("CREATE SCHEMA BROKEN WITH MANAGED"));
});
