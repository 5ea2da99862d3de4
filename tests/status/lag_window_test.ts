/**
 * Ingest-lag windows: percentiles within a bucket's width, observations leaving the window as it
 * slides, and the coarse slots a channel's window uses (the window then slides by whole slots).
 */
import assert from "node:assert/strict";
import { LagWindow } from "../../src/status/lag_window.ts";

const T0 = Date.parse("2026-11-30T12:00:00Z");

Deno.test("percentiles of a minute of lags, within a bucket's width", () => {
  const w = new LagWindow();
  for (let i = 1; i <= 100; i++) w.observe(i / 10, 1, T0 + i * 100);
  const p = w.percentiles(T0 + 10_000);
  assert.equal(p.count, 100);
  for (const [got, want] of [[p.p50, 5], [p.p95, 9.5], [p.p99, 9.9]] as const) {
    assert.ok(Math.abs(got! - want) <= want * 0.05, `${got} against ${want}`);
  }
  assert.deepEqual(new LagWindow().percentiles(T0), { p50: null, p95: null, p99: null, count: 0 });
});

Deno.test("a window of ten-second slots keeps a minute, and lets a slot go whole", () => {
  const w = new LagWindow(60, 10);
  w.observe(1, 5, T0); // slot [T0, T0 + 10 s)
  w.observe(2, 5, T0 + 15_000); // the next slot
  assert.equal(w.percentiles(T0 + 59_999).count, 10, "both slots within the minute");
  assert.equal(w.percentiles(T0 + 60_000).count, 5, "the first slot left as a whole");
  assert.ok(Math.abs(w.percentiles(T0 + 60_000).p50! - 2) < 0.1);
  assert.equal(w.percentiles(T0 + 70_000).count, 0);
  // A slot is reused for a later time only after it is cleared.
  w.observe(3, 1, T0 + 120_000);
  assert.equal(w.percentiles(T0 + 120_000).count, 1);
  assert.throws(() => new LagWindow(60, 7), /slotSeconds must divide seconds/);
});
