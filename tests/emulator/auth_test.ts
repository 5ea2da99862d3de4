import assert from "node:assert/strict";
import {
  ACCOUNT,
  channelStatus,
  exchange,
  headers,
  JWT_GRANT,
  keypairJwt,
  newKeys,
  openChannel,
  startTestEmulator,
  testKeys,
  unsignedJwt,
  USER,
} from "./helpers.ts";

const PIPE = "LIFT_RIDE_PIPE";

async function hostname(url: string, token?: string) {
  const h = new Headers({ Accept: "application/json" });
  if (token !== undefined) h.set("Authorization", `Bearer ${token}`);
  h.set("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT");
  const res = await fetch(`${url}/v2/streaming/hostname`, { headers: h });
  return { status: res.status, text: await res.text() };
}

Deno.test("hostname answers plain text that reaches the same server, with a KEYPAIR_JWT", async () => {
  const t = await startTestEmulator();
  try {
    const res = await hostname(t.url, await keypairJwt(t.keys));
    assert.equal(res.status, 200);
    assert.ok(!res.text.startsWith("{") && !res.text.startsWith('"'), res.text);
    assert.equal(res.text, new URL(t.url).host);
    // The answer is usable as a base URL for the ingest plane.
    const again = await hostname(
      `http://${res.text.replaceAll("_", "-")}`,
      await keypairJwt(t.keys),
    );
    assert.equal(again.status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("key-pair JWTs that must be refused get 401", async (ctx) => {
  const t = await startTestEmulator();
  const keys = await testKeys();
  const other = await newKeys();
  const now = Math.floor(Date.now() / 1000);
  try {
    // Each case with the reason the emulator must give (so a 401 for another cause fails).
    const cases: [string, string | undefined, RegExp][] = [
      ["no token", undefined, /missing/],
      ["not a JWT", "hello", /not a JWT/],
      [
        "signed by another key",
        await keypairJwt(keys, { signWith: other.privateKey }),
        /signature/,
      ],
      [
        "wrong fingerprint in iss",
        await keypairJwt(keys, { fingerprint: other.fingerprint }),
        /iss/,
      ],
      ["lower-case account", await keypairJwt(keys, { account: ACCOUNT.toLowerCase() }), /sub/],
      ["wrong account", await keypairJwt(keys, { account: "OTHERACCT" }), /sub/],
      ["lower-case user", await keypairJwt(keys, { user: USER.toLowerCase() }), /sub/],
      ["expired", await keypairJwt(keys, { iat: now - 600, exp: now - 60 }), /exp/],
      ["lifetime over one hour", await keypairJwt(keys, { iat: now, exp: now + 7200 }), /hour/],
      [
        "issued over an hour ago",
        await keypairJwt(keys, { iat: now - 3700, exp: now + 100 }),
        /hour/,
      ],
      ["alg none", unsignedJwt(keys), /KEYPAIR_JWT/],
    ];
    for (const [name, token, reason] of cases) {
      await ctx.step(name, async () => {
        const res = await hostname(t.url, token);
        assert.equal(res.status, 401, `${name}: ${res.text}`);
        const body = JSON.parse(res.text);
        assert.equal(body.code, "ERR_UNAUTHORIZED");
        assert.match(body.message, reason);
      });
    }
    await ctx.step("the same claims, correctly signed, pass", async () => {
      assert.equal((await hostname(t.url, await keypairJwt(keys))).status, 200);
    });
    await ctx.step("iat in milliseconds is accepted", async () => {
      const ms = await keypairJwt(keys, { iat: Date.now(), exp: now + 600 });
      assert.equal((await hostname(t.url, ms)).status, 200);
    });
  } finally {
    await t.close();
  }
});

Deno.test("oauth/token exchanges a JWT sent as bearer or as assertion for a plain-text token", async () => {
  const t = await startTestEmulator();
  try {
    const jwt = await keypairJwt(t.keys);
    const viaHeader = await exchange(t.url, jwt);
    assert.match(viaHeader, /^[\w-]+\.[\w-]+\.[\w-]+$/);

    const res = await fetch(`${t.url}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: JWT_GRANT,
        scope: "127.0.0.1 session:role:INGEST_ROLE",
        assertion: jwt,
      }),
    });
    assert.equal(res.status, 200);
    const viaAssertion = await res.text();
    const claims = JSON.parse(
      atob(viaAssertion.split(".")[1].replaceAll("-", "+").replaceAll("_", "/")),
    );
    assert.equal(claims.role, "INGEST_ROLE");
    assert.equal(claims.scope, "127.0.0.1");
    assert.ok(claims.exp - claims.iat >= 3599 && claims.exp - claims.iat <= 3601);

    // The scoped token opens a channel on the ingest plane.
    const open = await openChannel(t.url, viaAssertion, PIPE, "auth-ch");
    assert.equal(open.status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("oauth/token refuses bad grants, bad JWTs and missing scope", async () => {
  const t = await startTestEmulator();
  try {
    const jwt = await keypairJwt(t.keys);
    const post = (form: Record<string, string>, auth?: string) =>
      fetch(`${t.url}/oauth/token`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          ...(auth ? { Authorization: `Bearer ${auth}` } : {}),
        },
        body: new URLSearchParams(form),
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
    assert.equal((await post({ grant_type: "password", scope: "h" }, jwt)).status, 400);
    assert.equal((await post({ grant_type: JWT_GRANT }, jwt)).status, 400);
    assert.equal((await post({ grant_type: JWT_GRANT, scope: "h" })).status, 401);
    assert.equal(
      (await post({ grant_type: JWT_GRANT, scope: "h", assertion: "x.y.z" })).status,
      401,
    );
    const unsigned = unsignedJwt(t.keys);
    assert.equal(
      (await post({ grant_type: JWT_GRANT, scope: "h", assertion: unsigned })).status,
      401,
    );
    // A scoped token cannot be exchanged for another one.
    const scoped = await exchange(t.url, jwt);
    assert.equal((await post({ grant_type: JWT_GRANT, scope: "h" }, scoped)).status, 401);
  } finally {
    await t.close();
  }
});

Deno.test("ingest calls need the scoped token; bulk status also takes the KEYPAIR_JWT", async () => {
  const t = await startTestEmulator();
  try {
    const jwt = await keypairJwt(t.keys);
    const scoped = await exchange(t.url, jwt);
    // Open on the ingest plane with the key-pair JWT: refused.
    assert.equal((await openChannel(t.url, jwt, PIPE, "c1")).status, 401);
    assert.equal((await openChannel(t.url, scoped, PIPE, "c1")).status, 200);
    // Status on both planes.
    const viaJwt = await channelStatus(t.url, jwt, PIPE, ["c1"]);
    const viaScoped = await channelStatus(t.url, scoped, PIPE, ["c1"]);
    assert.equal(viaJwt.status, 200);
    assert.equal(viaScoped.status, 200);
    assert.deepEqual(Object.keys(viaJwt.body.channel_statuses), ["c1"]);
    // Hostname is a control-plane call: the scoped token is not enough.
    assert.equal((await hostname(t.url, scoped)).status, 401);
    // A scoped token signed by someone else (tampered payload) is refused.
    const [h, p, s] = scoped.split(".");
    const forged = `${h}.${p.slice(0, -2)}${p.slice(-2) === "AA" ? "BB" : "AA"}.${s}`;
    assert.equal((await openChannel(t.url, forged, PIPE, "c1")).status, 401);
    const noAuth = await fetch(
      `${t.url}/v2/streaming/databases/STREAMING_INGEST/schemas/STREAMING_INGEST/pipes/${PIPE}/channels/c1`,
      {
        method: "PUT",
        headers: { Accept: "application/json" },
        body: "{}",
      },
    );
    assert.equal(noAuth.status, 401);
    await noAuth.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("scoped tokens expire after token_ttl and are then refused with 401", async () => {
  // The emulator's token clock, moved by the test instead of sleeping through the lifetime.
  let skew = 0;
  const t = await startTestEmulator({ faults: "token_ttl=1", authNow: () => Date.now() + skew });
  try {
    const scoped = await exchange(t.url, await keypairJwt(t.keys));
    assert.equal((await openChannel(t.url, scoped, PIPE, "ttl")).status, 200);
    skew = 500;
    assert.equal(
      (await openChannel(t.url, scoped, PIPE, "ttl")).status,
      200,
      "still valid at 0.5 s",
    );
    skew = 1300;
    const res = await openChannel(t.url, scoped, PIPE, "ttl");
    assert.equal(res.status, 401);
    assert.equal(res.body.code, "ERR_UNAUTHORIZED");
    // Re-exchanging gets a working token again.
    const fresh = await exchange(t.url, await keypairJwt(t.keys));
    assert.equal((await openChannel(t.url, fresh, PIPE, "ttl")).status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("a key-pair JWT accepted before is refused once it expires", async () => {
  // The emulator remembers verified tokens; what it remembers must end where the token does.
  let skew = 0;
  const t = await startTestEmulator({ authNow: () => Date.now() + skew });
  try {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await keypairJwt(t.keys, { iat: now, exp: now + 120 });
    assert.equal((await hostname(t.url, jwt)).status, 200);
    assert.equal((await hostname(t.url, jwt)).status, 200, "the same token again");
    skew = 119_000;
    assert.equal((await hostname(t.url, jwt)).status, 200, "still valid a second before exp");
    skew = 121_000;
    const expired = await hostname(t.url, jwt);
    assert.equal(expired.status, 401);
    assert.match(expired.text, /exp/);
  } finally {
    await t.close();
  }
});

Deno.test("the emulator trusts the data folder's key pair when no key is given", async () => {
  const { startEmulator } = await import("../../src/emulator/mod.ts");
  const { ensureKeyPair } = await import("../../src/snowflake/key_files.ts");
  const { importPrivateKey, publicKeyFingerprint } = await import("../../src/snowflake/keys.ts");
  const dir = await Deno.makeTempDir();
  const emu = await startEmulator({ dataDir: dir, commitDelayMs: 0 });
  try {
    const pair = await ensureKeyPair(dir); // created by the emulator's first start
    const keys = {
      ...pair,
      privateKey: await importPrivateKey(pair.privateKeyPem),
      fingerprint: await publicKeyFingerprint(pair.publicKeyPem),
    };
    const ok = await fetch(`${emu.url}/v2/streaming/hostname`, {
      headers: headers(await keypairJwt(keys)),
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    const other = await fetch(`${emu.url}/v2/streaming/hostname`, {
      headers: headers(await keypairJwt(await testKeys())),
    });
    assert.equal(other.status, 401);
    await other.body?.cancel();
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});
