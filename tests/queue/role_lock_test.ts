/**
 * One generator and one streamer per data folder: a second is refused at once (exit 2, naming
 * DATA_DIR and the holder's PID) rather than queue every row twice; the other role may run beside.
 */
import assert from "node:assert/strict";
import { lockRole } from "../../src/queue/role_lock.ts";
import { ConfigError } from "../../src/config/error.ts";
import { runLiftline, spawnLiftline } from "../helpers/liftline_child.ts";

Deno.test("a role is held once per data folder, the other role beside it, and again once released", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const generator = lockRole(dir, "generator");
    assert.throws(
      () => lockRole(dir, "generator"),
      (e: unknown) =>
        e instanceof ConfigError && e.variable === "DATA_DIR" &&
        e.message.includes(`(pid ${Deno.pid}) runs its generator there`),
    );
    const streamer = lockRole(dir, "streamer");
    generator.release();
    lockRole(dir, "generator").release();
    streamer.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a second generate on a data folder in use exits 2 and names DATA_DIR; the first goes on", async () => {
  const dir = await Deno.makeTempDir();
  const first = spawnLiftline(["generate", "--data-dir", dir, "--speed", "TURTLE"]);
  try {
    await first.waitFor(/generator starting/);
    const second = await runLiftline(["generate", "--data-dir", dir, "--speed", "TURTLE"]);
    assert.equal(second.code, 2, second.stderr);
    assert.match(
      second.stderr,
      /DATA_DIR .* is in use: another liftline process \(pid \d+\) runs its generator there/,
    );
    assert.equal(second.stderr.trim().split("\n").length, 1, second.stderr);
    assert.ok(first.running(), "the first generator goes on");
  } finally {
    assert.equal((await first.stop()).code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});
