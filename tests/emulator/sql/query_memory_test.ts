/**
 * DuckDB's everyday memory limit keeps the emulator small while it streams; a query that needs
 * more (a COUNT(DISTINCT …) over millions of rows, while commits and refreshes hold the rest) is
 * run again with more, as Snowflake would run it, and the limit comes back afterwards.
 */
import assert from "node:assert/strict";
import { withConformance } from "./conformance/harness.ts";
import { Warehouse } from "../../../src/emulator/warehouse/warehouse.ts";

Deno.test({
  name: "a query that runs out of the warehouse's memory runs again with more and answers",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withConformance(async ({ db }) => {
      // 8 MB: a distinct count of a million keys does not fit; the rows themselves do.
      await db.run(
        `CREATE TABLE T AS SELECT UUID_STRING() AS TXID FROM TABLE(GENERATOR(ROWCOUNT => 1000000))`,
      );
      const r = await db.run("SELECT COUNT(DISTINCT TXID), COUNT(*) FROM T");
      assert.deepEqual(r.rows, [["1000000", "1000000"]]);
    }, { memoryLimit: "8MB" }),
});

Deno.test("raised memory limits come back to the everyday one, whatever order they end in", async () => {
  const dir = await Deno.makeTempDir();
  const w = await Warehouse.open(dir, { memoryLimit: "64MB" });
  try {
    const limit = async () => {
      const lane = await w.reader("test");
      const r = await lane.all("SELECT current_setting('memory_limit')");
      return String(r.rows[0][0]);
    };
    const everyday = await limit();
    const refresh = await w.raiseMemory("384MB");
    const query = await w.raiseMemory("1GB");
    const high = await limit();
    assert.notEqual(high, everyday);
    // The query ends first: the refresh still has its 384 MB.
    await query();
    const middle = await limit();
    assert.ok(middle !== high && middle !== everyday, `${everyday} < ${middle} < ${high}`);
    await refresh();
    assert.equal(await limit(), everyday);
    // Releasing twice changes nothing.
    await refresh();
    assert.equal(await limit(), everyday);
  } finally {
    await w.close();
    await Deno.remove(dir, { recursive: true });
  }
});
