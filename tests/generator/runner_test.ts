/**
 * The generator role end to end into a real outbox: determinism, speeds, backpressure, abort,
 * UNTIL, metrics, status and the progress line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildConfig, ConfigError, type TableName, TABLES } from "../../src/config/load.ts";
import { generateRows } from "../../src/generator/model.ts";
import { runGenerator } from "../../src/generator/runner.ts";
import { createLogger } from "../../src/log.ts";
import { type GeneratorProgress, Outbox } from "../../src/queue/outbox.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";

const START = "2026-11-25T14:00:00Z";
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const HOUR = 3_600_000;

/** An outbox that records the depth before each append and the size of each batch. */
class SpyOutbox extends Outbox {
  appends: { before: Record<string, number>; size: number }[] = [];
  override append(
    batch: Readonly<Record<string, readonly string[]>>,
    now?: number,
    progress?: GeneratorProgress,
  ) {
    const before = Object.fromEntries(TABLES.map((t) => [t, this.rows(t)]));
    const size = Object.values(batch).reduce((a, rows) => a + rows.length, 0);
    this.appends.push({ before, size });
    return super.append(batch, now, progress);
  }
}

interface Run {
  dir: string;
  outbox: SpyOutbox;
  metrics: Metrics;
  status: StatusStore;
  lines: string[];
  controller: AbortController;
  settings: Record<string, string>;
  run: (extra?: { batchRows?: number; summaryEveryMs?: number }) => Promise<void>;
  close: () => Promise<void>;
}

async function setup(settings: Record<string, string>): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-gen-test-" });
  const outbox = new SpyOutbox(join(dir, "queue.db"), TABLES);
  const metrics = new Metrics();
  const status = new StatusStore();
  const lines: string[] = [];
  const controller = new AbortController();
  const config = buildConfig({ DATA_DIR: dir, SPEED: "MAX", ...settings });
  const log = createLogger({
    format: config.LOG_FORMAT,
    quiet: config.QUIET,
    write: (l) => lines.push(l),
  });
  return {
    dir,
    outbox,
    metrics,
    status,
    lines,
    controller,
    settings,
    run: (extra = {}) =>
      runGenerator({
        config,
        outbox,
        metrics,
        status,
        log,
        signal: controller.signal,
        ...extra,
      }),
    close: async () => {
      outbox.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Every row of every table, in id order. */
function queueContent(outbox: Outbox): Record<TableName, { id: number; json: string }[]> {
  const out = {} as Record<TableName, { id: number; json: string }[]>;
  for (const t of TABLES) {
    out[t] = outbox.shard(t, 0).readAfter(0, 1e9).map((r) => ({ id: r.id, json: r.json }));
  }
  return out;
}

/** What the pure function says a run with these settings must queue. */
function expected(settings: Record<string, string>, until = settings.UNTIL) {
  return generateRows({
    seed: settings.SEED,
    start: Date.parse(settings.START_TIME),
    until: Date.parse(until),
    ticketsPerDay: Number(settings.TICKETS_PER_DAY),
  });
}

const jsonOf = (rows: { json: string }[]) => rows.map((r) => r.json);

Deno.test("same seed and options give byte-identical queues; another seed does not", async () => {
  const settings = {
    SEED: "det",
    START_TIME: START,
    UNTIL: plus(START, 36 * HOUR),
    TICKETS_PER_DAY: "1500",
    QUIET: "true",
  };
  const runs = [
    await setup(settings),
    await setup(settings),
    await setup({ ...settings, SEED: "other" }),
  ];
  try {
    for (const r of runs) await r.run();
    const [a, b, c] = runs.map((r) => queueContent(r.outbox));
    const want = expected(settings);
    for (const t of TABLES) {
      assert.ok(a[t].length > 0, `${t} has rows`);
      assert.deepEqual(b[t], a[t], `${t}: ids and JSON identical`);
      assert.deepEqual(jsonOf(a[t]), want[t], `${t}: the queue holds what generateRows makes`);
      assert.notDeepEqual(jsonOf(c[t]), jsonOf(a[t]), `${t}: another seed, other rows`);
    }
    assert.ok(a.LIFT_RIDE.length > 20_000);
  } finally {
    for (const r of runs) await r.close();
  }
});

Deno.test("a restart of the same world goes on where its rows end: no row twice, none missing", async () => {
  const settings = {
    SEED: "resume",
    START_TIME: START,
    UNTIL: plus(START, 12 * HOUR),
    TICKETS_PER_DAY: "1500",
    QUIET: "true",
  };
  const first = await setup(settings);
  try {
    await first.run();
    const queued = queueContent(first.outbox);
    assert.ok(queued.LIFT_RIDE.length > 0);
    first.outbox.close();
    // The same world (seed, start, rate) run further, on the same queue: it resumes at 12 h.
    const longer = { ...settings, UNTIL: plus(START, 36 * HOUR), QUIET: "false" };
    const config = buildConfig({ DATA_DIR: first.dir, SPEED: "MAX", ...longer });
    const outbox = new Outbox(join(first.dir, "queue.db"), TABLES);
    const lines: string[] = [];
    try {
      await runGenerator({
        config,
        outbox,
        metrics: new Metrics(),
        status: new StatusStore(),
        log: createLogger({ format: "json", write: (l) => lines.push(l) }),
        signal: new AbortController().signal,
      });
      const all = queueContent(outbox);
      const want = expected(longer);
      for (const t of TABLES) {
        assert.deepEqual(jsonOf(all[t]), want[t], `${t}: exactly one uninterrupted run's rows`);
      }
      assert.ok(
        lines.some((l) => l.includes("resuming the world") && l.includes(plus(START, 12 * HOUR))),
        "the resume is logged with its world time",
      );
      // Another world (another seed) on the same queue starts at its own start.
      const other = buildConfig({ DATA_DIR: first.dir, SPEED: "MAX", ...settings, SEED: "x" });
      await runGenerator({
        config: other,
        outbox,
        metrics: new Metrics(),
        status: new StatusStore(),
        log: createLogger({ format: "json", quiet: true, write: () => {} }),
        signal: new AbortController().signal,
      });
      const x = expected({ ...settings, SEED: "x" });
      assert.deepEqual(
        jsonOf(queueContent(outbox).LIFT_RIDE).slice(want.LIFT_RIDE.length),
        x.LIFT_RIDE,
      );
    } finally {
      outbox.close();
    }
  } finally {
    await Deno.remove(first.dir, { recursive: true });
  }
});

Deno.test("CHEETAH and TURTLE make the same world-time data as MAX, paced by real time", async () => {
  const start = "2026-11-25T15:00:00Z"; // 08:00 in Colorado: lifts open
  for (
    const [speed, factor, spanMs] of [["CHEETAH", 960, 240_000], ["TURTLE", 120, 30_000]] as const
  ) {
    const settings = {
      SEED: "paced",
      START_TIME: start,
      UNTIL: plus(start, spanMs),
      TICKETS_PER_DAY: "200000",
      SPEED: speed,
      QUIET: "true",
    };
    const r = await setup(settings);
    try {
      const t0 = performance.now();
      await r.run();
      const elapsed = performance.now() - t0;
      // World time cannot outrun real time × speed.
      assert.ok(elapsed >= (spanMs / factor) * 0.9, `${speed} took ${elapsed} ms`);
      const got = queueContent(r.outbox);
      const want = expected(settings);
      assert.ok(want.LIFT_RIDE.length > 5, "tickets bought while open ride at once");
      for (const t of TABLES) assert.deepEqual(jsonOf(got[t]), want[t], `${speed} ${t}`);
      assert.equal(r.status.generator?.finished, true);
      // Finished, it generates nothing: its rate is 0, not the last second's.
      assert.equal(r.status.generator?.rowsPerSecond, 0);
    } finally {
      await r.close();
    }
  }
});

Deno.test("a full queue pauses the world clock; draining resumes it; nothing is lost", async () => {
  const cap = 3000, batchRows = 400;
  const settings = {
    SEED: "pressure",
    START_TIME: START,
    UNTIL: plus(START, 30 * HOUR),
    TICKETS_PER_DAY: "3000",
    QUEUE_MAX_ROWS: String(cap),
    LOG_FORMAT: "json",
  };
  const r = await setup(settings);
  const drained: Record<TableName, string[]> = {
    RESORT_TICKET: [],
    SEASON_PASS: [],
    LIFT_RIDE: [],
  };
  const drain = () => {
    for (const t of TABLES) {
      const shard = r.outbox.shard(t, 0);
      const rows = shard.readAfter(0, 1e9);
      drained[t].push(...rows.map((x) => x.json));
      if (rows.length) shard.deleteThrough(rows[rows.length - 1].id);
    }
  };
  try {
    let done = false;
    const running = r.run({ batchRows, summaryEveryMs: 20 }).finally(() => (done = true));
    let pauses = 0;
    while (!done) {
      await new Promise((res) => setTimeout(res, 25));
      if (!r.status.generator?.paused) continue;
      pauses++;
      // Paused: the queue does not grow while nobody drains it.
      const held = r.outbox.rows("LIFT_RIDE");
      const world = r.status.generator.worldTime;
      await new Promise((res) => setTimeout(res, 150));
      assert.equal(r.outbox.rows("LIFT_RIDE"), held);
      assert.equal(r.status.generator.worldTime, world);
      assert.equal(r.status.generator.rowsPerSecond, 0, "paused, it generates nothing");
      drain();
      // Drained: the generator notices and the world moves on (until the queue fills again).
      while (r.status.generator.worldTime === world && !done) {
        await new Promise((res) => setTimeout(res, 5));
      }
    }
    await running;
    drain();
    assert.ok(pauses >= 3, `paused ${pauses} times`);
    // Every batch was written while every table was below the cap: it overshoots by at most
    // one batch, and a batch is at most batchRows plus one world minute's rows.
    for (const a of r.outbox.appends) {
      for (const t of TABLES) assert.ok(a.before[t] < cap, `append at depth ${a.before[t]}`);
      assert.ok(a.size < batchRows + 500, `batch of ${a.size}`);
    }
    const want = expected(settings);
    for (const t of TABLES) assert.deepEqual(drained[t], want[t], `${t}: no row lost or doubled`);
    const states = r.lines.map((l) => JSON.parse(l)).filter((l) => l.state).map((l) => l.state);
    assert.ok(states.includes("paused (queue full)"), "the summary says when it is paused");
    assert.equal(states[states.length - 1], "finished");
    // A queue that fills and drains several times a second is said once a minute, not each time.
    const msgs = r.lines.map((l) => JSON.parse(l).msg);
    assert.equal(msgs.filter((m) => m === "queue full: world clock paused").length, 1);
    assert.equal(msgs.filter((m) => m === "queue below its cap: world clock running").length, 1);
  } finally {
    await r.close();
  }
});

Deno.test("abort stops the generator after writing every row it made", async () => {
  const settings = {
    SEED: "abort",
    START_TIME: START,
    TICKETS_PER_DAY: "2000",
    LOG_FORMAT: "json",
  };
  const r = await setup(settings);
  try {
    const running = r.run();
    while ((r.status.generator?.rows.LIFT_RIDE ?? 0) < 20_000) {
      await new Promise((res) => setTimeout(res, 10));
    }
    r.controller.abort();
    await running;
    const reached = r.status.generator!.worldTime;
    assert.ok(Date.parse(reached) > Date.parse(START));
    assert.equal(r.status.generator!.finished, false);
    // The queue holds exactly the world up to the time reached: whole, in order, no gap.
    const got = queueContent(r.outbox);
    const want = expected(settings, reached);
    for (const t of TABLES) assert.deepEqual(jsonOf(got[t]), want[t], t);
    const last = JSON.parse(r.lines[r.lines.length - 1]);
    assert.equal(last.state, "stopped");
    assert.equal(last.world, reached);
  } finally {
    await r.close();
  }
});

Deno.test("UNTIL reached: metrics, status and the last summary line agree with the queue", async () => {
  const settings = {
    SEED: "metrics",
    START_TIME: START,
    UNTIL: plus(START, 20 * HOUR),
    TICKETS_PER_DAY: "1000",
    LOG_FORMAT: "json",
  };
  const r = await setup(settings);
  try {
    await r.run({ summaryEveryMs: 1_000_000 });
    const counts = Object.fromEntries(TABLES.map((t) => [t, r.outbox.depth(t).rows]));
    const metric = await r.metrics.rowsGenerated.get();
    for (const t of TABLES) {
      const v = metric.values.find((m) => m.labels.table === t)?.value;
      assert.equal(v, counts[t], `liftline_rows_generated_total{table="${t}"}`);
    }
    const g = r.status.generator!;
    assert.deepEqual(g.rows, counts);
    assert.equal(g.finished, true);
    assert.equal(g.paused, false);
    assert.equal(g.worldTime, new Date(Date.parse(settings.UNTIL)).toISOString());
    const last = JSON.parse(r.lines[r.lines.length - 1]);
    assert.equal(last.msg, "generator finished");
    assert.equal(last.component, "generator");
    assert.equal(last.rides, counts.LIFT_RIDE);
    assert.equal(last.tickets, counts.RESORT_TICKET);
    assert.equal(last.passes, counts.SEASON_PASS);
    assert.equal(last.world, g.worldTime);
    assert.ok(typeof last.rss_mb === "number" && last.rss_mb > 0);
  } finally {
    await r.close();
  }
});

Deno.test("a queue that refuses writes holds the batch, says not ready, and loses nothing", async () => {
  const settings = {
    SEED: "flaky",
    START_TIME: START,
    UNTIL: plus(START, 6 * HOUR),
    TICKETS_PER_DAY: "2000",
    LOG_FORMAT: "json",
  };
  const r = await setup(settings);
  let failures = 2;
  const seenNotReady: string[][] = [];
  const append = r.outbox.append.bind(r.outbox);
  r.outbox.append = (batch, now) => {
    seenNotReady.push(r.status.notReadyReasons());
    if (failures-- > 0) throw new Error("disk I/O error");
    return append(batch, now);
  };
  try {
    await r.run();
    assert.deepEqual(seenNotReady[1], ["queue is not writable: I/O error (disk I/O error)"]);
    assert.deepEqual(r.status.notReadyReasons(), [], "ready again once a write succeeds");
    const got = queueContent(r.outbox);
    const want = expected(settings);
    for (const t of TABLES) assert.deepEqual(jsonOf(got[t]), want[t], t);
    const errors = r.lines.map((l) => JSON.parse(l)).filter((l) => l.level === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].error, "disk I/O error");
  } finally {
    await r.close();
  }
});

Deno.test("QUIET silences the progress lines", async () => {
  const r = await setup({
    SEED: "quiet",
    START_TIME: START,
    UNTIL: plus(START, 2 * HOUR),
    QUIET: "true",
  });
  try {
    await r.run({ summaryEveryMs: 1 });
    assert.deepEqual(r.lines, []);
    assert.equal(r.status.generator?.finished, true);
  } finally {
    await r.close();
  }
});

Deno.test("UNTIL before the world start is a configuration error naming UNTIL", async () => {
  const r = await setup({ UNTIL: "2000-01-01T00:00:00Z", QUIET: "true" });
  try {
    await assert.rejects(r.run(), (e) => e instanceof ConfigError && e.variable === "UNTIL");
    for (const t of TABLES) assert.equal(r.outbox.rows(t), 0);
  } finally {
    await r.close();
  }
});
