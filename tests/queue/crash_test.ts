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
    args: [...DENO_RUN, CHILD, path, String(firstBatch)],
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

/** Checks that the queue holds whole batches `first`…n with no gap; returns n and max ids. */
function checkWholeBatches(
  outbox: Outbox,
  first = 0,
): { lastBatch: number; maxIds: number[] } {
  const batchSets: number[][] = [];
  const maxIds: number[] = [];
  TABLES.forEach((table, t) => {
    const rows = outbox.readAfter(table, 0, 1e9);
    maxIds.push(rows.length ? rows[rows.length - 1].id : 0);
    const batches: number[] = [];
    let k = 0;
    while (k < rows.length) {
      const head = JSON.parse(rows[k].json) as Row;
      const size = head.sizes[t];
      for (let i = 0; i < size; i++) {
        const row = rows[k + i];
        assert.ok(row, `batch ${head.batch} of ${table} is cut short: a partial batch`);
        const r = JSON.parse(row.json) as Row;
        assert.equal(r.batch, head.batch, `batch ${head.batch} of ${table} is incomplete`);
        assert.equal(r.i, i, "rows of a batch are in order");
        assert.equal(row.id, rows[k].id + i, "a batch's ids are consecutive");
      }
      batches.push(head.batch);
      k += size;
    }
    batchSets.push(batches);
  });
  assert.deepEqual(batchSets[1], batchSets[0], "every batch is in every table, or in none");
  assert.deepEqual(batchSets[2], batchSets[0], "every batch is in every table, or in none");
  batchSets[0].forEach((b, i) => assert.equal(b, first + i, "batches are contiguous"));
  return { lastBatch: first + batchSets[0].length - 1, maxIds };
}

Deno.test("SIGKILL mid-write leaves only whole batches, and ids go on growing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-crash-test-" });
  const path = join(dir, "queue.db");
  try {
    let next = 0;
    let previousMax = [0, 0, 0];
    for (const ms of [150, 60, 300, 100, 220]) {
      await writeAndKill(path, next, ms);
      const outbox = new Outbox(path, TABLES);
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
    const outbox = new Outbox(path, TABLES);
    for (const t of TABLES) outbox.deleteThrough(t, outbox.maxId(t));
    outbox.close();
    await writeAndKill(path, next, 120);
    const after = new Outbox(path, TABLES);
    try {
      checkWholeBatches(after, next);
      TABLES.forEach((t, i) => {
        const rows = after.readAfter(t, 0, 1e9);
        assert.ok(rows.length > 0 && rows[0].id > previousMax[i], `${t} ids after emptying`);
      });
    } finally {
      after.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
