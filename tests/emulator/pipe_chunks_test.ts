/**
 * A body parsed from the chunks it arrived in (as the emulator commits it) gives exactly what
 * the whole text gives, wherever the chunks are cut: inside a row, between `\r` and `\n`, or
 * inside a multi-byte character.
 */
import assert from "node:assert/strict";
import { Pipe } from "../../src/emulator/pipe.ts";
import type { StoredValue } from "../../src/emulator/coerce.ts";
import { T } from "../../src/emulator/warehouse/types.ts";

const pipe = new Pipe("DB.S.P", {
  id: 1,
  database: "DB",
  schema: "S",
  name: "T",
  columns: [
    { name: "N", type: T.number(3, 0), nullable: true },
    { name: "S", type: T.varchar(20), nullable: true },
  ],
}, "CASE_SENSITIVE");

const text = '{"N":1,"S":"Zürich ⛷"}\r\n\r\n   \n{"N":999}\n{"N":1000}\n{"N":"x"}\nnull\n' +
  '{"N":2,"S":"Åre"}\n{"N":3}';

function fromChunks(bytes: Uint8Array, cuts: number[]) {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.slice(from, cut));
    from = cut;
  }
  const rows: StoredValue[][] = [];
  const counts = pipe.parseChunks(chunks, (r) => rows.push(r));
  return { rows, ...counts };
}

Deno.test("Pipe.parseChunks: the same rows, counts and messages as the whole text, however cut", () => {
  const bytes = new TextEncoder().encode(text);
  const whole = fromChunks(bytes, []);
  assert.deepEqual(whole.rows, [[1, "Zürich ⛷"], [999, null], [2, "Åre"], [3, null]]);
  // Every single cut, and every pair of cuts three bytes apart.
  for (let a = 0; a <= bytes.length; a++) {
    for (const cuts of [[a], a + 3 <= bytes.length ? [a, a + 3] : [a]]) {
      const got = fromChunks(bytes, cuts);
      assert.deepEqual(got, whole, `cut at ${cuts}`);
    }
  }
  assert.equal(whole.parsed, 7);
  assert.equal(whole.errors, 3);
  assert.match(whole.lastErrorMessage!, /Row 5 .*not a JSON object/);
  assert.deepEqual(pipe.parseChunks([], () => assert.fail("no rows")), {
    parsed: 0,
    errors: 0,
    lastErrorMessage: null,
  });
});
