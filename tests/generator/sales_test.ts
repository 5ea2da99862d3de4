/**
 * Ticket and season-pass sales: volumes, weights, prices, expiry, customers and formats, on a
 * large sample. The spans are UTC nights (01:00–13:00), when no resort is open, so the sample is
 * all sales and no rides.
 */
import assert from "node:assert/strict";
import { FACTS, RESORTS } from "../../src/generator/resorts.ts";
import { DAY_MS, local, near, type Parsed, parsedSpan } from "./helpers.ts";

const TICKETS_PER_DAY = 100_000;
/** Wednesday (weekday), Saturday (local Friday evening then Saturday), Sunday (weekend). */
const NIGHTS = ["2026-11-25", "2026-11-28", "2026-11-29"];

const spans: Parsed[] = NIGHTS.map((d, i) =>
  parsedSpan(`sales-${i}`, `${d}T01:00:00Z`, `${d}T13:00:00Z`, TICKETS_PER_DAY)
);
const tickets = spans.flatMap((s) => s.tickets);
const passes = spans.flatMap((s) => s.passes);
const resortOf = new Map(RESORTS.map((r) => [r.name, r]));

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFID = /^0x[0-9a-f]{24}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

Deno.test("no ride happens while every resort is closed", () => {
  for (const s of spans) assert.equal(s.rides.length, 0);
});

Deno.test("ticket sales follow TICKETS_PER_DAY as a Poisson process", () => {
  const expected = TICKETS_PER_DAY / 2; // twelve hours
  for (const s of spans) {
    // Poisson: standard deviation √n ≈ 224; 5σ.
    near(s.tickets.length, expected, 1120, "tickets in 12 h");
    const times = s.tickets.map((t) => Date.parse(t.PURCHASE_TIME));
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps.every((g) => g >= 0), "sales are in time order");
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    near(mean, DAY_MS / TICKETS_PER_DAY, 20, "mean gap between sales (ms)");
    // Exponential gaps: as many below the mean as 1 − 1/e, and a spread as large as the mean.
    near(gaps.filter((g) => g < mean).length / gaps.length, 1 - Math.exp(-1), 0.015, "gaps < mean");
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    near(sd / mean, 1, 0.05, "coefficient of variation of gaps");
  }
});

Deno.test("each sale picks its resort by resort weight", () => {
  const total = RESORTS.reduce((a, r) => a + r.weight, 0);
  for (const r of RESORTS) {
    const share = tickets.filter((t) => t.RESORT === r.name).length / tickets.length;
    near(share, r.weight / total, 0.01, `share of ${r.name}`);
  }
  assert.ok(tickets.every((t) => resortOf.has(t.RESORT)));
});

Deno.test("ski days follow the weights 0.35 0.35 0.10 0.05 0.05 0.05 0.05", () => {
  const { options, weights } = FACTS.ticketDays;
  assert.ok(tickets.every((t) => Number.isInteger(t.DAYS) && options.includes(t.DAYS)));
  options.forEach((days, i) => {
    const share = tickets.filter((t) => t.DAYS === days).length / tickets.length;
    near(share, weights[i], 0.01, `share of ${days}-day tickets`);
  });
});

Deno.test("price = base × weekend multiplier (local Sat/Sun) × 0.9–1.1 × days, truncated", () => {
  let weekend = 0, weekday = 0;
  const factors: number[] = [];
  for (const t of tickets) {
    const r = resortOf.get(t.RESORT)!;
    const day = local(r.timezone, Date.parse(t.PURCHASE_TIME)).weekday;
    const isWeekend = day === 0 || day === 6;
    if (isWeekend) weekend++;
    else weekday++;
    const full = r.ticketBasePriceUsd * (isWeekend ? r.weekendMultiplier : 1) * t.DAYS;
    assert.ok(Number.isInteger(t.PRICE_USD), `whole dollars: ${t.PRICE_USD}`);
    assert.ok(
      t.PRICE_USD >= Math.floor(full * 0.9) - 1 && t.PRICE_USD < full * 1.1,
      `price ${t.PRICE_USD} of a ${t.DAYS}-day ${t.RESORT} ticket on weekday ${day}`,
    );
    factors.push((t.PRICE_USD + 0.5) / full);
  }
  // The sample holds both kinds (the Saturday night starts on a local Friday evening).
  assert.ok(weekend > 20_000 && weekday > 20_000, `${weekend} weekend, ${weekday} weekday`);
  // Uniform 0.9–1.1: mean 1, a quarter below 0.95, and the range nearly reached.
  near(factors.reduce((a, b) => a + b, 0) / factors.length, 1, 0.005, "mean price factor");
  near(factors.filter((f) => f < 0.95).length / factors.length, 0.25, 0.01, "factors < 0.95");
  assert.ok(factors.some((f) => f < 0.905) && factors.some((f) => f > 1.095));
});

Deno.test("ticket expiry is purchase + 2 × days, sent as a DATE", () => {
  for (const t of tickets) {
    const expiry = Date.parse(t.PURCHASE_TIME) + 2 * t.DAYS * DAY_MS;
    assert.equal(t.EXPIRATION_TIME, new Date(expiry).toISOString().slice(0, 10));
  }
});

Deno.test("season passes: one per 20 tickets at every moment, prices by weight, a year valid", () => {
  for (const s of spans) {
    assert.equal(s.passes.length, Math.ceil(s.tickets.length / FACTS.ticketsPerSeasonPass));
    // Pass k is sold together with ticket 20(k−1)+1: passes ≈ tickets/20 throughout.
    s.passes.forEach((p, k) => {
      assert.equal(p.PURCHASE_TIME, s.tickets[FACTS.ticketsPerSeasonPass * k].PURCHASE_TIME);
    });
  }
  for (const { priceUsd, weight } of FACTS.seasonPassPrices) {
    const share = passes.filter((p) => p.PRICE_USD === priceUsd).length / passes.length;
    near(share, weight, 0.025, `share of $${priceUsd} passes`);
  }
  const prices = new Set(FACTS.seasonPassPrices.map((p) => p.priceUsd));
  for (const p of passes) {
    assert.ok(prices.has(p.PRICE_USD));
    const expiry = Date.parse(p.PURCHASE_TIME) + 365 * DAY_MS;
    assert.equal(p.EXPIRATION_TIME, new Date(expiry).toISOString().slice(0, 10));
  }
});

Deno.test("each optional customer field is missing with chance 0.2", () => {
  const people = [...tickets, ...passes];
  for (const field of ["ADDRESS", "PHONE", "EMAIL", "EMERGENCY_CONTACT"] as const) {
    const missing = people.filter((p) => p[field] === null).length / people.length;
    near(missing, FACTS.customerFieldMissingChance, 0.01, `${field} missing`);
  }
  for (const p of people) {
    assert.ok(typeof p.NAME === "string" && /\S \S/.test(p.NAME), p.NAME);
    if (p.ADDRESS) {
      assert.deepEqual(Object.keys(p.ADDRESS), ["STREET_ADDRESS", "CITY", "STATE", "POSTALCODE"]);
      assert.ok(Object.values(p.ADDRESS).every((v) => typeof v === "string" && v.length > 0));
      assert.match(p.ADDRESS.STATE, /^[A-Z]{2}$/);
      assert.match(p.ADDRESS.POSTALCODE, /^\d{5}(-\d{4})?$/);
    }
    if (p.PHONE !== null) assert.match(p.PHONE, /\d{3}.*\d{4}/);
    if (p.EMAIL !== null) assert.match(p.EMAIL, /^[A-Za-z0-9._-]+@[a-z.]+$/);
    if (p.EMERGENCY_CONTACT) {
      assert.deepEqual(Object.keys(p.EMERGENCY_CONTACT), ["NAME", "PHONE"]);
    }
  }
  // Customers differ (the seed drives Faker, not one fixed person).
  assert.ok(new Set(people.map((p) => p.NAME)).size > people.length / 4);
});

Deno.test("rows carry the columns in table order, UUID TXIDs, 96-bit RFIDs, ISO UTC times", () => {
  const ticketKeys = [
    "TXID",
    "RFID",
    "RESORT",
    "PURCHASE_TIME",
    "PRICE_USD",
    "EXPIRATION_TIME",
    "DAYS",
    "NAME",
    "ADDRESS",
    "PHONE",
    "EMAIL",
    "EMERGENCY_CONTACT",
  ];
  const passKeys = ticketKeys.filter((k) => k !== "RESORT" && k !== "DAYS");
  for (const t of tickets) assert.deepEqual(Object.keys(t), ticketKeys);
  for (const p of passes) assert.deepEqual(Object.keys(p), passKeys);
  const txids = new Set<string>(), rfids = new Set<string>();
  for (const row of [...tickets, ...passes]) {
    assert.match(row.TXID, UUID_V4);
    assert.match(row.RFID, RFID);
    assert.match(row.PURCHASE_TIME, ISO_UTC);
    assert.equal(new Date(row.PURCHASE_TIME).toISOString(), row.PURCHASE_TIME);
    assert.match(row.EXPIRATION_TIME, /^\d{4}-\d{2}-\d{2}$/);
    txids.add(row.TXID);
    rfids.add(row.RFID);
  }
  assert.equal(txids.size, tickets.length + passes.length, "every TXID is new");
  assert.equal(rfids.size, tickets.length + passes.length, "every RFID is new");
});
