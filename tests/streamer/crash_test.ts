/**
 * Crash tests with real processes: the streamer and the emulator are SIGKILLed mid-stream, again
 * and again; afterwards every TXID must be in the warehouse exactly once and the outbox empty.
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

/** Runs a streamer child to completion (drain), failing after `ms`. */
async function drainChild(dir: string, url: string, keyFile: string, options = {}, ms = 120_000) {
  const p = spawn(STREAM_CHILD, [dir, url, keyFile, "--drain", JSON.stringify(options)]);
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
    );
    const keyFile = join(dir, "rsa_key.p8");
    let midStreamKills = 0;
    for (let round = 0; round < 6 && queued(dir) > 0; round++) {
      const before = await e.count("LIFT_RIDE");
      const p = spawn(STREAM_CHILD, [dir, emu.url, keyFile, JSON.stringify(SLOW)]);
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
    await drainChild(dir, emu.url, keyFile, SLOW);
    assert.equal(queued(dir), 0, "outbox empty");
    assert.equal(await assertExactlyOnce(e.sql, txids, prefix), 50_000);
  } finally {
    await e.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("crash: the streamer process is SIGKILLed repeatedly, then drains: exactly once", async () => {
  await killStreamerRepeatedly("", "k");
});

Deno.test("crash: repeated SIGKILLs with every fault injected: still exactly once", async () => {
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

/** Starts an emulator child on `port` and waits for its URL line. */
async function startEmulatorChild(dir: string, port: number) {
  const p = spawn(EMULATOR_CHILD, [dir, String(port), "250"]);
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

Deno.test("crash: the emulator process is SIGKILLed mid-stream and restarted: exactly once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-emucrash-" });
  await ensureKeyPair(dir);
  const port = freePort();
  let emu = await startEmulatorChild(dir, port);
  let streamer: ReturnType<typeof spawn> | undefined;
  try {
    const txids = fillOutbox(
      dir,
      { RESORT_TICKET: 6000, SEASON_PASS: 1000, LIFT_RIDE: 30_000 },
      "e",
    );
    streamer = spawn(STREAM_CHILD, [
      dir,
      emu.url,
      join(dir, "rsa_key.p8"),
      "--drain",
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
      emu = await startEmulatorChild(dir, port);
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

Deno.test("two instances side by side (two data folders, one emulator) both drain", async () => {
  const emuDir = await Deno.makeTempDir({ prefix: "liftline-two-" });
  await ensureKeyPair(emuDir);
  const a = await Deno.makeTempDir({ prefix: "liftline-a-" });
  const b = await Deno.makeTempDir({ prefix: "liftline-b-" });
  const e = await startStreamerEmulator(emuDir, { commitDelayMs: 200 });
  const emu = e.emu;
  try {
    const txA = fillOutbox(a, { RESORT_TICKET: 3000, SEASON_PASS: 500, LIFT_RIDE: 10_000 }, "a");
    const txB = fillOutbox(b, { RESORT_TICKET: 2000, SEASON_PASS: 700, LIFT_RIDE: 12_000 }, "b");
    const key = join(emuDir, "rsa_key.p8");
    await Promise.all([drainChild(a, emu.url, key), drainChild(b, emu.url, key)]);
    await assertExactlyOnce(e.sql, txA, "a");
    await assertExactlyOnce(e.sql, txB, "b");
    assert.equal(queued(a) + queued(b), 0);
    const ids = await Promise.all(
      [a, b].map(async (d) => JSON.parse(await Deno.readTextFile(join(d, "instance.json"))).id),
    );
    assert.notEqual(ids[0], ids[1], "each data folder has its own channels");
    // Neither fought the other: no reopen was needed beyond the first open of each channel.
    const channels = ["RESORT_TICKET_PIPE", "SEASON_PASS_PIPE", "LIFT_RIDE_PIPE"].flatMap((p) =>
      emu.context.warehouse.channelsOf(`STREAMING_INGEST.STREAMING_INGEST.${p}`)
    );
    assert.equal(channels.length, 6);
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
