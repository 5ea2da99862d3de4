import assert from "node:assert/strict";
import {
  AuthError,
  ChannelInvalidError,
  classifyResponse,
  ForbiddenError,
  parseRetryAfter,
  RetryableError,
  SnowflakeApiError,
} from "../../src/snowflake/errors.ts";
import { backoffDelay, withRetry } from "../../src/snowflake/backoff.ts";

Deno.test("classification follows the spec's error table", () => {
  const cases: [number, unknown, string, string?][] = [
    [429, { code: "X", message: "m" }, "RetryableError", "429"],
    [408, "timeout", "RetryableError", "408"],
    [500, { code: "ERR_GENERAL_EXCEPTION_RETRY_REQUEST" }, "RetryableError", "5xx"],
    [503, "ERR_GENERAL_EXCEPTION_RETRY_REQUEST", "RetryableError", "5xx"],
    [409, { code: "ERR_OPEN_CHANNEL_IN_PROGRESS" }, "RetryableError", "409"],
    [409, { code: "ERR_CHANNEL_SUPERSEDED" }, "ChannelInvalidError"],
    [400, { code: "STALE_CONTINUATION_TOKEN_SEQUENCER" }, "ChannelInvalidError"],
    [404, { code: "ERR_CHANNEL_DOES_NOT_EXIST_OR_IS_NOT_AUTHORIZED" }, "ChannelInvalidError"],
    [400, { error_code: "STALE_PIPE_CACHE" }, "ChannelInvalidError"],
    [400, { code: "ERR_CHANNEL_MUST_BE_REOPENED" }, "ChannelInvalidError"],
    [401, { code: "ERR_UNAUTHORIZED" }, "AuthError"],
    [403, { code: "ERR_FORBIDDEN" }, "ForbiddenError"],
    [404, { code: "ERR_PIPE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED" }, "SnowflakeApiError"],
    [409, { code: "ERR_CHANNEL_HAS_UNCOMMITTED_DATA" }, "SnowflakeApiError"],
    [400, { code: "ERR_BAD_REQUEST" }, "SnowflakeApiError"],
  ];
  const classes = {
    RetryableError,
    ChannelInvalidError,
    AuthError,
    ForbiddenError,
    SnowflakeApiError,
  };
  for (const [status, body, cls, reason] of cases) {
    const e = classifyResponse("call", status, body);
    assert.ok(
      e instanceof classes[cls as keyof typeof classes],
      `${status} ${JSON.stringify(body)}`,
    );
    if (reason) assert.equal((e as RetryableError).reason, reason);
  }
});

Deno.test("429/503 are marked not processed, 500 is not (an append may have landed)", () => {
  assert.equal((classifyResponse("c", 429, "") as RetryableError).notProcessed, true);
  assert.equal((classifyResponse("c", 503, "") as RetryableError).notProcessed, true);
  assert.equal(
    (classifyResponse("c", 500, { code: "INTERNAL" }) as RetryableError).notProcessed,
    false,
  );
  assert.equal(
    (classifyResponse("c", 500, { code: "ERR_GENERAL_EXCEPTION_RETRY_REQUEST" }) as RetryableError)
      .notProcessed,
    true,
  );
});

Deno.test("error messages name the call, status, code and server message", () => {
  const e = classifyResponse("open channel C", 404, { code: "ERR_X", message: "no such pipe" });
  assert.equal(e.message, "open channel C: HTTP 404 ERR_X (no such pipe)");
  assert.equal(e.status, 404);
  assert.equal(e.code, "ERR_X");
});

Deno.test("Retry-After is read as seconds or an HTTP date", () => {
  assert.equal(parseRetryAfter("3"), 3000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(parseRetryAfter(null), undefined);
  const h = new Headers({ "retry-after": "2" });
  assert.equal((classifyResponse("c", 429, "", h) as RetryableError).retryAfterMs, 2000);
});

Deno.test("backoff grows exponentially within [half, full] and never exceeds the cap", () => {
  const p = { baseDelayMs: 100, maxDelayMs: 3000 };
  for (let a = 0; a < 12; a++) {
    const full = Math.min(3000, 100 * 2 ** a);
    const lo = backoffDelay(a, p, () => 0);
    const hi = backoffDelay(a, p, () => 0.999999);
    assert.equal(lo, full / 2);
    assert.equal(hi, full);
  }
  const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(3, p)));
  assert.ok(seen.size > 5, "jittered");
});

Deno.test("withRetry retries transient errors, then passes the last one on", async () => {
  let calls = 0;
  const reasons: string[] = [];
  await assert.rejects(
    withRetry(() => {
      calls++;
      return Promise.reject(new RetryableError("x", "5xx"));
    }, {
      policy: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
      onRetry: (r) => reasons.push(r),
    }),
    RetryableError,
  );
  assert.equal(calls, 3);
  assert.deepEqual(reasons, ["5xx", "5xx"]);
  calls = 0;
  await assert.rejects(
    withRetry(() => {
      calls++;
      return Promise.reject(new ForbiddenError("no"));
    }),
    ForbiddenError,
  );
  assert.equal(calls, 1, "non-transient errors are not retried");
});

Deno.test("withRetry stops waiting as soon as the signal aborts", async () => {
  const ac = new AbortController();
  const p = withRetry(() => Promise.reject(new RetryableError("x", "429")), {
    policy: { baseDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 5 },
    signal: ac.signal,
  });
  setTimeout(() => ac.abort(new Error("stop")), 10);
  await assert.rejects(p, /stop/);
});
