/**
 * The pipeline page and `/api/status` with several channels per table: each table summed up, and
 * each of its channels with its state, queue, committed offset and ingest lag; a retired channel
 * (rows of a layout with more channels) marked as such; problems named per channel.
 */
import assert from "node:assert/strict";
import { jsx } from "hono/jsx";
import { channelsCaption, PipelineLive } from "../../src/web/pages/pipeline.tsx";
import { createWebApp } from "../../src/web/app.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { type ChannelStatus, newChannelStatus, StatusStore } from "../../src/status/store.ts";
import { fmtInt, fmtSeconds, NONE } from "../../src/web/format.ts";
import { onlyTable, section, textOf } from "./html.ts";
import { reportsRefreshed } from "./reports_status.ts";

const NOW = Date.parse("2026-11-30T12:00:00Z");

function channel(shard: number, extra: Partial<ChannelStatus>): ChannelStatus {
  return {
    ...newChannelStatus({
      table: "LIFT_RIDE",
      shard,
      retired: false,
      pipe: "LIFT_RIDE_PIPE",
      channel: shard === 0 ? "LIFTLINE_LIFT_RIDE_ABC" : `LIFTLINE_LIFT_RIDE_ABC_${shard}`,
      state: "open",
    }),
    ...extra,
  };
}

/** LIFT_RIDE on three channels plus a retired fourth; lag observed on channels 0 and 1. */
function store(): StatusStore {
  const status = new StatusStore();
  const channels = [
    channel(0, {
      committedOffset: 1200,
      rowsCommitted: 1200,
      rowsAppended: 1500,
      queueRows: 300,
      oldestQueuedAt: new Date(NOW - 2000).toISOString(),
      retriesByReason: { "429": 2 },
      retries: 2,
    }),
    channel(1, {
      committedOffset: 1100,
      rowsCommitted: 1100,
      rowsAppended: 1100,
      queueRows: 0,
      reopens: 1,
      rowsErrorCount: 3,
      lastErrorMessage: "Numeric value 'x' is not recognized",
    }),
    channel(2, {
      state: "reopening",
      queueRows: 50,
      oldestQueuedAt: new Date(NOW - 9000).toISOString(),
      lastProblem: "reopening channel LIFTLINE_LIFT_RIDE_ABC_2: stale continuation token",
    }),
    channel(3, { retired: true, state: "drained", committedOffset: 40, queueRows: 0 }),
  ];
  for (const c of channels) status.channels.set(c.channel, c);
  for (let i = 0; i < 100; i++) {
    status.observeIngestLag("LIFT_RIDE", 1.2, 1, NOW - 1000, channels[0].channel);
    status.observeIngestLag("LIFT_RIDE", 3.5, 1, NOW - 1000, channels[1].channel);
  }
  status.sample(NOW);
  return status;
}

Deno.test("/pipeline shows each table summed up, and each of its channels", async () => {
  const status = store();
  const html = await jsx(PipelineLive, {
    status,
    tables: ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"],
    now: NOW,
  }).toString();
  const rides = section(html, "LIFT_RIDE");
  const facts = textOf(rides);
  assert.match(facts, /Channels 1 reopening, 2 open, 1 drained/);
  assert.match(facts, new RegExp(`Queue ${fmtInt(350)} rows, oldest ${fmtSeconds(9)}`));
  assert.match(facts, /Error rows 3/);
  assert.match(facts, /Last error, channel 1 Numeric value 'x' is not recognized/);
  assert.match(facts, /Retries 429: 2/);
  assert.match(facts, /Reopens 1/);
  assert.match(facts, /Last problem, channel 2 reopening channel LIFTLINE_LIFT_RIDE_ABC_2/);
  const t = onlyTable(rides);
  assert.deepEqual(t.head, ["Channel", "State", "Queue", "Oldest", "Offset", "Lag p99"]);
  assert.deepEqual(t.rows, [
    [
      "0",
      "open",
      "300",
      fmtSeconds(2),
      fmtInt(1200),
      fmtSeconds(
        status.channelLag(
          "LIFTLINE_LIFT_RIDE_ABC",
        ).p99,
      ),
    ],
    [
      "1",
      "open",
      "0",
      NONE,
      fmtInt(1100),
      fmtSeconds(
        status.channelLag(
          "LIFTLINE_LIFT_RIDE_ABC_1",
        ).p99,
      ),
    ],
    ["2", "reopening", "50", fmtSeconds(9), NONE, NONE],
    ["3 (retired)", "drained", "0", NONE, "40", NONE],
  ]);
  // Every name, compactly: channel 0's name, and the suffixes the others add to it.
  assert.equal(
    t.caption,
    "Channels of LIFT_RIDE: LIFTLINE_LIFT_RIDE_ABC, then the same name with _1 to _3",
  );
  // Each channel's own lag: about 1.2 s on channel 0 and 3.5 s on channel 1.
  assert.ok(Math.abs(status.channelLag("LIFTLINE_LIFT_RIDE_ABC").p99! - 1.2) < 0.1);
  assert.ok(Math.abs(status.channelLag("LIFTLINE_LIFT_RIDE_ABC_1").p99! - 3.5) < 0.2);
  // Each sparkline's accessible name gives the span its visible caption gives.
  for (
    const m of rides.matchAll(/aria-label="([^"]*, last (\d+) min)"[\s\S]*?<figcaption>([^<]*)</g)
  ) {
    assert.match(m[3], new RegExp(`last ${m[2]} min`), `${m[1]} / ${m[3]}`);
  }
  assert.ok(
    [...rides.matchAll(/aria-label="[^"]*, last \d+ min"/g)].length >= 2,
    "both sparklines",
  );
  // A table nobody streams here says so, and has no channel table.
  assert.match(textOf(section(html, "SEASON_PASS")), /Channels not streamed here/);
});

Deno.test("a channel caption lists names in full when they do not follow channel 0's", () => {
  const named = (shard: number, name: string) => channel(shard, { channel: name });
  assert.equal(
    channelsCaption("T", [named(0, "A"), named(1, "B")]),
    "Channels of T: A, B",
  );
  assert.equal(channelsCaption("T", [named(0, "A")]), "Channels of T: A");
  assert.equal(
    channelsCaption("T", [named(0, "A"), named(2, "A_2"), named(5, "A_5")]),
    "Channels of T: A, then the same name with _2, _5",
  );
});

Deno.test("/api/status gives each table's sums and its channels, with their lag", async () => {
  const app = createWebApp({ metrics: new Metrics(), status: store() });
  const body = await (await app.request("/api/status")).json();
  const rides = body.tables.LIFT_RIDE;
  assert.equal(rides.rowsCommitted, 2300);
  assert.equal(rides.rowsAppended, 2600);
  assert.equal(rides.queueRows, 350);
  assert.deepEqual(rides.states, { open: 2, reopening: 1, drained: 1 });
  assert.deepEqual(
    rides.channels.map((c: ChannelStatus) => [c.shard, c.channel, c.retired, c.committedOffset]),
    [
      [0, "LIFTLINE_LIFT_RIDE_ABC", false, 1200],
      [1, "LIFTLINE_LIFT_RIDE_ABC_1", false, 1100],
      [2, "LIFTLINE_LIFT_RIDE_ABC_2", false, null],
      [3, "LIFTLINE_LIFT_RIDE_ABC_3", true, 40],
    ],
  );
  assert.equal(rides.channels[0].lag.count, 100);
  assert.equal(rides.channels[2].lag.count, 0);
});

Deno.test("end-to-end freshness before any committed ride is reported says why there is no age", async () => {
  const reports = reportsRefreshed(NOW, 5);
  const freshness = async (status: StatusStore) =>
    textOf(
      section(
        await jsx(PipelineLive, { status, tables: ["LIFT_RIDE"], now: NOW }).toString(),
        "End-to-end freshness",
      ),
    );
  // This process streams (it has LIFT_RIDE's channels) but none of its rides is reported yet.
  const streaming = store();
  streaming.reports = reports;
  assert.match(
    await freshness(streaming),
    /No ride this process committed has reached the reports yet\./,
  );
  // The streamer is another process: this one cannot know when a reported ride was generated.
  const serving = new StatusStore();
  serving.reports = reports;
  assert.match(await freshness(serving), /The streamer runs in another process/);
});

Deno.test("a sparkline's 'now' is the latest sample's: none once nothing happens, not an older value", async () => {
  const status = store();
  // Lag was seen a minute ago; since then no commits: the last minute's percentiles are empty.
  status.sample(NOW + 61_000);
  const html = await jsx(PipelineLive, {
    status,
    tables: ["LIFT_RIDE"],
    now: NOW + 61_000,
  }).toString();
  const captions = [...section(html, "LIFT_RIDE").matchAll(/<figcaption>([^<]*)</g)].map((m) =>
    m[1]
  );
  const lag = captions.find((c) => c.startsWith("Ingest lag p95"));
  assert.ok(lag, captions.join(" | "));
  assert.match(lag, /: none now, highest /);
});
