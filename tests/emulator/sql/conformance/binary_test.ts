/**
 * BINARY through snowflake-sdk: text is read as hex (BINARY_INPUT_FORMAT's default), shown as
 * hex, and the driver gets the result parameters it needs to read a BINARY column at all.
 */
import assert from "node:assert/strict";
import { conformance } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/binary-input-output
conformance("BINARY: hex in, hex out, a column the driver reads", async ({ db }, t) => {
  await t.step("a BINARY column reaches the driver as bytes", async () => {
    await db.runAll(["CREATE TABLE BLOBS (B BINARY);", "INSERT INTO BLOBS VALUES ('BEEF');"]);
    const r = await db.run("SELECT B, HEX_ENCODE(B) AS H, B::VARCHAR AS T FROM BLOBS");
    const [bytes, hex, text] = r.rows[0];
    // The harness gives a Buffer as its JSON.
    assert.deepEqual(JSON.parse(String(bytes)), { type: "Buffer", data: [0xbe, 0xef] });
    assert.deepEqual([hex, text], ["BEEF", "BEEF"]);
  });

  await t.step("BIT_LENGTH of text (UTF-8) and of BINARY", async () => {
    const r = await db.run(
      "SELECT BIT_LENGTH('a'), BIT_LENGTH('héllo'), BIT_LENGTH('CAFE'::BINARY)",
    );
    assert.deepEqual(r.rows, [["8", "48", "16"]]);
  });

  await t.step("text that is not hex is refused, or NULL for TRY_CAST", async () => {
    await assert.rejects(() => db.run("SELECT 'xyz'::BINARY"), /not a legal hex-encoded value/);
    const r = await db.run(
      "SELECT TRY_CAST('zz' AS BINARY) AS B, '48656C6C6F'::BINARY::VARCHAR AS T",
    );
    assert.deepEqual(r.rows[0], [null, "48656C6C6F"]);
  });
});
