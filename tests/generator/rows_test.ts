import assert from "node:assert/strict";
import { Random, rfidText } from "../../src/generator/random.ts";
import type { Resort } from "../../src/generator/resorts.ts";
import { isoDate, isoUtc, RowBytes, RowEncoder } from "../../src/generator/rows.ts";

const RESORT: Resort = {
  name: 'Zoë\'s "Peak"',
  weight: 1,
  timezone: "Europe/Zurich",
  ticketBasePriceUsd: 100,
  weekendMultiplier: 1.5,
  maxCapacity: 10,
  hourlyCapacity: 10,
  baseLiftCount: 3,
  lifts: ["Über Lift", "Back\\slash", "雪 Gondola"],
};

Deno.test("ride rows are valid JSON with escaped names, ISO UTC times and integer counts", () => {
  const enc = new RowEncoder([RESORT]);
  const out = new RowBytes();
  const words = new Random("rows");
  const times = [
    Date.parse("2026-11-25T00:00:00.000Z"),
    Date.parse("2026-11-25T23:59:59.999Z"),
    Date.parse("2027-03-14T09:05:07.040Z"),
    Date.parse("2026-12-31T23:59:59.999Z") + 1,
  ];
  times.forEach((t, i) =>
    enc.ride(out, words, 0x01234567, 0x89abcdef, 0x01234567, 0, i % 3, t, i + 1)
  );
  enc.ride(out, words, 0xffffffff, 0xffffffff, 0xffffffff, 0, 2, times[0], 365);
  const rows = out.take().map((r) => JSON.parse(r));
  assert.equal(rows.length, 5);
  rows.forEach((r, i) => {
    assert.deepEqual(Object.keys(r), [
      "TXID",
      "RFID",
      "RESORT",
      "LIFT",
      "RIDE_TIME",
      "ACTIVATION_DAY_COUNT",
    ]);
    assert.equal(r.RESORT, RESORT.name);
    assert.equal(r.RFID, i < 4 ? "0x0123456789abcdef01234567" : "0xffffffffffffffffffffffff");
    assert.equal(r.LIFT, RESORT.lifts[i < 4 ? i % 3 : 2]);
    assert.match(r.TXID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  assert.deepEqual(rows.slice(0, 4).map((r) => r.RIDE_TIME), times.map((t) => isoUtc(t)));
  assert.equal(rows[3].RIDE_TIME, "2027-01-01T00:00:00.000Z");
  assert.deepEqual(rows.map((r) => r.ACTIVATION_DAY_COUNT), [1, 2, 3, 4, 365]);
  assert.equal(out.count, 0, "take() empties the buffer");
});

Deno.test("a ride's TXID is the UUID the same random words give", () => {
  const enc = new RowEncoder([RESORT]);
  const out = new RowBytes();
  enc.ride(out, new Random("same"), 0, 0, 0, 0, 0, 0, 1);
  assert.equal(JSON.parse(out.take()[0]).TXID, new Random("same").uuid());
});

Deno.test("many rows: the buffer grows and every row comes back whole", () => {
  const enc = new RowEncoder([RESORT]);
  const out = new RowBytes();
  const words = new Random("many");
  const n = 20_000; // about 3 MB: past the initial buffer and many decode chunks
  const base = Date.parse("2026-11-25T15:00:00Z");
  for (let i = 0; i < n; i++) enc.ride(out, words, i, 0, 0xabc, 0, i % 3, base + i * 997, i);
  const rows = out.take();
  assert.equal(rows.length, n);
  rows.forEach((text, i) => {
    const r = JSON.parse(text);
    assert.equal(r.ACTIVATION_DAY_COUNT, i);
    assert.equal(r.RFID, rfidText(i, 0, 0xabc));
    assert.equal(r.RIDE_TIME, isoUtc(base + i * 997));
  });
  // The buffer is reused after take().
  enc.ride(out, words, 1, 2, 3, 0, 0, base, 1);
  assert.equal(out.take().length, 1);
});

Deno.test("ticket and pass rows: columns in table order, customer fragment embedded", () => {
  const enc = new RowEncoder([RESORT]);
  const customer = '"NAME":"Ann Lee","ADDRESS":null,"PHONE":null,"EMAIL":null,' +
    '"EMERGENCY_CONTACT":{"NAME":"Bo Lee","PHONE":"555-0100"}';
  const t = JSON.parse(
    enc.ticket("id", "0x1", 0, Date.parse("2026-11-25T14:00:00Z"), 180, "2026-11-29", 2, customer),
  );
  assert.deepEqual(t, {
    TXID: "id",
    RFID: "0x1",
    RESORT: RESORT.name,
    PURCHASE_TIME: "2026-11-25T14:00:00.000Z",
    PRICE_USD: 180,
    EXPIRATION_TIME: "2026-11-29",
    DAYS: 2,
    NAME: "Ann Lee",
    ADDRESS: null,
    PHONE: null,
    EMAIL: null,
    EMERGENCY_CONTACT: { NAME: "Bo Lee", PHONE: "555-0100" },
  });
  assert.equal(Object.keys(t)[3], "PURCHASE_TIME");
  const p = JSON.parse(enc.pass("id2", "0x2", 0, 783, "2027-11-25", customer));
  assert.deepEqual(Object.keys(p).slice(0, 6), [
    "TXID",
    "RFID",
    "PURCHASE_TIME",
    "PRICE_USD",
    "EXPIRATION_TIME",
    "NAME",
  ]);
  assert.equal(p.PURCHASE_TIME, "1970-01-01T00:00:00.000Z");
  assert.equal(isoDate(Date.parse("2026-11-25T23:59:59.999Z")), "2026-11-25");
});
