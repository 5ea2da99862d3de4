import assert from "node:assert/strict";
import {
  defaultStartTime,
  MAX_JUMP_WORLD_MS,
  MAX_STALL_REAL_MS,
  WorldClock,
} from "../../src/generator/clock.ts";

const START = Date.parse("2026-11-25T14:00:00Z");

/** A clock with a hand-driven real time. */
function manual(speed: "TURTLE" | "LLAMA" | "CHEETAH" | "MAX", until?: number) {
  let real = 1000;
  const clock = new WorldClock({ start: START, speed, until, realNow: () => real });
  return { clock, advance: (ms: number) => (real += ms) };
}

Deno.test("world time runs at real time × 120, 480 or 960", () => {
  for (const [speed, factor] of [["TURTLE", 120], ["LLAMA", 480], ["CHEETAH", 960]] as const) {
    const { clock, advance } = manual(speed);
    advance(1000);
    assert.equal(clock.tick() - START, 1000 * factor);
    advance(250);
    assert.equal(clock.tick() - START, 1250 * factor);
  }
});

Deno.test("after a stall the clock jumps at most 10 real minutes' worth", () => {
  for (const [speed, factor] of [["TURTLE", 120], ["CHEETAH", 960]] as const) {
    const { clock, advance } = manual(speed);
    advance(3 * 3_600_000); // three hours of real time stalled
    const jump = clock.tick() - START;
    assert.equal(jump, MAX_STALL_REAL_MS * factor);
    assert.ok(jump <= MAX_JUMP_WORLD_MS);
    // Then it runs on normally.
    advance(1000);
    assert.equal(clock.tick() - START, jump + 1000 * factor);
  }
});

Deno.test("a paused clock stands still and does not make up the pause", () => {
  const { clock, advance } = manual("TURTLE");
  advance(1000);
  const t1 = clock.tick();
  clock.pause();
  advance(60_000);
  assert.equal(clock.tick(), t1);
  assert.ok(clock.paused);
  clock.resume();
  advance(500);
  assert.equal(clock.tick(), t1 + 500 * 120);
});

Deno.test("MAX advances in fixed world steps; UNTIL stops the clock", () => {
  const { clock, advance } = manual("MAX", START + 150_000);
  assert.equal(clock.factor, undefined);
  assert.equal(clock.tick(), START + 60_000);
  advance(10 ** 9); // real time is irrelevant at MAX
  assert.equal(clock.tick(), START + 120_000);
  assert.equal(clock.tick(), START + 150_000);
  assert.ok(clock.finished);
  assert.equal(clock.tick(), START + 150_000);
});

Deno.test("the default world start is 14:00 UTC of today's UTC date", () => {
  assert.equal(
    defaultStartTime(Date.parse("2026-11-25T09:30:00Z")),
    Date.parse("2026-11-25T14:00:00Z"),
  );
  assert.equal(
    defaultStartTime(Date.parse("2026-11-25T23:59:00Z")),
    Date.parse("2026-11-25T14:00:00Z"),
  );
});
