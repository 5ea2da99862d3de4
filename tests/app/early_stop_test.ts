/**
 * A signal before any role has installed its shutdown ends the process with exit 0, not the
 * runtime's 143, and once a role has taken signals over, the early guard stands aside.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const MODULE = fileURLToPath(new URL("../../src/app/early_stop.ts", import.meta.url));

/** A child that installs the guard (and hands over when asked), says so, then waits. */
async function child(handOver: boolean): Promise<{ code: number; signal: string | null }> {
  const script = `
    import { handOverSignals, stopEarlyOnSignal } from ${JSON.stringify(MODULE)};
    stopEarlyOnSignal();
    ${handOver ? "handOverSignals(); Deno.addSignalListener('SIGTERM', () => Deno.exit(7));" : ""}
    console.log("ready");
    setTimeout(() => {}, 60_000);
  `;
  const p = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  p.kill("SIGTERM");
  const status = await p.status;
  await reader.cancel().catch(() => {});
  return { code: status.code, signal: status.signal };
}

Deno.test("a signal before a role's shutdown is installed ends the process with exit 0", async () => {
  assert.deepEqual(await child(false), { code: 0, signal: null });
});

Deno.test("once a role has taken signals over, its own handling decides", async () => {
  assert.deepEqual(await child(true), { code: 7, signal: null });
});
