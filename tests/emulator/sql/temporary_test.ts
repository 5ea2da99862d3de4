/**
 * TEMPORARY tables and views live as long as the session that made them, as in Snowflake: gone
 * when it ends (the driver's destroy, or its expiry), and gone after a restart, which ends every
 * session. TRANSIENT tables stay, listed as such.
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../src/emulator/mod.ts";
import { ensureKeyPair } from "../../../src/snowflake/key_files.ts";
import { type ConformanceEmulator, Session, withConformance } from "./conformance/harness.ts";

Deno.test({
  name: "a session's temporary tables and views end with it; transient tables stay",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withConformance(async ({ db, connect }) => {
      const other = await connect();
      await db.runAll([
        "CREATE TEMPORARY TABLE TMP1 (X INT);",
        "CREATE TRANSIENT TABLE TR1 (X INT);",
        "CREATE OR REPLACE TEMPORARY VIEW TV AS SELECT 1 AS X;",
        // Snowpark's form (cache_result, temporary save_as_table).
        "CREATE SCOPED TEMPORARY TABLE SNOWPARK_TEMP_TABLE_X (A, B) AS SELECT 1, 2;",
      ]);
      const kinds = (await db.run("SHOW TABLES")).rows.map((r) => [r[1], r[4]]);
      assert.deepEqual(kinds, [
        ["SNOWPARK_TEMP_TABLE_X", "TEMPORARY"],
        ["TMP1", "TEMPORARY"],
        ["TR1", "TRANSIENT"],
      ]);
      const info = await db.run(
        `SELECT TABLE_NAME, TABLE_TYPE, IS_TRANSIENT FROM INFORMATION_SCHEMA.TABLES
         WHERE TABLE_SCHEMA = CURRENT_SCHEMA() ORDER BY 1`,
      );
      assert.deepEqual(info.rows, [
        ["SNOWPARK_TEMP_TABLE_X", "TEMPORARY TABLE", "NO"],
        ["TMP1", "TEMPORARY TABLE", "NO"],
        ["TR1", "BASE TABLE", "YES"],
        ["TV", "VIEW", "NO"],
      ]);

      await db.close();
      // The driver's destroy ends the session on the server; its objects go with it.
      let left: unknown[] = [];
      for (let i = 0; i < 50; i++) {
        left = (await other.run("SHOW OBJECTS")).rows.map((r) => r[1]);
        if (!left.includes("TMP1") && !left.includes("TV")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(left, ["TR1"]);
      // The name is free again.
      await other.run("CREATE TEMPORARY TABLE TMP1 (X INT)");
    }),
});

Deno.test({
  name: "temporary tables do not survive a restart of the emulator",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "liftline-temporary-" });
    const start = async (): Promise<ConformanceEmulator & { stop(): Promise<void> }> => {
      const emu = await startEmulator({ dataDir, commitDelayMs: 0 });
      const { privateKeyPem } = await ensureKeyPair(dataDir);
      return {
        url: emu.url,
        dataDir,
        privateKeyPem,
        close: () => emu.close(),
        stop: () => emu.close(),
      };
    };
    try {
      const first = await start();
      const a = await Session.connect(first);
      await a.runAll(["CREATE TEMPORARY TABLE TMP1 (X INT);", "CREATE TABLE KEPT (X INT);"]);
      // The process stops with the session still open (as after a crash or kill).
      await first.stop();
      await a.close().catch(() => {});

      const second = await start();
      const b = await Session.connect(second);
      try {
        const names = (await b.run("SHOW TABLES")).rows.map((r) => r[1]);
        assert.deepEqual(names, ["KEPT"]);
      } finally {
        await b.close();
        await second.stop();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
