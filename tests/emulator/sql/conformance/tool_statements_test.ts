/**
 * Statements as tools write them rather than people: the shapes dbt-snowflake's materializations
 * send (a CTAS in parentheses, an empty probe query, an incremental MERGE whose NOT MATCHED clause
 * names the source's columns unqualified, ALTER … MODIFY for a wider type, SWAP WITH for a
 * blue-green switch) and the grants it reads back. Each is Snowflake's documented syntax; the expected rows follow from it.
 */
import assert from "node:assert/strict";
import { columnNames, conformance, expectRows, records } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/sql/merge ("WHEN NOT MATCHED … INSERT … VALUES":
// the values come from the source row; there is no target row to name)
// https://docs.snowflake.com/en/sql-reference/sql/alter-table-column ({ ALTER | MODIFY })
// https://docs.snowflake.com/en/sql-reference/sql/show-grants
conformance("an incremental model's statements, as dbt sends them", async ({ db }, t) => {
  await t.step("CTAS in parentheses, then an empty probe of its columns", async () => {
    await db.run(
      "create or replace transient table my_model as (select 1 as id, 'a' as name, 'x' as note)",
    );
    const probe = await db.run("select * from (select * from my_model) as __dbt_sbq limit 0");
    assert.deepEqual(columnNames(probe), ["ID", "NAME", "NOTE"]);
    assert.equal(probe.rows.length, 0);
  });

  await t.step("MERGE: unqualified names in NOT MATCHED are the source's", async () => {
    await db.runAll([
      `create or replace temporary table my_model__dbt_tmp as
         (select 1 as id, 'A' as name, 'y' as note union all select 2, 'b', 'z')`,
      `merge into my_model as DBT_INTERNAL_DEST using my_model__dbt_tmp as DBT_INTERNAL_SOURCE
         on (DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id)
       when matched then update set "NAME" = DBT_INTERNAL_SOURCE."NAME"
       when not matched and note <> 'skip' then insert ("ID", "NAME", "NOTE")
         values ("ID", "NAME", "NOTE")`,
    ]);
    await expectRows(db, "select id, name, note from my_model order by id", {
      rows: [["1", "A", "x"], ["2", "b", "z"]],
    });
    // In a MATCHED clause both rows exist: a name of both is ambiguous, as in Snowflake.
    await db.expectError(
      `merge into my_model d using my_model__dbt_tmp s on s.id = d.id
       when matched then update set name = note`,
      { message: "ambiguous" },
    );
  });

  await t.step("ALTER TABLE … MODIFY [COLUMN] widens a column", async () => {
    await db.run("create or replace table widen (s varchar(10), n number(5,0) not null)");
    await db.run("alter table widen modify column s varchar(40)");
    await db.run("alter table widen modify s set data type varchar(50)");
    await db.run("alter table widen modify column n drop not null");
    const r = records(await db.run("describe table widen"));
    assert.deepEqual(r.map((c) => [c.name, c.type, c["null?"]]), [
      ["S", "VARCHAR(50)", "Y"],
      ["N", "NUMBER(5,0)", "Y"],
    ]);
  });

  // https://docs.snowflake.com/en/sql-reference/sql/alter-table (SWAP WITH)
  await t.step("ALTER TABLE … SWAP WITH trades the two tables' names", async () => {
    await db.runAll([
      "create or replace table live (x int)",
      "insert into live values (1)",
      "create or replace table staged (x int, y varchar)",
      "insert into staged values (2, 'new')",
      "alter table staged swap with live",
    ]);
    await expectRows(db, "select * from live", { rows: [["2", "new"]] });
    await expectRows(db, "select * from staged", { rows: [["1"]] });
    await db.expectError("alter table live swap with nothing_here", { code: "002003" });
  });

  await t.step("SHOW GRANTS ON a table: its owner's OWNERSHIP", async () => {
    const r = records(await db.run("show grants on table my_model"));
    assert.deepEqual(r.map((g) => [g.privilege, g.granted_on, g.name, g.granted_to]), [
      ["OWNERSHIP", "TABLE", "STREAMING_INGEST.STREAMING_INGEST.MY_MODEL", "ROLE"],
    ]);
    const onSchema = records(
      await db.run("show grants on schema streaming_ingest.streaming_ingest"),
    );
    assert.deepEqual(onSchema.map((g) => [g.privilege, g.granted_on, g.name]), [
      ["OWNERSHIP", "SCHEMA", "STREAMING_INGEST.STREAMING_INGEST"],
    ]);
    const onDatabase = records(await db.run("show grants on database streaming_ingest"));
    assert.deepEqual(onDatabase.map((g) => [g.granted_on, g.name]), [
      ["DATABASE", "STREAMING_INGEST"],
    ]);
    assert.deepEqual(records(await db.run("show grants on warehouse any_wh")), []);
    await db.expectError("show grants on schema nope.nope", { code: "002003" });
    assert.deepEqual(columnNames(await db.run("show grants")), [
      "created_on",
      "privilege",
      "granted_on",
      "name",
      "granted_to",
      "grantee_name",
      "grant_option",
      "granted_by",
    ]);
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/show-primary-keys (what ORM reflection reads)
conformance("SHOW PRIMARY | UNIQUE | IMPORTED KEYS list the declared keys", async ({ db }) => {
  await db.runAll([
    "create table orders (shop varchar, id int, code varchar unique, primary key (shop, id))",
    "create table shops (shop varchar primary key)",
  ]);
  const pk = records(await db.run("show primary keys in table orders"));
  assert.deepEqual(pk.map((k) => [k.table_name, k.column_name, k.key_sequence]), [
    ["ORDERS", "SHOP", "1"],
    ["ORDERS", "ID", "2"],
  ]);
  const all = records(await db.run("show primary keys in schema"));
  assert.deepEqual([...new Set(all.map((k) => k.table_name))].sort(), ["ORDERS", "SHOPS"]);
  const unique = records(await db.run("show unique keys in table orders"));
  assert.deepEqual(unique.map((k) => k.column_name), ["CODE"]);
  assert.equal((await db.run("show imported keys in table orders")).rows.length, 0);
});
