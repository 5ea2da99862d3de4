/**
 * Status polls of a table's channels, gathered into bulk requests: at most one request per gap,
 * each answering every channel that asked meanwhile; a poll given up (its epoch ended) leaves the
 * others alone; a failure reaches everyone who waited for that request.
 */
import assert from "node:assert/strict";
import { StatusBatcher } from "../../src/streamer/status_batcher.ts";
import type { ChannelState } from "../../src/snowflake/streaming_client.ts";
import { FakeClock } from "../helpers/fake_clock.ts";

function state(channel: string, offset: number): ChannelState {
  return {
    database: "DB",
    schema: "SC",
    pipe: "P",
    channel,
    statusCode: "SUCCESS",
    committedOffsetToken: String(offset),
    rowsInserted: offset,
    rowsParsed: offset,
    rowsErrorCount: 0,
    lastErrorOffsetUpperBound: null,
    lastErrorMessage: null,
    lastErrorAt: null,
    avgProcessingLatencyMs: null,
  };
}

/** A service that answers each bulk request with offset = the request's number. */
function fakeApi(fail = false) {
  const requests: { channels: string[]; at: number }[] = [];
  let clock: FakeClock | undefined;
  return {
    requests,
    use(c: FakeClock) {
      clock = c;
    },
    channelStatus(pipe: string, channels: readonly string[]) {
      assert.equal(pipe, "P");
      requests.push({ channels: [...channels], at: clock!.now() });
      if (fail) return Promise.reject(new Error("503 from the service"));
      const n = requests.length;
      // Channels it does not know are absent from its answer.
      const known = channels.filter((c) => c !== "GONE");
      return Promise.resolve(new Map(known.map((c) => [c, state(c, n)])));
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

Deno.test("polls within the gap of the last request share the next one; each hears its own channel", async () => {
  const clock = new FakeClock();
  const api = fakeApi();
  api.use(clock);
  const b = new StatusBatcher(api, "P", clock, 20, new AbortController().signal);
  const signal = new AbortController().signal;
  // The first poll goes out at once.
  const first = b.status("A", { signal });
  clock.advance(0);
  assert.equal((await first)?.committedOffsetToken, "1");
  // Three channels ask within the next 20 ms: one request for all three, 20 ms after the first.
  clock.advance(5);
  const a = b.status("A", { signal });
  clock.advance(5);
  const c = b.status("C", { signal });
  const unknown = b.status("GONE", { signal });
  clock.advance(10);
  await flush();
  assert.deepEqual(api.requests.map((r) => r.channels), [["A"], ["A", "C", "GONE"]]);
  assert.equal(api.requests[1].at - api.requests[0].at, 20);
  assert.deepEqual([(await a)?.channel, (await c)?.channel], ["A", "C"]);
  assert.equal((await a)?.committedOffsetToken, "2");
  assert.equal(await unknown, undefined, "a channel the service does not know");
  // Long after the last request, a poll goes out at once again.
  clock.advance(1000);
  const later = b.status("C", { signal });
  clock.advance(0);
  assert.equal((await later)?.committedOffsetToken, "3");
  assert.equal(api.requests[2].at, clock.now());
});

Deno.test("a poll given up leaves the others; a failed request fails every poll it carried", async () => {
  const clock = new FakeClock();
  const api = fakeApi(true);
  api.use(clock);
  const b = new StatusBatcher(api, "P", clock, 20, new AbortController().signal);
  const epoch = new AbortController();
  const mine = b.status("A", { signal: epoch.signal });
  const theirs = b.status("B", { signal: new AbortController().signal });
  epoch.abort();
  await assert.rejects(mine, (e) => e instanceof DOMException && e.name === "AbortError");
  clock.advance(0);
  await assert.rejects(theirs, /503 from the service/);
  assert.deepEqual(api.requests.map((r) => r.channels), [["B"]], "the given-up poll was not sent");
});
