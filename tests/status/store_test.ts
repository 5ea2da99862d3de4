/**
 * The status store with several channels per table: a table's rates are its channels' together,
 * each channel keeps its own lag, and readiness is per channel.
 */
import assert from "node:assert/strict";
import { type ChannelStatus, newChannelStatus, StatusStore } from "../../src/status/store.ts";

const T0 = Date.parse("2026-11-30T12:00:00Z");

function channel(table: string, shard: number): ChannelStatus {
  return newChannelStatus({
    table,
    shard,
    retired: false,
    pipe: `${table}_PIPE`,
    channel: `C_${table}_${shard}`,
    state: "open",
  });
}

Deno.test("a table's rates are the sum of its channels'; each channel keeps its own lag", () => {
  const s = new StatusStore();
  // Added out of order: listed by shard.
  const rides = [2, 0, 1].map((k) => channel("LIFT_RIDE", k));
  const ticket = channel("RESORT_TICKET", 0);
  for (const c of [...rides, ticket]) s.channels.set(c.channel, c);
  assert.deepEqual(s.channelsOf("LIFT_RIDE").map((c) => c.shard), [0, 1, 2]);
  s.sample(T0);
  rides.forEach((c, i) => {
    c.rowsAppended = 1000 * (i + 1);
    c.rowsCommitted = 500 * (i + 1);
  });
  ticket.rowsCommitted = 40;
  s.observeIngestLag("LIFT_RIDE", 0.5, 10, T0 + 500, "C_LIFT_RIDE_0");
  s.observeIngestLag("LIFT_RIDE", 4, 10, T0 + 500, "C_LIFT_RIDE_1");
  s.sample(T0 + 2000);
  const flow = s.flow("LIFT_RIDE");
  assert.equal(flow.appendedPerSecond, 3000, "(1000 + 2000 + 3000) rows in 2 s");
  assert.equal(flow.committedPerSecond, 1500);
  assert.equal(s.flow("RESORT_TICKET").committedPerSecond, 20);
  assert.equal(flow.lag.count, 20, "the table's window has every channel's rows");
  assert.ok(Math.abs(s.channelLag("C_LIFT_RIDE_0").p99! - 0.5) < 0.03);
  assert.ok(Math.abs(s.channelLag("C_LIFT_RIDE_1").p50! - 4) < 0.2);
  assert.equal(s.channelLag("C_LIFT_RIDE_2").count, 0);
  const snap = s.snapshot() as { tables: Record<string, { rowsCommitted: number }> };
  assert.deepEqual(Object.keys(snap.tables).sort(), ["LIFT_RIDE", "RESORT_TICKET"]);
  assert.equal(snap.tables.LIFT_RIDE.rowsCommitted, 3000);
});
