/**
 * The shutdown signal: the first SIGTERM/SIGINT asks for a clean stop and arms a deadline that
 * ends the process with exit 0 if the role has not finished by then; a second signal exits at
 * once; a role that finishes in time disarms the deadline.
 *
 * Only SIGTERM is sent here: the test runner takes SIGINT for itself (the child-process tests in
 * tests/cli/shutdown_test.ts send SIGINT to a real liftline).
 */
import assert from "node:assert/strict";
import { DUPLICATE_SIGNAL_MS, listenForShutdown } from "../../src/app/shutdown.ts";
import { silentLogger } from "../../src/log.ts";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `ready()` holds, polling every 5 ms (a signal arrives asynchronously). */
async function until(ready: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error("not within the time");
    await wait(5);
  }
}

Deno.test("a signal aborts the shutdown signal; an unfinished shutdown exits 0 at the deadline", async () => {
  const exits: number[] = [];
  const shutdown = listenForShutdown(silentLogger, {
    deadlineMs: 100,
    exit: (code) => void exits.push(code),
  });
  try {
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => shutdown.signal.aborted);
    assert.match(String((shutdown.signal.reason as Error).message), /SIGTERM/);
    assert.deepEqual(exits, [], "the role gets its time first");
    await until(() => exits.length > 0);
    assert.deepEqual(exits, [0]);
  } finally {
    shutdown.dispose();
  }
});

Deno.test("a second signal exits at once; a role that finished in time disarms the deadline", async () => {
  const exits: number[] = [];
  const shutdown = listenForShutdown(silentLogger, {
    deadlineMs: 400,
    exit: (code) => void exits.push(code),
  });
  try {
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => shutdown.signal.aborted);
    // The same signal at once is its copy (a process group's, forwarded): still one request.
    Deno.kill(Deno.pid, "SIGTERM");
    await wait(DUPLICATE_SIGNAL_MS + 50);
    assert.deepEqual(exits, [], "a copy of the first signal is not a second one");
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => exits.length > 0);
    assert.deepEqual(exits, [130]);
  } finally {
    shutdown.dispose();
  }
  // Disposed before its deadline: nothing more happens.
  await wait(500);
  assert.deepEqual(exits, [130]);
});

Deno.test("a shutdown the program requested itself still lets the first real signal arm the deadline", async () => {
  const exits: number[] = [];
  const shutdown = listenForShutdown(silentLogger, {
    deadlineMs: 50,
    exit: (code) => void exits.push(code),
  });
  try {
    shutdown.request("streamer stopped");
    assert.ok(shutdown.signal.aborted);
    await wait(120);
    assert.deepEqual(exits, [], "no deadline without a signal");
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => exits.length > 0);
    assert.deepEqual(exits, [0], "the first signal is not taken for a second one");
  } finally {
    shutdown.dispose();
  }
});
