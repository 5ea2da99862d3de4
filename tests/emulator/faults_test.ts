import assert from "node:assert/strict";
import { FaultSpecError } from "../../src/emulator/faults.ts";
import { parseFaults } from "../../src/emulator/mod.ts";
import { startEmulator } from "../../src/emulator/mod.ts";
import {
  appendRows,
  channelStatus,
  exchange,
  headers,
  keypairJwt,
  ndjson,
  openChannel,
  ride,
  scopedToken,
  startTestEmulator,
  testKeys,
  until,
} from "./helpers.ts";

const PIPE = "LIFT_RIDE_PIPE";

Deno.test("parseFaults reads every key", () => {
  const f = parseFaults(
    " http429=0.1, http500=0.2,http503=1,reset=0.05,latency=250,invalidate=30,token_ttl=60 ",
  );
  assert.deepEqual({ ...f }, {
    http429: 0.1,
    http500: 0.2,
    http503: 1,
    reset: 0.05,
    latencyMs: 250,
    invalidateSeconds: 30,
    tokenTtlSeconds: 60,
  });
  assert.deepEqual({ ...parseFaults("") }, {
    http429: 0,
    http500: 0,
    http503: 0,
    reset: 0,
    latencyMs: 0,
    invalidateSeconds: 0,
  });
});

Deno.test("parseFaults: unknown keys and bad values are FaultSpecErrors naming EMULATOR_FAULTS", () => {
  const bad: [string, RegExp][] = [
    ["http404=0.5", /unknown key "http404"/],
    ["http429=1.5", /http429=1\.5 is invalid.*probability/],
    ["http500=-0.1", /probability/],
    ["reset=abc", /probability/],
    ["latency=1.5", /whole number/],
    ["latency=", /whole number/],
    ["invalidate=0", /greater than 0/],
    ["token_ttl=-5", /greater than 0/],
    ["http503", /key=value/],
    ["latency=5,latency=6", /repeats/],
  ];
  for (const [text, reason] of bad) {
    assert.throws(() => parseFaults(text), (e: unknown) => {
      assert.ok(e instanceof FaultSpecError, text);
      assert.equal(e.variable, "EMULATOR_FAULTS");
      assert.match(e.message, /^EMULATOR_FAULTS /);
      assert.match(e.message, reason, text);
      return true;
    });
  }
});

Deno.test("startEmulator refuses bad EMULATOR_FAULTS with the FaultSpecError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      startEmulator({
        dataDir: dir,
        publicKeyPem: (await testKeys()).publicKeyPem,
        faults: "boom=1",
      }),
      (e: unknown) => e instanceof FaultSpecError && e.variable === "EMULATOR_FAULTS",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("http429, http500 and http503 at probability 1 answer with the spec's bodies", async () => {
  const cases: [string, number, (body: unknown) => void][] = [
    [
      "http429=1",
      429,
      (b) => assert.equal((b as { code: string }).code, "MemoryThresholdExceeded"),
    ],
    [
      "http500=1",
      500,
      (b) => assert.equal((b as { code: string }).code, "ERR_GENERAL_EXCEPTION_RETRY_REQUEST"),
    ],
    ["http503=1", 503, (b) => assert.equal(b, "ERR_GENERAL_EXCEPTION_RETRY_REQUEST")],
  ];
  for (const [faults, status, check] of cases) {
    const t = await startTestEmulator({ faults });
    try {
      const jwt = await keypairJwt(t.keys);
      for (const path of ["/v2/streaming/hostname", "/oauth/token"]) {
        const res = await fetch(t.url + path, {
          method: path === "/oauth/token" ? "POST" : "GET",
          headers: headers(jwt),
        });
        assert.equal(res.status, status, `${faults} ${path}`);
        check(await res.json());
      }
      // The data was not handled: nothing exists.
      assert.equal(await t.count("LIFT_RIDE"), 0);
      // Liveness is not a streaming endpoint: faults never touch it, and it needs no token.
      const health = await fetch(`${t.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: "ok" });
    } finally {
      await t.close();
    }
  }
});

Deno.test("faults at probability 0 change nothing", async () => {
  const t = await startTestEmulator({ faults: "http429=0,http500=0,http503=0,reset=0" });
  try {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${t.url}/v2/streaming/hostname`, {
        headers: headers(await keypairJwt(t.keys)),
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
  } finally {
    await t.close();
  }
});

Deno.test("reset=1 makes the client's fetch itself fail with a network error", async () => {
  const t = await startTestEmulator({ faults: "reset=1" });
  try {
    await assert.rejects(
      fetch(`${t.url}/v2/streaming/hostname`, { headers: headers(await keypairJwt(t.keys)) }),
      TypeError,
    );
    // Faults cover the streaming endpoints only: an unknown path is answered normally.
    const other = await fetch(`${t.url}/not-streaming`);
    assert.equal(other.status, 404);
    await other.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("latency is added to every streaming request", async () => {
  const plain = await startTestEmulator();
  const slow = await startTestEmulator({ faults: "latency=400" });
  try {
    const jwt = await keypairJwt(slow.keys);
    const time = async (url: string) => {
      const t0 = performance.now();
      const res = await fetch(`${url}/v2/streaming/hostname`, { headers: headers(jwt) });
      assert.equal(res.status, 200);
      await res.body?.cancel();
      return performance.now() - t0;
    };
    // A lower bound only (the delay is a sleep before handling): no upper timing limit.
    assert.ok((await time(slow.url)) >= 390);
    const st = performance.now();
    await exchange(slow.url, jwt);
    assert.ok(performance.now() - st >= 390);
    await time(plain.url); // the unfaulted server answers too (no bound asserted)
  } finally {
    await plain.close();
    await slow.close();
  }
});

Deno.test("invalidate=S makes the next append stale and discards uncommitted rows", async () => {
  const t = await startTestEmulator({ faults: "invalidate=0.5", commitDelayMs: 60_000 });
  try {
    const token = await scopedToken(t);
    const open = await openChannel(t.url, token, PIPE, "inv");
    const cont = open.body.next_continuation_token;
    const first = await appendRows(t.url, token, PIPE, "inv", cont, ndjson([ride()]), {
      offsetToken: "1",
    });
    // (If an invalidation already struck between open and append, the append is stale.)
    if (first.status === 200) {
      // Wait for an invalidation: the pending batch is discarded and the sequencer bumped.
      assert.ok(await until(() => t.emu.context.streaming.pendingBatches === 0, 5000));
      const next = await appendRows(
        t.url,
        token,
        PIPE,
        "inv",
        first.body.next_continuation_token,
        ndjson([ride()]),
        {
          offsetToken: "2",
        },
      );
      assert.equal(next.status, 400);
      assert.equal(next.body.code, "STALE_CONTINUATION_TOKEN_SEQUENCER");
    } else {
      assert.equal(first.body.code, "STALE_CONTINUATION_TOKEN_SEQUENCER");
    }
    const st = await channelStatus(t.url, token, PIPE, ["inv"]);
    assert.equal(st.body.channel_statuses.inv.last_committed_offset_token, null);
    assert.equal(await t.count("LIFT_RIDE"), 0);
    // Reopening recovers.
    const reopen = await openChannel(t.url, token, PIPE, "inv");
    assert.equal(reopen.status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("faults do not touch the SQL side: login and a query answer as usual", async () => {
  const t = await startTestEmulator({ faults: "http500=1", provision: false });
  try {
    const login = await fetch(`${t.url}/session/v1/login-request`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        data: { AUTHENTICATOR: "SNOWFLAKE_JWT", TOKEN: await keypairJwt(t.keys) },
      }),
    });
    assert.equal(login.status, 200);
    const session = await login.json();
    assert.equal(session.success, true, JSON.stringify(session));
    const query = await fetch(
      `${t.url}/queries/v1/query-request?requestId=${crypto.randomUUID()}`,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          Authorization: `Snowflake Token="${session.data.token}"`,
        },
        body: JSON.stringify({ sqlText: "SELECT 1 AS ONE" }),
      },
    );
    assert.equal(query.status, 200);
    const result = await query.json();
    assert.equal(result.success, true, JSON.stringify(result));
    assert.deepEqual(result.data.rowset, [["1"]]);
  } finally {
    await t.close();
  }
});
