import assert from "node:assert/strict";
import { HolderSlots, type NewHolder } from "../../src/generator/holders.ts";

const holder = (i: number): NewHolder => ({
  rfid: [i, i ^ 0xffffffff, 7],
  isPass: i % 2 === 1,
  resort: i % 5,
  maxDays: i % 2 === 1 ? Infinity : 1 + (i % 7),
  expiry: 1_000_000 + i,
  skill: i % 3,
});

Deno.test("holder slots keep every field through growth", () => {
  const slots = new HolderSlots();
  const n = 5_000; // past the initial 1,024 slots, so the arrays grow more than once
  const ids = Array.from({ length: n }, (_, i) => slots.add(holder(i)));
  assert.equal(slots.live, n);
  assert.equal(new Set(ids).size, n, "each live holder has its own slot");
  ids.forEach((s, i) => {
    const h = holder(i);
    assert.deepEqual([...slots.rfid.subarray(3 * s, 3 * s + 3)], [i, (i ^ 0xffffffff) >>> 0, 7]);
    assert.equal(slots.isPass[s], h.isPass ? 1 : 0);
    assert.equal(slots.resort[s], h.resort);
    assert.equal(slots.skill[s], h.skill);
    assert.equal(slots.maxDays[s], h.maxDays);
    assert.equal(slots.expiry[s], h.expiry);
    assert.equal(slots.used[s], 0);
  });
});

Deno.test("freed slots are reused: memory follows the live holders, not all ever sold", () => {
  const slots = new HolderSlots();
  // A steady population of 3,000 live holders, with 200,000 sold and expired over time.
  const live: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    if (live.length === 3_000) slots.release(live.shift()!);
    live.push(slots.add(holder(i)));
  }
  assert.equal(slots.live, 3_000);
  assert.ok(slots.capacity <= 4_096, `capacity ${slots.capacity} for 3,000 live holders`);
  // A reused slot starts afresh.
  const s = live[live.length - 1];
  slots.used[s] = 4;
  slots.release(live.pop()!);
  const again = slots.add(holder(1));
  assert.equal(again, s, "the slot freed last is taken first");
  assert.equal(slots.used[again], 0);
  assert.equal(slots.isPass[again], 1);
});
