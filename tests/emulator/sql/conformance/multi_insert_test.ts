/**
 * Multi-table INSERT (INSERT ALL, INSERT FIRST), with the examples of Snowflake's
 * "INSERT (multi-table)" page, through the raw snowflake-sdk.
 */
import { conformance, expectRows } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/sql/insert-multi-table
conformance("INSERT ALL and INSERT FIRST", async ({ db }, t) => {
  await db.runAll([
    "CREATE TABLE src (n NUMBER, name VARCHAR);",
    "INSERT INTO src VALUES (1, 'one'), (5, 'five'), (12, 'twelve'), (NULL, 'none');",
    "CREATE TABLE t1 (n NUMBER, name VARCHAR);",
    "CREATE TABLE t2 (n NUMBER, name VARCHAR DEFAULT 'dflt');",
    "CREATE TABLE t3 (name VARCHAR);",
  ]);
  const clear = () => db.runAll(["DELETE FROM t1;", "DELETE FROM t2;", "DELETE FROM t3;"]);

  await t.step("unconditional: each row goes into every INTO clause", async () => {
    await expectRows(
      db,
      "INSERT ALL INTO t1 INTO t2 (n, name) VALUES (n, name) INTO t3 VALUES (name) SELECT n, name FROM src;",
      {
        columns: [
          "number of rows inserted into T1",
          "number of rows inserted into T2",
          "number of rows inserted into T3",
        ],
        rows: [["4", "4", "4"]],
      },
    );
    await expectRows(db, "SELECT COUNT(*) FROM t1;", { rows: [["4"]] });
    await expectRows(db, "SELECT name FROM t3 ORDER BY name;", {
      rows: [["five"], ["none"], ["one"], ["twelve"]],
    });
  });

  await t.step("ALL: every WHEN that holds; ELSE when none does", async () => {
    await clear();
    await db.run(`INSERT ALL
        WHEN n > 10 THEN INTO t1
        WHEN n > 2 THEN INTO t2 INTO t3 (name) VALUES (name)
        ELSE INTO t3 VALUES (name)
      SELECT n, name FROM src;`);
    await expectRows(db, "SELECT n FROM t1;", { rows: [["12"]] });
    await expectRows(db, "SELECT n FROM t2 ORDER BY n;", { rows: [["5"], ["12"]] });
    // 5 and 12 from the second WHEN; 1 and NULL (a NULL condition is not TRUE) from ELSE.
    await expectRows(db, "SELECT name FROM t3 ORDER BY name;", {
      rows: [["five"], ["none"], ["one"], ["twelve"]],
    });
  });

  await t.step("FIRST: only the first WHEN that holds", async () => {
    await clear();
    await expectRows(
      db,
      `INSERT FIRST
        WHEN n > 10 THEN INTO t1
        WHEN n > 2 THEN INTO t2
        ELSE INTO t3 VALUES (name)
      SELECT n, name FROM src;`,
      {
        columns: [
          "number of rows inserted into T1",
          "number of rows inserted into T2",
          "number of rows inserted into T3",
        ],
        rows: [["1", "1", "2"]],
      },
    );
    await expectRows(db, "SELECT n FROM t2;", { rows: [["5"]] });
  });

  await t.step("VALUES with DEFAULT and NULL", async () => {
    await clear();
    await db.run(
      "INSERT ALL INTO t2 VALUES (n, DEFAULT) INTO t1 VALUES (n, NULL) SELECT n FROM src WHERE n = 1;",
    );
    await expectRows(db, "SELECT n, name FROM t2;", { rows: [["1", "dflt"]] });
    await expectRows(db, "SELECT n, name FROM t1;", { rows: [["1", null]] });
  });

  await t.step("OVERWRITE empties each target first", async () => {
    await db.run("INSERT OVERWRITE ALL INTO t1 INTO t1 SELECT n, name FROM src WHERE n = 5;");
    await expectRows(db, "SELECT n FROM t1;", { rows: [["5"], ["5"]] });
  });

  await t.step("a mismatched VALUES list fails, and nothing is inserted", async () => {
    await clear();
    await db.expectError("INSERT ALL INTO t1 INTO t3 VALUES (n, name) SELECT n, name FROM src;", {
      code: "002020",
      sqlState: "21S01",
    });
    await expectRows(db, "SELECT COUNT(*) FROM t1;", { rows: [["0"]] });
  });

  await t.step("OVERWRITE with a NULL for a NOT NULL column: 100072, nothing changed", async () => {
    await db.runAll(["CREATE TABLE nn (x INT NOT NULL);", "INSERT INTO nn VALUES (7);"]);
    for (
      const sql of [
        "INSERT OVERWRITE INTO nn SELECT NULL::INT;",
        "INSERT OVERWRITE ALL INTO t3 INTO nn SELECT NULL::INT;",
      ]
    ) {
      await db.expectError(sql, { code: "100072" });
    }
    await expectRows(db, "SELECT x FROM nn;", { rows: [["7"]] });
  });

  await t.step("the query runs once: a clause does not see what an earlier one added", async () => {
    await db.runAll(["CREATE TABLE self_t (x INT);", "INSERT INTO self_t VALUES (1), (2), (3);"]);
    await expectRows(db, "INSERT ALL INTO self_t INTO self_t SELECT x FROM self_t;", {
      rows: [["6"]],
    });
    await expectRows(db, "SELECT COUNT(*) FROM self_t;", { rows: [["9"]] });
  });

  await t.step("FIRST with RANDOM() sends each row down exactly one branch", async () => {
    await db.runAll([
      "CREATE TABLE split_a (id INT);",
      "CREATE TABLE split_b (id INT);",
    ]);
    await db.run(`INSERT FIRST
        WHEN UNIFORM(0::FLOAT, 1::FLOAT, RANDOM()) < 0.5 THEN INTO split_a
        ELSE INTO split_b
      SELECT SEQ4() AS id FROM TABLE(GENERATOR(ROWCOUNT => 1000));`);
    await expectRows(
      db,
      `SELECT (SELECT COUNT(*) FROM split_a) + (SELECT COUNT(*) FROM split_b),
              (SELECT COUNT(*) FROM split_a a JOIN split_b b ON a.id = b.id);`,
      { rows: [["1000", "0"]] },
    );
  });

  await t.step("every clause reads the same rows of a stream, which then advances", async () => {
    await clear();
    await db.runAll([
      "CREATE STREAM src_s ON TABLE src;",
      "INSERT INTO src VALUES (20, 'twenty');",
    ]);
    await db.run("INSERT ALL INTO t1 INTO t2 SELECT n, name FROM src_s;");
    await expectRows(db, "SELECT n FROM t1;", { rows: [["20"]] });
    await expectRows(db, "SELECT n FROM t2;", { rows: [["20"]] });
    await expectRows(db, "SELECT COUNT(*) FROM src_s;", { rows: [["0"]] });
  });
});
