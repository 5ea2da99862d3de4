/**
 * The whole program as a user runs it, in real child processes: `run --drain`, `generate` then
 * `stream --drain`, a separate `emulator` reached through EMULATOR_URL, and SIGTERM shutdown.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const TABLES = ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"];
const SPAN = ["--start-time", "2026-11-27T14:00:00Z", "--until", "2026-11-28T02:00:00Z"];

function command(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, ...args],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

async function liftline(args: string[], env: Record<string, string> = {}) {
  const out = await command(args, env).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Rows per table in the queue, and the TXIDs per table in the warehouse (with duplicates). */
function inspect(dir: string) {
  const queue = new DatabaseSync(`${dir}/queue.db`);
  const wh = new DatabaseSync(`${dir}/warehouse.db`);
  try {
    const queued: Record<string, number> = {};
    const txids: Record<string, { total: number; distinct: number }> = {};
    for (const t of TABLES) {
      queued[t] = Number(
        (queue.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
      );
      const r = wh.prepare(`SELECT count(*) AS total, count(DISTINCT TXID) AS distinct_ FROM ${t}`)
        .get() as { total: number; distinct_: number };
      txids[t] = { total: Number(r.total), distinct: Number(r.distinct_) };
    }
    const maxIds: Record<string, number> = {};
    for (const t of TABLES) {
      const r = queue.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?").get(t) as
        | { seq: number }
        | undefined;
      maxIds[t] = Number(r?.seq ?? 0);
    }
    return { queued, txids, maxIds };
  } finally {
    queue.close();
    wh.close();
  }
}

Deno.test("run --drain: every generated row lands exactly once and the queue empties", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await liftline([
      "run",
      "--drain",
      "--speed",
      "MAX",
      "--seed",
      "e2e",
      ...SPAN,
      "--data-dir",
      dir,
      "--port",
      "0",
      "--emulator-commit-delay-ms",
      "50",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = inspect(dir);
    for (const t of TABLES) {
      assert.equal(s.queued[t], 0, `${t} queue empty`);
      assert.ok(s.maxIds[t] > 0, `${t} generated rows`);
      assert.equal(s.txids[t].total, s.maxIds[t], `${t}: every generated row landed`);
      assert.equal(s.txids[t].distinct, s.txids[t].total, `${t}: no duplicates`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generate, then stream --drain into an emulator in another process", async () => {
  const dir = await Deno.makeTempDir();
  const emulator = command(["emulator", "--data-dir", dir, "--port", "0"]).spawn();
  try {
    // The emulator prints its URL on stdout once it listens.
    const reader = emulator.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let printed = "";
    while (!/http:\/\/\S+/.test(printed)) {
      const { value, done } = await reader.read();
      if (done) break;
      printed += value;
    }
    reader.releaseLock();
    const url = printed.match(/EMULATOR_URL=(http:\/\/[^\s)]+)/)?.[1];
    assert.ok(url, `emulator printed its URL: ${printed}`);

    const g = await liftline(["generate", "--speed", "MAX", "--seed", "two", ...SPAN], {
      DATA_DIR: dir,
    });
    assert.equal(g.code, 0, g.stderr);
    const before = inspect(dir);
    assert.ok(before.queued.LIFT_RIDE > 0);

    const s = await liftline(["stream", "--drain"], {
      DATA_DIR: dir,
      EMULATOR_URL: url,
    });
    assert.equal(s.code, 0, s.stderr);
    emulator.kill("SIGTERM");
    assert.equal((await emulator.status).code, 0);
    const after = inspect(dir);
    for (const t of TABLES) {
      assert.equal(after.queued[t], 0);
      assert.equal(after.txids[t].total, before.queued[t]);
      assert.equal(after.txids[t].distinct, before.queued[t]);
    }
  } finally {
    try {
      emulator.kill("SIGKILL");
    } catch {
      // already exited
    }
    await emulator.status;
    await emulator.stdout.cancel().catch(() => {});
    await emulator.stderr.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM stops run cleanly (exit 0) and the next start resumes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const args = ["run", "--speed", "MAX", "--seed", "sig", "--data-dir", dir, "--port", "0"];
    const child = command([...args, "--start-time", "2026-11-27T14:00:00Z"]).spawn();
    // Let it generate and stream for a while.
    await new Promise((r) => setTimeout(r, 3000));
    child.kill("SIGTERM");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    assert.equal(status.code, 0);
    const mid = inspect(dir);
    assert.ok(mid.maxIds.LIFT_RIDE > 0, "rows were generated before the signal");
    for (const t of TABLES) {
      // Whatever is in the warehouse left the queue; nothing is in both, nothing is lost.
      assert.equal(mid.txids[t].total + mid.queued[t], mid.maxIds[t], t);
      assert.equal(mid.txids[t].distinct, mid.txids[t].total, t);
    }
    // A stream --drain finishes the job.
    const s = await liftline(["stream", "--drain", "--data-dir", dir]);
    assert.equal(s.code, 0, s.stderr);
    const end = inspect(dir);
    for (const t of TABLES) {
      assert.equal(end.queued[t], 0);
      assert.equal(end.txids[t].total, end.maxIds[t]);
      assert.equal(end.txids[t].distinct, end.maxIds[t]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
