import assert from "node:assert/strict";
import {
  appendRows,
  channelStatus,
  ndjson,
  openChannel,
  ride,
  scopedToken,
  startTestEmulator,
  type TestEmulator,
} from "./helpers.ts";

const TICKETS = "RESORT_TICKET_PIPE";
const RIDES = "LIFT_RIDE_PIPE";

/**
 * A table's rows through SQL, in commit order, as snowflake-sdk returns them (numbers, `YYYY-MM-DD`
 * dates, Date timestamps); VARIANT columns as their JSON text (TO_JSON), so that the text the pipe
 * stored is compared exactly.
 */
// deno-lint-ignore no-explicit-any
async function rowsOf(t: TestEmulator, table: string): Promise<any[]> {
  const described = await t.sql.query(`DESCRIBE TABLE ${table}`);
  const select = described.rows.map((c) =>
    String(c.type) === "VARIANT" ? `TO_JSON(${c.name}) AS ${c.name}` : String(c.name)
  );
  return (await t.sql.query(`SELECT ${select.join(", ")} FROM ${table}`)).rows;
}

/** A timestamp column's value as the wall time it holds, `YYYY-MM-DD HH:MM:SS.mmm`. */
function wall(v: unknown): string {
  assert.ok(v instanceof Date, `not a timestamp: ${v}`);
  return v.toISOString().replace("T", " ").replace("Z", "");
}

async function load(t: TestEmulator, pipe: string, channel: string, body: string, end = "1") {
  const token = await scopedToken(t);
  const open = await openChannel(t.url, token, pipe, channel);
  assert.equal(open.status, 200);
  const res = await appendRows(
    t.url,
    token,
    pipe,
    channel,
    open.body.next_continuation_token,
    body,
    {
      offsetToken: end,
    },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const status = await channelStatus(t.url, token, pipe, [channel]);
  return {
    token,
    status: status.body.channel_statuses[channel],
    next: res.body.next_continuation_token,
  };
}

Deno.test("each column type is cast as MATCH_BY_COLUMN_NAME with CASE_SENSITIVE would", async () => {
  const t = await startTestEmulator();
  try {
    const ticket = {
      TXID: "tx-1",
      RFID: "0xabc",
      RESORT: "Vail",
      PURCHASE_TIME: "2026-11-25T08:30:00.250-07:00", // offset → UTC wall time
      PRICE_USD: 123.456, // DECIMAL(7,2): rounded half away from zero
      EXPIRATION_TIME: "2026-11-29",
      DAYS: "2", // NUMBER from a numeric string
      NAME: "Ada Lovelace",
      ADDRESS: { STREET_ADDRESS: "1 Main St", CITY: "Vail", STATE: "CO", POSTALCODE: "81657" },
      PHONE: 5551234, // number into VARCHAR
      EMAIL: null, // JSON null → NULL
      // EMERGENCY_CONTACT missing → NULL
      EXTRA_KEY: "ignored", // no such column
      name: "lower-case key does not match NAME",
    };
    const second = {
      TXID: "tx-2",
      PURCHASE_TIME: 1764081000, // epoch seconds
      PRICE_USD: "1.005", // decimal text rounds up exactly
      EXPIRATION_TIME: "2026-11-29T23:30:00-07:00", // the date as written
      DAYS: 2.5, // NUMBER(38,0) rounds half away from zero
      EMERGENCY_CONTACT: ["a", 1, true], // VARIANT: any JSON
      ADDRESS: "a string variant",
    };
    const third = {
      TXID: "tx-3",
      PURCHASE_TIME: 1764081000123, // epoch milliseconds
      PRICE_USD: -0.005,
      EXPIRATION_TIME: "2026-02-28",
      DAYS: -3,
      PHONE: true,
      EMERGENCY_CONTACT: { NAME: "Bob", PHONE: null },
    };
    const { status } = await load(t, TICKETS, "types", ndjson([ticket, second, third]));
    assert.equal(status.rows_error_count, 0, status.last_error_message);
    assert.equal(status.rows_inserted, 3);
    const [a, b, c] = await rowsOf(t, "RESORT_TICKET");
    assert.deepEqual({ ...a, PURCHASE_TIME: wall(a.PURCHASE_TIME) }, {
      TXID: "tx-1",
      RFID: "0xabc",
      RESORT: "Vail",
      PURCHASE_TIME: "2026-11-25 15:30:00.250",
      PRICE_USD: 123.46,
      EXPIRATION_TIME: "2026-11-29",
      DAYS: 2,
      NAME: "Ada Lovelace",
      ADDRESS: '{"STREET_ADDRESS":"1 Main St","CITY":"Vail","STATE":"CO","POSTALCODE":"81657"}',
      PHONE: "5551234",
      EMAIL: null,
      EMERGENCY_CONTACT: null,
    });
    assert.equal(wall(b.PURCHASE_TIME), "2025-11-25 14:30:00.000");
    assert.equal(b.PRICE_USD, 1.01);
    assert.equal(b.EXPIRATION_TIME, "2026-11-29");
    assert.equal(b.DAYS, 3);
    assert.equal(b.EMERGENCY_CONTACT, '["a",1,true]');
    assert.equal(b.ADDRESS, '"a string variant"');
    assert.equal(b.RESORT, null);
    assert.equal(wall(c.PURCHASE_TIME), "2025-11-25 14:30:00.123");
    assert.equal(c.PRICE_USD, -0.01);
    assert.equal(c.DAYS, -3);
    assert.equal(c.PHONE, "true");
    assert.deepEqual(JSON.parse(c.EMERGENCY_CONTACT), { NAME: "Bob", PHONE: null });
    // The values keep their columns' types for every reader: a reading client is told NUMBER
    // with its scale, TIMESTAMP_NTZ, DATE and VARIANT, and gets the values as such.
    const typed = await t.sql.query(
      `SELECT PRICE_USD, DAYS, PURCHASE_TIME, EXPIRATION_TIME, ADDRESS FROM RESORT_TICKET
       WHERE TXID = 'tx-1'`,
    );
    assert.deepEqual(typed.columns.map((col) => `${col.name}:${col.type}:${col.scale}`), [
      "PRICE_USD:fixed:2",
      "DAYS:fixed:0",
      "PURCHASE_TIME:timestamp_ntz:null",
      "EXPIRATION_TIME:date:null",
      "ADDRESS:variant:null",
    ]);
    assert.deepEqual(typed.rows[0].ADDRESS, {
      STREET_ADDRESS: "1 Main St",
      CITY: "Vail",
      STATE: "CO",
      POSTALCODE: "81657",
    });
  } finally {
    await t.close();
  }
});

Deno.test("bad rows are counted with a redacted message and offset bound; good rows of the batch land", async () => {
  const t = await startTestEmulator();
  try {
    const secret = "SECRET-VALUE-4711";
    const good1 = ride();
    const good2 = ride();
    const lines = [
      JSON.stringify(good1),
      JSON.stringify(ride({ ACTIVATION_DAY_COUNT: secret })), // not a number
      "{not json",
      "[1,2,3]", // not an object
      JSON.stringify(ride({ RIDE_TIME: "2026-02-30T10:00:00Z" })), // no such day
      JSON.stringify(ride({ LIFT: "x".repeat(256) })), // longer than VARCHAR(255)
      "",
      JSON.stringify(good2),
    ];
    const { token, status, next } = await load(t, RIDES, "errs", lines.join("\r\n") + "\r\n", "10");
    assert.equal(status.rows_error_count, 5);
    assert.equal(status.rows_inserted, 2);
    assert.equal(status.rows_parsed, 7);
    assert.equal(status.last_committed_offset_token, "10");
    assert.equal(status.last_error_offset_upper_bound, "10");
    assert.ok(Number.isFinite(Number(status.last_error_timestamp)));
    assert.match(status.last_error_message, /LIFT/);
    assert.match(status.last_error_message, /VARCHAR\(255\)/);
    assert.ok(!status.last_error_message.includes("xxxx"));
    assert.deepEqual((await rowsOf(t, "LIFT_RIDE")).map((r) => r.TXID), [good1.TXID, good2.TXID]);

    // The message of a type error names column and type, never the value.
    const more = await appendRows(
      t.url,
      token,
      RIDES,
      "errs",
      next,
      ndjson([ride({ ACTIVATION_DAY_COUNT: secret })]),
      {
        offsetToken: "11",
      },
    );
    assert.equal(more.status, 200);
    const st = (await channelStatus(t.url, token, RIDES, ["errs"])).body.channel_statuses.errs;
    assert.equal(st.rows_error_count, 6);
    assert.match(st.last_error_message, /ACTIVATION_DAY_COUNT/);
    assert.match(st.last_error_message, /NUMBER/);
    assert.ok(!st.last_error_message.includes(secret), st.last_error_message);
    assert.equal(st.last_error_offset_upper_bound, "11");

    // Cumulative: a reopen does not reset the count.
    const reopen = await openChannel(t.url, token, RIDES, "errs");
    assert.equal(reopen.body.channel_status.rows_error_count, 6);
    const after = await appendRows(
      t.url,
      token,
      RIDES,
      "errs",
      reopen.body.next_continuation_token,
      ndjson([ride({ RIDE_TIME: "yesterday" }), ride()]),
      { offsetToken: "12" },
    );
    assert.equal(after.status, 200);
    const final = (await channelStatus(t.url, token, RIDES, ["errs"])).body.channel_statuses.errs;
    assert.equal(final.rows_error_count, 7);
    assert.equal(final.rows_inserted, 3);
    assert.match(final.last_error_message, /RIDE_TIME/);
    assert.equal(await t.count("LIFT_RIDE"), 3);
  } finally {
    await t.close();
  }
});

Deno.test("a DECIMAL(7,2) value beyond its range and a row matching no column", async () => {
  const t = await startTestEmulator();
  try {
    const body = ndjson([
      { TXID: "big", PRICE_USD: 100000 }, // 6 integer digits > 7 - 2
      { TXID: "max", PRICE_USD: 99999.99 },
      { nothing: "matches" }, // loads as all-NULL, as COPY does
    ]);
    const { status } = await load(t, TICKETS, "range", body);
    assert.equal(status.rows_error_count, 1);
    assert.match(status.last_error_message, /PRICE_USD.*NUMBER\(7,2\).*out of range/);
    const rows = await rowsOf(t, "RESORT_TICKET");
    assert.equal(rows.length, 2);
    assert.equal(rows[0].PRICE_USD, 99999.99);
    assert.ok(Object.values(rows[1]).every((v) => v === null));
  } finally {
    await t.close();
  }
});
