/**
 * SPLIT_TO_TABLE (alone and lateral) and HASH_AGG's independence of row order.
 */
import assert from "node:assert/strict";
import { conformance } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/functions/split_to_table
conformance("SPLIT_TO_TABLE: a row per part; lateral per input row", async ({ db }, t) => {
  await t.step("one string: SEQ, INDEX from 1, VALUE", async () => {
    const r = await db.run(
      "SELECT SEQ, INDEX, VALUE FROM TABLE(SPLIT_TO_TABLE('a.b.c', '.')) ORDER BY INDEX",
    );
    assert.deepEqual(r.rows, [["1", "1", "a"], ["1", "2", "b"], ["1", "3", "c"]]);
  });

  await t.step("an empty delimiter keeps the string whole; NULL gives no rows", async () => {
    const whole = await db.run("SELECT VALUE FROM TABLE(SPLIT_TO_TABLE('a b', ''))");
    assert.deepEqual(whole.rows, [["a b"]]);
    const none = await db.run("SELECT COUNT(*) FROM TABLE(SPLIT_TO_TABLE(NULL, ','))");
    assert.deepEqual(none.rows, [["0"]]);
  });

  await t.step("lateral: each row's own parts", async () => {
    await db.runAll([
      "CREATE TABLE TAGGED (ID INT, TAGS VARCHAR);",
      "INSERT INTO TAGGED VALUES (1, 'red,blue'), (2, 'green'), (3, NULL);",
    ]);
    const r = await db.run(`SELECT ID, S.VALUE, S.INDEX
      FROM TAGGED, LATERAL SPLIT_TO_TABLE(TAGGED.TAGS, ',') S ORDER BY ID, S.INDEX`);
    assert.deepEqual(r.rows, [["1", "red", "1"], ["1", "blue", "2"], ["2", "green", "1"]]);
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/strtok_split_to_table
conformance(
  "STRTOK_SPLIT_TO_TABLE: any delimiter character, no empty tokens",
  async ({ db }, t) => {
    await t.step("each character of the list splits; empty tokens are left out", async () => {
      const r = await db.run(
        "SELECT INDEX, VALUE FROM TABLE(STRTOK_SPLIT_TO_TABLE('a.b,c..d', '.,'))",
      );
      assert.deepEqual(r.rows, [["1", "a"], ["2", "b"], ["3", "c"], ["4", "d"]]);
    });

    await t.step("a space by default", async () => {
      const r = await db.run("SELECT VALUE FROM TABLE(STRTOK_SPLIT_TO_TABLE('  hello  world  '))");
      assert.deepEqual(r.rows, [["hello"], ["world"]]);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/hash_agg
conformance("HASH_AGG: the same rows in any order hash the same", async ({ db }) => {
  await db.runAll([
    "CREATE TABLE HASHED (ID INT, T VARCHAR);",
    "INSERT INTO HASHED VALUES (1, 'a'), (2, 'b'), (3, NULL);",
  ]);
  const r = await db.run(`SELECT
      (SELECT HASH_AGG(ID, T) FROM (SELECT * FROM HASHED ORDER BY ID)) =
      (SELECT HASH_AGG(ID, T) FROM (SELECT * FROM HASHED ORDER BY ID DESC)) AS SAME,
      (SELECT HASH_AGG(ID, T) FROM HASHED) = (SELECT HASH_AGG(ID, T) FROM HASHED WHERE ID < 3)
        AS SAME_WITHOUT_ONE`);
  assert.deepEqual(r.rows, [["True", "False"]]);
});
