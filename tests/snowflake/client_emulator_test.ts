/**
 * The streaming client against the real embedded emulator: every endpoint, reopen semantics, row
 * errors, and each injectable fault (EMULATOR_FAULTS).
 */
import assert from "node:assert/strict";
import { ChannelInvalidError, RetryableError } from "../../src/snowflake/errors.ts";
import type { StreamingClient } from "../../src/snowflake/streaming_client.ts";
import { emulatorFixture, rideJson } from "./emulator_helpers.ts";

const PIPE = "LIFT_RIDE_PIPE";

async function waitCommitted(c: StreamingClient, channel: string, want: string) {
  for (let i = 0; i < 500; i++) {
    const st = (await c.channelStatus(PIPE, [channel])).get(channel);
    if (st?.committedOffsetToken === want) return st;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`offset ${want} never committed on ${channel}`);
}

function rows(from: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({ id: from + i, json: rideJson(`tx-${from + i}`) }));
}

Deno.test("emulator: open, append, status until committed, drop", async () => {
  const fx = await emulatorFixture({ commitDelayMs: 50 });
  try {
    const c = await fx.client();
    const opened = await c.openChannel(PIPE, "CH1");
    assert.equal(opened.status.statusCode, "SUCCESS");
    assert.equal(opened.status.committedOffsetToken, null);
    let ct = opened.continuationToken;
    for (const body of await c.prepareAppend(rows(1, 100))) {
      ct = await c.appendRows(PIPE, "CH1", ct, body);
    }
    for (const body of await c.prepareAppend(rows(101, 50))) {
      ct = await c.appendRows(PIPE, "CH1", ct, body);
    }
    const st = await waitCommitted(c, "CH1", "150");
    assert.equal(st.rowsInserted, 150);
    assert.equal(st.rowsErrorCount, 0);
    assert.equal(await fx.count("LIFT_RIDE"), 150);
    const reopened = await c.openChannel(PIPE, "CH1");
    assert.equal(reopened.status.committedOffsetToken, "150");
    await c.dropChannel(PIPE, "CH1");
    assert.equal((await c.channelStatus(PIPE, ["CH1"])).has("CH1"), false);
  } finally {
    await fx.close();
  }
});

Deno.test("emulator: a reopen makes the previous continuation token stale", async () => {
  const fx = await emulatorFixture({ commitDelayMs: 60_000 });
  try {
    const c = await fx.client();
    const first = await c.openChannel(PIPE, "CH2");
    const [body] = await c.prepareAppend(rows(1, 10));
    await c.appendRows(PIPE, "CH2", first.continuationToken, body);
    const second = await c.openChannel(PIPE, "CH2");
    assert.equal(second.status.committedOffsetToken, null, "the uncommitted batch was discarded");
    await assert.rejects(
      c.appendRows(PIPE, "CH2", first.continuationToken, body),
      (e) => e instanceof ChannelInvalidError && e.code === "STALE_CONTINUATION_TOKEN_SEQUENCER",
    );
    // Replaying a token that was already used is refused too (it would duplicate rows).
    const next = await c.appendRows(PIPE, "CH2", second.continuationToken, body);
    assert.ok(next);
    await assert.rejects(
      c.appendRows(PIPE, "CH2", second.continuationToken, body),
      (e) => e instanceof ChannelInvalidError,
    );
  } finally {
    await fx.close();
  }
});

Deno.test("emulator: open with an offset token sets the committed offset", async () => {
  const fx = await emulatorFixture();
  try {
    const c = await fx.client();
    const o = await c.openChannel(PIPE, "CH3", { offsetToken: "41" });
    assert.equal(o.status.committedOffsetToken, "41");
  } finally {
    await fx.close();
  }
});

Deno.test("emulator: rows that fail to cast are counted as errors and reported", async () => {
  const fx = await emulatorFixture();
  try {
    const c = await fx.client();
    const o = await c.openChannel(PIPE, "CH4");
    const bad = [
      { id: 1, json: rideJson("a") },
      { id: 2, json: rideJson("b", { ACTIVATION_DAY_COUNT: "not-a-number" }) },
      { id: 3, json: rideJson("c") },
    ];
    const [body] = await c.prepareAppend(bad);
    await c.appendRows(PIPE, "CH4", o.continuationToken, body);
    const st = await waitCommitted(c, "CH4", "3");
    assert.equal(st.rowsErrorCount, 1);
    assert.ok(st.lastErrorMessage);
    assert.equal(st.lastErrorOffsetUpperBound, "3");
    assert.equal(await fx.count("LIFT_RIDE"), 2);
  } finally {
    await fx.close();
  }
});

Deno.test("emulator: an unknown pipe is a clear setup error", async () => {
  const fx = await emulatorFixture();
  try {
    const c = await fx.client();
    await assert.rejects(c.openChannel("NO_SUCH_PIPE", "C"), /ERR_PIPE_DOES_NOT_EXIST/);
  } finally {
    await fx.close();
  }
});

/** Runs open + 10 appends + status through a faulty emulator; returns the retry reasons seen. */
async function survive(faults: string) {
  const fx = await emulatorFixture({ faults });
  try {
    const c = await fx.client();
    const reasons: string[] = [];
    const onRetry = (r: string) => reasons.push(r);
    const o = await c.openChannel(PIPE, "F", { onRetry });
    let ct = o.continuationToken;
    for (let i = 0; i < 10; i++) {
      const [body] = await c.prepareAppend(rows(i * 10 + 1, 10));
      ct = await c.appendRows(PIPE, "F", ct, body, { onRetry });
    }
    const st = (await c.channelStatus(PIPE, ["F"], { onRetry })).get("F")!;
    assert.equal(st.committedOffsetToken, "100");
    assert.equal(await fx.count("LIFT_RIDE"), 100, "no row lost or doubled");
    return reasons;
  } finally {
    await fx.close();
  }
}

Deno.test("emulator faults: 429s are retried until the calls go through", async () => {
  const reasons = await survive("http429=0.5");
  assert.ok(reasons.length > 0 && reasons.every((r) => r === "429"), String(reasons));
});

Deno.test("emulator faults: 500 retry-request and 503 are retried until the calls go through", async () => {
  const reasons = await survive("http500=0.3,http503=0.3");
  assert.ok(reasons.length > 0 && reasons.every((r) => r === "5xx"), String(reasons));
});

for (const inProcess of [false, true]) {
  Deno.test(
    `emulator faults: connection resets are retried for status; an append's is passed on${
      inProcess ? " (emulator called in process)" : ""
    }`,
    async () => {
      await resetsAreNetworkErrors(inProcess);
    },
  );
}

async function resetsAreNetworkErrors(inProcess: boolean) {
  const fx = await emulatorFixture({ faults: "reset=0.5" });
  try {
    const c = await fx.client(inProcess ? { fetch: fx.emu.fetch } : {});
    const reasons: string[] = [];
    const o = await c.openChannel(PIPE, "R", { onRetry: (r) => reasons.push(r) });
    let ct = o.continuationToken;
    let passedOn: RetryableError | undefined;
    for (let i = 0; i < 40 && !passedOn; i++) {
      const [body] = await c.prepareAppend(rows(i + 1, 1));
      try {
        ct = await c.appendRows(PIPE, "R", ct, body);
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        passedOn = e;
      }
    }
    assert.ok(passedOn, "some append met a reset");
    assert.equal(passedOn.reason, "network");
    assert.equal(passedOn.notProcessed, false);
    // Each call meets a reset at even odds: until one has (five calls missed all in ~3% of runs).
    for (let i = 0; i < 50 && !reasons.includes("network"); i++) {
      await c.channelStatus(PIPE, ["R"], { onRetry: (r) => reasons.push(r) });
    }
    assert.ok(reasons.includes("network"), "a status call met a reset and was retried");
  } finally {
    await fx.close();
  }
}

Deno.test("emulator faults: latency beyond the client's timeout is a retryable timeout", async () => {
  const fx = await emulatorFixture({ faults: "latency=400" });
  try {
    const c = await fx.client({
      timeoutMs: 100,
      retry: { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 },
    });
    await assert.rejects(
      c.channelStatus(PIPE, ["X"]),
      (e) => e instanceof RetryableError && e.reason === "timeout",
    );
    const patient = await fx.client();
    assert.equal((await patient.channelStatus(PIPE, ["X"])).size, 0);
  } finally {
    await fx.close();
  }
});

Deno.test("emulator faults: invalidation makes the channel's token stale", async () => {
  const fx = await emulatorFixture({ faults: "invalidate=0.3" });
  try {
    const c = await fx.client();
    const o = await c.openChannel(PIPE, "I");
    await new Promise((r) => setTimeout(r, 700));
    const [body] = await c.prepareAppend(rows(1, 5));
    await assert.rejects(
      c.appendRows(PIPE, "I", o.continuationToken, body),
      (e) => e instanceof ChannelInvalidError,
    );
  } finally {
    await fx.close();
  }
});

Deno.test("emulator faults: short-lived scoped tokens are renewed before they expire", async () => {
  // One clock for the emulator's tokens and the client, moved past the token's life.
  let skew = 0;
  const now = () => Date.now() + skew;
  const fx = await emulatorFixture({ faults: "token_ttl=1", authNow: now });
  try {
    let exchanges = 0;
    const statuses: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      if (String(input instanceof Request ? input.url : input).endsWith("/oauth/token")) {
        exchanges++;
      }
      const res = await fetch(input, init);
      statuses.push(res.status);
      return res;
    };
    const c = await fx.client({ fetch: counting, now });
    await c.openChannel(PIPE, "T");
    skew = 1300;
    const st = await c.channelStatus(PIPE, ["T"]);
    assert.ok(st.has("T"));
    assert.equal(exchanges, 2);
    assert.ok(!statuses.includes(401), "renewed ahead of expiry, never refused");
  } finally {
    await fx.close();
  }
});

Deno.test("emulator restart: the client re-exchanges its token (401) and reopens", async () => {
  const fx = await emulatorFixture({ commitDelayMs: 0 });
  const { startEmulator } = await import("../../src/emulator/mod.ts");
  let second: Awaited<ReturnType<typeof startEmulator>> | undefined;
  try {
    const statuses: number[] = [];
    const c = await fx.client({
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      },
    });
    const o = await c.openChannel(PIPE, "RS");
    const [body] = await c.prepareAppend(rows(1, 3));
    await c.appendRows(PIPE, "RS", o.continuationToken, body);
    const port = new URL(fx.emu.url).port;
    await fx.emu.close();
    second = await startEmulator({ dataDir: fx.dir, port: Number(port), commitDelayMs: 0 });
    // The old scoped token was signed by the previous process: 401, re-exchange, then the old
    // continuation token is stale (every start invalidates channels).
    await assert.rejects(
      c.appendRows(PIPE, "RS", o.continuationToken, body),
      (e) => e instanceof ChannelInvalidError,
    );
    assert.ok(statuses.includes(401), "the stale scoped token was refused once");
    const again = await c.openChannel(PIPE, "RS");
    assert.equal(again.status.committedOffsetToken, "3");
  } finally {
    await second?.close();
    await Deno.remove(fx.dir, { recursive: true });
  }
});
