/**
 * The program as a user runs it: a real `deno run main.ts` child process per case.
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../src/emulator/mod.ts";
import { commandHelp, COMMANDS } from "../../src/cli/commands.ts";
import { configSchema } from "../../src/config/schema.ts";
import { runLiftline, spawnEmulator } from "../helpers/liftline_child.ts";

/** liftline with a clean configuration: only `env` and the working folder's `.env` apply. */
const liftline = runLiftline;

Deno.test("--help lists the commands and exits 0", async () => {
  const r = await liftline(["--help"]);
  assert.equal(r.code, 0);
  for (const cmd of ["run", "generate", "stream", "emulator", "setup", "keygen", "jwt", "check"]) {
    assert.match(r.stdout, new RegExp(`^  ${cmd} `, "m"), cmd);
  }
});

Deno.test("every setting appears in some command's help", () => {
  const help = COMMANDS.map((c) => commandHelp(c)).join("\n");
  const missing = Object.keys(configSchema.shape).filter((name) =>
    !new RegExp(`\\b${name}\\b|--${name.toLowerCase().replaceAll("_", "-")}\\b`).test(help)
  );
  assert.deepEqual(missing, []);
});

Deno.test("per-command help", async () => {
  const r = await liftline(["generate", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: liftline generate/);
  assert.match(r.stdout, /--tickets-per-day/);
});

Deno.test("bad configuration exits 2 with one line naming the variable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await liftline(["generate", "--speed", "WARP"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /SPEED/);
    const e = await liftline(["generate"], { cwd: dir, env: { TICKETS_PER_DAY: "lots" } });
    assert.equal(e.code, 2);
    assert.match(e.stderr, /^liftline: TICKETS_PER_DAY /);
    const u = await liftline(["frobnicate"], { cwd: dir });
    assert.equal(u.code, 2);
    assert.match(u.stderr, /frobnicate/);
    const s = await liftline(["generate", "--apply"], { cwd: dir });
    assert.equal(s.code, 2);
    assert.match(s.stderr, /--apply/);
    // Channels per table: below 1 or above Snowflake's 2,000 per pipe, by flag or environment.
    for (
      const [args, env] of [
        [["stream", "--stream-channels", "0"], {}],
        [["run"], { STREAM_CHANNELS: "2001" }],
      ] as [string[], Record<string, string>][]
    ) {
      const c = await liftline(args, { cwd: dir, env });
      assert.equal(c.code, 2, c.stderr);
      assert.equal(c.stderr.trim().split("\n").length, 1, c.stderr);
      assert.match(c.stderr, /^liftline: STREAM_CHANNELS must be/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(".env in the working folder is read, the environment wins over it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/.env`, "SPEED=WARP\n");
    const r = await liftline(["generate"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /SPEED/);
    const ok = await liftline(["generate", "--help"], { cwd: dir, env: { SPEED: "MAX" } });
    assert.equal(ok.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad private key is not echoed back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await liftline(["check"], {
      cwd: dir,
      env: { PRIVATE_KEY: "TOPSECRETMATERIAL", SNOWFLAKE_ACCOUNT: "acct" },
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /PRIVATE_KEY/);
    assert.ok(!(r.stderr + r.stdout).includes("TOPSECRETMATERIAL"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("keygen writes an owner-only PKCS#8 key Web Crypto and openssl agree on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await liftline(["keygen", "--data-dir", dir, "--snowflake-user", "INGEST_USER"]);
    assert.equal(r.code, 0, r.stderr);
    const priv = await Deno.readTextFile(`${dir}/rsa_key.p8`);
    const pub = await Deno.readTextFile(`${dir}/rsa_key.pub`);
    assert.match(priv, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal((await Deno.stat(`${dir}/rsa_key.p8`)).mode! & 0o777, 0o600);
    // The private key never reaches the terminal.
    const body = priv.split("\n")[1];
    assert.ok(!r.stdout.includes(body) && !r.stderr.includes(body));

    // It parses with Web Crypto as an RSA-2048 signing key.
    const der = Uint8Array.from(
      atob(priv.replace(/-----[A-Z ]+-----|\s/g, "")),
      (ch) => ch.charCodeAt(0),
    );
    const key = await crypto.subtle.importKey(
      "pkcs8",
      der,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
    assert.equal((key.algorithm as RsaHashedKeyAlgorithm).modulusLength, 2048);

    // The printed fingerprint is openssl's: sha256 over the DER public key, base64.
    const openssl = new Deno.Command("sh", {
      args: [
        "-c",
        `openssl rsa -pubin -in '${dir}/rsa_key.pub' -outform DER 2>/dev/null | ` +
        "openssl dgst -sha256 -binary | openssl enc -base64 -A",
      ],
      stdout: "piped",
    });
    const fp = new TextDecoder().decode((await openssl.output()).stdout).trim();
    assert.ok(fp.length > 40, "openssl produced a fingerprint");
    assert.match(r.stdout, new RegExp(`Fingerprint: SHA256:${fp.replace(/[+/]/g, "\\$&")}`));

    const pubBody = pub.replace(/-----[A-Z ]+-----|\s/g, "");
    assert.ok(r.stdout.includes(`ALTER USER INGEST_USER SET RSA_PUBLIC_KEY='${pubBody}';`));

    // A second keygen refuses to overwrite without --force.
    const again = await liftline(["keygen", "--data-dir", dir]);
    assert.equal(again.code, 2);
    assert.equal(await Deno.readTextFile(`${dir}/rsa_key.p8`), priv);
    const forced = await liftline(["keygen", "--data-dir", dir, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(await Deno.readTextFile(`${dir}/rsa_key.p8`), priv);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("setup prints the SQL for this configuration; --apply runs it, twice harmlessly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const printed = await liftline(["setup", "--data-dir", dir, "--database-name", "SKI"]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /CREATE DATABASE IF NOT EXISTS SKI;/);
    assert.match(printed.stdout, /CREATE PIPE IF NOT EXISTS LIFT_RIDE_PIPE/);
    assert.match(printed.stdout, /CREATE OR REPLACE DYNAMIC TABLE HOURLY_RESORT_SUMMARY/);
    for (let i = 0; i < 2; i++) {
      const applied = await liftline(["setup", "--apply", "--data-dir", dir, "--quiet"]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /setup applied: \d+ statements ran on embedded emulator/);
    }
    // What it created is in the data folder's warehouse, for the next start to find.
    const emu = await startEmulator({ dataDir: dir, dynamic: { autoRefresh: false } });
    const sql = emu.localClient();
    try {
      const names = async (what: string) =>
        (await sql.query(`SHOW ${what}`)).rows.map((r) => String(r.name)).sort();
      assert.deepEqual(await names("PIPES"), [
        "LIFT_RIDE_PIPE",
        "RESORT_TICKET_PIPE",
        "SEASON_PASS_PIPE",
      ]);
      assert.equal((await names("DYNAMIC TABLES")).length, 6);
      assert.equal(
        (await sql.query("SELECT COUNT(*) AS N FROM RESORT_CAPACITY")).rows[0].N,
        5,
        "one row per resort",
      );
    } finally {
      await sql.close();
      await emu.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("UNTIL before the default world start exits 2 at once, naming UNTIL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const command of ["run", "generate"]) {
      const r = await liftline([command, "--drain", "--until", "2000-01-01", "--data-dir", dir]
        .filter((a) => command === "run" || a !== "--drain"));
      assert.equal(r.code, 2, `${command}: ${r.stderr}`);
      assert.match(r.stderr.trim(), /^liftline: UNTIL must be later than the world start/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check on a data folder whose warehouse another process has open exits 2 naming DATA_DIR", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { process } = await spawnEmulator(["--data-dir", dir]);
    try {
      const r = await liftline(["check", "--data-dir", dir]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^liftline: DATA_DIR .* is in use: another liftline process \(pid \d+\)/,
      );
      assert.doesNotMatch(r.stderr, /IO Error|Conflicting lock/);
    } finally {
      await process.stop("SIGTERM");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the emulator command exits 0 on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { process } = await spawnEmulator(["--data-dir", dir]);
    const status = await process.stop("SIGTERM");
    assert.equal(status.code, 0, process.stderr());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("jwt prints a token the emulator's SQL API takes; without a key it names PRIVATE_KEY", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const none = await runLiftline(["jwt", "--data-dir", dir]);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /PRIVATE_KEY/);
    assert.equal(none.stdout, "");
    // The emulator writes the data folder's key pair on its first start.
    const { process, url } = await spawnEmulator(["--data-dir", dir]);
    try {
      const r = await runLiftline(["jwt", "--data-dir", dir]);
      assert.equal(r.code, 0, r.stderr);
      const token = r.stdout.trim();
      const call = (bearer: string) =>
        fetch(`${url}/api/v2/statements`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${bearer}`,
            "X-Snowflake-Authorization-Token-Type": "KEYPAIR_JWT",
            "Content-Type": "application/json",
          },
          body: JSON.stringify({ statement: "SELECT CURRENT_USER() AS U" }),
        });
      const ok = await call(token);
      assert.equal(ok.status, 200);
      assert.deepEqual((await ok.json()).data, [["STREAMING_INGEST"]]);
      const other = await runLiftline(["jwt", "--data-dir", dir, "--snowflake-user", "SOMEONE"]);
      const refused = await call(other.stdout.trim());
      assert.equal(refused.status, 401, "a token for another user is refused");
      await refused.body?.cancel();
    } finally {
      await process.stop("SIGTERM");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with an empty DENO_DIR a child's stderr holds liftline's line and nothing else", async () => {
  // A CI machine that caches DENO_DIR may start from an empty one: the runtime must not add
  // download or progress lines to what liftline itself prints.
  const dir = await Deno.makeTempDir();
  try {
    const r = await liftline(["generate", "--speed", "WARP"], {
      cwd: dir,
      env: { DENO_DIR: `${dir}/deno-cache` },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^liftline: SPEED must be one of TURTLE, LLAMA, CHEETAH, MAX\n$/);
    assert.equal(r.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
