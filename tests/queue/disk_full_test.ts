/**
 * A queue on a full filesystem (a small tmpfs, mounted when running as root): the write fails
 * with its real cause, nothing crashes, readiness and the metric say "disk full", and once space
 * is freed every row lands exactly once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TABLES } from "../../src/config/load.ts";
import { Outbox } from "../../src/queue/outbox.ts";
import { assertEveryRowOnce, exitWithin, queuedRows } from "../helpers/exactly_once.ts";
import { spawnEmulator, spawnLiftline } from "../helpers/liftline_child.ts";
import { mountTmpfs, tmpfsUnavailable } from "../helpers/tmpfs.ts";

const why = await tmpfsUnavailable();
if (why) console.log(`skipping the full-disk queue tests: ${why}`);

Deno.test({
  name: "outbox on a full disk: the error names the cause, no partial batch, writable again",
  ignore: why !== undefined,
  async fn() {
    const fs = await mountTmpfs(1);
    const outbox = new Outbox(join(fs.dir, "queue.db"), TABLES);
    try {
      const row = JSON.stringify({ TXID: "x".repeat(36), PAD: "p".repeat(400) });
      const batch = { LIFT_RIDE: Array(500).fill(row) };
      let stored = 0;
      let failure: unknown;
      for (let i = 0; i < 100 && failure === undefined; i++) {
        try {
          outbox.append(batch);
          stored += batch.LIFT_RIDE.length;
        } catch (e) {
          failure = e;
        }
      }
      assert.ok(failure instanceof Error, "a 1 MB filesystem fills up");
      assert.equal(failure.message, "database or disk is full");
      assert.deepEqual(outbox.writeProblem(), {
        reason: "disk_full",
        message: "database or disk is full",
      });
      assert.equal(outbox.depth("LIFT_RIDE").rows, stored, "the failed batch left no rows");

      await fs.resize(16);
      outbox.append(batch);
      assert.equal(outbox.writeProblem(), undefined, "writable again after a successful write");
      assert.equal(outbox.depth("LIFT_RIDE").rows, stored + batch.LIFT_RIDE.length);
    } finally {
      outbox.close();
      await fs.dispose();
    }
  },
});

/** Two simulated days: about 200,000 rows and 42 MB of JSON, far more than 6 MB holds. */
const SPAN = {
  seed: "queue-disk-full",
  start: "2026-11-27T14:00:00Z",
  until: "2026-11-29T14:00:00Z",
};

Deno.test({
  name: "run on a 6 MB queue filesystem: disk full is named, reported, counted; then exactly once",
  ignore: why !== undefined,
  async fn() {
    const emulatorDir = await Deno.makeTempDir({ prefix: "liftline-emu-" });
    const emulator = await spawnEmulator(["--data-dir", emulatorDir], { cwd: emulatorDir });
    const fs = await mountTmpfs(6);
    const run = spawnLiftline(
      [
        "run",
        "--drain",
        "--speed",
        "MAX",
        "--seed",
        SPAN.seed,
        "--start-time",
        SPAN.start,
        "--until",
        SPAN.until,
      ],
      {
        cwd: fs.dir,
        env: {
          DATA_DIR: fs.dir,
          PORT: "0",
          EMULATOR_URL: emulator.url,
          PRIVATE_KEY_FILE: join(emulatorDir, "rsa_key.p8"),
        },
      },
    );
    try {
      const [, url] = await run.waitFor(/serving url=(http:\/\/\S+)/);
      // While the disk is full: the process stays up, /readyz names the cause, the metric counts.
      let readyzSaid: string[] = [];
      let counted = 0;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !(readyzSaid.length && counted > 0)) {
        const ready = await fetch(`${url}/readyz`);
        const body = await ready.json();
        if (ready.status === 503 && body.reasons.includes("queue is not writable: disk full")) {
          readyzSaid = body.reasons;
        }
        const metrics = await (await fetch(`${url}/metrics`)).text();
        const m = metrics.match(/^liftline_queue_write_errors_total\{reason="disk_full"\} (\d+)/m);
        counted = Number(m?.[1] ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(readyzSaid.length > 0, `/readyz never said disk full:\n${run.stderr()}`);
      assert.ok(counted > 0, "liftline_queue_write_errors_total{reason=disk_full} counted");
      assert.equal(
        readyzSaid.filter((r) => r.startsWith("queue is not writable")).length,
        1,
        `the cause is listed once: ${JSON.stringify(readyzSaid)}`,
      );
      assert.match(run.stderr(), /cannot write to the queue.*database or disk is full/);
      assert.doesNotMatch(run.stderr(), /cannot rollback/);

      // Free space: the held batch and everything after it is written, streamed, committed.
      await fs.resize(128);
      const exited = await exitWithin(run.child, 180_000);
      assert.equal(exited?.code, 0, `run --drain did not finish cleanly:\n${run.stderr()}`);
      await run.stop();
      assert.match(run.stderr(), /queue writable again/);
      assert.equal(queuedRows(join(fs.dir, "queue.db")), 0, "queue empty");
      assert.equal((await emulator.process.stop("SIGTERM")).code, 0, emulator.process.stderr());
      const rows = await assertEveryRowOnce(emulatorDir, SPAN);
      console.log(`every one of ${rows} rows landed exactly once after the queue disk filled up`);
    } finally {
      await run.stop("SIGKILL");
      await emulator.process.stop("SIGKILL");
      await fs.dispose();
      await Deno.remove(emulatorDir, { recursive: true });
    }
  },
});
