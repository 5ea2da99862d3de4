/**
 * The query history stays small however many statements run (a dashboard in the same process
 * queries every few seconds): a bounded count, a bounded amount of text, the newest kept.
 */
import assert from "node:assert/strict";
import {
  QUERY_HISTORY_CHARS,
  QUERY_HISTORY_KEEP,
  QueryHistory,
  type QueryRecord,
} from "../../../src/emulator/sql/query_history.ts";

function statement(i: number, text = `SELECT ${i}`): QueryRecord {
  const at = new Date(1_800_000_000_000 + i);
  return {
    queryId: `q${i}`,
    text,
    sessionId: "s",
    user: "U",
    role: null,
    warehouse: null,
    database: null,
    schema: null,
    start: at,
    end: at,
    status: "SUCCESS",
    errorCode: null,
    errorMessage: null,
    rowsProduced: 1,
    queryType: "SELECT",
    queryTag: "",
  };
}

Deno.test("the query history keeps the newest statements within its count and text bounds", () => {
  const h = new QueryHistory();
  for (let i = 0; i < QUERY_HISTORY_KEEP + 500; i++) h.record(statement(i));
  const all = h.newest(() => true, 1_000_000);
  assert.equal(all.length, QUERY_HISTORY_KEEP);
  assert.equal(all[0].queryId, `q${QUERY_HISTORY_KEEP + 499}`, "newest first");

  const big = new QueryHistory();
  const long = "x".repeat(50_000);
  for (let i = 0; i < 500; i++) big.record(statement(i, long));
  const kept = big.newest(() => true, 1_000_000);
  const chars = kept.reduce((n, r) => n + r.text.length, 0);
  assert.ok(chars <= QUERY_HISTORY_CHARS, `${chars} characters kept`);
  assert.ok(kept[0].text.length < long.length, "a long text is truncated");
  assert.equal(kept[0].queryId, "q499");
  assert.equal(big.newest((r) => r.queryId === "q499", 10).length, 1);
});
