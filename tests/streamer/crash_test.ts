/**
 * Crash tests with real processes: the streamer and the emulator are SIGKILLed mid-stream, again
 * and again, with several channels per table (and a different count at each restart);
 * afterwards every TXID must be in the warehouse exactly once and the outbox empty.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { startEmulator } from "../../src/emulator/mod.ts";
import { ensureKeyPair } from "../../src/snowflake/key_files.ts";
import { TABLES } from "../../src/config/load.ts";
import { Outbox } from "../../src/queue/outbox.ts";
import { assertExactlyOnce, fillOutbox, outboxDepth, startStreamerEmulator } from "./fixtures.ts";
import { childEnv, DENO_RUN } from "../helpers/child_env.ts";

const CONFIG = fromFileUrl(new URL("../../deno.json", import.meta.url));
const STREAM_CHILD = fromFileUrl(new URL("./stream_child.ts", import.meta.url));
const EMULATOR_CHILD = fromFileUrl(new URL("./emulator_child.ts", import.meta.url));

/** A child process whose stderr is collected (so it can never block on a full pipe). */
function spawn(script: string, args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, "--config", CONFIG, script, ...args],
    env: childEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  const errDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (c) => void (err += c) }),
  );
  return { child, stderr: () => err, errDone };
}

/** Runs a streamer child with `channels` per table to completion (drain), failing after `ms`. */
async function drainChild(
  dir: string,
  url: string,
  keyFile: string,
  options = {},
  channels = 1,
  ms = 120_000,
) {
  const p = spawn(STREAM_CHILD, [
    dir,
    url,
    keyFile,
    "--drain",
    `--channels=${channels}`,
    JSON.stringify(options),
  ]);
  const out = p.child.stdout.pipeTo(new WritableStream());
  const timer = setTimeout(() => p.child.kill("SIGKILL"), ms);
  const status = await p.child.status;
  clearTimeout(timer);
  await Promise.all([out, p.errDone]);
  assert.equal(status.code, 0, `drain run failed: ${p.stderr()}`);
}

function queued(dir: string): number {
  return Object.values(outboxDepth(dir)).reduce((a, b) => a + b, 0);
}

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return await cond();
}

/** Throttled so that kills land while rows are appended but not yet committed. */
const SLOW = { batchRows: 1000, maxInFlightRows: 3000, reopenMaxMs: 500, commitTimeoutMinMs: 1500 };

/**
 * Channels per table of each streamer run: the queue is filled for three, and every restart
 * streams with another count (a shard beyond it is streamed by its own channel until empty).
 */
const CHANNEL_COUNTS = [3, 2, 4, 1, 3, 2];

async function killStreamerRepeatedly(faults: string, prefix: string) {
  const dir = await Deno.makeTempDir({ prefix: "liftline-crash-" });
  await ensureKeyPair(dir);
  const e = await startStreamerEmulator(dir, { commitDelayMs: 250, faults });
  const emu = e.emu;
  try {
    const txids = fillOutbox(
      dir,
      { RESORT_TICKET: 8000, SEASON_PASS: 2000, LIFT_RIDE: 40_000 },
      prefix,
      1000,
      3,
    );
    const keyFile = join(dir, "rsa_key.p8");
    let midStreamKills = 0;
    for (let round = 0; round < CHANNEL_COUNTS.length && queued(dir) > 0; round++) {
      const before = await e.count("LIFT_RIDE");
      const p = spawn(STREAM_CHILD, [
        dir,
        emu.url,
        keyFile,
        `--channels=${CHANNEL_COUNTS[round]}`,
        JSON.stringify(SLOW),
      ]);
      const out = p.child.stdout.pipeTo(new WritableStream());
      // Let it make some progress, then kill it at a random moment.
      await waitUntil(async () => await e.count("LIFT_RIDE") > before, 30_000);
      await new Promise((r) => setTimeout(r, Math.random() * 400));
      const left = queued(dir);
      p.child.kill("SIGKILL");
      const status = await p.child.status;
      await Promise.all([out, p.errDone]);
      assert.equal(status.signal, "SIGKILL", `child ended on its own: ${p.stderr()}`);
      if (left > 0) midStreamKills++;
    }
    assert.ok(midStreamKills >= 3, `only ${midStreamKills} kills landed mid-stream`);
    await drainChild(dir, emu.url, keyFile, SLOW, 2);
    assert.equal(queued(dir), 0, "outbox empty");
    assert.equal(await assertExactlyOnce(e.sql, txids, prefix), 50_000);
  } finally {
    await e.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("crash: the streamer process is SIGKILLed repeatedly (channel counts changing), then drains: exactly once", async () => {
  await killStreamerRepeatedly("", "k");
});

Deno.test("crash: repeated SIGKILLs with every fault injected, several channels per table: still exactly once", async () => {
  await killStreamerRepeatedly(
    "http429=0.03,http500=0.03,http503=0.03,reset=0.03,latency=1,invalidate=1.5",
    "f",
  );
});

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts an emulator child on `port` (with `faults` injected) and waits for its URL line. */
async function startEmulatorChild(dir: string, port: number, faults = "") {
  const p = spawn(EMULATOR_CHILD, [dir, String(port), "250", faults]);
  const reader = p.child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`emulator child died: ${p.stderr()}`);
    text += value;
  }
  const rest = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return { ...p, url: text.trim(), rest };
}

/** Faults of the emulator child: refusals, resets and latency, but no invalidation timer. */
const EMULATOR_FAULTS = "http429=0.02,http503=0.02,http500=0.02,reset=0.02,latency=1";

Deno.test("crash: the emulator process is SIGKILLed mid-stream under faults and restarted, several channels per table: exactly once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-emucrash-" });
  await ensureKeyPair(dir);
  const port = freePort();
  let emu = await startEmulatorChild(dir, port, EMULATOR_FAULTS);
  let streamer: ReturnType<typeof spawn> | undefined;
  try {
    const txids = fillOutbox(
      dir,
      { RESORT_TICKET: 6000, SEASON_PASS: 1000, LIFT_RIDE: 30_000 },
      "e",
      1000,
      3,
    );
    streamer = spawn(STREAM_CHILD, [
      dir,
      emu.url,
      join(dir, "rsa_key.p8"),
      "--drain",
      "--channels=3",
      JSON.stringify(SLOW),
    ]);
    const out = streamer.child.stdout.pipeTo(new WritableStream());
    let kills = 0;
    for (let round = 0; round < 3; round++) {
      const before = queued(dir);
      if (!(await waitUntil(() => queued(dir) < before, 30_000)) || queued(dir) === 0) break;
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      emu.child.kill("SIGKILL");
      await emu.child.status;
      await Promise.all([emu.errDone, emu.rest]);
      kills++;
      await new Promise((r) => setTimeout(r, 300));
      emu = await startEmulatorChild(dir, port, EMULATOR_FAULTS);
    }
    assert.ok(kills >= 2, `only ${kills} emulator kills landed mid-stream`);
    const timer = setTimeout(() => streamer?.child.kill("SIGKILL"), 120_000);
    const status = await streamer.child.status;
    clearTimeout(timer);
    await Promise.all([out, streamer.errDone]);
    streamer = undefined;
    assert.equal(status.code, 0, "the streamer drained despite the outages");
    assert.equal(queued(dir), 0);
    emu.child.kill("SIGTERM");
    await emu.child.status;
    await Promise.all([emu.errDone, emu.rest]);
    // Read through an emulator on the same data folder, once the child has exited.
    const after = await startEmulator({ dataDir: dir, dynamic: { autoRefresh: false } });
    const sql = after.localClient();
    try {
      assert.equal(await assertExactlyOnce(sql, txids, "e"), 37_000);
    } finally {
      await sql.close();
      await after.close();
    }
  } finally {
    if (streamer) {
      streamer.child.kill("SIGKILL");
      await streamer.child.status;
    }
    try {
      emu.child.kill("SIGKILL");
    } catch { /* already gone */ }
    await emu.child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two instances side by side (two data folders, one emulator, two channels per table) both drain", async () => {
  const emuDir = await Deno.makeTempDir({ prefix: "liftline-two-" });
  await ensureKeyPair(emuDir);
  const a = await Deno.makeTempDir({ prefix: "liftline-a-" });
  const b = await Deno.makeTempDir({ prefix: "liftline-b-" });
  const e = await startStreamerEmulator(emuDir, { commitDelayMs: 200 });
  const emu = e.emu;
  try {
    const fill = { RESORT_TICKET: 3000, SEASON_PASS: 500, LIFT_RIDE: 10_000 };
    const txA = fillOutbox(a, fill, "a", 1000, 2);
    const txB = fillOutbox(
      b,
      { RESORT_TICKET: 2000, SEASON_PASS: 700, LIFT_RIDE: 12_000 },
      "b",
      1000,
      2,
    );
    const key = join(emuDir, "rsa_key.p8");
    await Promise.all([drainChild(a, emu.url, key, {}, 2), drainChild(b, emu.url, key, {}, 2)]);
    await assertExactlyOnce(e.sql, txA, "a");
    await assertExactlyOnce(e.sql, txB, "b");
    assert.equal(queued(a) + queued(b), 0);
    const ids = await Promise.all(
      [a, b].map(async (d) => JSON.parse(await Deno.readTextFile(join(d, "instance.json"))).id),
    );
    assert.notEqual(ids[0], ids[1], "each data folder has its own channels");
    // Each instance streamed on channels of its own: two per table each, twelve in all.
    const channels = ["RESORT_TICKET_PIPE", "SEASON_PASS_PIPE", "LIFT_RIDE_PIPE"].flatMap((p) =>
      emu.context.warehouse.channelsOf(`STREAMING_INGEST.STREAMING_INGEST.${p}`)
    );
    assert.equal(channels.length, 12);
    assert.equal(new Set(channels.map((c) => c.channel)).size, 12);
  } finally {
    await e.close();
    for (const d of [emuDir, a, b]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("SIGTERM is a clean shutdown: exit 0, nothing lost, the next run completes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-term-" });
  await ensureKeyPair(dir);
  const e = await startStreamerEmulator(dir, { commitDelayMs: 300 });
  const emu = e.emu;
  try {
    const txids = fillOutbox(dir, { LIFT_RIDE: 20_000 }, "t");
    const p = spawn(STREAM_CHILD, [dir, emu.url, join(dir, "rsa_key.p8"), JSON.stringify(SLOW)]);
    const out = p.child.stdout.pipeTo(new WritableStream());
    await waitUntil(async () => await e.count("LIFT_RIDE") > 0, 30_000);
    p.child.kill("SIGTERM");
    const status = await p.child.status;
    await Promise.all([out, p.errDone]);
    assert.equal(status.code, 0, p.stderr());
    const outbox = new Outbox(join(dir, "queue.db"), TABLES);
    const left = outbox.depth("LIFT_RIDE").rows;
    outbox.close();
    assert.equal(left + await e.count("LIFT_RIDE"), 20_000);
    await drainChild(dir, emu.url, join(dir, "rsa_key.p8"));
    await assertExactlyOnce(e.sql, txids, "t");
  } finally {
    await e.close();
    await Deno.remove(dir, { recursive: true });
  }
});
