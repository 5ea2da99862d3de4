/**
 * Several liftline instances, each with its own data folder and two channels per table,
 * streaming at once into one shared `liftline emulator` (as several producers share one Snowflake
 * account): every row of every instance lands exactly once, each instance on channels of its own.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { startEmulator } from "../../src/emulator/mod.ts";
import { runLiftline, spawnEmulator } from "../helpers/liftline_child.ts";
import { queuedIn } from "../helpers/exactly_once.ts";

const TABLES = ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"] as const;
const INSTANCES = 3;
/** Channels per table of each instance. */
const CHANNELS = 2;
const SPAN = ["--start-time", "2026-11-27T14:00:00Z", "--until", "2026-11-28T02:00:00Z"];

/** The TXIDs queued in an instance's outbox, per table (every shard of it). */
function queuedTxids(dataDir: string): Record<string, string[]> {
  const db = new DatabaseSync(join(dataDir, "queue.db"), { readOnly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => {
      const txids: string[] = [];
      for (let shard = 0; shard < CHANNELS; shard++) {
        const name = shard === 0 ? t : `${t}__${shard}`;
        const rows = db.prepare(`SELECT json_extract(json, '$.TXID') AS txid FROM ${name}`)
          .all() as { txid: string }[];
        assert.ok(rows.length > 0, `${dataDir}: ${name} holds rows`);
        txids.push(...rows.map((r) => r.txid));
      }
      return [t, txids];
    }));
  } finally {
    db.close();
  }
}

function queueDepth(dataDir: string): number {
  const db = new DatabaseSync(join(dataDir, "queue.db"), { readOnly: true });
  try {
    return TABLES.reduce((n, t) => n + queuedIn(db, t), 0);
  } finally {
    db.close();
  }
}

Deno.test("3 instances stream at once into one emulator; every row lands exactly once", async () => {
  const root = await Deno.makeTempDir({ prefix: "liftline-multi-" });
  const emuDir = join(root, "emulator");
  const dirs = Array.from({ length: INSTANCES }, (_, i) => join(root, `instance-${i}`));
  // The emulator creates the key pair in its folder on first start; every instance signs with it.
  const emulator = await spawnEmulator(["--data-dir", emuDir], {
    cwd: root,
    env: { EMULATOR_COMMIT_DELAY_MS: "200" },
  });
  try {
    const instanceEnv = (dir: string) => ({
      DATA_DIR: dir,
      EMULATOR_URL: emulator.url,
      PRIVATE_KEY_FILE: join(emuDir, "rsa_key.p8"),
      STREAM_CHANNELS: String(CHANNELS),
    });
    // Each instance fills its own queue (its own seed, so its own TXIDs)...
    await Promise.all(dirs.map(async (dir, i) => {
      await Deno.mkdir(dir);
      const g = await runLiftline(
        ["generate", "--speed", "MAX", "--seed", `instance-${i}`, "--quiet", ...SPAN],
        { cwd: dir, env: instanceEnv(dir) },
      );
      assert.equal(g.code, 0, g.stderr);
    }));
    const expected = new Map<string, Set<string>>(TABLES.map((t) => [t, new Set()]));
    let generated = 0;
    for (const dir of dirs) {
      for (const [t, txids] of Object.entries(queuedTxids(dir))) {
        assert.ok(txids.length > 0, `${dir} generated ${t} rows`);
        for (const txid of txids) expected.get(t)!.add(txid);
        generated += txids.length;
      }
    }
    const distinct = [...expected.values()].reduce((n, s) => n + s.size, 0);
    assert.equal(distinct, generated, "the instances generated distinct TXIDs");

    // The account is set up once, as an administrator would before any producer starts (each
    // `stream` then finds every object in place and changes nothing).
    const admin = join(root, "admin");
    await Deno.mkdir(admin);
    const setup = await runLiftline(["setup", "--apply", "--quiet"], {
      cwd: admin,
      env: instanceEnv(admin),
    });
    assert.equal(setup.code, 0, setup.stderr);

    // ...then all of them stream into the one emulator at the same time.
    const streams = await Promise.all(
      dirs.map((dir) =>
        runLiftline(["stream", "--drain", "--quiet"], { cwd: dir, env: instanceEnv(dir) })
      ),
    );
    streams.forEach((s, i) => assert.equal(s.code, 0, `instance ${i}: ${s.stderr}`));
    for (const dir of dirs) assert.equal(queueDepth(dir), 0, `${dir}: queue empty`);

    const stopped = await emulator.process.stop("SIGTERM");
    assert.equal(stopped.code, 0, emulator.process.stderr());

    // What landed, read through SQL by an emulator on the same folder once the shared one exited.
    const after = await startEmulator({ dataDir: emuDir, dynamic: { autoRefresh: false } });
    const wh = after.localClient();
    try {
      for (const t of TABLES) {
        const landed = new Map<string, number>();
        const rows = await wh.query(`SELECT TXID, COUNT(*) AS N FROM ${t} GROUP BY TXID`);
        for (const r of rows.rows) landed.set(String(r.TXID), Number(r.N));
        const want = expected.get(t)!;
        const missing = [...want].filter((x) => !landed.has(x));
        const twice = [...landed].filter(([, n]) => n > 1).map(([x]) => x);
        const foreign = [...landed.keys()].filter((x) => !want.has(x));
        assert.deepEqual(
          { missing: missing.length, twice: twice.length, foreign: foreign.length },
          { missing: 0, twice: 0, foreign: 0 },
          `${t}: missing ${missing.slice(0, 3)}, twice ${twice.slice(0, 3)}`,
        );
      }
      // Each instance streamed on channels of its own (two per table), so none displaced another.
      for (const t of TABLES) {
        const pipe = `STREAMING_INGEST.STREAMING_INGEST.${t}_PIPE`;
        const channels = new Set(after.context.warehouse.channelsOf(pipe).map((c) => c.channel));
        assert.equal(channels.size, INSTANCES * CHANNELS, pipe);
      }
    } finally {
      await wh.close();
      await after.close();
    }
  } finally {
    await emulator.process.stop("SIGKILL");
    await Deno.remove(root, { recursive: true });
  }
});
