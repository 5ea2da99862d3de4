import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { TABLES_SQL } from "../../sql/mod.ts";
import { parseTableDefinitions } from "../../src/emulator/table_schema.ts";
import { parseTimestampText } from "../../src/emulator/coerce.ts";
import { Pipe } from "../../src/emulator/pipe.ts";
import { CHANNELS_TABLE, Warehouse } from "../../src/emulator/warehouse.ts";

Deno.test("the raw tables' columns and types come from sql/tables.sql", () => {
  const tables = parseTableDefinitions(TABLES_SQL);
  assert.deepEqual(tables.map((t) => t.name), ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"]);
  const ride = tables.find((t) => t.name === "LIFT_RIDE")!;
  assert.deepEqual(ride.columns.map((c) => `${c.name} ${c.typeText}`), [
    "TXID VARCHAR(255)",
    "RFID VARCHAR(255)",
    "RESORT VARCHAR(255)",
    "LIFT VARCHAR(255)",
    "RIDE_TIME DATETIME",
    "ACTIVATION_DAY_COUNT NUMBER",
  ]);
  const ticket = tables.find((t) => t.name === "RESORT_TICKET")!;
  const price = ticket.columns.find((c) => c.name === "PRICE_USD")!;
  assert.deepEqual(price.type, { kind: "number", precision: 7, scale: 2 });
  assert.equal(ticket.columns.find((c) => c.name === "ADDRESS")!.type.kind, "variant");
  assert.equal(ticket.columns.find((c) => c.name === "EXPIRATION_TIME")!.type.kind, "date");
});

Deno.test("the DDL parser handles comments, constraints, quoted names and rejects unknown types", () => {
  const [t] = parseTableDefinitions(`
    -- a comment (with parens, and a comma)
    CREATE OR REPLACE TABLE db.sch.T1 (
      id NUMBER(10,0) NOT NULL, /* block */
      "Mixed" VARCHAR DEFAULT 'x',
      amount NUMBER(12, 4),
      flag BOOLEAN,
      at TIMESTAMP_NTZ
    );`);
  assert.equal(t.name, "T1");
  assert.deepEqual(t.columns.map((c) => c.name), ["ID", "Mixed", "AMOUNT", "FLAG", "AT"]);
  assert.deepEqual(t.columns[2].type, { kind: "number", precision: 12, scale: 4 });
  assert.throws(() => parseTableDefinitions("CREATE TABLE X (A GEOGRAPHY);"), /unsupported/);
});

Deno.test("warehouse.db gets the raw tables, the agreed storage classes, and the channels table", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = new Warehouse(join(dir, "warehouse.db"));
    try {
      const cols = w.db.prepare("SELECT name, type FROM pragma_table_info('RESORT_TICKET')").all()
        .map((r) => `${r.name}:${r.type}`);
      assert.deepEqual(cols, [
        "TXID:TEXT",
        "RFID:TEXT",
        "RESORT:TEXT",
        "PURCHASE_TIME:TEXT",
        "PRICE_USD:REAL",
        "EXPIRATION_TIME:TEXT",
        "DAYS:INTEGER",
        "NAME:TEXT",
        "ADDRESS:TEXT",
        "PHONE:TEXT",
        "EMAIL:TEXT",
        "EMERGENCY_CONTACT:TEXT",
      ]);
      assert.equal(w.db.prepare("PRAGMA journal_mode").get()!.journal_mode, "wal");
      const indexes = w.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all()
        .map((r) => r.name);
      assert.ok(indexes.includes("LIFT_RIDE_RESORT_RIDE_TIME"));
      assert.equal(w.count("LIFT_RIDE"), 0);
      const channelCols = w.db.prepare(`SELECT name FROM pragma_table_info('${CHANNELS_TABLE}')`)
        .all().map((r) => r.name);
      for (
        const c of [
          "pipe",
          "channel",
          "client_sequencer",
          "last_committed_offset_token",
          "created_on_ms",
          "rows_inserted",
          "rows_parsed",
          "rows_error_count",
          "last_error_message",
          "last_error_offset_upper_bound",
          "last_error_timestamp_ms",
        ]
      ) assert.ok(channelCols.includes(c), c);
      assert.throws(() => w.count("NOPE"), /unknown/);
    } finally {
      w.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a warehouse made by an older DDL gets the new columns added, keeping its rows", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "warehouse.db");
  try {
    const old = new DatabaseSync(path);
    old.exec(
      "CREATE TABLE LIFT_RIDE (TXID TEXT, RFID TEXT, RESORT TEXT, LIFT TEXT, RIDE_TIME TEXT)",
    );
    old.exec("INSERT INTO LIFT_RIDE VALUES ('t', 'r', 'Vail', 'L', '2026-01-01 00:00:00.000')");
    old.close();
    const w = new Warehouse(path);
    try {
      const row = w.db.prepare("SELECT * FROM LIFT_RIDE").get()!;
      assert.equal(row.TXID, "t");
      assert.equal(row.ACTIVATION_DAY_COUNT, null);
    } finally {
      w.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
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
  const w = {
    columns: [{
      name: "N",
      type: { kind: "number", precision: 3, scale: 0 },
      typeText: "NUMBER(3,0)",
    }],
  };
  const pipe = new Pipe("P", { name: "T", columns: w.columns } as never);
  const text = '{"N":1}\r\n\r\n   \n{"N":999}\n{"N":1000}\n{"N":"x"}\nnull\n{"N":2}';
  const rows: unknown[][] = [];
  const batch = pipe.parseChunks([new TextEncoder().encode(text)], (r) => rows.push(r));
  assert.deepEqual(rows, [[1], [999], [2]]);
  assert.equal(batch.parsed, 6);
  assert.equal(batch.errors, 3);
  assert.match(batch.lastErrorMessage!, /Row 5 .*not a JSON object/);
});
