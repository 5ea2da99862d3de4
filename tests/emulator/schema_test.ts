/**
 * The raw tables as the emulator holds them once liftline set itself up: `sql/tables.sql` is the
 * one source of their columns and types, and the emulator reports them through SQL (`DESCRIBE
 * TABLE`) exactly as declared, in Snowflake's spelling. Also the DDL the emulator accepts for a
 * table, the timestamp texts a pipe reads, and the pipe's NDJSON parsing.
 */
import assert from "node:assert/strict";
import { TABLES_SQL } from "../../sql/mod.ts";
import { parseTimestampText } from "../../src/emulator/coerce.ts";
import { Pipe } from "../../src/emulator/pipe.ts";
import { T } from "../../src/emulator/warehouse/types.ts";
import type { LocalSqlClient } from "../../src/emulator/mod.ts";
import { startLiftlineEmulator } from "../helpers/liftline_emulator.ts";
import { startTestEmulator } from "./helpers.ts";

/** The CREATE TABLE statements of `sql/tables.sql`: each table's columns and declared types. */
function declaredTables(sql: string): { name: string; columns: [string, string][] }[] {
  const text = sql.replace(/--[^\n]*/g, "");
  const out: { name: string; columns: [string, string][] }[] = [];
  for (const m of text.matchAll(/CREATE TABLE IF NOT EXISTS (\w+) \(([^;]*)\);/g)) {
    const columns = m[2].split(/,\s*\n/).map((line) => {
      const [, name, type] = /^\s*(\w+)\s+(.+?)\s*$/.exec(line)!;
      return [name, type] as [string, string];
    });
    out.push({ name: m[1], columns });
  }
  return out;
}

/** How Snowflake describes a column declared with `type` (its synonyms and defaults). */
function describedAs(type: string): string {
  const t = type.toUpperCase().replace(/\s+/g, "");
  if (t === "DATETIME" || t === "TIMESTAMP_NTZ") return "TIMESTAMP_NTZ(9)";
  if (t === "NUMBER" || t === "INT" || t === "INTEGER") return "NUMBER(38,0)";
  const decimal = /^(?:DECIMAL|NUMERIC|NUMBER)\((\d+),(\d+)\)$/.exec(t);
  if (decimal) return `NUMBER(${decimal[1]},${decimal[2]})`;
  return t;
}

/** `NAME TYPE` of each column of a table, as DESCRIBE TABLE reports them. */
async function describe(sql: LocalSqlClient, table: string): Promise<string[]> {
  const r = await sql.query(`DESCRIBE TABLE ${table}`);
  return r.rows.map((c) => `${c.name} ${c.type}`);
}

Deno.test("the raw tables' columns and types come from sql/tables.sql, as DESCRIBE TABLE shows them", async () => {
  const tables = declaredTables(TABLES_SQL);
  assert.deepEqual(tables.map((t) => t.name), ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"]);
  assert.deepEqual(tables.find((t) => t.name === "LIFT_RIDE")!.columns.map((c) => c.join(" ")), [
    "TXID VARCHAR(255)",
    "RFID VARCHAR(255)",
    "RESORT VARCHAR(255)",
    "LIFT VARCHAR(255)",
    "RIDE_TIME DATETIME",
    "ACTIVATION_DAY_COUNT NUMBER",
  ]);
  const e = await startLiftlineEmulator({ dynamic: { autoRefresh: false } });
  try {
    for (const t of tables) {
      assert.deepEqual(
        await describe(e.sql, t.name),
        t.columns.map(([name, type]) => `${name} ${describedAs(type)}`),
        t.name,
      );
      assert.equal(await e.count(t.name), 0);
    }
    // The types a reader sees, spelled out once for the columns that matter most.
    const ticket = await describe(e.sql, "RESORT_TICKET");
    for (
      const c of [
        "PURCHASE_TIME TIMESTAMP_NTZ(9)",
        "PRICE_USD NUMBER(7,2)",
        "EXPIRATION_TIME DATE",
        "DAYS NUMBER(38,0)",
        "ADDRESS VARIANT",
      ]
    ) assert.ok(ticket.includes(c), c);
    // A table that does not exist is an error naming it, not zero rows.
    await assert.rejects(e.count("NOPE"), /NOPE.*does not exist/);
  } finally {
    await e.close();
  }
});

Deno.test("CREATE TABLE takes comments, constraints, defaults and quoted names; refuses unknown types", async () => {
  const t = await startTestEmulator({ provision: false });
  try {
    await t.sql.query(`
    -- a comment (with parens, and a comma)
    CREATE OR REPLACE TABLE STREAMING_INGEST.STREAMING_INGEST.T1 (
      id NUMBER(10,0) NOT NULL, /* block */
      "Mixed" VARCHAR DEFAULT 'x',
      amount NUMBER(12, 4),
      flag BOOLEAN,
      at TIMESTAMP_NTZ
    )`);
    const r = await t.sql.query("DESCRIBE TABLE T1");
    assert.deepEqual(r.rows.map((c) => c.name), ["ID", "Mixed", "AMOUNT", "FLAG", "AT"]);
    assert.equal(r.rows[2].type, "NUMBER(12,4)");
    assert.equal(r.rows[0]["null?"], "N");
    await assert.rejects(t.sql.query("CREATE TABLE X (A GEOGRAPHY)"), /[Uu]nsupported.*GEOGRAPHY/);
    await assert.rejects(t.sql.query("SELECT * FROM X"), /does not exist/);
  } finally {
    await t.close();
  }
});

Deno.test("timestamp texts: offsets to UTC, validation, precision", () => {
  const cases: [string, string | undefined][] = [
    ["2026-11-25T14:00:00+00:00", "2026-11-25 14:00:00.000"],
    ["2026-11-25T14:00:00Z", "2026-11-25 14:00:00.000"],
    ["2026-11-25T14:00:00.5Z", "2026-11-25 14:00:00.500"],
    ["2026-11-25T14:00:00.123456789Z", "2026-11-25 14:00:00.123"],
    ["2026-11-25 14:00", "2026-11-25 14:00:00.000"],
    ["2026-11-25", "2026-11-25 00:00:00.000"],
    ["2026-11-25T23:30:00-07:00", "2026-11-26 06:30:00.000"],
    ["2026-01-01T00:30:00+0100", "2025-12-31 23:30:00.000"],
    ["2024-02-29T00:00:00Z", "2024-02-29 00:00:00.000"],
    ["2025-02-29T00:00:00Z", undefined],
    ["2026-13-01T00:00:00Z", undefined],
    ["2026-11-25T24:00:00Z", undefined],
    ["2026-11-25T14:00:00+25:00", undefined],
    ["25/11/2026", undefined],
    ["", undefined],
  ];
  for (const [input, want] of cases) assert.equal(parseTimestampText(input), want, input);
});

Deno.test("Pipe.parseChunks: CRLF, blank lines, counts and error rows", () => {
  const pipe = new Pipe("DB.S.P", {
    id: 1,
    database: "DB",
    schema: "S",
    name: "T",
    columns: [{ name: "N", type: T.number(3, 0), nullable: true }],
  }, "CASE_SENSITIVE");
  const text = '{"N":1}\r\n\r\n   \n{"N":999}\n{"N":1000}\n{"N":"x"}\nnull\n{"N":2}';
  const rows: unknown[][] = [];
  const batch = pipe.parseChunks([new TextEncoder().encode(text)], (r) => rows.push(r));
  assert.deepEqual(rows, [[1], [999], [2]]);
  assert.equal(batch.parsed, 6);
  assert.equal(batch.errors, 3);
  assert.match(batch.lastErrorMessage!, /Row 5 .*not a JSON object/);
});
