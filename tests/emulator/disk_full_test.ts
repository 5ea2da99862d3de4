/**
 * A warehouse on a full filesystem: `liftline emulator` with its data folder on an 8 MB tmpfs
 * (mounted when running as root), fed by `liftline stream` from another data folder. While it
 * cannot write, the emulator keeps retrying its commits and answers requests that need the disk
 * with 5xx (retryable by the API's rules, spec §7); nothing crashes, the streamer retries
 * (resends what was not committed, retries 5xx), and once space is freed every row lands exactly
 * once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertEveryRowOnce, exitWithin, queuedRows } from "../helpers/exactly_once.ts";
import { runLiftline, spawnEmulator, spawnLiftline } from "../helpers/liftline_child.ts";
import { mountTmpfs, tmpfsUnavailable } from "../helpers/tmpfs.ts";

const why = await tmpfsUnavailable();
if (why) console.log(`skipping the full-disk warehouse test: ${why}`);

/** Two simulated days: about 200,000 rows and 42 MB of JSON, far more than 8 MB holds. */
const SPAN = {
  seed: "warehouse-disk-full",
  start: "2026-11-27T14:00:00Z",
  until: "2026-11-29T14:00:00Z",
};

/** A streamer log line that says it is retrying. */
const RETRY_LINE = /HTTP 5\d\d.*retrying|reopening channel .*(not committed|HTTP 5\d\d)/g;

async function waitUntil(
  what: string,
  cond: () => boolean,
  ms: number,
  logs: () => string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test({
  name: "emulator on an 8 MB filesystem: it fills, the streamer retries; then exactly once",
  ignore: why !== undefined,
  async fn() {
    const queueDir = await Deno.makeTempDir({ prefix: "liftline-queue-" });
    const fs = await mountTmpfs(8);
    const emulator = await spawnEmulator(["--data-dir", fs.dir], { cwd: fs.dir });
    let stream: ReturnType<typeof spawnLiftline> | undefined;
    try {
      const generated = await runLiftline(
        [
          "generate",
          "--speed",
          "MAX",
          "--seed",
          SPAN.seed,
          "--start-time",
          SPAN.start,
          "--until",
          SPAN.until,
        ],
        { cwd: queueDir, env: { DATA_DIR: queueDir, QUIET: "true" } },
      );
      assert.equal(generated.code, 0, generated.stderr);

      const streamer = spawnLiftline(["stream", "--drain"], {
        cwd: queueDir,
        env: {
          DATA_DIR: queueDir,
          EMULATOR_URL: emulator.url,
          PRIVATE_KEY_FILE: join(fs.dir, "rsa_key.p8"),
        },
      });
      stream = streamer;
      const emulatorLog = emulator.process.stderr;
      await waitUntil(
        "the warehouse disk did not fill up",
        () => /No space left on device|database or disk is full/.test(emulatorLog()),
        120_000,
        () => `${emulatorLog()}\n${streamer.stderr()}`,
      );
      // The streamer retries, more than once, while both stay up: requests answered 5xx (the
      // API's "retry" status), or appends whose commit does not come, resent on a reopened channel.
      const retries = () => streamer.stderr().match(RETRY_LINE) ?? [];
      await waitUntil(
        "the streamer did not retry",
        () => retries().length >= 2,
        60_000,
        () => `${emulatorLog()}\n${streamer.stderr()}`,
      );
      assert.equal(await exitWithin(emulator.process.child, 0), undefined, "emulator still up");
      assert.equal(await exitWithin(streamer.child, 0), undefined, "streamer still up");
      assert.ok(queuedRows(join(queueDir, "queue.db")) > 0, "rows are still waiting");

      // An answer refused for the full disk says so (503, "retry"), not "Internal error".
      for (const line of streamer.stderr().split("\n").filter((l) => /HTTP 5\d\d/.test(l))) {
        assert.match(line, /HTTP 503.*disk is full/, line);
      }
      assert.doesNotMatch(emulatorLog(), /request failed/);
      const kinds = retries().map((l) => l.startsWith("HTTP") ? "5xx" : "reopen");
      console.log(
        `while full: ${kinds.filter((k) => k === "5xx").length} retried 5xx answers, ` +
          `${kinds.filter((k) => k === "reopen").length} reopens to resend uncommitted rows`,
      );
      await fs.resize(256);
      const exited = await exitWithin(streamer.child, 180_000);
      assert.equal(exited?.code, 0, `stream --drain did not finish cleanly:\n${streamer.stderr()}`);
      await streamer.stop();
      assert.equal(queuedRows(join(queueDir, "queue.db")), 0, "queue empty");
      const stopped = await emulator.process.stop("SIGTERM");
      assert.equal(stopped.code, 0, emulator.process.stderr());
      const rows = await assertEveryRowOnce(fs.dir, SPAN);
      console.log(`every one of ${rows} rows landed exactly once after the warehouse disk filled`);
    } finally {
      await stream?.stop("SIGKILL");
      await emulator.process.stop("SIGKILL");
      await fs.dispose();
      await Deno.remove(queueDir, { recursive: true });
    }
  },
});
