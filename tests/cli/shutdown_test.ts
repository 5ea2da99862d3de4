/**
 * Prompt shutdown, in real child processes, whatever the report backlog (interface.md,
 * "Shutdown"): a signal during a catch-up refresh ends the role within 10 s with exit 0, the
 * next start resumes the refresh until the reports reflect every committed ride exactly, and
 * `stream --drain` exits within 3 s of its last commit.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { dynamicTableBacklog } from "../../src/emulator/dynamic/engine.ts";
import { Warehouse, WAREHOUSE_FILE } from "../../src/emulator/warehouse.ts";
import { loadRows } from "../reports/fixtures.ts";
import { type LiftlineProcess, runLiftline, spawnLiftline } from "../helpers/liftline_child.ts";

const TABLES = ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"] as const;
/** What interface.md allows from a signal to the end of the process. */
const SIGNAL_BOUND_MS = 10_000;
/** …and from `stream --drain`'s last commit to its exit. */
const DRAIN_BOUND_MS = 3_000;

/** `liftline generate --speed MAX` from `start` until `until` into `dir`'s queue. */
async function generate(dir: string, start: string, until: string, seed: string): Promise<void> {
  const r = await runLiftline(
    ["generate", "--speed", "MAX", "--seed", seed, "--start-time", start, "--until", until],
    { cwd: dir, env: { DATA_DIR: dir } },
  );
  assert.equal(r.code, 0, r.stderr);
}

/**
 * Moves every queued row into `dir`'s warehouse as committed rows (through the pipe's coercion
 * and the commit path, as a streamed append ends), leaving no queue: a big backlog of rides the
 * report chain has not seen, built in seconds.
 */
async function commitQueueToWarehouse(dir: string): Promise<number> {
  const queue = new DatabaseSync(join(dir, "queue.db"));
  const rows: Record<string, string[]> = {};
  try {
    for (const t of TABLES) {
      rows[t] = (queue.prepare(`SELECT json FROM ${t} ORDER BY id`).all() as { json: string }[])
        .map((r) => r.json);
    }
  } finally {
    queue.close();
  }
  for (const suffix of ["", "-wal", "-shm"]) {
    await Deno.remove(join(dir, `queue.db${suffix}`)).catch(() => {});
  }
  const warehouse = new Warehouse(join(dir, WAREHOUSE_FILE));
  try {
    loadRows(warehouse, rows);
  } finally {
    warehouse.close();
  }
  return rows.LIFT_RIDE.length;
}

/** A read-only look at one of `dir`'s databases while (or after) a child writes it. */
function withDatabase<T>(dir: string, file: string, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(dir, file), { readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const withWarehouse = <T>(dir: string, read: (db: DatabaseSync) => T) =>
  withDatabase(dir, WAREHOUSE_FILE, read);
const withQueue = <T>(dir: string, read: (db: DatabaseSync) => T) =>
  withDatabase(dir, "queue.db", read);

const scalar = (db: DatabaseSync, sql: string) =>
  Number((db.prepare(sql).get() as { n: number | bigint | null }).n ?? 0);

/** Polls `check` every 50 ms until it holds; throws after `ms`. */
async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (true) {
    try {
      if (check()) return;
    } catch {
      // The child has not created the tables yet, or holds a write lock for a moment.
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends `signal` and returns the exit code and how long the exit took. */
async function signalAndTime(child: LiftlineProcess, signal: Deno.Signal) {
  const t0 = performance.now();
  // The helper's own SIGKILL fallback comes far later than the bound under test.
  const status = await child.stop(signal, 30_000);
  return { code: status.code, ms: performance.now() - t0 };
}

Deno.test("a signal during a catch-up refresh ends the process promptly; the next start reaches every ride", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await generate(dir, "2026-11-27T14:00:00Z", "2026-11-28T16:00:00Z", "shutdown-backlog");
    const committed = await commitQueueToWarehouse(dir);
    assert.ok(committed > 30_000, `a big backlog: ${committed} rides`);

    // The scheduler's first look comes a few seconds after the start; the backlog is due at once.
    const first = spawnLiftline(["emulator", "--port", "0", "--data-dir", dir], { cwd: dir });
    try {
      await first.waitFor(/EMULATOR_URL=/);
      await until(
        "the catch-up refresh started",
        () => withWarehouse(dir, (db) => dynamicTableBacklog(db).reflectedRides > 0),
        30_000,
      );
      const { code, ms } = await signalAndTime(first, "SIGTERM");
      assert.equal(code, 0, first.stderr());
      assert.ok(ms < SIGNAL_BOUND_MS, `SIGTERM to exit took ${ms.toFixed(0)} ms`);
    } finally {
      await first.stop("SIGKILL");
    }
    const cut = withWarehouse(dir, (db) => ({
      backlog: dynamicTableBacklog(db),
      states: db.prepare(
        `SELECT H.NAME, H.STATE, D.DATA_TIMESTAMP FROM _DT_REFRESH_HISTORY AS H
         JOIN _DT_DEFINITION AS D USING (NAME) ORDER BY H.ID`,
      ).all() as { NAME: string; STATE: string; DATA_TIMESTAMP: string | null }[],
      hourlyRides: scalar(db, "SELECT sum(TOTAL_RIDES) AS n FROM HOURLY_RESORT_SUMMARY"),
    }));
    assert.equal(cut.backlog.committedRides, committed);
    assert.ok(cut.backlog.reflectedRides < committed, "the refresh was cut short");
    assert.equal(cut.backlog.reflectedRides % 2000, 0, "at a chunk boundary");
    // Reported honestly: cancelled, and no data timestamp claims rows it does not reflect.
    assert.deepEqual(new Set(cut.states.map((s) => s.STATE)), new Set(["CANCELLED"]));
    assert.ok(cut.states.every((s) => s.DATA_TIMESTAMP === null));
    // What the cut-short refresh committed went through the whole chain.
    assert.equal(cut.hourlyRides, cut.backlog.reflectedRides);

    // The next start (another role, another signal) resumes from the marks.
    const second = spawnLiftline(["stream", "--data-dir", dir], { cwd: dir });
    try {
      await until(
        "the reports caught up",
        () =>
          withWarehouse(dir, (db) =>
            dynamicTableBacklog(db).reflectedRides === committed &&
            scalar(db, "SELECT count(*) AS n FROM _DT_DEFINITION WHERE DATA_TIMESTAMP IS NULL") ===
              0),
        45_000,
      );
      const { code, ms } = await signalAndTime(second, "SIGINT");
      assert.equal(code, 0, second.stderr());
      assert.ok(ms < SIGNAL_BOUND_MS, `SIGINT to exit took ${ms.toFixed(0)} ms`);
    } finally {
      await second.stop("SIGKILL");
    }
    withWarehouse(dir, (db) => {
      const rides = scalar(db, "SELECT count(*) AS n FROM LIFT_RIDE");
      assert.equal(rides, committed);
      // Every committed ride counted once in every layer of the chain.
      assert.equal(scalar(db, "SELECT sum(TOTAL_RIDES) AS n FROM HOURLY_LIFT_ACTIVITY"), rides);
      assert.equal(scalar(db, "SELECT sum(TOTAL_RIDES) AS n FROM HOURLY_RESORT_SUMMARY"), rides);
      assert.equal(scalar(db, "SELECT sum(TOTAL_RIDES) AS n FROM DAILY_RESORT_SUMMARY"), rides);
      assert.equal(
        scalar(db, "SELECT sum(WEEK_TOTAL_RIDES) AS n FROM WEEKLY_RESORT_SUMMARY"),
        rides,
      );
      assert.equal(
        scalar(db, "SELECT count(*) AS n FROM DAILY_VISITS"),
        scalar(
          db,
          `SELECT count(*) AS n FROM (
             SELECT DISTINCT substr(RIDE_TIME, 1, 10), RESORT, RFID FROM LIFT_RIDE)`,
        ),
      );
      const states = (db.prepare("SELECT STATE FROM _DT_REFRESH_HISTORY ORDER BY ID").all() as {
        STATE: string;
      }[]).map((s) => s.STATE);
      assert.equal(states[0], "CANCELLED");
      assert.equal(states.at(-1), "SUCCEEDED");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream --drain over a big report backlog exits within 3 s of its last commit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Two simulated days committed but not yet reflected by the reports (about 180k rides): the
    // scheduler's first look, a few seconds after the start, begins a long catch-up refresh.
    await generate(dir, "2026-11-27T14:00:00Z", "2026-11-29T14:00:00Z", "shutdown-drain");
    const backlog = await commitQueueToWarehouse(dir);
    // One more day to stream. Every request to the embedded emulator takes a second longer, so
    // the drain (token, open, appends, status polls) ends after that first look, while the
    // catch-up still runs: the exit must not wait for it.
    await generate(dir, "2026-12-01T14:00:00Z", "2026-12-02T14:00:00Z", "shutdown-queue");
    const queued = withQueue(dir, (db) => scalar(db, "SELECT count(*) AS n FROM LIFT_RIDE"));
    const child = spawnLiftline(["stream", "--drain", "--data-dir", dir], {
      cwd: dir,
      env: { EMULATOR_FAULTS: "latency=1000" },
    });
    try {
      // Each table logs "table drained" once its last rows are confirmed committed; waiting for
      // them in turn leaves `last` at the moment the last of the three appeared.
      let last = 0;
      for (const table of TABLES) {
        await child.waitFor(new RegExp(`table drained table=${table}\\b`), 50_000);
        last = performance.now();
      }
      const status = await child.child.status;
      const ms = performance.now() - last;
      assert.equal(status.code, 0, child.stderr());
      assert.ok(ms < DRAIN_BOUND_MS, `exit came ${ms.toFixed(0)} ms after the last commit`);
    } finally {
      await child.stop("SIGKILL");
    }
    withWarehouse(dir, (db) => {
      assert.equal(scalar(db, "SELECT count(*) AS n FROM LIFT_RIDE"), backlog + queued);
      // Whatever the chain reached before the exit, it reached through every layer.
      const { reflectedRides } = dynamicTableBacklog(db);
      assert.equal(
        scalar(db, "SELECT sum(TOTAL_RIDES) AS n FROM HOURLY_RESORT_SUMMARY"),
        reflectedRides,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a signal ends check and generate with exit 0 within 10 s, even when the target never answers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Every request to the embedded emulator hangs for a minute: the check is stuck, and so is
    // the emulator's own shutdown (its server waits for requests in flight). The shutdown
    // deadline ends the process anyway.
    const check = spawnLiftline(["check", "--data-dir", dir], {
      cwd: dir,
      env: { EMULATOR_FAULTS: "latency=60000" },
    });
    try {
      await check.waitFor(/ok +configuration is valid/);
      const { code, ms } = await signalAndTime(check, "SIGTERM");
      assert.equal(code, 0, check.stderr());
      assert.ok(ms < SIGNAL_BOUND_MS, `SIGTERM to exit took ${ms.toFixed(0)} ms`);
      assert.match(check.stdout(), /^STOP +received SIGTERM/m);
      assert.doesNotMatch(check.stdout(), /^FAIL/m);
    } finally {
      await check.stop("SIGKILL");
    }

    const generator = spawnLiftline(["generate", "--speed", "MAX", "--data-dir", dir], {
      cwd: dir,
    });
    try {
      await generator.waitFor(/generator starting/);
      // It is writing rows (a signal mid-batch, not before the first one).
      await until(
        "the generator wrote rows",
        () => withQueue(dir, (db) => scalar(db, "SELECT count(*) AS n FROM LIFT_RIDE")) > 0,
        30_000,
      );
      const { code, ms } = await signalAndTime(generator, "SIGINT");
      assert.equal(code, 0, generator.stderr());
      assert.ok(ms < SIGNAL_BOUND_MS, `SIGINT to exit took ${ms.toFixed(0)} ms`);
      assert.match(generator.stderr(), /generator stopped/);
    } finally {
      await generator.stop("SIGKILL");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
