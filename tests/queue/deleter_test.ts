/**
 * The queue deleter's thread: it deletes each shard through the offsets it is given, on its own
 * connection, counts what went, and waits out another writer's lock without the main thread
 * waiting with it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Outbox } from "../../src/queue/outbox.ts";
import { QueueDeleter } from "../../src/queue/deleter.ts";
import { silentLogger } from "../../src/log.ts";

const TABLES = ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"];
const rows = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `{"TXID":"${tag}-${i}"}`);

async function withQueue(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-deleter-" });
  try {
    await fn(join(dir, "queue.db"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the deleter thread deletes each shard through its offset and counts what went", () =>
  withQueue(async (path) => {
    const outbox = new Outbox(path, TABLES, { channels: 2 });
    const deleter = new QueueDeleter(path, silentLogger);
    try {
      outbox.append({ LIFT_RIDE: rows(400, "r") });
      const [a, b] = outbox.shards("LIFT_RIDE");
      const before = [a.depth().rows, b.depth().rows];
      let counted = 0;
      const count = (n: number) => counted += n;
      // Several offsets for one shard: the highest wins, each row is counted once.
      deleter.deleteThrough(a, 10, count);
      deleter.deleteThrough(a, 50, count);
      deleter.deleteThrough(b, 30, count);
      assert.equal(await deleter.flush(10_000), true);
      assert.equal(counted, 80);
      assert.deepEqual([a.depth().rows, b.depth().rows], [before[0] - 50, before[1] - 30]);
      assert.equal(a.readAfter(0, 1)[0].id, 51, "the rows above the offset stay");
      // Asking again for what is gone deletes nothing more.
      deleter.deleteThrough(a, 50, count);
      assert.equal(await deleter.flush(10_000), true);
      assert.equal(counted, 80);
    } finally {
      await deleter.close();
      outbox.close();
    }
  }));

Deno.test("a delete waits out another writer's lock on the deleter's thread, not the caller's", () =>
  withQueue(async (path) => {
    const outbox = new Outbox(path, TABLES);
    outbox.append({ SEASON_PASS: rows(100, "p") });
    const deleter = new QueueDeleter(path, silentLogger);
    const writer = new DatabaseSync(path);
    try {
      writer.exec("PRAGMA busy_timeout = 5000");
      writer.exec("BEGIN IMMEDIATE");
      let counted = 0;
      deleter.deleteThrough(outbox.shard("SEASON_PASS", 0), 60, (n) => counted += n);
      // The caller's thread goes on (its timers fire) while the delete waits for the lock.
      const t0 = performance.now();
      assert.equal(await deleter.flush(300), false, "not done while the lock is held");
      assert.ok(performance.now() - t0 < 1000, "flush's own timer ran on time");
      assert.equal(counted, 0);
      writer.exec("ROLLBACK");
      assert.equal(await deleter.flush(10_000), true);
      assert.equal(counted, 60);
      assert.equal(outbox.shard("SEASON_PASS", 0).depth().rows, 40);
    } finally {
      if (writer.isTransaction) writer.exec("ROLLBACK");
      writer.close();
      await deleter.close();
      outbox.close();
    }
  }));
