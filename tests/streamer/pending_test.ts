import assert from "node:assert/strict";
import { PendingBatches } from "../../src/streamer/pending.ts";

const times = (...t: number[]) => t.map((enqueuedAt) => ({ enqueuedAt }));

Deno.test("pending batches are released whole, in order, once the committed offset covers them", () => {
  const p = new PendingBatches();
  p.push(1, 3, times(10, 10, 20), 0, 3, 100);
  p.push(4, 5, times(20, 30), 0, 2, 200);
  assert.equal(p.rows, 5);
  assert.equal(p.oldestAppendedAt, 100);
  assert.deepEqual(
    p.commitThrough(2),
    { rows: 0, runs: [] },
    "a token inside a batch releases none of it",
  );
  const r = p.commitThrough(3);
  assert.equal(r.rows, 3);
  assert.deepEqual(r.runs, [{ enqueuedAt: 10, count: 2 }, { enqueuedAt: 20, count: 1 }]);
  assert.equal(p.oldestAppendedAt, 200);
  assert.equal(p.commitThrough(99).rows, 2);
  assert.equal(p.isEmpty, true);
  assert.equal(p.rows, 0);
});

Deno.test("pending batches take only their slice of the rows and survive compaction", () => {
  const p = new PendingBatches();
  const rows = times(...Array.from({ length: 1000 }, (_, i) => Math.floor(i / 10)));
  for (let i = 0; i < 100; i++) p.push(i * 10 + 1, i * 10 + 10, rows, i * 10, i * 10 + 10);
  let released = 0;
  for (let c = 10; c <= 1000; c += 10) {
    const r = p.commitThrough(c);
    assert.equal(r.rows, 10);
    assert.deepEqual(r.runs, [{ enqueuedAt: c / 10 - 1, count: 10 }]);
    released += r.rows;
  }
  assert.equal(released, 1000);
  assert.equal(p.isEmpty, true);
  p.push(1001, 1001, times(5), 0, 1);
  p.clear();
  assert.equal(p.isEmpty, true);
  assert.equal(p.commitThrough(2000).rows, 0);
});
