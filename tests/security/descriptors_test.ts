/**
 * A flood of idle connections that uses up the process's file descriptors: the emulator refuses
 * what it cannot take, stays up, and answers again once the flood is gone (it ended the whole
 * process: Deno's accept loop failed with "Too many open files" as an unhandled rejection).
 */
import assert from "node:assert/strict";
import { childEnv, DENO_RUN } from "../helpers/child_env.ts";
import { MAIN } from "../helpers/liftline_child.ts";

Deno.test("out of file descriptors under a connection flood, the emulator lives and serves again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-fd-" });
  // A low descriptor limit for the child alone, so that a few hundred connections reach it.
  const command = [Deno.execPath(), ...DENO_RUN, MAIN, "emulator", "--port", "0", "--data-dir", dir]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const child = new Deno.Command("bash", {
    args: ["-c", `ulimit -n 256 && exec ${command}`],
    env: childEnv({}),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const reading = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (t) => void (out += t) }),
  ).catch(() => {});
  const errs = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (t) => void (out += t) }),
  ).catch(() => {});
  const flood: Deno.TcpConn[] = [];
  try {
    let url: string | undefined;
    for (let i = 0; i < 600 && !url; i++) {
      url = /EMULATOR_URL=(http:\/\/[^\s)]+)/.exec(out)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(url, out);
    const port = Number(new URL(url).port);
    assert.equal((await fetch(`${url}/healthz`)).status < 500, true);
    // More idle connections than the child has descriptors: it runs out.
    for (let i = 0; i < 400; i++) {
      try {
        flood.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      } catch {
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 1500));
    for (const c of flood.splice(0)) c.close();
    // Once they are gone, it answers again, and it never exited.
    let answered = false;
    for (let i = 0; i < 40 && !answered; i++) {
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
        await res.body?.cancel();
        answered = true;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    assert.ok(answered, `no answer after the flood:\n${out}`);
    assert.match(out, /out of file descriptors/);
  } finally {
    for (const c of flood) c.close();
    try {
      child.kill("SIGTERM");
    } catch {
      // exited
    }
    const status = await child.status;
    await reading;
    await errs;
    await Deno.remove(dir, { recursive: true });
    assert.equal(status.code, 0, out);
  }
});
