/**
 * Explicit transactions, as Snowflake's "Transactions" page describes them, through the raw
 * snowflake-sdk: BEGIN … COMMIT | ROLLBACK group DML, a session sees its own changes and others
 * see none until COMMIT, DDL commits first, and a session that ends rolls its transaction back.
 */
import assert from "node:assert/strict";
import {
  conformance,
  expectRows,
  Session,
  startConformanceEmulator,
  withConformance,
} from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/transactions (Explicit transactions; ROLLBACK)
conformance("Transactions: COMMIT keeps every statement, ROLLBACK none", async ({ db }, t) => {
  await db.run("CREATE TABLE tx_t (i INTEGER, s VARCHAR);");

  await t.step("BEGIN; two INSERTs; ROLLBACK leaves the table as it was", async () => {
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_t VALUES (1, 'one');");
    await db.run("INSERT INTO tx_t VALUES (2, 'two');");
    // The session sees its own uncommitted rows.
    await expectRows(db, "SELECT COUNT(*) FROM tx_t;", { rows: [["2"]] });
    await db.run("ROLLBACK;");
    await expectRows(db, "SELECT COUNT(*) FROM tx_t;", { rows: [["0"]] });
  });

  await t.step("BEGIN TRANSACTION … COMMIT keeps them; UPDATE and DELETE too", async () => {
    await db.run("BEGIN TRANSACTION;");
    await db.run("INSERT INTO tx_t VALUES (1, 'one'), (2, 'two'), (3, 'three');");
    await db.run("UPDATE tx_t SET s = 'TWO' WHERE i = 2;");
    await db.run("DELETE FROM tx_t WHERE i = 3;");
    await db.run("COMMIT;");
    await expectRows(db, "SELECT i, s FROM tx_t ORDER BY i;", {
      rows: [["1", "one"], ["2", "TWO"]],
    });
  });

  await t.step("a rolled-back UPDATE and DELETE leave every row as it was", async () => {
    await db.run("START TRANSACTION;");
    await db.run("UPDATE tx_t SET s = 'changed';");
    await db.run("DELETE FROM tx_t WHERE i = 1;");
    await expectRows(db, "SELECT i, s FROM tx_t ORDER BY i;", { rows: [["2", "changed"]] });
    await db.run("ROLLBACK;");
    await expectRows(db, "SELECT i, s FROM tx_t ORDER BY i;", {
      rows: [["1", "one"], ["2", "TWO"]],
    });
  });

  await t.step("COMMIT and ROLLBACK without a transaction succeed and do nothing", async () => {
    await db.run("COMMIT;");
    await db.run("ROLLBACK;");
    await expectRows(db, "SELECT COUNT(*) FROM tx_t;", { rows: [["2"]] });
  });

  await t.step("BEGIN … COMMIT in one request (MULTI_STATEMENT_COUNT = 0)", async () => {
    await db.script("BEGIN; INSERT INTO tx_t VALUES (7, 'seven'); COMMIT;");
    await db.script("BEGIN; INSERT INTO tx_t VALUES (8, 'eight'); ROLLBACK;");
    await expectRows(db, "SELECT i FROM tx_t WHERE i > 2 ORDER BY i;", { rows: [["7"]] });
  });
});

// https://docs.snowflake.com/en/sql-reference/transactions (Isolation level: READ COMMITTED)
conformance("Transactions: other sessions see only committed rows", async ({ db, connect }, t) => {
  await db.run("CREATE TABLE tx_iso (i INTEGER);");
  const other = await connect();

  await t.step("uncommitted rows are invisible to another session until COMMIT", async () => {
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_iso VALUES (1), (2);");
    await expectRows(other, "SELECT COUNT(*) FROM tx_iso;", { rows: [["0"]] });
    await db.run("COMMIT;");
    await expectRows(other, "SELECT COUNT(*) FROM tx_iso;", { rows: [["2"]] });
  });

  await t.step("another session's INSERT waits for the COMMIT, and both stay", async () => {
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_iso VALUES (3);");
    let otherDone = false;
    const otherInsert = other.run("INSERT INTO tx_iso VALUES (4);").then(() => otherDone = true);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(otherDone, false, "the other session's write waits for the transaction");
    await db.run("COMMIT;");
    await otherInsert;
    await expectRows(db, "SELECT i FROM tx_iso ORDER BY i;", {
      rows: [["1"], ["2"], ["3"], ["4"]],
    });
  });

  await t.step("a session that ends with a transaction open rolls it back", async () => {
    const third = await connect();
    await third.run("BEGIN;");
    await third.run("INSERT INTO tx_iso VALUES (99);");
    await third.close();
    // The writer is free again, and the row was never committed.
    await db.run("INSERT INTO tx_iso VALUES (5);");
    await expectRows(db, "SELECT MAX(i), COUNT(*) FROM tx_iso;", { rows: [["5", "5"]] });
  });
});

conformance(
  "Transactions: a query in one session's transaction leaves no time zone behind",
  async ({ db, connect }, t) => {
    await t.step("another session's text timestamps read the same before and after", async () => {
      await db.run("CREATE TABLE tx_tz (n INTEGER, ts TIMESTAMP_LTZ);");
      const other = await connect();
      await other.run("ALTER SESSION SET TIMEZONE = 'America/New_York';");
      await db.run("INSERT INTO tx_tz VALUES (1, '2024-01-01 00:00:00');");
      await other.run("BEGIN;");
      await other.run("SELECT COUNT(*) FROM tx_tz;");
      await other.run("COMMIT;");
      await db.run("INSERT INTO tx_tz VALUES (2, '2024-01-01 00:00:00');");
      await expectRows(
        db,
        "SELECT COUNT(DISTINCT DATE_PART(epoch_second, ts)) FROM tx_tz;",
        { rows: [["1"]] },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/transactions (Autocommit: with AUTOCOMMIT off, a
// DML statement outside an explicit transaction starts one, which COMMIT or ROLLBACK ends)
conformance("Transactions: AUTOCOMMIT = FALSE", async ({ db, connect }, t) => {
  await t.step("DML starts a transaction that only COMMIT keeps", async () => {
    await db.run("CREATE TABLE tx_ac (i INTEGER);");
    const other = await connect();
    await db.run("ALTER SESSION SET AUTOCOMMIT = FALSE;");
    await db.run("INSERT INTO tx_ac VALUES (1);");
    await db.run("ROLLBACK;");
    await db.run("INSERT INTO tx_ac VALUES (2);");
    await expectRows(other, "SELECT COUNT(*) FROM tx_ac;", { rows: [["0"]] });
    await db.run("COMMIT;");
    await expectRows(other, "SELECT i FROM tx_ac;", { rows: [["2"]] });
    await db.run("ALTER SESSION SET AUTOCOMMIT = TRUE;");
    await db.run("INSERT INTO tx_ac VALUES (3);");
    await expectRows(other, "SELECT COUNT(*) FROM tx_ac;", { rows: [["2"]] });
  });

  await t.step("a value that is not a boolean is refused", async () => {
    await db.expectError("ALTER SESSION SET AUTOCOMMIT = 'sometimes';", { code: "001008" });
  });
});

// https://docs.snowflake.com/en/user-guide/streams-intro (Repeatable read isolation: every
// statement of a transaction reads the same changes of a stream, whose offset moves at COMMIT)
conformance("Transactions: every statement reads the same rows of a stream", async ({ db }, t) => {
  await t.step("two INSERTs from one stream, even ids and odd ids, both get theirs", async () => {
    await db.runAll([
      "CREATE TABLE tx_rr (id INTEGER);",
      "CREATE TABLE tx_even (id INTEGER);",
      "CREATE TABLE tx_odd (id INTEGER);",
      "CREATE STREAM tx_rr_s ON TABLE tx_rr;",
      "INSERT INTO tx_rr SELECT SEQ4() FROM TABLE(GENERATOR(ROWCOUNT => 10));",
    ]);
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_even SELECT id FROM tx_rr_s WHERE id % 2 = 0;");
    await db.run("INSERT INTO tx_odd SELECT id FROM tx_rr_s WHERE id % 2 = 1;");
    await db.run("COMMIT;");
    await expectRows(db, "SELECT COUNT(*) FROM tx_even;", { rows: [["5"]] });
    await expectRows(db, "SELECT COUNT(*) FROM tx_odd;", { rows: [["5"]] });
    await expectRows(db, "SELECT COUNT(*) FROM tx_rr_s;", { rows: [["0"]] });
  });
});

conformance("Transactions: one that only reads holds nobody up", async ({ db, connect }, t) => {
  await t.step("another session writes at once while it is open", async () => {
    await db.run("CREATE TABLE tx_ro (i INTEGER);");
    const other = await connect();
    await db.run("BEGIN;");
    await expectRows(db, "SELECT COUNT(*) FROM tx_ro;", { rows: [["0"]] });
    let done = false;
    const write = other.run("INSERT INTO tx_ro VALUES (1);").then(() => done = true);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(done, true, "the other session's INSERT did not wait");
    await write;
    await db.run("COMMIT;");
  });

  await t.step("BEGIN NAME and BEGIN TRANSACTION NAME start a transaction", async () => {
    for (
      const begin of ["BEGIN NAME t1;", "BEGIN TRANSACTION NAME t2;", "START TRANSACTION NAME t3;"]
    ) {
      await db.run(begin);
      await db.run("INSERT INTO tx_ro VALUES (99);");
      await db.run("ROLLBACK;");
    }
    await expectRows(db, "SELECT COUNT(*) FROM tx_ro WHERE i = 99;", { rows: [["0"]] });
  });
});

// https://docs.snowflake.com/en/sql-reference/data-types-datetime (TIMESTAMP_LTZ: a value without an
// offset is read in the session's TIMEZONE)
conformance("DML reads text timestamps in the session's time zone", async ({ db, connect }, t) => {
  await t.step("INSERT of '2024-01-01 00:00:00' into TIMESTAMP_LTZ in New York", async () => {
    await db.run("CREATE TABLE ltz_t (n INTEGER, ts TIMESTAMP_LTZ);");
    const ny = await connect();
    await ny.run("ALTER SESSION SET TIMEZONE = 'America/New_York';");
    await ny.run("INSERT INTO ltz_t VALUES (1, '2024-01-01 00:00:00');");
    await db.run("INSERT INTO ltz_t VALUES (2, '2024-01-01 00:00:00');");
    await ny.run("BEGIN;");
    await ny.run("INSERT INTO ltz_t VALUES (3, '2024-01-01 00:00:00');");
    await ny.run("COMMIT;");
    // Midnight in New York is 05:00 UTC; the UTC session's midnight is 00:00.
    await expectRows(db, "SELECT n, DATE_PART(epoch_second, ts) FROM ltz_t ORDER BY n;", {
      rows: [["1", "1704085200"], ["2", "1704067200"], ["3", "1704085200"]],
    });
  });

  await t.step("CREATE TABLE … AS SELECT reads them in the session's zone too", async () => {
    const ny = await connect();
    await ny.run("ALTER SESSION SET TIMEZONE = 'America/New_York';");
    await ny.run(
      "CREATE TABLE ltz_ctas AS SELECT '2024-01-01 00:00:00'::TIMESTAMP_LTZ AS ts;",
    );
    await expectRows(db, "SELECT DATE_PART(epoch_second, ts) FROM ltz_ctas;", {
      rows: [["1704085200"]],
    });
  });

  await t.step(
    "ADD COLUMN fills existing rows with a text default in the session's zone",
    async () => {
      const ny = await connect();
      await ny.run("ALTER SESSION SET TIMEZONE = 'America/New_York';");
      await ny.runAll([
        "CREATE TABLE ltz_add (n INT);",
        "INSERT INTO ltz_add VALUES (1);",
        "ALTER TABLE ltz_add ADD COLUMN ts TIMESTAMP_LTZ DEFAULT '2024-01-01 00:00:00';",
        "INSERT INTO ltz_add (n) VALUES (2);",
      ]);
      await expectRows(db, "SELECT n, DATE_PART(epoch_second, ts) FROM ltz_add ORDER BY n;", {
        rows: [["1", "1704085200"], ["2", "1704085200"]],
      });
    },
  );
});

// https://docs.snowflake.com/en/sql-reference/transactions (DDL: each DDL statement executes as
// its own transaction, and commits the active one first)
conformance("Transactions: a DDL statement commits the open transaction", async ({ db }, t) => {
  await t.step("INSERT, CREATE TABLE, ROLLBACK: the INSERT stays", async () => {
    await db.run("CREATE TABLE tx_ddl (i INTEGER);");
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_ddl VALUES (1);");
    await db.run("CREATE TABLE tx_ddl_2 (j INTEGER);");
    await db.run("INSERT INTO tx_ddl_2 VALUES (2);");
    await db.run("ROLLBACK;");
    await expectRows(db, "SELECT COUNT(*) FROM tx_ddl;", { rows: [["1"]] });
    // The INSERT after the DDL ran on its own (the DDL ended the transaction).
    await expectRows(db, "SELECT COUNT(*) FROM tx_ddl_2;", { rows: [["1"]] });
  });
});

conformance("Transactions: a failed statement", async ({ db, connect }, t) => {
  await db.run("CREATE TABLE tx_err (n NUMBER(5,0));");
  const other = await connect();

  await t.step("a compilation error leaves the transaction open", async () => {
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_err VALUES (1);");
    await db.expectError("INSERT INTO tx_err (no_such_column) VALUES (2);", { code: "000904" });
    await db.run("INSERT INTO tx_err VALUES (3);");
    await db.run("COMMIT;");
    await expectRows(db, "SELECT n FROM tx_err ORDER BY n;", { rows: [["1"], ["3"]] });
  });

  await t.step(
    "one that fails while it runs rolls back alone; the transaction goes on",
    async () => {
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_err VALUES (10);");
      await db.run("UPDATE tx_err SET n = n + 100 WHERE n = 10;");
      await db.expectError("INSERT INTO tx_err SELECT 'not a number';", { code: "100038" });
      // The statements before it still stand, and the session reads them.
      await expectRows(db, "SELECT n FROM tx_err WHERE n >= 10 ORDER BY n;", { rows: [["110"]] });
      await db.run("INSERT INTO tx_err VALUES (11);");
      await db.expectError("SELECT n / 0 FROM tx_err WHERE n = 11;", { code: "100051" });
      await db.expectError("INSERT INTO tx_err SELECT n / 0 FROM tx_err WHERE n = 11;", {
        code: "100051",
      });
      await db.run("INSERT INTO tx_err VALUES (12);");
      // Other sessions see none of it until COMMIT.
      await expectRows(other, "SELECT COUNT(*) FROM tx_err WHERE n >= 10;", { rows: [["0"]] });
      await db.run("COMMIT;");
      await expectRows(db, "SELECT n FROM tx_err ORDER BY n;", {
        rows: [["1"], ["3"], ["11"], ["12"], ["110"]],
      });
    },
  );

  await t.step("a ROLLBACK after such a failure rolls back every statement", async () => {
    await db.run("BEGIN;");
    await db.run("DELETE FROM tx_err WHERE n > 10;");
    await db.expectError("INSERT INTO tx_err SELECT 'x';", { code: "100038" });
    await expectRows(db, "SELECT COUNT(*) FROM tx_err;", { rows: [["2"]] });
    await db.run("ROLLBACK;");
    await expectRows(db, "SELECT COUNT(*) FROM tx_err;", { rows: [["5"]] });
  });

  await t.step(
    "after values that differ from run to run (RANDOM), a failure rolls the whole transaction back",
    async () => {
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_err SELECT 500 + MOD(ABS(RANDOM()), 10);");
      await db.expectError("INSERT INTO tx_err SELECT 'not a number';", { code: "100038" });
      // Nothing after it may quietly commit on its own: the session is told until it ends it.
      await db.expectError("INSERT INTO tx_err VALUES (13);", {
        code: "000603",
        message: /Transaction rolled back: statement .* failed/,
      });
      await db.run("ROLLBACK;");
      await expectRows(db, "SELECT COUNT(*) FROM tx_err WHERE n >= 500;", { rows: [["0"]] });
      await db.run("DELETE FROM tx_err WHERE n > 10;");
    },
  );

  await t.step(
    "a failing query that reads none of its writes costs the transaction nothing",
    async () => {
      await db.runAll(["CREATE TABLE tx_other (n NUMBER);", "INSERT INTO tx_other VALUES (1);"]);
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_err VALUES (30);");
      await db.expectError("SELECT 1/0;", { code: "100051" });
      await db.expectError("SELECT CAST('x' || n AS INT) FROM tx_other;", { code: "100038" });
      // Reading what it wrote still sees its writes.
      await expectRows(db, "SELECT COUNT(*) FROM tx_err WHERE n = 30;", { rows: [["1"]] });
      await db.run("COMMIT;");
      await expectRows(db, "SELECT COUNT(*) FROM tx_err WHERE n = 30;", { rows: [["1"]] });
    },
  );

  await t.step("a multi-table INSERT whose later clause cannot run inserts nothing", async () => {
    await db.runAll([
      "CREATE TABLE tx_mt1 (a NUMBER, b NUMBER);",
      "CREATE TABLE tx_mt2 (a NUMBER, b NUMBER);",
    ]);
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_mt1 VALUES (0, 0);");
    await db.expectError("INSERT ALL INTO tx_mt1 INTO tx_mt2 (a) SELECT 1, 2;", { code: "002020" });
    await db.run("COMMIT;");
    await expectRows(db, "SELECT a FROM tx_mt1;", { rows: [["0"]] });
    await expectRows(db, "SELECT COUNT(*) FROM tx_mt2;", { rows: [["0"]] });
  });

  await t.step(
    "UNSET inside a transaction does not wait behind another session's DDL",
    async () => {
      const other = await connect();
      await db.run("SET tx_v = 1;");
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_err VALUES (40);");
      // The other session's DDL waits for the writer this transaction holds.
      const ddl = other.run("CREATE TABLE tx_ddl_wait (x NUMBER);");
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      await db.run("UNSET tx_v;");
      assert.ok(performance.now() - t0 < 2000, "UNSET waited for the other session's DDL");
      await db.run("COMMIT;");
      await ddl;
      await expectRows(db, "SELECT COUNT(*) FROM tx_err WHERE n = 40;", { rows: [["1"]] });
    },
  );

  await t.step(
    "after a refresh of a dynamic table it read, a failure rolls the whole transaction back",
    async () => {
      await db.runAll([
        "CREATE TABLE tx_base (k VARCHAR, v NUMBER);",
        "INSERT INTO tx_base VALUES ('a', 1);",
        `CREATE DYNAMIC TABLE tx_dt TARGET_LAG = '1 hour' WAREHOUSE = w
           AS SELECT k, SUM(v) AS s FROM tx_base GROUP BY k;`,
        "CREATE TABLE tx_snap (k VARCHAR, s NUMBER);",
        "INSERT INTO tx_base VALUES ('a', 5);",
      ]);
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_snap SELECT k, s FROM tx_dt;");
      // Another session refreshes the table the INSERT read: sent again, it would read 6.
      await other.run("ALTER DYNAMIC TABLE tx_dt REFRESH;");
      await db.expectError("INSERT INTO tx_snap SELECT 'x', 'not a number';", { code: "100038" });
      await db.expectError("SELECT s FROM tx_snap;", { code: "000603" });
      await db.run("ROLLBACK;");
      await expectRows(db, "SELECT COUNT(*) FROM tx_snap;", { rows: [["0"]] });
    },
  );

  await t.step("a MERGE that inserted stands after a later failure", async () => {
    await db.runAll([
      "CREATE TABLE tx_mt (k NUMBER, v VARCHAR);",
      "CREATE TABLE tx_ms (k NUMBER, v VARCHAR);",
      "INSERT INTO tx_ms VALUES (1, 'a'), (2, 'b');",
    ]);
    await db.run("BEGIN;");
    await db.run(`MERGE INTO tx_mt USING tx_ms ON tx_mt.k = tx_ms.k
      WHEN MATCHED THEN UPDATE SET v = tx_ms.v
      WHEN NOT MATCHED THEN INSERT (k, v) VALUES (tx_ms.k, tx_ms.v);`);
    await db.expectError("INSERT INTO tx_mt SELECT 'x', 'y';", { code: "100038" });
    await db.run("INSERT INTO tx_mt VALUES (3, 'c');");
    await db.run("COMMIT;");
    await expectRows(db, "SELECT k, v FROM tx_mt ORDER BY k;", {
      rows: [["1", "a"], ["2", "b"], ["3", "c"]],
    });
  });

  await t.step("an INSERT with an array of binds that fails inserts none of them", async () => {
    await db.run("CREATE TABLE tx_ab (n NUMBER(9,0), s VARCHAR);");
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_ab VALUES (0, 'before');");
    // 3,000 rows go to the warehouse in parts; the bad value is in the last one.
    const rows = Array.from({ length: 3000 }, (_, i) => [i === 2500 ? "abc" : String(i + 1), "r"]);
    await db.expectError("INSERT INTO tx_ab VALUES (?, ?);", { code: "100038" }, rows);
    await expectRows(db, "SELECT COUNT(*) FROM tx_ab;", { rows: [["1"]] });
    await db.run("COMMIT;");
    await expectRows(db, "SELECT n, s FROM tx_ab;", { rows: [["0", "before"]] });
  });

  await t.step("outside a transaction, such an INSERT leaves nothing either", async () => {
    // One statement with AUTOCOMMIT on commits as a whole or not at all.
    const rows = Array.from({ length: 3000 }, (_, i) => [i === 2500 ? "abc" : String(i + 1), "x"]);
    await db.expectError("INSERT INTO tx_ab VALUES (?, ?);", { code: "100038" }, rows);
    await expectRows(other, "SELECT COUNT(*) FROM tx_ab WHERE s = 'x';", { rows: [["0"]] });
    // Nothing of it stays open: the session's next statements run and commit as usual.
    const good = rows.map(([n]) => [n === "abc" ? "0" : n, "x"]);
    await db.run("INSERT INTO tx_ab VALUES (?, ?);", good);
    await expectRows(other, "SELECT COUNT(*), SUM(n) FROM tx_ab WHERE s = 'x';", {
      rows: [["3000", String(3000 * 3001 / 2 - 2501)]],
    });
    // A leading comment does not make it part by part.
    await db.run("/* flag */ UPDATE tx_ab SET s = ? WHERE n = ?;", [["y", 1], ["y", "zzz"]]).then(
      () => assert.fail("an UPDATE with a bad bind succeeded"),
      () => {},
    );
    await expectRows(other, "SELECT COUNT(*) FROM tx_ab WHERE s = 'y';", { rows: [["0"]] });
  });

  await t.step(
    "with AUTOCOMMIT off, a failed first statement leaves the transaction open",
    async () => {
      await db.run("CREATE TABLE tx_ac (n NUMBER(5,0));");
      await db.run("ALTER SESSION SET AUTOCOMMIT = FALSE;");
      try {
        await db.expectError("INSERT INTO tx_ac SELECT 'not a number';", { code: "100038" });
        await db.run("INSERT INTO tx_ac VALUES (1);");
        await expectRows(other, "SELECT COUNT(*) FROM tx_ac;", { rows: [["0"]] });
        await db.run("COMMIT;");
      } finally {
        await db.run("ALTER SESSION SET AUTOCOMMIT = TRUE;");
      }
      await expectRows(other, "SELECT n FROM tx_ac;", { rows: [["1"]] });
    },
  );

  await t.step("COMMIT after such a failure commits what stands", async () => {
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_err VALUES (20);");
    await db.expectError("INSERT INTO tx_err SELECT 'x';", { code: "100038" });
    await db.run("COMMIT;");
    await db.run("INSERT INTO tx_err VALUES (21);");
    await expectRows(db, "SELECT n FROM tx_err WHERE n BETWEEN 20 AND 29 ORDER BY n;", {
      rows: [["20"], ["21"]],
    });
  });
});

// https://docs.snowflake.com/en/user-guide/streams-intro (a stream's offset advances when the DML
// transaction that reads it commits)
conformance("Transactions: a stream's offset moves only on COMMIT", async ({ db }, t) => {
  await db.runAll([
    "CREATE TABLE tx_src (i INTEGER);",
    "CREATE TABLE tx_dst (i INTEGER);",
    "CREATE STREAM tx_s ON TABLE tx_src;",
    "INSERT INTO tx_src VALUES (1), (2);",
  ]);

  await t.step(
    "consumed in a rolled-back transaction, the rows are still in the stream",
    async () => {
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_dst SELECT i FROM tx_s;");
      await db.run("ROLLBACK;");
      await expectRows(db, "SELECT i FROM tx_s ORDER BY i;", { rows: [["1"], ["2"]] });
      await expectRows(db, "SELECT COUNT(*) FROM tx_dst;", { rows: [["0"]] });
    },
  );

  await t.step(
    "read by a statement that failed, they stay in it when the transaction commits",
    async () => {
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_src VALUES (0);");
      await db.expectError("INSERT INTO tx_dst SELECT i / (i - i) FROM tx_s;", { code: "100051" });
      await db.run("COMMIT;");
      await expectRows(db, "SELECT i FROM tx_s ORDER BY i;", { rows: [["0"], ["1"], ["2"]] });
      await expectRows(db, "SELECT COUNT(*) FROM tx_dst;", { rows: [["0"]] });
    },
  );

  await t.step("consumed in a committed one, they are gone from it", async () => {
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_dst SELECT i FROM tx_s;");
    await db.expectError("INSERT INTO tx_dst SELECT 'x';", { code: "100038" });
    await db.run("COMMIT;");
    await expectRows(db, "SELECT COUNT(*) FROM tx_s;", { rows: [["0"]] });
    await expectRows(db, "SELECT i FROM tx_dst ORDER BY i;", { rows: [["0"], ["1"], ["2"]] });
  });
});

conformance("Transactions: a dynamic table counts only committed rows", async ({ db }, t) => {
  await db.runAll([
    "CREATE TABLE tx_base (k VARCHAR, v NUMBER(10,2));",
    "INSERT INTO tx_base VALUES ('a', 1.50);",
    `CREATE DYNAMIC TABLE tx_sums TARGET_LAG = '1 hour' WAREHOUSE = w
       AS SELECT k, SUM(v) AS total, COUNT(*) AS n FROM tx_base GROUP BY k;`,
  ]);

  await t.step("rolled-back rows never reach it; committed rows do, incrementally", async () => {
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_base VALUES ('a', 100), ('b', 7);");
    await db.run("ROLLBACK;");
    await db.run("ALTER DYNAMIC TABLE tx_sums REFRESH;");
    await expectRows(db, "SELECT k, total, n FROM tx_sums ORDER BY k;", {
      rows: [["a", "1.50", "1"]],
    });
    await db.run("BEGIN;");
    await db.run("INSERT INTO tx_base VALUES ('a', 0.25), ('b', 2.00);");
    await db.run("COMMIT;");
    await db.run("ALTER DYNAMIC TABLE tx_sums REFRESH;");
    await expectRows(db, "SELECT k, total, n FROM tx_sums ORDER BY k;", {
      rows: [["a", "1.75", "2"], ["b", "2.00", "1"]],
    });
  });
});

Deno.test({
  name: "Transactions: one left idle past its limit is rolled back, and the writer freed",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withConformance(async ({ db, connect }) => {
      await db.run("CREATE TABLE tx_idle (i INTEGER);");
      const other = await connect();
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_idle VALUES (1);");
      // Another writer waits only until the idle transaction is rolled back.
      await other.run("INSERT INTO tx_idle VALUES (2);");
      await db.expectError("INSERT INTO tx_idle VALUES (3);", {
        code: "000603",
        message: /idle for more than 1 s in all while other writes waited for it/,
      });
      await db.run("ROLLBACK;");
      await expectRows(db, "SELECT i FROM tx_idle;", { rows: [["2"]] });
      // A pause within the limit keeps it.
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_idle VALUES (4);");
      await new Promise((r) => setTimeout(r, 400));
      await db.run("COMMIT;");
      await expectRows(db, "SELECT i FROM tx_idle ORDER BY i;", { rows: [["2"], ["4"]] });
    }, { transactionIdleMs: 4000, transactionContendedIdleMs: 1000 }),
});

Deno.test({
  name: "Transactions: one kept busy cannot hold the writer past its limit while others wait",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withConformance(async ({ db, connect }) => {
      await db.run("CREATE TABLE tx_busy (i INTEGER);");
      const other = await connect();
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_busy VALUES (1);");
      const started = performance.now();
      const waiting = other.run("INSERT INTO tx_busy VALUES (2);");
      // A statement every 200 ms: never idle for long at a time.
      let failure: string | undefined;
      while (performance.now() - started < 8000 && failure === undefined) {
        await new Promise((r) => setTimeout(r, 200));
        await db.run("SELECT COUNT(*) FROM tx_busy;").catch((e) => failure = String(e.message));
      }
      await waiting;
      assert.match(String(failure), /held the warehouse's only writer for more than 2 s/);
      await db.run("ROLLBACK;");
      await expectRows(db, "SELECT i FROM tx_busy;", { rows: [["2"]] });
    }, { transactionContendedIdleMs: 60_000, transactionContendedHoldMs: 2000 }),
});

Deno.test({
  name: "Transactions: idle gaps while others wait add up, however short each is",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withConformance(async ({ db, connect }) => {
      await db.run("CREATE TABLE tx_gaps (i INTEGER);");
      const other = await connect();
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_gaps VALUES (1);");
      const waiting = other.run("INSERT INTO tx_gaps VALUES (2);");
      // 400 ms idle between statements: under the 1 s limit each time, over it in all.
      let failure: string | undefined;
      const started = performance.now();
      while (performance.now() - started < 8000 && failure === undefined) {
        await new Promise((r) => setTimeout(r, 400));
        await db.run("SELECT 1;").catch((e) => failure = String(e.message));
      }
      await waiting;
      assert.match(String(failure), /idle for more than 1 s in all while other writes waited/);
      await db.run("ROLLBACK;");
    }, { transactionContendedIdleMs: 1000 }),
});

Deno.test({
  name: "Transactions: a statement cut short by its transaction's limit says why",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withConformance(async ({ db, connect }) => {
      await db.run("CREATE TABLE tx_cut (i INTEGER);");
      const other = await connect();
      await db.run("BEGIN;");
      await db.run("INSERT INTO tx_cut VALUES (1);");
      const waiting = other.run("INSERT INTO tx_cut VALUES (2);");
      await db.expectError(
        "SELECT SUM(HASH(SEQ4())) FROM TABLE(GENERATOR(ROWCOUNT => 100000000000)), tx_cut;",
        { code: "000603", message: /held the warehouse's only writer for more than 1.5 s/ },
      );
      await waiting;
      await db.run("ROLLBACK;");
      await expectRows(db, "SELECT i FROM tx_cut;", { rows: [["2"]] });
    }, { transactionContendedHoldMs: 1500 }),
});

Deno.test({
  name: "Transactions: a run of them, from several sessions, lets other writes through",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withConformance(async ({ db, connect }) => {
      await db.run("CREATE TABLE tx_fair (i INTEGER);");
      const sessions = await Promise.all(Array.from({ length: 6 }, () => connect()));
      let stop = false;
      // Six sessions, each in a loop: BEGIN, INSERT, 1.5 s, COMMIT; all within every limit.
      const loops = sessions.map(async (s, k) => {
        while (!stop) {
          await s.run("BEGIN;");
          await s.run(`INSERT INTO tx_fair VALUES (${k});`);
          await new Promise((r) => setTimeout(r, 1500));
          await s.run("COMMIT;").catch(() => {});
        }
      });
      // Another writer (as a streaming commit is) waits for one transaction at a time, not all.
      let worst = 0;
      const started = performance.now();
      while (performance.now() - started < 10_000) {
        const t0 = performance.now();
        await db.run("INSERT INTO tx_fair VALUES (100);");
        worst = Math.max(worst, performance.now() - t0);
      }
      stop = true;
      await Promise.all(loops);
      assert.ok(worst < 5000, `an autocommit INSERT waited ${Math.round(worst)} ms`);
    }),
});

Deno.test({
  name: "Transactions: the emulator stops promptly while a transaction runs a long statement",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const emulator = await startConformanceEmulator();
    let closed = false;
    try {
      const db = await Session.connect(emulator);
      await db.run("CREATE TABLE tx_stop (i INTEGER);");
      await db.run("BEGIN;");
      // Its first write takes the writer lane; the long query then runs on it.
      await db.run("INSERT INTO tx_stop VALUES (1);");
      const long = db.run(
        "SELECT SUM(HASH(SEQ4())) FROM TABLE(GENERATOR(ROWCOUNT => 100000000000));",
      ).catch(() => {});
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), 10_000));
      const outcome = await Promise.race([emulator.close().then(() => "closed" as const), gaveUp]);
      clearTimeout(timer);
      closed = true;
      assert.equal(outcome, "closed", "the emulator was still closing after 10 s");
      const ms = performance.now() - t0;
      assert.ok(ms < 5000, `closing took ${Math.round(ms)} ms`);
      await long;
    } finally {
      if (!closed) await emulator.close();
    }
  },
});

Deno.test({
  name: "Transactions: the emulator stops promptly with one transaction waiting behind another",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const emulator = await startConformanceEmulator();
    let closed = false;
    try {
      // The session that will wait signs in first, so that it comes first at shutdown.
      const waiter = await Session.connect(emulator);
      await waiter.run("SELECT 1;");
      const holder = await Session.connect(emulator);
      await holder.run("CREATE TABLE tx_queue (i INTEGER);");
      await holder.run("BEGIN;");
      await holder.run("INSERT INTO tx_queue VALUES (1);");
      await waiter.run("BEGIN;");
      const waiting = waiter.run("INSERT INTO tx_queue VALUES (2);").catch(() => {});
      await new Promise((r) => setTimeout(r, 300));
      const t0 = performance.now();
      await emulator.close();
      closed = true;
      const ms = performance.now() - t0;
      assert.ok(ms < 3000, `closing took ${Math.round(ms)} ms`);
      await waiting;
    } finally {
      if (!closed) await emulator.close();
    }
  },
});
