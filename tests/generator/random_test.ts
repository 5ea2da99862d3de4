import assert from "node:assert/strict";
import { cumulative, dateSeed, Random } from "../../src/generator/random.ts";
import { near } from "./helpers.ts";

Deno.test("the same seed gives the same stream; another seed another", () => {
  const a = new Random("20261125"), b = new Random("20261125"), c = new Random("20261126");
  const xs = Array.from({ length: 1000 }, () => a.u32());
  assert.deepEqual(Array.from({ length: 1000 }, () => b.u32()), xs);
  const zs = Array.from({ length: 1000 }, () => c.u32());
  assert.ok(zs.filter((z, i) => z === xs[i]).length < 3);
});

Deno.test("next() is uniform in [0, 1)", () => {
  const r = new Random("uniform");
  const n = 200_000;
  const bins = new Array(10).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    bins[Math.floor(x * 10)]++;
    sum += x;
  }
  near(sum / n, 0.5, 0.005, "mean");
  for (const b of bins) near(b / n, 0.1, 0.005, "decile share");
});

Deno.test("pick() follows the weights", () => {
  const r = new Random("pick");
  const cum = cumulative([0.35, 0.35, 0.1, 0.05, 0.05, 0.05, 0.05]);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 100_000; i++) counts[r.pick(cum)]++;
  [0.35, 0.35, 0.1, 0.05, 0.05, 0.05, 0.05].forEach((w, i) =>
    near(counts[i] / 100_000, w, 0.01, `weight ${i}`)
  );
  assert.throws(() => cumulative([]));
  assert.throws(() => cumulative([0, 0]));
  assert.throws(() => cumulative([1, -1]));
});

Deno.test("uuid() is a random version-4 UUID and rfid() 96 random bits in hex", () => {
  const r = new Random("ids");
  const uuids = new Set<string>();
  const nibbles = new Array(16).fill(0);
  for (let i = 0; i < 10_000; i++) {
    const u = r.uuid();
    assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    uuids.add(u);
    const id = r.rfid();
    assert.match(id, /^0x[0-9a-f]{24}$/);
    for (const ch of id.slice(2)) nibbles[parseInt(ch, 16)]++;
  }
  assert.equal(uuids.size, 10_000);
  // Every hex digit equally likely in the RFID.
  for (const n of nibbles) near(n / (10_000 * 24), 1 / 16, 0.003, "hex digit share");
});

Deno.test("the default seed is the UTC date as YYYYMMDD", () => {
  assert.equal(dateSeed(new Date("2026-11-25T23:59:59Z")), "20261125");
  assert.equal(dateSeed(new Date("2027-01-02T00:00:00Z")), "20270102");
});
