/**
 * Compression bombs at a `liftline emulator` process: refused with 413 once the decoded body
 * passes its cap, promptly and without the emulator ever holding the whole bomb in memory.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { importPrivateKey, publicKeyFingerprint } from "../../src/snowflake/keys.ts";
import { appendPath, exchange, keypairJwt, openChannel } from "../emulator/helpers.ts";
import { runLiftline, spawnEmulator } from "../helpers/liftline_child.ts";
import { compressionBomb } from "./hostile_requests.ts";

/** Peak resident memory of a process in MB, where the platform tells it (Linux /proc). */
function peakRssMb(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Far above what decoding up to the cap needs (an idle emulator holds about 100 MB). */
const PEAK_RSS_LIMIT_MB = 512;

Deno.test("gzip bombs of 1 GB and 4 GB get a prompt 413 and never sit whole in memory", async () => {
  const root = await Deno.makeTempDir({ prefix: "liftline-bomb-" });
  const emuDir = join(root, "emulator");
  const { process: emulator, url } = await spawnEmulator(["--data-dir", emuDir], { cwd: root });
  try {
    // Unauthenticated: the SQL login reads (and decodes) its body before it checks the JWT.
    const login = await compressionBomb("gzip", 1000 * 1024 * 1024);
    assert.ok(login.length < 1024 * 1024, "the bomb fits the login's 1 MB wire limit");
    const res = await fetch(`${url}/session/v1/login-request`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
      body: login,
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(res.status, 413, await res.text());

    // Authenticated: an append within the 4 MB wire cap that decodes to 4 GB, to liftline's
    // LIFT_RIDE_PIPE (the emulator starts empty: setup creates it through SQL, as `run` does).
    const instance = join(root, "instance");
    await Deno.mkdir(instance);
    const setup = await runLiftline(["setup", "--apply", "--quiet"], {
      cwd: instance,
      env: { DATA_DIR: instance, EMULATOR_URL: url, PRIVATE_KEY_FILE: join(emuDir, "rsa_key.p8") },
    });
    assert.equal(setup.code, 0, setup.stderr);
    const privateKeyPem = await Deno.readTextFile(join(emuDir, "rsa_key.p8"));
    const publicKeyPem = await Deno.readTextFile(join(emuDir, "rsa_key.pub"));
    const scoped = await exchange(
      url,
      await keypairJwt({
        privateKeyPem,
        publicKeyPem,
        privateKey: await importPrivateKey(privateKeyPem),
        fingerprint: await publicKeyFingerprint(publicKeyPem),
      }),
    );
    const open = await openChannel(url, scoped, "LIFT_RIDE_PIPE", "bomb");
    assert.equal(open.status, 200);
    const append = await compressionBomb("gzip", 4000 * 1024 * 1024);
    assert.ok(append.length < 4 * 1024 * 1024, "the bomb fits the append's 4 MB wire limit");
    const qs = new URLSearchParams({ continuationToken: open.body.next_continuation_token });
    const res2 = await fetch(`${url}${appendPath("LIFT_RIDE_PIPE", "bomb")}?${qs}`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${scoped}`,
        Accept: "application/json",
        "Content-Type": "application/x-ndjson",
        "Content-Encoding": "gzip",
      },
      body: append,
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res2.json();
    assert.equal(res2.status, 413, JSON.stringify(body));
    assert.equal(body.code, "ERR_PAYLOAD_TOO_LARGE");

    const peak = peakRssMb(emulator.child.pid);
    if (peak !== undefined) {
      assert.ok(peak < PEAK_RSS_LIMIT_MB, `the emulator peaked at ${peak.toFixed(0)} MB`);
    }
    assert.ok(emulator.running(), emulator.stderr());
    assert.equal((await emulator.stop("SIGTERM")).code, 0, emulator.stderr());
  } finally {
    await emulator.stop("SIGKILL");
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a small gzip login body may not inflate past its cap before anyone signs in", async () => {
  const root = await Deno.makeTempDir({ prefix: "liftline-bomb-" });
  const { process: emulator, url } = await spawnEmulator(["--data-dir", join(root, "e")], {
    cwd: root,
  });
  try {
    // 2 MB decoded (the login's cap is 1 MB, as sent or decoded), a few KB on the wire: refused
    // before any JSON is parsed. (A query is read only once its session token is checked.)
    for (const [path, decoded] of [["/session/v1/login-request", 2 * 1024 * 1024]] as const) {
      const body = await compressionBomb("gzip", decoded);
      assert.ok(body.length < 64 * 1024, `${path}: ${body.length} bytes on the wire`);
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(res.status, 413, `${path}: ${await res.text()}`);
    }
  } finally {
    await emulator.stop();
    await Deno.remove(root, { recursive: true });
  }
});
