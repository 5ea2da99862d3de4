/**
 * What the streamer holds at once: never more than STREAM_MAX_INFLIGHT_ROWS rows per channel
 * appended and not yet committed, and never more than STREAM_BATCH_ROWS rows per append, taken
 * from the configuration as a user would set them; and still every row exactly once.
 */
import assert from "node:assert/strict";
import { TABLES } from "../../src/config/load.ts";
import { Outbox } from "../../src/queue/outbox.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";
import { silentLogger } from "../../src/log.ts";
import { ensureKeyPair } from "../../src/snowflake/key_files.ts";
import { createStreamingClient } from "../../src/snowflake/streaming.ts";
import { runStreamer, type StreamingApi } from "../../src/streamer/mod.ts";
import { assertExactlyOnce, fillOutbox, localConfig, startStreamerEmulator } from "./fixtures.ts";

/**
 * Wraps a client and follows, per channel, the rows its appends were accepted for and the
 * committed offset its status answers report: the rows in flight as the service sees them.
 */
function watchInFlight(api: StreamingApi) {
  const appended = new Map<string, { lastId: number; rows: number }[]>();
  const committed = new Map<string, number>();
  const peak = new Map<string, number>();
  let largestAppend = 0;
  const inFlight = (channel: string) =>
    (appended.get(channel) ?? [])
      .filter((a) => a.lastId > (committed.get(channel) ?? 0))
      .reduce((n, a) => n + a.rows, 0);
  const watched: StreamingApi = {
    openChannel: async (pipe, channel, opts) => {
      const opened = await api.openChannel(pipe, channel, opts);
      // A (re)open discards what was not committed; it is sent again.
      appended.set(channel, []);
      committed.set(channel, Number(opened.status.committedOffsetToken ?? 0));
      return opened;
    },
    prepareAppend: (rows, opts) => api.prepareAppend(rows, opts),
    appendRows: async (pipe, channel, token, body, opts) => {
      const next = await api.appendRows(pipe, channel, token, body, opts);
      const rows = body.end - body.start;
      largestAppend = Math.max(largestAppend, rows);
      appended.get(channel)!.push({ lastId: body.lastId, rows });
      peak.set(channel, Math.max(peak.get(channel) ?? 0, inFlight(channel)));
      return next;
    },
    channelStatus: async (pipe, channels, opts) => {
      const statuses = await api.channelStatus(pipe, channels, opts);
      for (const [name, s] of statuses) {
        if (s.committedOffsetToken !== null) {
          committed.set(name, Number(s.committedOffsetToken));
        }
      }
      return statuses;
    },
  };
  return { api: watched, peak, largestAppend: () => largestAppend };
}

Deno.test("in-flight rows per channel stay within STREAM_MAX_INFLIGHT_ROWS, appends within STREAM_BATCH_ROWS", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bounds-" });
  // A commit delay long enough that appending outruns committing: the bound must do the waiting.
  const { emu, sql, close } = await startStreamerEmulator(dir, { commitDelayMs: 300 });
  // Two channels per table: the bound holds for each.
  const outbox = new Outbox(`${dir}/queue.db`, TABLES, { channels: 2 });
  try {
    const keys = await ensureKeyPair(dir);
    const config = localConfig(dir, emu.url, {
      STREAM_BATCH_ROWS: "700",
      STREAM_MAX_INFLIGHT_ROWS: "2000",
    });
    const txids = fillOutbox(dir, { LIFT_RIDE: 24_000, RESORT_TICKET: 3000 }, "tx", 1000, 2);
    const watch = watchInFlight(
      await createStreamingClient(config, { privateKeyPem: keys.privateKeyPem }),
    );
    await runStreamer({
      config,
      outbox,
      client: watch.api,
      metrics: new Metrics(),
      status: new StatusStore(),
      log: silentLogger,
      signal: new AbortController().signal,
      drain: true,
      options: { pickupMs: 5, minAppendIntervalMs: 5, pollMinMs: 10, idlePollMs: 50 },
    });
    assert.equal(await assertExactlyOnce(sql, txids, "tx"), 27_000);
    assert.ok(watch.largestAppend() <= 700, `an append carried ${watch.largestAppend()} rows`);
    assert.equal(watch.peak.size, 4, "two channels per table streamed");
    for (const [channel, peak] of watch.peak) {
      assert.ok(peak <= 2000, `${channel} had ${peak} rows in flight`);
    }
    // The bound was reached, not merely unneeded: appending waited for commits on each channel.
    const rides = [...watch.peak].filter(([name]) => name.includes("LIFT_RIDE"));
    assert.equal(rides.length, 2);
    for (const [name, peak] of rides) assert.ok(peak > 1300, `${name} peaked at only ${peak}`);
  } finally {
    outbox.close();
    await close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("full batches keep to the per-channel request rate (Snowflake's 10 appends/s)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-rate-" });
  const { emu, sql, close } = await startStreamerEmulator(dir, { commitDelayMs: 0 });
  const outbox = new Outbox(`${dir}/queue.db`, TABLES);
  try {
    const keys = await ensureKeyPair(dir);
    // 2,000 rides in batches of 200: ten full batches, all queued before the streamer starts.
    const config = localConfig(dir, emu.url, { STREAM_BATCH_ROWS: "200" });
    const txids = fillOutbox(dir, { LIFT_RIDE: 2000 });
    const api = await createStreamingClient(config, { privateKeyPem: keys.privateKeyPem });
    const sentAt: number[] = [];
    await runStreamer({
      config,
      outbox,
      client: {
        ...api,
        openChannel: (...a) => api.openChannel(...a),
        prepareAppend: (...a) => api.prepareAppend(...a),
        channelStatus: (...a) => api.channelStatus(...a),
        appendRows: (pipe, channel, token, body, opts) => {
          if (channel.includes("LIFT_RIDE")) sentAt.push(performance.now());
          return api.appendRows(pipe, channel, token, body, opts);
        },
      },
      metrics: new Metrics(),
      status: new StatusStore(),
      log: silentLogger,
      signal: new AbortController().signal,
      drain: true,
      tables: ["LIFT_RIDE"],
      options: { pickupMs: 5, minAppendIntervalMs: 100, pollMinMs: 10, idlePollMs: 50 },
    });
    assert.equal(await assertExactlyOnce(sql, txids, "tx"), 2000);
    assert.equal(sentAt.length, 10);
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]);
    // Timers may fire a millisecond early; never a burst.
    assert.ok(gaps.every((g) => g >= 98), `gaps between appends: ${gaps.map(Math.round)}`);
  } finally {
    outbox.close();
    await close();
    await Deno.remove(dir, { recursive: true });
  }
});
