/**
 * Append bodies are held until their commit as they were received, or compressed when they came
 * uncompressed: what a commit reads back must be the exact bytes sent, whatever the encoding.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import {
  type AppendPayload,
  compactPayload,
  readAppendPayload,
  readDecoded,
} from "../../src/emulator/http_body.ts";
import { ApiError } from "../../src/emulator/errors.ts";
import {
  appendRows,
  channelStatus,
  concatBytes,
  ndjson,
  openChannel,
  ride,
  scopedToken,
  startTestEmulator,
} from "./helpers.ts";

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://emulator.test/append", { method: "POST", body, headers });

/** The bytes a commit reads, joined. */
function decoded(p: AppendPayload): Uint8Array {
  return readDecoded(p, concatBytes);
}

/** NDJSON of `n` rides whose lift names are not ASCII, so that slices cut characters. */
function rides(n: number): Uint8Array<ArrayBuffer> {
  const rows = Array.from({ length: n }, (_, i) => ride({ LIFT: `Télécabine ☃ ${i}` }));
  return new TextEncoder().encode(ndjson(rows));
}

Deno.test("an uncompressed append body of some size is held compressed and reads back exactly", async () => {
  const body = rides(2000);
  assert.ok(body.byteLength > 128 * 1024);
  const read = await readAppendPayload(post(body), 4 * 1024 * 1024);
  assert.equal(read.encoding, "identity");
  assert.deepEqual(decoded(read), body);
  const p = compactPayload(read);
  assert.equal(p.decodedBytes, body.byteLength);
  assert.notEqual(p.encoding, "identity");
  const held = p.bytes.reduce((n, c) => n + c.byteLength, 0);
  assert.ok(held * 3 < body.byteLength, `held ${held} bytes of ${body.byteLength}`);
  // The uncompressed bytes are freed at once, not left to the garbage collector.
  assert.ok(read.bytes.every((c) => c.buffer.detached));
  assert.deepEqual(decoded(p), body);
  // Read in slices the parser turns into short-lived strings, not one string of the whole body.
  assert.ok(readDecoded(p, (slices) => slices.every((c) => c.byteLength <= 64 * 1024)));

  // A small body is not worth compressing: held as it came.
  const small = rides(3);
  const q = compactPayload(await readAppendPayload(post(small), 4 * 1024 * 1024));
  assert.equal(q.encoding, "identity");
  assert.deepEqual(decoded(q), small);
});

Deno.test("a compressed append body is held as sent; a bomb is refused with 413 at once", async () => {
  const body = rides(500);
  const wire = new Uint8Array(gzipSync(body));
  const p = await readAppendPayload(post(wire, { "Content-Encoding": "gzip" }), 4 * 1024 * 1024);
  assert.equal(p.encoding, "gzip");
  assert.deepEqual(p.bytes, [wire]);
  assert.equal(compactPayload(p), p);
  assert.equal(p.decodedBytes, body.byteLength);
  assert.deepEqual(decoded(p), body);

  // 1 GB of zeros gzips to about 1 MB; the limit stops decoding long before the end.
  const bomb = new Uint8Array(gzipSync(new Uint8Array(1024 * 1024 * 1024)));
  const started = performance.now();
  await assert.rejects(
    readAppendPayload(post(bomb, { "Content-Encoding": "gzip" }), 4 * 1024 * 1024),
    (e) => e instanceof ApiError && e.status === 413,
  );
  assert.ok(performance.now() - started < 5000);
});

Deno.test("rows of a large uncompressed append land exactly as sent, multi-byte characters included", async () => {
  const t = await startTestEmulator({ commitDelayMs: 50 });
  try {
    const token = await scopedToken(t);
    const cont = (await openChannel(t.url, token, "LIFT_RIDE_PIPE", "big")).body
      .next_continuation_token;
    const body = rides(3000);
    const r = await appendRows(t.url, token, "LIFT_RIDE_PIPE", "big", cont, body, {
      offsetToken: "3000",
    });
    assert.equal(r.status, 200);
    const deadline = Date.now() + 10_000;
    while (await t.count("LIFT_RIDE") < 3000 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const rows = await t.sql.query(
      "SELECT COUNT(*) AS N, COUNT(DISTINCT LIFT) AS LIFTS, MIN(LIFT) AS FIRST FROM LIFT_RIDE",
    );
    assert.deepEqual(
      rows.rows.map((r) => [Number(r.N), Number(r.LIFTS), r.FIRST]),
      [[3000, 3000, "Télécabine ☃ 0"]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("a row longer than any Snowflake row, in a small compressed body, is an error row: the rest lands", async () => {
  const t = await startTestEmulator({ provision: false });
  try {
    await t.sql.query("CREATE TABLE WIDE (N NUMBER, S VARCHAR)");
    const pipe = "WIDE-STREAMING";
    const token = await scopedToken(t);
    const cont = (await openChannel(t.url, token, pipe, "c")).body.next_continuation_token;
    // 40 MiB of one character gzips to about 40 KB: a compression bomb of a single line.
    const huge = `{"N": 2, "S": "${"x".repeat(40 * 1024 * 1024)}"}`;
    const body = `{"N": 1, "S": "a"}\n${huge}\n{"N": 3, "S": "c"}\n`;
    const wire = new Uint8Array(gzipSync(body));
    assert.ok(wire.byteLength < 1024 * 1024);
    const res = await appendRows(t.url, token, pipe, "c", cont, wire, { offsetToken: "1" }, {
      "Content-Encoding": "gzip",
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    let st: Record<string, unknown> = {};
    for (let i = 0; i < 200 && st.last_committed_offset_token !== "1"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      st = (await channelStatus(t.url, token, pipe, ["c"])).body.channel_statuses.c;
    }
    assert.equal(st.last_committed_offset_token, "1");
    assert.equal(st.rows_inserted, 2);
    assert.equal(st.rows_error_count, 1);
    assert.match(String(st.last_error_message), /Row 2 of the batch is longer than/);
    assert.deepEqual((await t.sql.query("SELECT N, S FROM WIDE ORDER BY N")).rows, [
      { N: 1, S: "a" },
      { N: 3, S: "c" },
    ]);
  } finally {
    await t.close();
  }
});
