import assert from "node:assert/strict";
import { join } from "node:path";
import { Outbox, shardOf } from "../../src/queue/outbox.ts";

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
      const all = q.shard("LIFT_RIDE", 0).readAfter(0, 10_000);
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
      assert.deepEqual(q.shard("SEASON_PASS", 0).readAfter(3, 4).map((r) => r.id), [4, 5, 6, 7]);
      assert.equal(q.shard("SEASON_PASS", 0).readAfter(15, 10).length, 0);
      assert.equal(q.shard("SEASON_PASS", 0).readAfter(12, 10)[0].enqueuedAt, 2_000);
      assert.deepEqual(q.depth("SEASON_PASS"), { rows: 15, oldestEnqueuedAt: 1_000 });
      assert.equal(q.shard("SEASON_PASS", 0).deleteThrough(10), 10);
      assert.equal(
        q.shard("SEASON_PASS", 0).deleteThrough(10),
        0,
        "deleting again deletes nothing",
      );
      assert.equal(q.rows("SEASON_PASS"), 5);
      assert.deepEqual(q.depth("SEASON_PASS"), { rows: 5, oldestEnqueuedAt: 2_000 });
      assert.deepEqual(q.shard("SEASON_PASS", 0).readAfter(0, 100).map((r) => r.id), [
        11,
        12,
        13,
        14,
        15,
      ]);
      assert.equal(q.shard("SEASON_PASS", 0).deleteThrough(15), 5);
      assert.deepEqual(q.depth("SEASON_PASS"), { rows: 0, oldestEnqueuedAt: undefined });
    } finally {
      q.close();
    }
  }));

Deno.test("ids only grow: after the queue empties and across a reopen", () =>
  withOutbox((path) => {
    let q = new Outbox(path, TABLES);
    q.append({ LIFT_RIDE: rowsOf(70, "a") });
    q.shard("LIFT_RIDE", 0).deleteThrough(q.shard("LIFT_RIDE", 0).maxId());
    assert.equal(q.rows("LIFT_RIDE"), 0);
    assert.equal(
      q.shard("LIFT_RIDE", 0).maxId(),
      70,
      "the high-water mark survives an empty queue",
    );
    assert.equal(q.append({ LIFT_RIDE: rowsOf(1, "b") }).LIFT_RIDE, 71);
    q.shard("LIFT_RIDE", 0).deleteThrough(71);
    q.close();
    q = new Outbox(path, TABLES);
    try {
      assert.equal(q.rows("LIFT_RIDE"), 0);
      assert.equal(q.shard("LIFT_RIDE", 0).maxId(), 71);
      assert.equal(q.append({ LIFT_RIDE: rowsOf(3, "c") }).LIFT_RIDE, 74);
      assert.deepEqual(q.shard("LIFT_RIDE", 0).readAfter(0, 10).map((r) => r.id), [72, 73, 74]);
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
      assert.deepEqual(
        q.shard("RESORT_TICKET", 0).readAfter(0, 1000).map((r) => r.json),
        rowsOf(3, "ok"),
      );
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
      assert.equal(reader.shard("LIFT_RIDE", 0).readAfter(40, 100).length, 40);
      reader.shard("LIFT_RIDE", 0).deleteThrough(50);
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
      assert.throws(() => q.shard("NOPE", 0), /unknown outbox table/);
      assert.throws(() => q.shard("LIFT_RIDE", 1), /no shard 1/);
    } finally {
      q.close();
    }
  }));

/** Rows shaped like the generator's: the TXID first. */
const txRows = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `{"TXID":"${tag}-${i}","I":${i}}`);

Deno.test("shardOf: by TXID alone, deterministic, spread evenly over any channel count", () => {
  assert.equal(shardOf('{"TXID":"abc","X":1}', 1), 0);
  // The same TXID goes to the same channel whatever else the row says.
  for (const n of [2, 3, 4, 8, 2000]) {
    assert.equal(shardOf('{"TXID":"abc","X":1}', n), shardOf('{"TXID":"abc","X":2}', n));
  }
  for (const n of [2, 4, 7]) {
    const counts = new Array(n).fill(0);
    for (let i = 0; i < 70_000; i++) counts[shardOf(`{"TXID":"${crypto.randomUUID()}"}`, n)]++;
    for (const c of counts) {
      assert.ok(Math.abs(c - 70_000 / n) < 0.05 * 70_000 / n, `${n} channels: ${counts}`);
    }
  }
  // Rows without a leading TXID are hashed whole (still deterministic).
  assert.equal(shardOf('{"A":1}', 5), shardOf('{"A":1}', 5));
});

Deno.test("shards: each row is queued once, in its TXID's shard, each shard its own id sequence", () =>
  withOutbox((path) => {
    const q = new Outbox(path, TABLES, { channels: 4 });
    try {
      const rows = txRows(1000, "a");
      const last = q.append({ LIFT_RIDE: rows });
      const shards = q.shards("LIFT_RIDE");
      assert.deepEqual(shards.map((s) => s.name), [
        "LIFT_RIDE",
        "LIFT_RIDE__1",
        "LIFT_RIDE__2",
        "LIFT_RIDE__3",
      ]);
      let total = 0;
      for (const s of shards) {
        const got = s.readAfter(0, 10_000);
        assert.ok(got.length > 150, `shard ${s.index} holds a fair share (${got.length})`);
        got.forEach((r, i) => assert.equal(r.id, i + 1, `shard ${s.index}: ids 1, 2, 3, …`));
        for (const r of got) assert.equal(shardOf(r.json, 4), s.index, "in its TXID's shard");
        assert.equal(last[s.name], got.length, "append answers each shard's last id");
        assert.equal(s.rows, got.length);
        total += got.length;
      }
      assert.equal(total, 1000);
      assert.deepEqual(
        shards.flatMap((s) => s.readAfter(0, 10_000).map((r) => r.json)).sort(),
        [...rows].sort(),
        "every row exactly once",
      );
      assert.equal(q.rows("LIFT_RIDE"), 1000);
      assert.equal(q.depth("LIFT_RIDE").rows, 1000);
    } finally {
      q.close();
    }
  }));

Deno.test("a commit of one shard deletes only that shard's rows", () =>
  withOutbox((path) => {
    const q = new Outbox(path, TABLES, { channels: 2 });
    try {
      q.append({ RESORT_TICKET: txRows(400, "t") });
      const [a, b] = q.shards("RESORT_TICKET");
      const before = b.depth().rows;
      // Shard 0's channel committed everything it holds; shard 1's ids overlap those numbers.
      const inA = a.rows;
      assert.equal(inA + before, 400);
      assert.equal(a.deleteThrough(a.maxId()), inA);
      assert.equal(a.depth().rows, 0);
      assert.equal(b.depth().rows, before, "the other channel's uncommitted rows stay");
      assert.equal(q.depth("RESORT_TICKET").rows, before);
    } finally {
      q.close();
    }
  }));

Deno.test("changing the channel count: old shards keep their rows and ids, new rows use the new layout", () =>
  withOutbox((path) => {
    let q = new Outbox(path, TABLES, { channels: 4 });
    q.append({ LIFT_RIDE: txRows(400, "four") });
    const before = q.shards("LIFT_RIDE").map((s) => ({ name: s.name, rows: s.rows }));
    q.close();
    // Fewer channels: shards 2 and 3 still hold rows of the old layout and are still listed.
    q = new Outbox(path, TABLES, { channels: 2 });
    try {
      assert.deepEqual(
        q.shards("LIFT_RIDE").map((s) => ({ name: s.name, rows: s.rows })),
        before,
      );
      const high = q.shards("LIFT_RIDE").map((s) => s.maxId());
      const last = q.append({ LIFT_RIDE: txRows(300, "two") });
      assert.deepEqual(Object.keys(last).sort(), ["LIFT_RIDE", "LIFT_RIDE__1"]);
      const [s0, s1, s2, s3] = q.shards("LIFT_RIDE");
      assert.equal(s2.maxId(), high[2], "no new row in a retired shard");
      assert.equal(s3.maxId(), high[3]);
      for (const s of [s0, s1]) {
        const fresh = s.readAfter(high[s.index], 1000);
        assert.ok(fresh.length > 0);
        for (const r of fresh) assert.equal(shardOf(r.json, 2), s.index);
      }
      assert.equal(q.depth("LIFT_RIDE").rows, 700);
    } finally {
      q.close();
    }
  }));

Deno.test("rescan finds shards another connection created; depth always equals the row count", () =>
  withOutbox((path) => {
    const reader = new Outbox(path, TABLES, { channels: 1 });
    const writer = new Outbox(path, TABLES, { channels: 3 });
    try {
      assert.equal(reader.shards("SEASON_PASS").length, 1);
      writer.append({ SEASON_PASS: txRows(300, "p") });
      assert.deepEqual(
        reader.rescan().map((s) => s.name).sort(),
        [
          "RESORT_TICKET__1",
          "RESORT_TICKET__2",
          "SEASON_PASS__1",
          "SEASON_PASS__2",
          "LIFT_RIDE__1",
          "LIFT_RIDE__2",
        ].sort(),
      );
      assert.equal(reader.rescan().length, 0, "found once");
      assert.equal(reader.depth("SEASON_PASS").rows, 300);
      // Depth comes from the smallest and largest id: appends at the top and deletes from the
      // bottom keep that exact, checked here against count(*) after every step.
      const shard = reader.shard("SEASON_PASS", 2);
      const count = () => shard.readAfter(0, 1e6).length;
      for (let round = 0; round < 20; round++) {
        writer.append({ SEASON_PASS: txRows(37, `r${round}`) });
        const ids = shard.readAfter(0, 1e6).map((r) => r.id);
        if (ids.length) shard.deleteThrough(ids[Math.floor(ids.length / 2)]);
        assert.equal(shard.depth().rows, count(), `round ${round}`);
      }
      shard.deleteThrough(shard.maxId());
      assert.deepEqual(shard.depth(), { rows: 0, oldestEnqueuedAt: undefined });
    } finally {
      writer.close();
      reader.close();
    }
  }));
