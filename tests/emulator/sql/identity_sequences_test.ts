/**
 * AUTOINCREMENT / IDENTITY columns, sequences and DEFAULTs, as a team's own tables declare them:
 * numbered by INSERT, MERGE and Snowpipe Streaming alike, described as Snowflake describes them,
 * kept by each table on its own (LIKE starts afresh, CLONE goes on from its source) and across a
 * restart. `CREATE SEQUENCE` with `seq.NEXTVAL` in queries, inserts and column defaults.
 *
 * Snowflake's default pipe `<TABLE>-STREAMING` fills DEFAULT and AUTOINCREMENT columns that a
 * streamed row leaves out (its pipe documentation); a time function in a DEFAULT is evaluated
 * once, when the pipe compiles, not per row (the Snowpipe Streaming limitations page). A key
 * given as JSON null is a value: NULL.
 */
import assert from "node:assert/strict";
import { records, type Session } from "./conformance/harness.ts";
import { appendAndCommit, openSession, testStreamingClient } from "./helpers.ts";

/** An emulator in `dataDir` (kept: a second start reads it again) and a signed-in session. */
const open = (dataDir: string) => openSession(dataDir);

const rowsOf = async (db: Session, sql: string) => (await db.run(sql)).rows;

Deno.test({
  name: "AUTOINCREMENT / IDENTITY columns number the rows that leave them out, and keep counting",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "liftline-identity-" });
    let e = await open(dataDir);
    try {
      const db = e.db;
      await db.runAll([
        `CREATE TABLE TICKETS (ID NUMBER AUTOINCREMENT START 1 INCREMENT 1,
           HOLDER VARCHAR NOT NULL, PRICE NUMBER(8,2) DEFAULT 0)`,
        `CREATE TABLE BADGES (K INT IDENTITY(10, 5) ORDER, V VARCHAR)`,
        `CREATE TABLE COUNTDOWN (K INT AUTOINCREMENT START -1 INCREMENT -2, V VARCHAR)`,
      ]);

      await t.step("INSERT, INSERT … SELECT, DEFAULT and MERGE take the next numbers", async () => {
        await db.run("INSERT INTO TICKETS (HOLDER, PRICE) VALUES ('ana', 49.5), ('ben', 52)");
        await db.run("INSERT INTO TICKETS (HOLDER) SELECT 'cy'");
        await db.run("INSERT INTO TICKETS VALUES (DEFAULT, 'dee', 10)");
        // An explicit value is kept and does not move the sequence.
        await db.run("INSERT INTO TICKETS (ID, HOLDER) VALUES (100, 'eve')");
        await db.run(`MERGE INTO TICKETS t USING (SELECT 'fay' AS HOLDER) s ON t.HOLDER = s.HOLDER
          WHEN NOT MATCHED THEN INSERT (HOLDER) VALUES (s.HOLDER)`);
        assert.deepEqual(await rowsOf(db, "SELECT ID, HOLDER, PRICE FROM TICKETS ORDER BY ID"), [
          ["1", "ana", "49.50"],
          ["2", "ben", "52.00"],
          ["3", "cy", "0.00"],
          ["4", "dee", "10.00"],
          ["5", "fay", "0.00"],
          ["100", "eve", "0.00"],
        ]);
      });

      await t.step("IDENTITY(start, step) and a negative step count as declared", async () => {
        await db.run("INSERT INTO BADGES (V) VALUES ('x'), ('y'), ('z')");
        await db.run("INSERT INTO COUNTDOWN (V) VALUES ('x'), ('y')");
        assert.deepEqual(await rowsOf(db, "SELECT K FROM BADGES ORDER BY V"), [
          ["10"],
          ["15"],
          ["20"],
        ]);
        assert.deepEqual(await rowsOf(db, "SELECT K FROM COUNTDOWN ORDER BY V"), [["-1"], ["-3"]]);
      });

      await t.step("DESCRIBE and INFORMATION_SCHEMA.COLUMNS show the identity", async () => {
        const described = records(await db.run("DESCRIBE TABLE BADGES"));
        assert.equal(described[0].default, "IDENTITY START 10 INCREMENT 5 ORDER");
        assert.equal(
          records(await db.run("DESCRIBE TABLE TICKETS"))[0].default,
          "IDENTITY START 1 INCREMENT 1 NOORDER",
        );
        assert.deepEqual(
          await rowsOf(
            db,
            `SELECT COLUMN_NAME, COLUMN_DEFAULT, IS_IDENTITY, IDENTITY_START, IDENTITY_INCREMENT,
               IDENTITY_ORDERED FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'BADGES'
             ORDER BY ORDINAL_POSITION`,
          ),
          [["K", null, "YES", "10", "5", "YES"], ["V", null, "NO", null, null, null]],
        );
      });

      await t.step(
        "CLONE goes on from its source; LIKE starts afresh; each on its own",
        async () => {
          await db.run("CREATE TABLE BADGES_CLONE CLONE BADGES");
          await db.run("CREATE TABLE BADGES_LIKE LIKE BADGES");
          await db.run("INSERT INTO BADGES_CLONE (V) VALUES ('clone')");
          await db.run("INSERT INTO BADGES_LIKE (V) VALUES ('like')");
          await db.run("INSERT INTO BADGES (V) VALUES ('source')");
          assert.deepEqual(await rowsOf(db, "SELECT K FROM BADGES_CLONE WHERE V = 'clone'"), [[
            "25",
          ]]);
          assert.deepEqual(await rowsOf(db, "SELECT K FROM BADGES_LIKE"), [["10"]]);
          assert.deepEqual(await rowsOf(db, "SELECT K FROM BADGES WHERE V = 'source'"), [["25"]]);
        },
      );

      await t.step("CREATE OR REPLACE starts again from the declared start", async () => {
        await db.run("CREATE OR REPLACE TABLE COUNTDOWN (K INT AUTOINCREMENT, V VARCHAR)");
        await db.run("INSERT INTO COUNTDOWN (V) VALUES ('again')");
        assert.deepEqual(await rowsOf(db, "SELECT K FROM COUNTDOWN"), [["1"]]);
      });

      await t.step("ADD COLUMN … AUTOINCREMENT works on an empty table only", async () => {
        await db.run("CREATE TABLE LATE (V VARCHAR)");
        await db.run("ALTER TABLE LATE ADD COLUMN K INT AUTOINCREMENT");
        await db.run("INSERT INTO LATE (V) VALUES ('a')");
        assert.deepEqual(await rowsOf(db, "SELECT V, K FROM LATE"), [["a", "1"]]);
        const err = await db.expectError("ALTER TABLE LATE ADD COLUMN K2 INT AUTOINCREMENT", {
          sqlState: "0A000",
        });
        assert.match(err.message, /AUTOINCREMENT/);
        await db.run("ALTER TABLE LATE DROP COLUMN K");
        await db.run("DROP TABLE LATE");
      });

      await t.step("a bad declaration fails its CREATE", async () => {
        await db.expectError("CREATE TABLE BAD (K VARCHAR AUTOINCREMENT)", {
          message: /numeric/,
        });
        await db.expectError("CREATE TABLE BAD (K INT AUTOINCREMENT DEFAULT 1)", {
          message: /DEFAULT and AUTOINCREMENT/,
        });
        await db.expectError("CREATE TABLE BAD (K INT AUTOINCREMENT (1, 0))", {
          message: /by 0/,
        });
        await db.expectError("SELECT * FROM BAD", { sqlState: "42S02" });
      });

      await t.step("a wider type keeps numbering past the old type's range", async () => {
        await db.run(
          `CREATE TABLE WIDE (ID NUMBER(10,0) AUTOINCREMENT START 9999999999 INCREMENT 1, V INT,
          N NUMBER(10,0) DEFAULT 9999999999)`,
        );
        await db.run("INSERT INTO WIDE (V) VALUES (1)");
        await db.run("ALTER TABLE WIDE ALTER COLUMN ID SET DATA TYPE NUMBER(20,0)");
        await db.run("INSERT INTO WIDE (V) VALUES (2)");
        assert.deepEqual(await rowsOf(db, "SELECT ID, N FROM WIDE ORDER BY V"), [
          ["9999999999", "9999999999"],
          ["10000000000", "9999999999"],
        ]);
      });

      await t.step("names with quotes and apostrophes", async () => {
        await db.run(`CREATE TABLE "it's ""odd""" ("my ""id""" INT AUTOINCREMENT, V VARCHAR)`);
        await db.run(`INSERT INTO "it's ""odd""" (V) VALUES ('a'), ('b')`);
        assert.deepEqual(await rowsOf(db, `SELECT "my ""id""" FROM "it's ""odd""" ORDER BY V`), [
          ["1"],
          ["2"],
        ]);
        await db.run(`DROP TABLE "it's ""odd"""`);
      });

      await t.step("a restart keeps each sequence where it was", async () => {
        await e.close();
        e = await open(dataDir);
        await e.db.run("INSERT INTO TICKETS (HOLDER) VALUES ('gus')");
        assert.deepEqual(await rowsOf(e.db, "SELECT ID FROM TICKETS WHERE HOLDER = 'gus'"), [[
          "6",
        ]]);
      });
    } finally {
      await e.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "Snowpipe Streaming fills the DEFAULT and AUTOINCREMENT columns a row leaves out",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "liftline-identity-ssv2-" });
    const e = await open(dataDir);
    try {
      await e.db.run("CREATE SEQUENCE TICKET_SEQ START 1000 INCREMENT 2");
      await e.db.run(`CREATE TABLE SCANS (
        SCAN_ID NUMBER AUTOINCREMENT PRIMARY KEY,
        GATE VARCHAR NOT NULL,
        SOURCE VARCHAR DEFAULT 'turnstile',
        LOADED_AT TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
        TICKET NUMBER DEFAULT TICKET_SEQ.NEXTVAL)`);
      const client = await testStreamingClient(e.emu.url, e.privateKeyPem);
      const pipe = "SCANS-STREAMING", channel = "gates";
      const gates = Array.from({ length: 2_500 }, (_, i) => `G${i}`);
      const scanned = await appendAndCommit(client, pipe, channel, [
        ...gates.map((g) => JSON.stringify({ GATE: g })),
        JSON.stringify({ GATE: "web", SOURCE: "app" }),
        JSON.stringify({ GATE: "null", SOURCE: null }),
        JSON.stringify({ GATE: "given", SCAN_ID: 900_000 }),
      ]);
      assert.equal(scanned.rowsErrorCount, 0, `rows rejected: ${scanned.lastErrorMessage}`);
      // An INSERT afterwards takes a number after the streamed ones.
      await e.db.run("INSERT INTO SCANS (GATE) VALUES ('sql')");

      const [summary] = await rowsOf(
        e.db,
        `SELECT COUNT(*), COUNT(DISTINCT SCAN_ID), COUNT(SCAN_ID), COUNT(DISTINCT LOADED_AT),
           COUNT(LOADED_AT), COUNT_IF(SOURCE = 'turnstile'), COUNT(DISTINCT TICKET),
           MIN(TICKET) >= 1000 AND MOD(MIN(TICKET), 2) = 0
         FROM SCANS WHERE GATE LIKE 'G%'`,
      );
      // Every streamed row numbered, each number once; one load time for the pipe's rows.
      assert.deepEqual(summary, ["2500", "2500", "2500", "1", "2500", "2500", "2500", "True"]);
      // Numbered in the order the rows came.
      const ordered = await rowsOf(
        e.db,
        `SELECT COUNT(*) FROM (SELECT SCAN_ID, TRY_TO_NUMBER(SUBSTR(GATE, 2)) AS N,
           LAG(SCAN_ID) OVER (ORDER BY N) AS PREV FROM SCANS WHERE GATE LIKE 'G%')
         WHERE PREV IS NOT NULL AND SCAN_ID <= PREV`,
      );
      assert.deepEqual(ordered, [["0"]]);
      assert.deepEqual(
        await rowsOf(
          e.db,
          "SELECT GATE, SOURCE FROM SCANS WHERE GATE IN ('web', 'null') ORDER BY GATE",
        ),
        [["null", null], ["web", "app"]],
      );
      assert.deepEqual(await rowsOf(e.db, "SELECT SCAN_ID FROM SCANS WHERE GATE = 'given'"), [[
        "900000",
      ]]);
      const [[maxStreamed], [sqlId]] = [
        ...(await rowsOf(e.db, "SELECT MAX(SCAN_ID) FROM SCANS WHERE GATE <> 'given'")),
        ...(await rowsOf(e.db, "SELECT SCAN_ID FROM SCANS WHERE GATE = 'sql'")),
      ];
      assert.equal(maxStreamed, sqlId, "the INSERT's number comes after every streamed one");

      // A default that leaves a NOT NULL column NULL makes the row bad, not the channel stuck;
      // a FLOAT default of infinity stays infinity.
      await e.db.run(`CREATE TABLE STRICT (K VARCHAR, NN VARCHAR NOT NULL DEFAULT NULL,
        F FLOAT DEFAULT 'inf'::FLOAT)`);
      const strict = await appendAndCommit(client, "STRICT-STREAMING", channel, [
        JSON.stringify({ K: "no NN" }),
        JSON.stringify({ K: "ok", NN: "x" }),
      ]);
      assert.equal(strict.rowsErrorCount, 1);
      assert.match(strict.lastErrorMessage ?? "", /NULL result in a non-nullable column/);
      assert.deepEqual(await rowsOf(e.db, "SELECT K, NN, F FROM STRICT"), [["ok", "x", "inf"]]);
    } finally {
      await e.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "CREATE SEQUENCE: NEXTVAL in queries, inserts and defaults; SHOW and DESCRIBE list it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "liftline-sequences-" });
    let e = await open(dataDir);
    try {
      const db = e.db;
      await db.run("CREATE SEQUENCE SEQ1");
      await db.run("CREATE OR REPLACE SEQUENCE SEQ2 START = 100 INCREMENT = 10 COMMENT = 'tens'");

      await t.step("each NEXTVAL, and each row's, is a new number", async () => {
        assert.deepEqual(await rowsOf(db, "SELECT SEQ1.NEXTVAL, SEQ1.NEXTVAL"), [["1", "2"]]);
        assert.deepEqual(
          await rowsOf(
            db,
            "SELECT SEQ2.NEXTVAL AS N FROM TABLE(GENERATOR(ROWCOUNT => 3)) ORDER BY N",
          ),
          [["100"], ["110"], ["120"]],
        );
        const r = await db.run("SELECT STREAMING_INGEST.STREAMING_INGEST.SEQ1.NEXTVAL");
        assert.deepEqual(r.columns.map((c) => [c.name, c.type, c.scale]), [[
          "NEXTVAL",
          "fixed",
          0,
        ]]);
        assert.deepEqual(r.rows, [["3"]]);
      });

      await t.step("IF NOT EXISTS keeps it; a second CREATE is refused", async () => {
        await db.run("CREATE SEQUENCE IF NOT EXISTS SEQ2 START = 5");
        await db.expectError("CREATE SEQUENCE SEQ2", { code: "002002" });
      });

      await t.step("SHOW SEQUENCES and DESCRIBE SEQUENCE give the next value", async () => {
        const shown = records(await db.run("SHOW SEQUENCES LIKE 'SEQ%'"));
        assert.deepEqual(
          shown.map((r) => [r.name, r.next_value, r.interval, r.comment, r.ordered]),
          [["SEQ1", "4", "1", "", "N"], ["SEQ2", "130", "10", "tens", "N"]],
        );
        const described = records(await db.run("DESC SEQUENCE SEQ2"));
        assert.deepEqual(described.map((r) => [r.name, r.next_value]), [["SEQ2", "130"]]);
      });

      await t.step("INFORMATION_SCHEMA.SEQUENCES lists them with their next value", async () => {
        const r = await db.run(
          `SELECT SEQUENCE_NAME, START_VALUE, NEXT_VALUE, INCREMENT, COMMENT
           FROM INFORMATION_SCHEMA.SEQUENCES WHERE SEQUENCE_NAME LIKE 'SEQ%' ORDER BY 1`,
        );
        assert.deepEqual(r.rows, [["SEQ1", "1", "4", "1", null], [
          "SEQ2",
          "100",
          "130",
          "10",
          "tens",
        ]]);
      });

      await t.step("a column DEFAULT and an INSERT draw from it", async () => {
        await db.run("CREATE TABLE ORDERS (ID NUMBER DEFAULT SEQ2.NEXTVAL, ITEM VARCHAR)");
        await db.run("INSERT INTO ORDERS (ITEM) VALUES ('a'), ('b')");
        await db.run("INSERT INTO ORDERS (ID, ITEM) SELECT SEQ1.NEXTVAL, 'c'");
        assert.deepEqual(await rowsOf(db, "SELECT ID, ITEM FROM ORDERS ORDER BY ITEM"), [
          ["130", "a"],
          ["140", "b"],
          ["4", "c"],
        ]);
        assert.equal(records(await db.run("DESCRIBE TABLE ORDERS"))[0].default, "SEQ2.NEXTVAL");
      });

      await t.step("numbers drawn in a rolled-back transaction are not given again", async () => {
        await db.run("BEGIN");
        assert.deepEqual(await rowsOf(db, "SELECT SEQ1.NEXTVAL"), [["5"]]);
        await db.run("ROLLBACK");
        assert.deepEqual(await rowsOf(db, "SELECT SEQ1.NEXTVAL"), [["6"]]);
      });

      await t.step("what the emulator does not do is refused by name", async () => {
        await db.expectError("CREATE VIEW V AS SELECT SEQ1.NEXTVAL AS N", {
          sqlState: "0A000",
          message: /sequence/,
        });
        await db.expectError(
          "CREATE DYNAMIC TABLE D TARGET_LAG = '1 minute' WAREHOUSE = W AS SELECT SEQ1.NEXTVAL AS N",
          { sqlState: "0A000", message: /sequence/ },
        );
        await db.expectError("DROP SEQUENCE SEQ2", { sqlState: "0A000", message: /ORDERS\.ID/ });
        await db.expectError("CREATE SEQUENCE BAD INCREMENT 0", { message: /by 0/ });
      });

      await t.step("names with quotes and apostrophes", async () => {
        await db.run(`CREATE SEQUENCE "it's ""q"""`);
        assert.deepEqual(await rowsOf(db, `SELECT "it's ""q""".NEXTVAL`), [["1"]]);
        await db.run(`CREATE TABLE QUOTED (ID NUMBER DEFAULT "it's ""q""".NEXTVAL, V VARCHAR)`);
        await db.run("INSERT INTO QUOTED (V) VALUES ('a')");
        assert.deepEqual(await rowsOf(db, "SELECT ID FROM QUOTED"), [["2"]]);
        await db.expectError(`DROP SEQUENCE "it's ""q"""`, { sqlState: "0A000" });
        await db.run("DROP TABLE QUOTED");
        await db.run(`DROP SEQUENCE "it's ""q"""`);
      });

      await t.step(
        "a schema or database goes with its sequences and the tables using them",
        async () => {
          await db.runAll([
            "CREATE DATABASE SHOP",
            "CREATE SEQUENCE SHOP.PUBLIC.S",
            "CREATE TABLE SHOP.PUBLIC.T (X NUMBER DEFAULT SHOP.PUBLIC.S.NEXTVAL, Y VARCHAR)",
            "CREATE SCHEMA SHOP.INNER_S",
            "CREATE SEQUENCE SHOP.INNER_S.S",
            "CREATE TABLE SHOP.INNER_S.T (X NUMBER DEFAULT SHOP.INNER_S.S.NEXTVAL)",
            "DROP SCHEMA SHOP.INNER_S",
            "CREATE DATABASE OTHER",
            "CREATE TABLE OTHER.PUBLIC.T (X NUMBER DEFAULT SHOP.PUBLIC.S.NEXTVAL, Y VARCHAR)",
            "INSERT INTO OTHER.PUBLIC.T (Y) VALUES ('kept')",
          ]);
          // Another database's table uses a sequence of SHOP: replacing SHOP is refused, and the
          // other table keeps its rows (DuckDB would have dropped it along).
          await db.expectError("CREATE OR REPLACE DATABASE SHOP", { sqlState: "0A000" });
          assert.deepEqual(await rowsOf(db, "SELECT X, Y FROM OTHER.PUBLIC.T"), [["1", "kept"]]);
          await db.run("DROP DATABASE OTHER");
          await db.run("DROP DATABASE SHOP");
          await db.run("USE SCHEMA STREAMING_INGEST.STREAMING_INGEST");
        },
      );

      await t.step("a restart keeps the sequences where they were", async () => {
        await e.close();
        e = await open(dataDir);
        assert.deepEqual(await rowsOf(e.db, "SELECT SEQ1.NEXTVAL"), [["7"]]);
        await e.db.run("INSERT INTO ORDERS (ITEM) VALUES ('d')");
        assert.deepEqual(await rowsOf(e.db, "SELECT ID FROM ORDERS WHERE ITEM = 'd'"), [["150"]]);
      });

      await t.step("DROP SEQUENCE removes it", async () => {
        await e.db.run("DROP TABLE ORDERS");
        await e.db.run("DROP SEQUENCE SEQ2");
        await e.db.expectError("DROP SEQUENCE SEQ2", { sqlState: "42S02" });
        assert.deepEqual(records(await e.db.run("SHOW SEQUENCES")).map((r) => r.name), ["SEQ1"]);
      });
    } finally {
      await e.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
