/**
 * Crash safety of the outbox with a real process killed by SIGKILL while it writes: the queue
 * then holds only whole batches, and the next writer continues with larger ids.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Outbox } from "../../src/queue/outbox.ts";
import { childEnv, DENO_RUN } from "../helpers/child_env.ts";

const TABLES = ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"];
const CHILD = new URL("./fixtures/crash_writer.ts", import.meta.url).pathname;
/** The writer spreads each batch over three shards per table, in one transaction. */
const CHANNELS = 3;

interface Row {
  batch: number;
  sizes: number[];
  i: number;
}

/** The highest LIFT_RIDE id committed so far (0 before the writer created anything). */
function committedMaxId(path: string): number {
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return Number((db.prepare("SELECT max(id) AS m FROM LIFT_RIDE").get() as { m: number }).m);
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/**
 * Starts the writer, waits until it has committed something, lets it write `ms` longer, then
 * kills it with SIGKILL.
 */
async function writeAndKill(path: string, firstBatch: number, ms: number): Promise<void> {
  const before = committedMaxId(path);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, CHILD, path, String(firstBatch), String(CHANNELS)],
    env: childEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const errors = new Response(child.stderr).text();
  const deadline = Date.now() + 30_000;
  while (committedMaxId(path) <= before && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 10));
  }
  await new Promise((res) => setTimeout(res, ms));
  child.kill("SIGKILL");
  const status = await child.status;
  const err = await errors;
  assert.equal(status.signal, "SIGKILL", `the writer was killed, not stopped: ${err}`);
  assert.ok(committedMaxId(path) > before, `the writer wrote nothing: ${err}`);
}

/**
 * Checks that the queue holds whole batches `first`…n with no gap, over every shard of every
 * table; returns n and the highest id of each table's shard 0.
 */
function checkWholeBatches(
  outbox: Outbox,
  first = 0,
): { lastBatch: number; maxIds: number[] } {
  const batchSets: number[][] = [];
  const maxIds: number[] = [];
  TABLES.forEach((table, t) => {
    const seen = new Map<number, { size: number; rows: Set<number> }>();
    for (const shard of outbox.shards(table)) {
      const rows = shard.readAfter(0, 1e9);
      if (shard.index === 0) maxIds.push(rows.length ? rows[rows.length - 1].id : 0);
      let prev: { batch: number; id: number } | undefined;
      for (const row of rows) {
        const r = JSON.parse(row.json) as Row;
        const b = seen.get(r.batch) ?? { size: r.sizes[t], rows: new Set<number>() };
        seen.set(r.batch, b);
        assert.ok(!b.rows.has(r.i), `row ${r.i} of batch ${r.batch} of ${table} twice`);
        b.rows.add(r.i);
        if (prev?.batch === r.batch) {
          assert.equal(row.id, prev.id + 1, "a batch's ids are consecutive within a shard");
        }
        prev = { batch: r.batch, id: row.id };
      }
    }
    const batches = [...seen.keys()].sort((a, b) => a - b);
    for (const b of batches) {
      const got = seen.get(b)!;
      assert.equal(
        got.rows.size,
        got.size,
        `batch ${b} of ${table} is incomplete: a partial batch`,
      );
    }
    batchSets.push(batches);
  });
  assert.deepEqual(batchSets[1], batchSets[0], "every batch is in every table, or in none");
  assert.deepEqual(batchSets[2], batchSets[0], "every batch is in every table, or in none");
  batchSets[0].forEach((b, i) => assert.equal(b, first + i, "batches are contiguous"));
  return { lastBatch: first + batchSets[0].length - 1, maxIds };
}

Deno.test("SIGKILL mid-write leaves only whole batches (over every shard), and ids go on growing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-crash-test-" });
  const path = join(dir, "queue.db");
  try {
    let next = 0;
    let previousMax = [0, 0, 0];
    for (const ms of [150, 60, 300, 100, 220]) {
      await writeAndKill(path, next, ms);
      const outbox = new Outbox(path, TABLES, { channels: CHANNELS });
      try {
        const { lastBatch, maxIds } = checkWholeBatches(outbox);
        assert.ok(lastBatch >= next, `the writer got batch ${next} in (last ${lastBatch})`);
        // This writer's rows got larger ids than the previous one's, in every table.
        maxIds.forEach((m, t) => assert.ok(m > previousMax[t], `${TABLES[t]} ids grow`));
        previousMax = maxIds;
        next = lastBatch + 1;
      } finally {
        outbox.close();
      }
    }
    // Empty the queue: the ids still only grow in the next writer.
    const outbox = new Outbox(path, TABLES, { channels: CHANNELS });
    for (const t of TABLES) for (const s of outbox.shards(t)) s.deleteThrough(s.maxId());
    outbox.close();
    await writeAndKill(path, next, 120);
    const after = new Outbox(path, TABLES, { channels: CHANNELS });
    try {
      checkWholeBatches(after, next);
      TABLES.forEach((t, i) => {
        const rows = after.shard(t, 0).readAfter(0, 1e9);
        assert.ok(rows.length > 0 && rows[0].id > previousMax[i], `${t} ids after emptying`);
      });
    } finally {
      after.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
