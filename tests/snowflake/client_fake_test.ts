/**
 * The streaming client against a scripted fake: hostname discovery, the scoped-token exchange and
 * its renewal, headers, 401-refresh-once, 403-stop, retries and error classification.
 */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { StreamingClient } from "../../src/snowflake/streaming_client.ts";
import { generateKeyPair } from "../../src/snowflake/keys.ts";
import {
  AuthError,
  ChannelInvalidError,
  ForbiddenError,
  RetryableError,
  SnowflakeApiError,
} from "../../src/snowflake/errors.ts";
import { encodeAppendBodies } from "../../src/snowflake/ndjson.ts";
import { channelStatus, json, type Seen, startFake } from "./fake_snowflake.ts";

const pair = await generateKeyPair();
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 4 };

function client(url: string, extra: Partial<Parameters<typeof StreamingClient.create>[0]> = {}) {
  return StreamingClient.create({
    account: "liftline",
    user: "streaming_ingest",
    privateKeyPem: pair.privateKeyPem,
    controlUrl: url,
    database: "DB",
    schema: "SC",
    retry: FAST_RETRY,
    ...extra,
  });
}

const OPEN_PATH = "/v2/streaming/databases/DB/schemas/SC/pipes/P/channels/C";

/** A fake with sensible defaults; `routes` overrides per "METHOD path" prefix. */
function standardFake(
  routes: Record<string, (s: Seen) => Response | Promise<Response>> = {},
  hostname = "127.0.0.1:PORT",
) {
  let port = 0;
  const fake = startFake((s) => {
    for (const [k, h] of Object.entries(routes)) {
      const [m, p] = k.split(" ");
      if (s.method === m && s.path.startsWith(p)) return h(s);
    }
    if (s.path === "/v2/streaming/hostname") {
      return new Response(hostname.replace("PORT", String(port)));
    }
    if (s.path === "/oauth/token") return new Response("scoped-token-1");
    if (s.method === "PUT") {
      return json({ next_continuation_token: "ct0", channel_status: channelStatus("C", "41") });
    }
    if (s.path.endsWith("/rows")) return json({ next_continuation_token: "ct-next" });
    if (s.path.endsWith(":bulk-channel-status")) {
      return json({ channel_statuses: { C: channelStatus("C", "42") } });
    }
    return json({ code: "ERR_BAD_REQUEST", message: "unexpected" }, 400);
  });
  port = fake.port;
  return fake;
}

async function oneBody() {
  return (await encodeAppendBodies([{ id: 7, json: '{"A":1}' }], { compression: "never" }))[0];
}

Deno.test("discovers the ingest host, exchanges a scoped token with the JWT, then opens on it", async () => {
  const fake = standardFake({}, "127.0.0.1:PORT");
  try {
    const c = await client(fake.url, { role: "INGEST_ROLE" });
    const opened = await c.openChannel("P", "C");
    assert.equal(opened.continuationToken, "ct0");
    assert.equal(opened.status.committedOffsetToken, "41");
    const [host, token, open] = fake.seen;
    assert.equal(host.method, "GET");
    assert.equal(host.path, "/v2/streaming/hostname");
    assert.equal(host.headers.get("x-snowflake-authorization-token-type"), "KEYPAIR_JWT");
    assert.match(host.headers.get("authorization") ?? "", /^Bearer ey/);
    assert.equal(token.method, "POST");
    assert.equal(token.path, "/oauth/token");
    assert.equal(token.headers.get("content-type"), "application/x-www-form-urlencoded");
    const form = new URLSearchParams(token.text);
    assert.equal(form.get("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
    assert.equal(form.get("scope"), `127.0.0.1:${fake.port} session:role:INGEST_ROLE`);
    assert.equal(open.method, "PUT");
    assert.equal(open.path, OPEN_PATH);
    assert.equal(open.headers.get("authorization"), "Bearer scoped-token-1");
    for (const s of fake.seen) {
      assert.equal(s.headers.get("accept"), "application/json");
      assert.match(
        s.headers.get("user-agent") ?? "",
        /^liftline\/\S+ \(deno .*\) SnowpipeStreamingRest$/,
      );
    }
  } finally {
    await fake.close();
  }
});

Deno.test("hostname in JSON with underscores: the ingest host gets hyphens, in the URL and scope", async () => {
  const fake = standardFake({
    "GET /v2/streaming/hostname": () => json({ hostname: "my_acct.ingest_host.test" }),
  });
  try {
    const rewritten: string[] = [];
    // The discovered host does not resolve; route it to the fake and remember what was asked.
    const fetchVia: typeof fetch = (input, init) => {
      const u = new URL(input instanceof Request ? input.url : String(input));
      rewritten.push(u.host);
      u.host = `127.0.0.1:${fake.port}`;
      return fetch(u, init);
    };
    const c = await client(fake.url, { fetch: fetchVia });
    await c.openChannel("P", "C");
    assert.equal(new URL(fake.url).host, rewritten[0]);
    assert.equal(rewritten.at(-1), "my-acct.ingest-host.test");
    assert.equal(new URLSearchParams(fake.seen[1].text).get("scope"), "my-acct.ingest-host.test");
    assert.equal((await c.ingestUrl()).href, "http://my-acct.ingest-host.test/");
  } finally {
    await fake.close();
  }
});

Deno.test("token answered as JSON {token} is used as the bearer", async () => {
  const fake = standardFake({ "POST /oauth/token": () => json({ token: "tok-json" }) });
  try {
    const c = await client(fake.url);
    await c.openChannel("P", "C");
    assert.equal(fake.seen.at(-1)!.headers.get("authorization"), "Bearer tok-json");
  } finally {
    await fake.close();
  }
});

Deno.test("a scoped token is renewed before its exp, read from the token itself", async () => {
  let now = Date.now();
  let issued = 0;
  const fake = standardFake({
    "POST /oauth/token": async () => {
      issued++;
      const t = await new SignJWT({ n: issued })
        .setProtectedHeader({ alg: "HS256" })
        .setExpirationTime(Math.floor(now / 1000) + 60)
        .sign(new TextEncoder().encode("k".repeat(32)));
      return new Response(t);
    },
  });
  try {
    const c = await client(fake.url, { now: () => now });
    await c.channelStatus("P", ["C"]);
    await c.channelStatus("P", ["C"]);
    assert.equal(issued, 1, "one exchange while the token is fresh");
    now += 40_000;
    await c.channelStatus("P", ["C"]);
    assert.equal(issued, 1, "40 s into a 60 s token: not yet");
    now += 10_000;
    await c.channelStatus("P", ["C"]);
    assert.equal(issued, 2, "50 s into a 60 s token: renewed (a fifth of the lifetime early)");
  } finally {
    await fake.close();
  }
});

Deno.test("401 from the ingest host: one re-exchange and retry succeeds", async () => {
  let opens = 0;
  let tokens = 0;
  const fake = standardFake({
    "POST /oauth/token": () => new Response(`tok-${++tokens}`),
    [`PUT ${OPEN_PATH}`]: (s) => {
      opens++;
      if (s.headers.get("authorization") === "Bearer tok-1") {
        return json({ code: "ERR_UNAUTHORIZED", message: "token expired" }, 401);
      }
      return json({ next_continuation_token: "ct0", channel_status: channelStatus("C", null) });
    },
  });
  try {
    const c = await client(fake.url);
    const opened = await c.openChannel("P", "C");
    assert.equal(opened.status.committedOffsetToken, null);
    assert.equal(opens, 2);
    assert.equal(tokens, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("401 twice from the ingest host stops with a clear AuthError", async () => {
  let tokens = 0;
  const fake = standardFake({
    "POST /oauth/token": () => new Response(`tok-${++tokens}`),
    [`PUT ${OPEN_PATH}`]: () => json({ code: "ERR_UNAUTHORIZED", message: "no" }, 401),
  });
  try {
    const c = await client(fake.url);
    await assert.rejects(c.openChannel("P", "C"), (e) => {
      assert.ok(e instanceof AuthError);
      assert.match(e.message, /HTTP 401/);
      assert.match(e.message, /refused a freshly exchanged scoped token/);
      return true;
    });
    assert.equal(tokens, 2, "exactly one re-exchange");
  } finally {
    await fake.close();
  }
});

Deno.test("401 on the token exchange: a new JWT once, then AuthError naming the fingerprint", async () => {
  const jwts = new Set<string>();
  const fake = standardFake({
    "POST /oauth/token": (s) => {
      jwts.add(s.headers.get("authorization") ?? "");
      return json({ code: "ERR_UNAUTHORIZED", message: "JWT token is invalid." }, 401);
    },
  });
  try {
    const c = await client(fake.url);
    await assert.rejects(c.openChannel("P", "C"), (e) => {
      assert.ok(e instanceof AuthError);
      assert.match(e.message, /LIFTLINE\.STREAMING_INGEST/);
      assert.ok(e.message.includes(c.jwt.fingerprint));
      return true;
    });
    assert.equal(fake.seen.filter((s) => s.path === "/oauth/token").length, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("403 stops at once with a ForbiddenError, no retries", async () => {
  const fake = standardFake({
    "POST /v2/streaming/data": () =>
      json({ code: "ERR_FORBIDDEN", message: "Insufficient privileges" }, 403),
  });
  try {
    const c = await client(fake.url);
    const retries: string[] = [];
    await assert.rejects(
      c.appendRows("P", "C", "ct0", await oneBody(), { onRetry: (r) => retries.push(r) }),
      (e) => e instanceof ForbiddenError && /lacks a privilege/.test(e.message),
    );
    assert.equal(fake.seen.filter((s) => s.path.endsWith("/rows")).length, 1);
    assert.deepEqual(retries, []);
  } finally {
    await fake.close();
  }
});

Deno.test("429 and 503 are retried with backoff and reported to onRetry", async () => {
  let n = 0;
  const fake = standardFake({
    "POST /v2/streaming/data": () => {
      n++;
      if (n === 1) return json({ code: "ERR_TOO_MANY_REQUESTS", message: "slow down" }, 429);
      if (n === 2) return json("ERR_GENERAL_EXCEPTION_RETRY_REQUEST", 503);
      return json({ next_continuation_token: "ct1" });
    },
  });
  try {
    const c = await client(fake.url);
    const retries: string[] = [];
    const next = await c.appendRows("P", "C", "ct0", await oneBody(), {
      onRetry: (r) => retries.push(r),
    });
    assert.equal(next, "ct1");
    assert.deepEqual(retries, ["429", "5xx"]);
    const rows = fake.seen.filter((s) => s.path.endsWith("/rows"));
    assert.equal(rows.length, 3);
    assert.ok(rows.every((s) => s.query.get("continuationToken") === "ct0"));
  } finally {
    await fake.close();
  }
});

Deno.test("an append answered 500 is not resent (its outcome is unknown): RetryableError", async () => {
  const fake = standardFake({
    "POST /v2/streaming/data": () => json({ code: "ERR_INTERNAL", message: "boom" }, 500),
  });
  try {
    const c = await client(fake.url);
    await assert.rejects(
      c.appendRows("P", "C", "ct0", await oneBody()),
      (e) => e instanceof RetryableError && e.reason === "5xx" && !e.notProcessed,
    );
    assert.equal(fake.seen.filter((s) => s.path.endsWith("/rows")).length, 1);
  } finally {
    await fake.close();
  }
});

Deno.test("a success answer cut short is retried like a lost answer, never a refusal that stops", async () => {
  let statusCalls = 0;
  const fake = standardFake({
    "PUT /v2/streaming/databases": () => new Response("", { status: 200 }),
    "POST /v2/streaming/data/": () => json({}),
    "POST /v2/streaming/databases": () =>
      ++statusCalls < 3 ? new Response("{", { status: 200 }) : json({ channel_statuses: {} }),
  });
  try {
    const c = await client(fake.url);
    const lost = (e: unknown) =>
      e instanceof RetryableError && e.reason === "network" && !e.notProcessed;
    await assert.rejects(c.openChannel("P", "C"), lost);
    // An append's outcome is unknown: passed on (the caller reopens), not sent again.
    await assert.rejects(c.appendRows("P", "C", "ct0", await oneBody()), lost);
    assert.equal(fake.seen.filter((s) => s.path.endsWith("/rows")).length, 1);
    // A status read is retried until it gets a whole answer.
    const retries: string[] = [];
    await c.channelStatus("P", ["C"], { onRetry: (r) => retries.push(r) });
    assert.equal(statusCalls, 3);
  } finally {
    await fake.close();
  }
});

Deno.test("status and open calls retry 500s until they succeed", async () => {
  let n = 0;
  const fake = standardFake({
    "POST /v2/streaming/databases": () =>
      ++n < 3 ? json({ code: "X", message: "x" }, 500) : json({ channel_statuses: {} }),
  });
  try {
    const c = await client(fake.url);
    const st = await c.channelStatus("P", ["C"]);
    assert.equal(st.size, 0, "unknown channels are absent");
    assert.equal(n, 3);
  } finally {
    await fake.close();
  }
});

Deno.test("append: stale continuation token and invalid row sequencer ask for a reopen", async () => {
  for (
    const [status, code] of [
      [400, "STALE_CONTINUATION_TOKEN_SEQUENCER"],
      [400, "ERR_CHANNEL_HAS_INVALID_ROW_SEQUENCER"],
      [404, "ERR_CHANNEL_DOES_NOT_EXIST_OR_IS_NOT_AUTHORIZED"],
      [409, "ERR_CHANNEL_INVALIDATED"],
    ] as const
  ) {
    const fake = standardFake({
      "POST /v2/streaming/data": () => json({ code, message: "m" }, status),
    });
    try {
      const c = await client(fake.url);
      await assert.rejects(
        c.appendRows("P", "C", "ct0", await oneBody()),
        (e) => e instanceof ChannelInvalidError && e.code === code,
        code,
      );
    } finally {
      await fake.close();
    }
  }
});

Deno.test("open answered 200 with an unhealthy channel_status_code is a failure", async () => {
  const fake = standardFake({
    [`PUT ${OPEN_PATH}`]: () =>
      json({
        next_continuation_token: "ct0",
        channel_status: channelStatus("C", null, {
          channel_status_code: "ERR_PIPE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED",
        }),
      }),
  });
  try {
    const c = await client(fake.url);
    await assert.rejects(c.openChannel("P", "C"), (e) => e instanceof SnowflakeApiError);
  } finally {
    await fake.close();
  }
});

Deno.test("open answered 404 pipe-does-not-exist is a setup error, not retried", async () => {
  const fake = standardFake({
    [`PUT ${OPEN_PATH}`]: () =>
      json({ error_code: "ERR_PIPE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED", message: "no pipe" }, 404),
  });
  try {
    const c = await client(fake.url);
    await assert.rejects(
      c.openChannel("P", "C"),
      (e) => e instanceof SnowflakeApiError && /ERR_PIPE_DOES_NOT_EXIST/.test(e.message),
    );
    assert.equal(fake.seen.filter((s) => s.method === "PUT").length, 1);
  } finally {
    await fake.close();
  }
});

Deno.test("bulk status reads rows_errors and string or number last_error_timestamp", async () => {
  const fake = standardFake({
    "POST /v2/streaming/databases": () =>
      json({
        channel_statuses: {
          A: {
            ...channelStatus("A", "10"),
            rows_error_count: undefined,
            rows_errors: 3,
            last_error_message: "Numeric value 'x' is not recognized",
            last_error_offset_upper_bound: "9",
            last_error_timestamp: "2026-01-02T03:04:05Z",
          },
          B: {
            ...channelStatus("B", null),
            rows_error_count: 2,
            last_error_timestamp: 1767323045000,
          },
        },
      }),
  });
  try {
    const c = await client(fake.url);
    const st = await c.channelStatus("P", ["A", "B", "C"]);
    assert.equal(JSON.parse(fake.seen.at(-1)!.text).channel_names.length, 3);
    assert.equal(st.get("A")!.rowsErrorCount, 3);
    assert.equal(st.get("A")!.lastErrorAt, Date.parse("2026-01-02T03:04:05Z"));
    assert.equal(st.get("A")!.lastErrorOffsetUpperBound, "9");
    assert.equal(st.get("B")!.rowsErrorCount, 2);
    assert.equal(st.get("B")!.lastErrorAt, 1767323045000);
    assert.equal(st.has("C"), false);
  } finally {
    await fake.close();
  }
});

Deno.test("append sends NDJSON with start/end offset tokens and the continuation token", async () => {
  const fake = standardFake();
  try {
    const c = await client(fake.url);
    const bodies = await c.prepareAppend([
      { id: 5, json: '{"TXID":"a"}' },
      { id: 6, json: '{"TXID":"b"}' },
    ]);
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0].gzip, false, "loopback target: no compression");
    assert.equal(await c.appendRows("P", "C", "ct/0+=", bodies[0]), "ct-next");
    const s = fake.seen.at(-1)!;
    assert.equal(s.path, "/v2/streaming/data/databases/DB/schemas/SC/pipes/P/channels/C/rows");
    assert.equal(s.query.get("startOffsetToken"), "5");
    assert.equal(s.query.get("endOffsetToken"), "6");
    assert.equal(s.query.get("continuationToken"), "ct/0+=");
    assert.equal(s.headers.get("content-type"), "application/x-ndjson");
    assert.equal(s.text, '{"TXID":"a"}\n{"TXID":"b"}\n');
  } finally {
    await fake.close();
  }
});

Deno.test("non-loopback target: large bodies go gzip with the uncompressed length header", async () => {
  const fake = standardFake({}, "ingest.example.test");
  try {
    const viaFake: typeof fetch = (input, init) => {
      const u = new URL(input instanceof Request ? input.url : String(input));
      u.host = `127.0.0.1:${fake.port}`;
      return fetch(u, init);
    };
    const c = await client(fake.url, { fetch: viaFake });
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      id: i + 1,
      json: JSON.stringify({ TXID: crypto.randomUUID(), RESORT: "Vail", N: i }),
    }));
    const bodies = await c.prepareAppend(rows);
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0].gzip, true);
    await c.appendRows("P", "C", "ct0", bodies[0]);
    const s = fake.seen.at(-1)!;
    assert.equal(s.headers.get("content-encoding"), "gzip");
    const plain = await new Response(
      new Blob([s.body]).stream().pipeThrough(new DecompressionStream("gzip")),
    ).text();
    assert.equal(plain, rows.map((r) => r.json).join("\n") + "\n");
    assert.equal(Number(s.headers.get("x-snowflake-uncompressed-content-length")), plain.length);
    assert.ok(s.body.length < plain.length / 2);
    const small = await c.prepareAppend(rows.slice(0, 3));
    assert.equal(small[0].gzip, false, "small bodies are not worth compressing");
  } finally {
    await fake.close();
  }
});

Deno.test("network failure: a refused connection is a RetryableError(network)", async () => {
  const fake = standardFake();
  const url = fake.url;
  await fake.close();
  const c = await client(url);
  const retries: string[] = [];
  await assert.rejects(
    c.openChannel("P", "C", { onRetry: (r) => retries.push(r) }),
    (e) => e instanceof RetryableError && e.reason === "network",
  );
  assert.equal(retries.length, FAST_RETRY.maxAttempts - 1);
});
