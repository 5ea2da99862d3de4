/**
 * GET_DDL: the statement that recreates an object, in the shape Snowflake's GET_DDL page shows
 * (`create or replace TABLE BOOKS_TABLE (` with one tab-indented column a line and a closing `);`;
 * a view as `create or replace view NAME as <its query>;`). What it returns must run: each object
 * is dropped, recreated from its DDL, and gives the same DDL again.
 */
import assert from "node:assert/strict";
import { conformance, once, type Session } from "./harness.ts";

const ddlOf = async (db: Session, kind: string, name: string, qualified = false) =>
  (await db.run(`SELECT GET_DDL('${kind}', '${name}'${qualified ? ", TRUE" : ""})`)).rows[0][0]!;

// https://docs.snowflake.com/en/sql-reference/functions/get_ddl
conformance("GET_DDL returns DDL that recreates the object", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE books_table (id NUMBER, title VARCHAR(255))",
      "CREATE VIEW books_view AS SELECT title FROM books_table",
    ]);
  });

  await t.step("a table: one tab-indented column a line", async () => {
    await ready();
    assert.equal(
      await ddlOf(db, "table", "books_table"),
      "create or replace TABLE BOOKS_TABLE (\n\tID NUMBER(38,0),\n\tTITLE VARCHAR(255)\n);",
    );
  });

  await t.step("a view: its query as written", async () => {
    await ready();
    assert.equal(
      await ddlOf(db, "view", "books_view"),
      "create or replace view BOOKS_VIEW as SELECT title FROM books_table;",
    );
  });

  await t.step("the third argument qualifies the name", async () => {
    await ready();
    assert.match(
      await ddlOf(db, "TABLE", "BOOKS_TABLE", true),
      /^create or replace TABLE STREAMING_INGEST\.STREAMING_INGEST\.BOOKS_TABLE \(/,
    );
  });

  await t.step("each kind's DDL runs and gives the same DDL again", async () => {
    await db.runAll([
      `CREATE TABLE TICKETS (ID NUMBER AUTOINCREMENT START 5 INCREMENT 2 ORDER PRIMARY KEY,
         HOLDER VARCHAR NOT NULL COMMENT 'who', PRICE NUMBER(8,2) DEFAULT 0, "odd name" VARCHAR(10))
         COMMENT = 'sold tickets'`,
      "CREATE SEQUENCE TICKET_SEQ START = 100 INCREMENT = 10",
      `CREATE DYNAMIC TABLE HOLDER_TOTALS TARGET_LAG = '1 minute' WAREHOUSE = W
         AS SELECT HOLDER, SUM(PRICE) AS TOTAL FROM TICKETS GROUP BY HOLDER`,
      "CREATE PIPE TICKETS_IN AS COPY INTO TICKETS FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))",
      "CREATE STREAM TICKET_CHANGES ON TABLE TICKETS APPEND_ONLY = TRUE",
    ]);
    const objects: [string, string, string][] = [
      ["SEQUENCE", "TICKET_SEQ", "SEQUENCE"],
      ["PIPE", "TICKETS_IN", "PIPE"],
      ["STREAM", "TICKET_CHANGES", "STREAM"],
      ["DYNAMIC_TABLE", "HOLDER_TOTALS", "DYNAMIC TABLE"],
      ["VIEW", "BOOKS_VIEW", "VIEW"],
    ];
    const before = new Map<string, string>();
    for (const [kind, name] of objects) before.set(name, await ddlOf(db, kind, name));
    const table = await ddlOf(db, "TABLE", "TICKETS");
    assert.equal(
      table,
      "create or replace TABLE TICKETS (\n" +
        "\tID NUMBER(38,0) NOT NULL autoincrement start 5 increment 2 order,\n" +
        "\tHOLDER VARCHAR(16777216) NOT NULL COMMENT 'who',\n" +
        "\tPRICE NUMBER(8,2) DEFAULT 0,\n" +
        '\t"odd name" VARCHAR(10),\n' +
        "\tprimary key (ID)\n" +
        ") COMMENT='sold tickets';",
    );
    // Dependents first, then the table, then recreated in the other order.
    for (const [, name, kind] of objects) await db.run(`DROP ${kind} ${name}`);
    await db.run("DROP TABLE TICKETS");
    await db.run(table);
    assert.equal(await ddlOf(db, "TABLE", "TICKETS"), table);
    for (const [kind, name] of [...objects].reverse()) {
      await db.run(before.get(name)!);
      assert.equal(await ddlOf(db, kind, name), before.get(name), `${kind} ${name}`);
    }
  });

  await t.step("a schema's DDL holds its objects', and runs as one script", async () => {
    await db.runAll([
      "CREATE SCHEMA shop",
      "CREATE SEQUENCE shop.order_seq START = 10",
      "CREATE TABLE shop.orders (id NUMBER DEFAULT shop.order_seq.NEXTVAL, item VARCHAR)",
      "CREATE VIEW shop.items AS SELECT DISTINCT item FROM shop.orders",
      "USE SCHEMA STREAMING_INGEST.STREAMING_INGEST",
    ]);
    const ddl = await ddlOf(db, "SCHEMA", "SHOP");
    assert.match(ddl, /^create or replace schema SHOP;\n\ncreate or replace sequence ORDER_SEQ /);
    assert.match(
      ddl,
      /\n\ncreate or replace view ITEMS as SELECT DISTINCT item FROM shop\.orders;$/,
    );
    await db.run("DROP SCHEMA shop");
    await db.script(ddl);
    assert.equal(await ddlOf(db, "SCHEMA", "STREAMING_INGEST.SHOP"), ddl);
    await db.run("INSERT INTO STREAMING_INGEST.SHOP.ORDERS (item) VALUES ('wax')");
    const r = await db.run("SELECT id FROM STREAMING_INGEST.SHOP.ORDERS");
    assert.deepEqual(r.rows, [["10"]]);
    assert.match(
      await ddlOf(db, "DATABASE", "STREAMING_INGEST"),
      /^create or replace database STREAMING_INGEST;\n\ncreate or replace schema /,
    );
    await db.run("USE SCHEMA STREAMING_INGEST.STREAMING_INGEST");
  });

  await t.step("a missing object, or one of another kind, is an error", async () => {
    await ready();
    await db.expectError("SELECT GET_DDL('TABLE', 'NOPE')", { code: "002003" });
    await db.expectError("SELECT GET_DDL('VIEW', 'BOOKS_TABLE')", { code: "002003" });
    await db.expectError("SELECT GET_DDL('SCHEMA', 'NO_SUCH_SCHEMA')", { code: "002003" });
    await db.expectError("SELECT GET_DDL('TASK', 'T')", { code: "000002" });
  });
});
