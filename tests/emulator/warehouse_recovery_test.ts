import assert from "node:assert/strict";
import {
  appendRows,
  channelStatus,
  columnInOrder,
  exchange,
  keypairJwt,
  ndjson,
  openChannel,
  ride,
  startTestEmulator,
  type TestEmulator,
  testKeys,
  until,
} from "./helpers.ts";
import { isFatalDuckError, Lane, loadDuckDB } from "../../src/emulator/warehouse/duckdb.ts";
import { WAREHOUSE_FILE } from "../../src/emulator/warehouse/warehouse.ts";
import { META } from "../../src/emulator/warehouse/catalog.ts";
import { join } from "node:path";

const PIPE = "LIFT_RIDE_PIPE";
/** The emulator's table of channels' state. */
const CHANNELS_TABLE = `${META}.channels`;
/** DuckDB's message once a fatal error (e.g. a failed checkpoint) has invalidated the database. */
const INVALIDATED = "FATAL Error: Failed: database has been invalidated because of a previous " +
  "fatal error. The database must be restarted prior to being used again.";

/** True once `channel` reports `offset` committed (within the helper's 10 s). */
async function committedThrough(t: TestEmulator, token: string, offset: string): Promise<boolean> {
  return await until(async () =>
    (await channelStatus(t.url, token, PIPE, ["c"])).body.channel_statuses.c
      ?.last_committed_offset_token === offset
  );
}

Deno.test("DuckDB's fatal errors are told apart from ordinary ones", () => {
  assert.ok(isFatalDuckError(new Error(INVALIDATED)));
  assert.ok(
    isFatalDuckError(new Error("FATAL Error: Failed to create checkpoint because of error")),
  );
  assert.ok(!isFatalDuckError(new Error("Out of Memory Error: failed to pin block")));
  assert.ok(!isFatalDuckError(new Error("Catalog Error: Table with name X does not exist!")));
});

Deno.test("a fatal DuckDB error reopens the warehouse: committed rows, channels and SQL carry on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const keys = await testKeys();
    let t = await startTestEmulator({ dataDir: dir, keys, commitDelayMs: 0 });
    const first = [ride(), ride(), ride()];
    const second = [ride(), ride()];
    try {
      const token = await exchange(t.url, await keypairJwt(keys));
      const open = await openChannel(t.url, token, PIPE, "c");
      const app = await appendRows(
        t.url,
        token,
        PIPE,
        "c",
        open.body.next_continuation_token,
        ndjson(first),
        { offsetToken: "3" },
      );
      assert.equal(app.status, 200);
      assert.ok(await committedThrough(t, token, "3"));
      await t.sql.query("CREATE TABLE NOTES (N NUMBER(10,2))");
      await t.sql.query("INSERT INTO NOTES VALUES (1.25), (2.50)");

      // Work on a lane fails the way every statement fails once DuckDB has invalidated the
      // database; the warehouse must reopen it rather than fail every later request.
      const w = t.emu.context.warehouse;
      await assert.rejects(
        w.writer.exclusive(() => Promise.reject(new Error(INVALIDATED))),
        /invalidated/,
      );
      await w.recover();
      assert.equal(w.recoveries, 1);

      // The channel's continuation token is still good: appends and commits go on.
      const next = await appendRows(
        t.url,
        token,
        PIPE,
        "c",
        app.body.next_continuation_token,
        ndjson(second),
        { offsetToken: "5" },
      );
      assert.equal(next.status, 200);
      assert.ok(await committedThrough(t, token, "5"));
      assert.deepEqual(
        await columnInOrder(t.sql, "LIFT_RIDE"),
        [...first, ...second].map((r) => r.TXID),
      );
      const notes = await t.sql.query("SELECT SUM(N) AS S FROM NOTES");
      assert.equal(Number(notes.rows[0].S), 3.75);
      await t.sql.query("INSERT INTO NOTES VALUES (0.25)");
    } finally {
      await t.close();
    }

    // And all of it is durable.
    t = await startTestEmulator({ dataDir: dir, keys, provision: false });
    try {
      assert.equal(await t.count("LIFT_RIDE"), 5);
      const notes = await t.sql.query("SELECT SUM(N) AS S FROM NOTES");
      assert.equal(Number(notes.rows[0].S), 4);
    } finally {
      await t.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a reopen that fails (the file cannot be opened) is tried again by the next statement", async () => {
  const t = await startTestEmulator({ commitDelayMs: 0 });
  try {
    await t.sql.query("CREATE TABLE KEPT (N NUMBER)");
    await t.sql.query("INSERT INTO KEPT VALUES (7)");
    const w = t.emu.context.warehouse;
    await w.writer.run("CHECKPOINT");
    // The file's path becomes a folder: DuckDB cannot open it until it is put back.
    const file = join(t.dir, WAREHOUSE_FILE);
    await Deno.rename(file, `${file}.aside`);
    await Deno.mkdir(file);
    await assert.rejects(w.writer.exclusive(() => Promise.reject(new Error(INVALIDATED))));
    await assert.rejects(w.recover());
    assert.equal(w.recoveries, 0);
    // Meanwhile every statement fails as fatal (an error, never a hang or a crash)…
    await assert.rejects(t.sql.query("SELECT N FROM KEPT"));
    await assert.rejects(w.recover());
    // …and once the file can be opened again, the next one brings the warehouse back.
    await Deno.remove(file);
    await Deno.rename(`${file}.aside`, file);
    await assert.rejects(t.sql.query("SELECT N FROM KEPT"));
    await w.recover();
    assert.equal(w.recoveries, 1);
    const r = await t.sql.query("SELECT N FROM KEPT");
    assert.equal(Number(r.rows[0].N), 7);
  } finally {
    await t.close();
  }
});

Deno.test("a lane left in an aborted transaction (its ROLLBACK failed) ends it and serves on", async () => {
  const duck = await loadDuckDB();
  const instance = await duck.DuckDBInstance.create(":memory:");
  const lane = new Lane("test", await instance.connect());
  try {
    await lane.run("CREATE TABLE t (x INTEGER NOT NULL)");
    // What a ROLLBACK that ran out of memory leaves: a transaction a failed statement aborted.
    await lane.exclusive(async (s) => {
      await s.conn.run("BEGIN TRANSACTION");
      await s.conn.run("INSERT INTO t VALUES (NULL)").catch(() => {});
    });
    await assert.rejects(lane.run("INSERT INTO t VALUES (1)"), /Current transaction is aborted/);
    // The lane ended that transaction: the next statements run, and commit.
    await lane.run("INSERT INTO t VALUES (2)");
    await lane.transaction((s) => s.run("INSERT INTO t VALUES (3)"));
    assert.deepEqual((await lane.all("SELECT x FROM t ORDER BY x")).rows.map((r) => r[0]), [2, 3]);
  } finally {
    await lane.close();
    instance.closeSync();
  }
});

Deno.test("a channel whose state row is stuck in a conflict reopens the warehouse and commits on", async () => {
  const keys = await testKeys();
  const t = await startTestEmulator({ keys, commitDelayMs: 0 });
  const other = await t.emu.context.warehouse.instance.connect();
  try {
    const w = t.emu.context.warehouse;
    const token = await exchange(t.url, await keypairJwt(keys));
    const open = await openChannel(t.url, token, PIPE, "c");
    const first = [ride(), ride()];
    let app = await appendRows(
      t.url,
      token,
      PIPE,
      "c",
      open.body.next_continuation_token,
      ndjson(first),
      {
        offsetToken: "2",
      },
    );
    assert.ok(await committedThrough(t, token, "2"));
    // What a COMMIT that ran out of memory left behind: the channel's row holds a version no
    // transaction will ever finish, so every later update of it conflicts ("Conflict on update!").
    await other.run("BEGIN TRANSACTION");
    await other.run(`UPDATE ${CHANNELS_TABLE} SET rows_parsed = rows_parsed WHERE channel = 'c'`);
    const second = [ride(), ride(), ride()];
    app = await appendRows(
      t.url,
      token,
      PIPE,
      "c",
      app.body.next_continuation_token,
      ndjson(second),
      {
        offsetToken: "5",
      },
    );
    assert.equal(app.status, 200);
    // The commit conflicts, the warehouse reopens (which ends the stuck version), and the retried
    // commit lands: the rows once each, the offset moved.
    assert.ok(await until(() => w.recoveries === 1), "the warehouse reopened");
    assert.ok(await committedThrough(t, token, "5"));
    assert.deepEqual(
      await columnInOrder(t.sql, "LIFT_RIDE"),
      [...first, ...second].map((r) => r.TXID),
    );
  } finally {
    other.closeSync();
    await t.close();
  }
});
