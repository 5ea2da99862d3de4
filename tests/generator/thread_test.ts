/**
 * The generator on its own worker thread (as `run` runs it): it queues exactly the model's rows
 * through its own outbox connection, spread over the channels, and its metrics and status reach
 * the main thread as messages; a stop ends it with whole batches written; its failures come back
 * as the same errors.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildConfig, ConfigError, type TableName, TABLES } from "../../src/config/load.ts";
import { generateRows } from "../../src/generator/model.ts";
import { runGeneratorThread } from "../../src/generator/thread.ts";
import { silentLogger } from "../../src/log.ts";
import { Outbox, shardOf } from "../../src/queue/outbox.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";

const START = "2026-11-25T14:00:00Z";
const UNTIL = "2026-11-26T02:00:00Z";

/** Every queued row per table, over all shards, each checked to be in its TXID's shard. */
function queued(dir: string, channels: number): Record<TableName, string[]> {
  const outbox = new Outbox(join(dir, "queue.db"), TABLES, { channels });
  try {
    return Object.fromEntries(TABLES.map((t) => {
      const rows: string[] = [];
      for (const shard of outbox.shards(t)) {
        for (const r of shard.readAfter(0, 1e9)) {
          assert.equal(shardOf(r.json, channels), shard.index, `${t}: a row in another shard`);
          rows.push(r.json);
        }
      }
      return [t, rows];
    })) as Record<TableName, string[]>;
  } finally {
    outbox.close();
  }
}

async function counted(metrics: Metrics, table: string): Promise<number> {
  const m = await metrics.rowsGenerated.get();
  return m.values.find((v) => v.labels.table === table)?.value ?? 0;
}

Deno.test("the generator thread queues exactly the model's rows over three channels and reports them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-thread-" });
  try {
    const config = buildConfig({
      DATA_DIR: dir,
      SPEED: "MAX",
      SEED: "thread",
      START_TIME: START,
      UNTIL,
      STREAM_CHANNELS: "3",
    });
    const metrics = new Metrics();
    const status = new StatusStore();
    await runGeneratorThread({
      config,
      metrics,
      status,
      log: silentLogger,
      signal: new AbortController().signal,
    });
    const want = generateRows({
      seed: "thread",
      start: Date.parse(START),
      until: Date.parse(UNTIL),
      ticketsPerDay: 8500,
    });
    const got = queued(dir, 3);
    for (const t of TABLES) {
      assert.ok(want[t].length > 0);
      assert.deepEqual([...got[t]].sort(), [...want[t]].sort(), `${t}: the model's rows, once`);
      assert.equal(await counted(metrics, t), want[t].length, `${t}: counted on the main thread`);
      assert.equal(status.generator?.rows[t], want[t].length, `${t}: in the status store`);
    }
    assert.equal(status.generator?.finished, true);
    assert.equal(status.generator?.worldTime, new Date(UNTIL).toISOString());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stop ends the generator thread with every row it counted in the queue", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-thread-" });
  try {
    const config = buildConfig({
      DATA_DIR: dir,
      SPEED: "MAX",
      SEED: "thread-stop",
      START_TIME: START,
      UNTIL: "2026-12-25T14:00:00Z",
    });
    const metrics = new Metrics();
    const status = new StatusStore();
    const stop = new AbortController();
    const running = runGeneratorThread({
      config,
      metrics,
      status,
      log: silentLogger,
      signal: stop.signal,
    });
    // Stopped while it writes: once the main thread has heard of rows.
    while ((status.generator?.rows.LIFT_RIDE ?? 0) === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    stop.abort();
    await running;
    const got = queued(dir, config.STREAM_CHANNELS);
    const total = TABLES.reduce((n, t) => n + got[t].length, 0);
    assert.ok(total > 0);
    for (const t of TABLES) {
      assert.equal(await counted(metrics, t), got[t].length, `${t}: counted = queued`);
      assert.equal(status.generator?.rows[t], got[t].length, `${t}: status = queued`);
    }
    assert.equal(status.generator?.finished, false, "stopped, not finished");
    assert.ok(Date.parse(status.generator!.worldTime) < Date.parse("2026-12-25T14:00:00Z"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the generator thread's failure comes back as the same error (UNTIL before the start)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-thread-" });
  try {
    // START_TIME is 14:00 UTC today by default; UNTIL a day earlier is checked by the generator.
    const config = buildConfig({ DATA_DIR: dir, UNTIL: "2020-01-01T00:00:00Z" });
    await assert.rejects(
      runGeneratorThread({
        config,
        metrics: new Metrics(),
        status: new StatusStore(),
        log: silentLogger,
        signal: new AbortController().signal,
      }),
      (e) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.equal(e.variable, "UNTIL");
        assert.match(e.message, /^UNTIL must be later than the world start/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
