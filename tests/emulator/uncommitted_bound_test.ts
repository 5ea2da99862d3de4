/**
 * The emulator's buffer of uncommitted appends is bounded per channel: an append beyond the bound
 * gets 429 and changes nothing (the same continuation token works once a commit made room), and
 * what was accepted all lands, each row once.
 */
import assert from "node:assert/strict";
import { StreamingService } from "../../src/emulator/channels.ts";
import { ApiError } from "../../src/emulator/errors.ts";
import { plainPayload } from "../../src/emulator/http_body.ts";
import { silentLogger } from "../../src/log.ts";
import { startLiftlineEmulator } from "../helpers/liftline_emulator.ts";
import { ndjson, ride } from "./helpers.ts";

async function refusal(fn: () => Promise<unknown>): Promise<ApiError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${e}`);
    return e;
  }
  assert.fail("the append was accepted");
}

Deno.test("appends beyond the channel's uncommitted bound get 429 and leave the channel as it was", async () => {
  // The warehouse of an emulator set up with liftline's objects, under a streaming service of
  // the test's own (a bound small enough to reach; the emulator's own service is not used).
  const e2e = await startLiftlineEmulator({ dynamic: { autoRefresh: false } });
  const warehouse = e2e.emu.context.warehouse;
  // Each body in two chunks, as bodies arrive: rows may be cut anywhere between them.
  const body = (n: number) => {
    const bytes = new TextEncoder().encode(ndjson(Array.from({ length: n }, () => ride())));
    const cut = Math.floor(bytes.length / 2) + 7;
    return plainPayload(bytes.slice(0, cut), bytes.slice(cut));
  };
  const one = body(100);
  // Room for two bodies of 100 rides, not three.
  const streaming = new StreamingService(warehouse, {
    commitDelayMs: 400,
    invalidateSeconds: 0,
    maxUncommittedBytes: Math.floor(one.decodedBytes * 2.5),
    log: silentLogger,
  });
  try {
    const pipe = streaming.resolvePipe("STREAMING_INGEST", "STREAMING_INGEST", "LIFT_RIDE_PIPE");
    let token = (await streaming.open(pipe, "c")).next_continuation_token;
    const two = body(100);
    token = (await streaming.append(pipe, "c", token, "100", one)).next_continuation_token;
    token = (await streaming.append(pipe, "c", token, "200", two)).next_continuation_token;
    const e = await refusal(() => streaming.append(pipe, "c", token, "300", body(100)));
    assert.equal(e.status, 429);
    assert.match(e.message, /uncommitted/);
    assert.equal(streaming.pendingBatches, 2, "the refused body is not buffered");

    // Once the first two commit, the same token is accepted: the refusal consumed nothing.
    const deadline = Date.now() + 10_000;
    while (streaming.pendingBatches > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await e2e.count("LIFT_RIDE"), 200);
    // Committed bodies are freed at once (their buffers detached), not left to the collector.
    assert.ok([...one.bytes, ...two.bytes].every((c) => c.buffer.detached));
    await streaming.append(pipe, "c", token, "300", body(100));
    while (streaming.pendingBatches > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await e2e.count("LIFT_RIDE"), 300);
    assert.equal(
      streaming.status(pipe, ["c"]).channel_statuses.c.last_committed_offset_token,
      "300",
    );

    // A single body larger than the bound still goes through when nothing else waits.
    const big = (await streaming.open(pipe, "big")).next_continuation_token;
    await streaming.append(pipe, "big", big, "1000", body(1000));
    assert.equal(streaming.pendingBatches, 1);
  } finally {
    streaming.close();
    await e2e.close();
  }
});

Deno.test("a batch discarded while its commit waits for the warehouse commits whole, or not at all", async () => {
  const e2e = await startLiftlineEmulator({ dynamic: { autoRefresh: false } });
  const warehouse = e2e.emu.context.warehouse;
  const streaming = new StreamingService(warehouse, {
    commitDelayMs: 20,
    invalidateSeconds: 0,
    log: silentLogger,
  });
  let unblock = () => {};
  try {
    const pipe = streaming.resolvePipe("STREAMING_INGEST", "STREAMING_INGEST", "LIFT_RIDE_PIPE");
    const token = (await streaming.open(pipe, "race")).next_continuation_token;
    // The warehouse is busy (another statement holds the writer lane) when the commit comes due:
    // the commit has taken its batch and waits in the lane.
    const blocked = warehouse.writer.exclusive(() => new Promise<void>((r) => unblock = r));
    const bytes = new TextEncoder().encode(ndjson(Array.from({ length: 100 }, () => ride())));
    await streaming.append(pipe, "race", token, "100", plainPayload(bytes));
    await new Promise((r) => setTimeout(r, 100));
    // Meanwhile every channel is invalidated (as a reopen would): the buffer is discarded.
    const invalidated = streaming.invalidateAll();
    assert.equal(streaming.pendingBatches, 0);
    unblock();
    await blocked;
    await invalidated;
    const deadline = Date.now() + 5000;
    let st = streaming.status(pipe, ["race"]).channel_statuses.race;
    while (st.last_committed_offset_token === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      st = streaming.status(pipe, ["race"]).channel_statuses.race;
    }
    // The commit under way completed with its rows: the offset never covers rows not written.
    assert.equal(st.last_committed_offset_token, "100");
    assert.equal(st.rows_inserted, 100);
    assert.equal(await e2e.count("LIFT_RIDE"), 100);
    assert.ok(bytes.buffer.detached, "freed once committed");
  } finally {
    unblock();
    streaming.close();
    await e2e.close();
  }
});
