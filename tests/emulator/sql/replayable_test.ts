/**
 * Which of a transaction's statements may be sent again after a later one failed (see
 * `SessionTransaction.recover`): only SQL that does again what it did.
 */
import assert from "node:assert/strict";
import { replayable } from "../../../src/emulator/sql/transactions.ts";

const sent = (...sql: string[]) => sql.map((s) => ({ sql: s }));

Deno.test("SQL without values that change from run to run is replayable", () => {
  assert.ok(replayable(sent(`INSERT INTO "T" SELECT 1, 'a'`, `UPDATE "T" SET "V" = 'b'`)));
  // Text and names that only look like calls are data, not calls.
  assert.ok(replayable(sent(`INSERT INTO "T" VALUES ('now() or random()', 'using sample 5')`)));
  assert.ok(replayable(sent(`SELECT "now("."random()" FROM "T"`)));
});

Deno.test("random values, the clock and samples are not replayable", () => {
  for (
    const sql of [
      `INSERT INTO "T" SELECT random()`,
      `INSERT INTO "T" SELECT gen_random_uuid()`,
      `INSERT INTO "T" SELECT CAST(now() AS TIMESTAMPTZ)`,
      `INSERT INTO "T" SELECT current_timestamp`,
      `INSERT INTO "T" SELECT * FROM "S" USING SAMPLE 50 PERCENT (bernoulli)`,
      `INSERT INTO "T" SELECT * FROM "S" TABLESAMPLE 10%`,
    ]
  ) assert.equal(replayable(sent(`SELECT 1`, sql)), false, sql);
});

Deno.test("a sequence is replayable only when the replayed SQL creates it itself", () => {
  const create = `CREATE OR REPLACE TEMP SEQUENCE "seq4" START 17`;
  const draw = `INSERT INTO "T" SELECT *, nextval('seq4') FROM "S"`;
  assert.ok(replayable(sent(create, draw)));
  assert.equal(replayable(sent(draw)), false);
  assert.equal(replayable(sent(create, `SELECT nextval('user_seq')`)), false);
});
