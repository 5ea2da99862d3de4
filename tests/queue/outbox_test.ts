import assert from "node:assert/strict";
import { join } from "node:path";
import { Outbox } from "../../src/queue/outbox.ts";

const TABLES = ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"];

async function withOutbox(fn: (path: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-outbox-test-" });
  try {
    await fn(join(dir, "queue.db"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const rowsOf = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ tag, i }));

Deno.test("append stores rows in order with growing ids and returns the last id per table", () =>
  withOutbox((path) => {
    const q = new Outbox(path, TABLES);
    try {
      // Sizes around the 64-row multi-insert boundary, and a table left out.
      let expectedId = 0;
      for (const n of [1, 63, 64, 65, 129, 200]) {
        const last = q.append({ LIFT_RIDE: rowsOf(n, `b${n}`), RESORT_TICKET: rowsOf(2, `t${n}`) });
        expectedId += n;
        assert.equal(last.LIFT_RIDE, expectedId);
        assert.equal(last.SEASON_PASS, undefined);
      }
      const all = q.readAfter("LIFT_RIDE", 0, 10_000);
      assert.equal(all.length, expectedId);
      all.forEach((row, i) => assert.equal(row.id, i + 1, "ids are consecutive, in order"));
      assert.deepEqual(
        all.map((r) => r.json),
        [1, 63, 64, 65, 129, 200].flatMap((n) => rowsOf(n, `b${n}`)),
        "rows come back exactly as written, in order",
      );
      assert.equal(q.rows("RESORT_TICKET"), 12);
      assert.equal(q.rows("SEASON_PASS"), 0);
    } finally {
      q.close();
    }
  }));

Deno.test("readAfter pages by id; deleteThrough removes through an id; depth and rows agree", () =>
  withOutbox((path) => {
    const q = new Outbox(path, TABLES);
    try {
      q.append({ SEASON_PASS: rowsOf(10, "p") }, 1_000);
      q.append({ SEASON_PASS: rowsOf(5, "q") }, 2_000);
      assert.deepEqual(q.readAfter("SEASON_PASS", 3, 4).map((r) => r.id), [4, 5, 6, 7]);
      assert.equal(q.readAfter("SEASON_PASS", 15, 10).length, 0);
      assert.equal(q.readAfter("SEASON_PASS", 12, 10)[0].enqueuedAt, 2_000);
      assert.deepEqual(q.depth("SEASON_PASS"), { rows: 15, oldestEnqueuedAt: 1_000 });
      assert.equal(q.deleteThrough("SEASON_PASS", 10), 10);
      assert.equal(q.deleteThrough("SEASON_PASS", 10), 0, "deleting again deletes nothing");
      assert.equal(q.rows("SEASON_PASS"), 5);
      assert.deepEqual(q.depth("SEASON_PASS"), { rows: 5, oldestEnqueuedAt: 2_000 });
      assert.deepEqual(q.readAfter("SEASON_PASS", 0, 100).map((r) => r.id), [11, 12, 13, 14, 15]);
      assert.equal(q.deleteThrough("SEASON_PASS", 15), 5);
      assert.deepEqual(q.depth("SEASON_PASS"), { rows: 0, oldestEnqueuedAt: undefined });
    } finally {
      q.close();
    }
  }));

Deno.test("ids only grow: after the queue empties and across a reopen", () =>
  withOutbox((path) => {
    let q = new Outbox(path, TABLES);
    q.append({ LIFT_RIDE: rowsOf(70, "a") });
    q.deleteThrough("LIFT_RIDE", q.maxId("LIFT_RIDE"));
    assert.equal(q.rows("LIFT_RIDE"), 0);
    assert.equal(q.maxId("LIFT_RIDE"), 70, "the high-water mark survives an empty queue");
    assert.equal(q.append({ LIFT_RIDE: rowsOf(1, "b") }).LIFT_RIDE, 71);
    q.deleteThrough("LIFT_RIDE", 71);
    q.close();
    q = new Outbox(path, TABLES);
    try {
      assert.equal(q.rows("LIFT_RIDE"), 0);
      assert.equal(q.maxId("LIFT_RIDE"), 71);
      assert.equal(q.append({ LIFT_RIDE: rowsOf(3, "c") }).LIFT_RIDE, 74);
      assert.deepEqual(q.readAfter("LIFT_RIDE", 0, 10).map((r) => r.id), [72, 73, 74]);
    } finally {
      q.close();
    }
  }));

Deno.test("a failing append stores nothing of the batch", () =>
  withOutbox((path) => {
    const q = new Outbox(path, TABLES);
    try {
      q.append({ RESORT_TICKET: rowsOf(3, "ok") });
      // The ticket rows of this batch are inserted before the unknown table fails it.
      assert.throws(() => q.append({ RESORT_TICKET: rowsOf(100, "lost"), NOPE: rowsOf(1, "x") }));
      assert.equal(q.rows("RESORT_TICKET"), 3);
      assert.equal(q.depth("RESORT_TICKET").rows, 3);
      assert.deepEqual(q.readAfter("RESORT_TICKET", 0, 1000).map((r) => r.json), rowsOf(3, "ok"));
      // And the queue keeps working.
      assert.equal(q.append({ RESORT_TICKET: rowsOf(1, "after") }).RESORT_TICKET, 4);
    } finally {
      q.close();
    }
  }));

Deno.test("a second process's view: depth() reads the database, rows() this process's count", () =>
  withOutbox((path) => {
    const writer = new Outbox(path, TABLES);
    const reader = new Outbox(path, TABLES);
    try {
      writer.append({ LIFT_RIDE: rowsOf(80, "w") });
      assert.equal(reader.depth("LIFT_RIDE").rows, 80);
      assert.equal(reader.readAfter("LIFT_RIDE", 40, 100).length, 40);
      reader.deleteThrough("LIFT_RIDE", 50);
      assert.equal(writer.rows("LIFT_RIDE"), 80, "in-memory count of the writer");
      assert.equal(writer.depth("LIFT_RIDE").rows, 30);
      assert.equal(writer.rows("LIFT_RIDE"), 30, "depth() refreshes the count");
      assert.equal(writer.append({ LIFT_RIDE: rowsOf(1, "x") }).LIFT_RIDE, 81);
    } finally {
      writer.close();
      reader.close();
    }
  }));

Deno.test("unknown tables and unsafe table names are refused", () =>
  withOutbox((path) => {
    assert.throws(() => new Outbox(path, ["X; DROP TABLE Y"]), /invalid outbox table name/);
    const q = new Outbox(path, TABLES);
    try {
      assert.throws(() => q.rows("NOPE"), /unknown outbox table/);
      assert.throws(() => q.readAfter("NOPE", 0, 1), /unknown outbox table/);
    } finally {
      q.close();
    }
  }));
