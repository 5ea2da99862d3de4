import assert from "node:assert/strict";
import {
  type AppendBody,
  encodeAppendBodies,
  type OutgoingRow,
  RowTooLargeError,
} from "../../src/snowflake/ndjson.ts";
import { MAX_APPEND_WIRE_BYTES } from "../../src/snowflake/protocol.ts";

async function plain(b: AppendBody): Promise<string> {
  if (!b.gzip) return new TextDecoder().decode(b.bytes);
  return await new Response(
    new Blob([b.bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
  ).text();
}

function rowsOf(n: number, make: (i: number) => unknown): OutgoingRow[] {
  return Array.from({ length: n }, (_, i) => ({ id: 1000 + i, json: JSON.stringify(make(i)) }));
}

/** Every body under the cap, bodies in order, covering every row exactly once. */
async function assertCovers(rows: OutgoingRow[], bodies: AppendBody[], cap: number) {
  let next = 0;
  const lines: string[] = [];
  for (const b of bodies) {
    assert.ok(b.bytes.length <= cap, `body of ${b.bytes.length} bytes exceeds ${cap}`);
    assert.equal(b.start, next);
    assert.equal(b.firstId, rows[b.start].id);
    assert.equal(b.lastId, rows[b.end - 1].id);
    const text = await plain(b);
    assert.equal(new TextEncoder().encode(text).length, b.uncompressedBytes);
    assert.ok(text.endsWith("\n"));
    lines.push(...text.slice(0, -1).split("\n"));
    next = b.end;
  }
  assert.equal(next, rows.length);
  assert.deepEqual(lines, rows.map((r) => r.json));
}

Deno.test("rows that fit go in one uncompressed body", async () => {
  const rows = rowsOf(100, (i) => ({ TXID: `t${i}` }));
  const bodies = await encodeAppendBodies(rows, { compression: "never" });
  assert.equal(bodies.length, 1);
  await assertCovers(rows, bodies, MAX_APPEND_WIRE_BYTES);
});

Deno.test("15 MB of rows are split into bodies under the 4 MB wire cap, in order", async () => {
  const rows = rowsOf(50_000, (i) => ({ TXID: crypto.randomUUID(), PAD: "x".repeat(250), I: i }));
  const bodies = await encodeAppendBodies(rows, { compression: "never" });
  assert.ok(bodies.length >= 4, `only ${bodies.length} bodies`);
  await assertCovers(rows, bodies, MAX_APPEND_WIRE_BYTES);
});

Deno.test("multi-byte text is measured in bytes, not characters", async () => {
  // 'é' and '雪' take 2 and 3 bytes: a character-count estimate would overshoot the cap.
  const rows = rowsOf(300, (i) => ({ NAME: "雪é".repeat(20), I: i }));
  const cap = 4096;
  const bodies = await encodeAppendBodies(rows, { compression: "never", maxWireBytes: cap });
  assert.ok(bodies.length > 1);
  await assertCovers(rows, bodies, cap);
});

Deno.test("compressed bodies stay under the cap measured after compression", async () => {
  const rows = rowsOf(5000, (i) => ({ TXID: crypto.randomUUID(), RESORT: "Vail", I: i }));
  const cap = 16 * 1024;
  const bodies = await encodeAppendBodies(rows, { compression: "always", maxWireBytes: cap });
  assert.ok(bodies.every((b) => b.gzip));
  await assertCovers(rows, bodies, cap);
  // Compression lets a body carry more than the cap of raw NDJSON.
  assert.ok(bodies.some((b) => b.uncompressedBytes > cap));
});

Deno.test("a single row bigger than the cap is compressed to fit, even with compression off", async () => {
  const rows = [{ id: 1, json: JSON.stringify({ BIG: "a".repeat(10_000) }) }];
  const bodies = await encodeAppendBodies(rows, { compression: "never", maxWireBytes: 2048 });
  assert.equal(bodies.length, 1);
  assert.equal(bodies[0].gzip, true);
  await assertCovers(rows, bodies, 2048);
});

Deno.test("a row that cannot fit even compressed is refused with its id", async () => {
  const noise = Array.from(crypto.getRandomValues(new Uint8Array(3000)), (b) => b.toString(16))
    .join("");
  const rows = [{ id: 1, json: '{"A":1}' }, { id: 77, json: JSON.stringify({ N: noise }) }];
  await assert.rejects(
    encodeAppendBodies(rows, { compression: "never", maxWireBytes: 1024 }),
    (e) => e instanceof RowTooLargeError && e.id === 77,
  );
});

Deno.test("line breaks inside a row never split it into two NDJSON lines", async () => {
  const rows = [{ id: 1, json: '{\n  "A": 1,\r\n  "B": 2\n}' }, { id: 2, json: '{"C":3}' }];
  const [b] = await encodeAppendBodies(rows, { compression: "never" });
  const lines = (await plain(b)).trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]), { A: 1, B: 2 });
});

Deno.test("ASCII rows then multi-byte ones: every byte of every row arrives", async () => {
  const rows = rowsOf(
    500,
    (i) => ({ I: i, NAME: i < 400 ? "Vail" : i % 2 ? "Zoë ⛷️ 雪" : "🏔".repeat(30) }),
  );
  for (const compression of ["never", "always"] as const) {
    await assertCovers(
      rows,
      await encodeAppendBodies(rows, { compression }),
      MAX_APPEND_WIRE_BYTES,
    );
  }
});
