/**
 * TABLE(INFORMATION_SCHEMA.QUERY_HISTORY…()): the user's recent statements, newest first, with
 * their text, session, outcome (a failure's error code and message) and timing.
 */
import assert from "node:assert/strict";
import { conformance, records } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/functions/query_history
conformance("QUERY_HISTORY reports each statement with its outcome", async ({ db, connect }, t) => {
  await db.run("SELECT 42 AS ANSWER");
  await db.expectError("SELECT * FROM NO_SUCH_TABLE", { code: "002003" });
  await db.run("CREATE TABLE qh_t (x INT)");

  await t.step("BY_SESSION: this session's statements, newest first", async () => {
    const r = records(
      await db.run(
        `SELECT QUERY_TEXT, EXECUTION_STATUS, ERROR_CODE, ROWS_PRODUCED
         FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY_BY_SESSION(RESULT_LIMIT => 3))`,
      ),
    );
    assert.deepEqual(r.map((q) => [q.QUERY_TEXT, q.EXECUTION_STATUS, q.ERROR_CODE]), [
      ["CREATE TABLE qh_t (x INT)", "SUCCESS", null],
      ["SELECT * FROM NO_SUCH_TABLE", "FAILED_WITH_ERROR", "002003"],
      ["SELECT 42 AS ANSWER", "SUCCESS", null],
    ]);
    assert.equal(r[2].ROWS_PRODUCED, "1");
  });

  await t.step(
    "END_TIME_RANGE_START takes an expression, as the page's examples write it",
    async () => {
      const lastHour = await db.run(
        `SELECT COUNT(*) > 0 FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY(
         END_TIME_RANGE_START => DATEADD('hours', -1, CURRENT_TIMESTAMP())))`,
      );
      assert.deepEqual(lastHour.rows, [["True"]]);
      const future = await db.run(
        `SELECT COUNT(*) FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY(
         END_TIME_RANGE_START => DATEADD('hours', 1, CURRENT_TIMESTAMP())))`,
      );
      assert.deepEqual(future.rows, [["0"]]);
    },
  );

  await t.step("another session's statements are in QUERY_HISTORY, not in BY_SESSION", async () => {
    const other = await connect();
    await other.run("SELECT 'from the other session'");
    const mine = await db.run(
      `SELECT COUNT_IF(QUERY_TEXT LIKE '%other session%') FROM
         TABLE(INFORMATION_SCHEMA.QUERY_HISTORY_BY_SESSION())`,
    );
    assert.deepEqual(mine.rows, [["0"]]);
    const all = await db.run(
      `SELECT COUNT_IF(QUERY_TEXT LIKE '%from the other session''') FROM
         TABLE(INFORMATION_SCHEMA.QUERY_HISTORY())`,
    );
    assert.deepEqual(all.rows, [["1"]]);
  });
});
