/**
 * Lift rides over twelve simulated days: who rides on which day, when the first ride comes, the
 * gaps between rides, lift choice by skill, ticket and pass day rules, opening hours.
 */
import assert from "node:assert/strict";
import { FACTS, type Resort, RESORTS } from "../../src/generator/resorts.ts";
import {
  DAY_MS,
  groupBy,
  local,
  MINUTE_MS,
  near,
  parsedSpan,
  type Pass,
  type Ride,
  type Ticket,
} from "./helpers.ts";

const START = "2026-12-01T00:00:00Z";
const DAYS = 12;
const END = new Date(Date.parse(START) + DAYS * DAY_MS).toISOString();
const sample = parsedSpan("riding", START, END, 1000);
const { tickets, passes, rides } = sample;

const resortOf = new Map<string, Resort>(RESORTS.map((r) => [r.name, r]));
const ticketOf = new Map<string, Ticket>(tickets.map((t) => [t.RFID, t]));
const passOf = new Map<string, Pass>(passes.map((p) => [p.RFID, p]));
const ridesOf = groupBy(rides, (r) => r.RFID);
const OPEN = FACTS.openHourLocal * 60, CLOSE = FACTS.closeHourLocal * 60;
const ARRIVAL = FACTS.firstRideWithinHoursOfOpening * 60;
/** The last local date fully inside the span (Denver and Los Angeles agree on it). */
const LAST_DATE = "2026-12-12";

const zoneOf = (ride: Ride) => resortOf.get(ride.RESORT)!.timezone;
const rideMs = (ride: Ride) => Date.parse(ride.RIDE_TIME);
const localOf = (ride: Ride) => local(zoneOf(ride), rideMs(ride));

/** Rides of one holder per local date (in the ride's resort's zone), in time order. */
function ridesByDate(rfid: string): Map<string, Ride[]> {
  return groupBy(ridesOf.get(rfid) ?? [], (r) => localOf(r).date);
}

Deno.test("the sample is large enough to measure", () => {
  assert.ok(tickets.length > 11_000 && passes.length > 550 && rides.length > 250_000);
});

Deno.test("ride rows: UUID TXIDs never repeated, the holder's RFID, ISO UTC ride times", () => {
  const txids = new Set([...tickets, ...passes].map((h) => h.TXID));
  for (const r of rides) {
    assert.match(r.TXID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    txids.add(r.TXID);
    assert.match(r.RFID, /^0x[0-9a-f]{24}$/);
    assert.match(r.RIDE_TIME, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(new Date(r.RIDE_TIME).toISOString(), r.RIDE_TIME);
    assert.ok(Number.isInteger(r.ACTIVATION_DAY_COUNT) && r.ACTIVATION_DAY_COUNT >= 1);
  }
  assert.equal(txids.size, tickets.length + passes.length + rides.length);
  assert.deepEqual(Object.keys(rides[0]), [
    "TXID",
    "RFID",
    "RESORT",
    "LIFT",
    "RIDE_TIME",
    "ACTIVATION_DAY_COUNT",
  ]);
});

Deno.test("every ride is within 08:00–16:00 local, at a known holder, after purchase", () => {
  for (const r of rides) {
    const m = localOf(r).minuteOfDay;
    assert.ok(m >= OPEN && m < CLOSE, `${r.RIDE_TIME} at ${r.RESORT} is ${m} min local`);
    const holder = ticketOf.get(r.RFID) ?? passOf.get(r.RFID);
    assert.ok(holder, `ride of unknown RFID ${r.RFID}`);
    assert.ok(rideMs(r) >= Date.parse(holder.PURCHASE_TIME));
    const ticket = ticketOf.get(r.RFID);
    if (ticket) assert.equal(r.RESORT, ticket.RESORT, "a ticket rides at its own resort");
    assert.ok(resortOf.get(r.RESORT)!.lifts.includes(r.LIFT), `${r.LIFT} at ${r.RESORT}`);
  }
  // Rides come out in time order (the queue's order is the world's order).
  for (let i = 1; i < rides.length; i++) assert.ok(rideMs(rides[i]) >= rideMs(rides[i - 1]));
});

Deno.test("a ticket holder skis on a given day with chance 0.85", () => {
  let beforeOpen = 0, rodeDay1 = 0, eligibleDay2 = 0, rodeDay2 = 0;
  let whileOpen = 0, rodeAtPurchase = 0;
  for (const t of tickets) {
    const zone = resortOf.get(t.RESORT)!.timezone;
    const bought = local(zone, Date.parse(t.PURCHASE_TIME));
    if (bought.date >= LAST_DATE) continue;
    const byDate = ridesByDate(t.RFID);
    const nextDate = new Date(Date.parse(bought.date) + DAY_MS).toISOString().slice(0, 10);
    if (bought.minuteOfDay < OPEN) {
      beforeOpen++;
      if (byDate.has(bought.date)) rodeDay1++;
      // Day 2 is open to every ticket of 2+ days, whatever day 1 did.
      if (t.DAYS >= 2) {
        eligibleDay2++;
        if (byDate.has(nextDate)) rodeDay2++;
      }
    } else if (bought.minuteOfDay < CLOSE) {
      whileOpen++;
      const today = byDate.get(bought.date);
      if (today) {
        rodeAtPurchase++;
        assert.equal(today[0].RIDE_TIME, t.PURCHASE_TIME, "bought while open: first ride at once");
      }
    } else {
      assert.ok(!byDate.has(bought.date), "bought after closing: no ride that day");
    }
  }
  near(rodeDay1 / beforeOpen, FACTS.dailyTicketRidingChance, 0.025, "rode on day of purchase");
  near(rodeDay2 / eligibleDay2, FACTS.dailyTicketRidingChance, 0.03, "rode on the next day");
  near(rodeAtPurchase / whileOpen, FACTS.dailyTicketRidingChance, 0.03, "bought while open");
});

Deno.test("a season-pass holder skis on a given day with chance 0.10, at resorts by weight", () => {
  let passDays = 0, skied = 0;
  const atResort = new Map<string, number>();
  for (const p of passes) {
    const bought = local("America/Denver", Date.parse(p.PURCHASE_TIME)).date;
    const dates = new Set((ridesOf.get(p.RFID) ?? []).map((r) => localOf(r).date));
    for (
      let d = Date.parse(bought) + DAY_MS;
      new Date(d).toISOString().slice(0, 10) <= LAST_DATE;
      d += DAY_MS
    ) {
      passDays++;
      if (dates.has(new Date(d).toISOString().slice(0, 10))) skied++;
    }
    for (const [, day] of ridesByDate(p.RFID)) {
      assert.equal(new Set(day.map((r) => r.RESORT)).size, 1, "one resort per day");
      atResort.set(day[0].RESORT, (atResort.get(day[0].RESORT) ?? 0) + 1);
    }
  }
  assert.ok(passDays > 2500, `${passDays} pass-days`);
  near(skied / passDays, FACTS.seasonPassRidingChance, 0.02, "pass holder skied");
  const total = [...atResort.values()].reduce((a, b) => a + b, 0);
  // Few pass-days: only a coarse check that the weights, not a uniform pick, decide.
  near((atResort.get("Heavenly") ?? 0) / total, 0.1, 0.05, "pass days at Heavenly");
});

Deno.test("the first ride of a day comes within three hours of opening, uniformly", () => {
  const offsets: number[] = [];
  for (const [rfid, list] of ridesOf) {
    const t = ticketOf.get(rfid);
    for (const [date, day] of groupBy(list, (r) => localOf(r).date)) {
      const first = day[0];
      // The day a ticket was bought while open starts at purchase (tested above).
      if (t && t.PURCHASE_TIME === first.RIDE_TIME) continue;
      const h = passOf.get(rfid);
      if (h && h.PURCHASE_TIME === first.RIDE_TIME) continue;
      const m = localOf(first).minuteOfDay;
      assert.ok(m >= OPEN && m < OPEN + ARRIVAL, `first ride at ${m} min local on ${date}`);
      offsets.push((rideMs(first) % MINUTE_MS) / MINUTE_MS + m - OPEN);
    }
  }
  assert.ok(offsets.length > 20_000);
  near(offsets.reduce((a, b) => a + b, 0) / offsets.length, ARRIVAL / 2, 2, "mean arrival (min)");
  for (let hour = 0; hour < 3; hour++) {
    const share = offsets.filter((o) => o >= hour * 60 && o < hour * 60 + 60).length /
      offsets.length;
    near(share, 1 / 3, 0.015, `arrivals in hour ${hour + 1}`);
  }
});

Deno.test("rides follow each other after 10–30 minutes, or 30–60 with chance 0.10", () => {
  const gaps: number[] = [];
  for (const [, list] of ridesOf) {
    for (const [, day] of groupBy(list, (r) => localOf(r).date)) {
      for (let i = 1; i < day.length; i++) gaps.push((rideMs(day[i]) - rideMs(day[i - 1])) / 60e3);
    }
  }
  assert.ok(gaps.every((g) => g >= 10 && g < 60), "every gap is 10–60 minutes");
  const rests = gaps.filter((g) => g >= 30);
  const rides = gaps.filter((g) => g < 30);
  // A rest that would end after closing is never seen, so slightly fewer than 10% show.
  near(rests.length / gaps.length, 0.095, 0.01, "share of rests");
  near(rides.reduce((a, b) => a + b, 0) / rides.length, 20, 0.2, "mean ride gap (min)");
  near(rests.reduce((a, b) => a + b, 0) / rests.length, 45, 1, "mean rest (min)");
});

Deno.test("lift choice follows skill: first third, middle half or last third of the lifts", () => {
  const counts = [0, 0, 0];
  let holders = 0;
  for (const [rfid, list] of ridesOf) {
    const t = ticketOf.get(rfid);
    if (!t || list.length < 10) continue;
    const lifts = resortOf.get(t.RESORT)!.lifts;
    const n = lifts.length;
    const ranges = [
      [0, Math.floor(n / 3)],
      [Math.floor(n / 4), Math.floor((3 * n) / 4)],
      [Math.floor((2 * n) / 3), n],
    ];
    // A lift name may appear twice in a list (Vail's Golden Peak): any position counts.
    const fits = ranges.map(([lo, hi]) =>
      list.every((r) => lifts.some((name, i) => name === r.LIFT && i >= lo && i < hi))
    );
    assert.ok(fits.some(Boolean), `${rfid} rides lifts outside any skill range`);
    holders++;
    if (fits.filter(Boolean).length === 1) counts[fits.indexOf(true)]++;
  }
  const classified = counts[0] + counts[1] + counts[2];
  assert.ok(classified > 0.95 * holders, `${classified} of ${holders} classified`);
  near(counts[0] / classified, 0.3, 0.03, "holders on the first third");
  near(counts[1] / classified, 0.4, 0.03, "holders on the middle half");
  near(counts[2] / classified, 0.3, 0.03, "holders on the last third");
});

Deno.test("tickets: at most DAYS distinct days, counted by ACTIVATION_DAY_COUNT, none after expiry", () => {
  let oneDay = 0, multiDay = 0;
  for (const t of tickets) {
    const byDate = ridesByDate(t.RFID);
    assert.ok(byDate.size <= t.DAYS, `${byDate.size} days on a ${t.DAYS}-day ticket`);
    const expiry = Date.parse(t.PURCHASE_TIME) + 2 * t.DAYS * DAY_MS;
    [...byDate.values()].forEach((day, i) => {
      for (const r of day) {
        assert.equal(r.ACTIVATION_DAY_COUNT, i + 1, "count of distinct days, this one included");
        assert.ok(Number.isInteger(r.ACTIVATION_DAY_COUNT));
        assert.ok(rideMs(r) < expiry, `ride ${r.RIDE_TIME} after expiry`);
        assert.ok(r.RIDE_TIME.slice(0, 10) <= t.EXPIRATION_TIME);
      }
    });
    if (t.DAYS === 1 && byDate.size === 1) oneDay++;
    if (byDate.size > 1) multiDay++;
  }
  assert.ok(oneDay > 1000 && multiDay > 1000, `${oneDay} one-day, ${multiDay} multi-day`);
  // Long tickets do get used on several days up to their limit.
  assert.ok(tickets.some((t) => t.DAYS >= 4 && ridesByDate(t.RFID).size === t.DAYS));
});

Deno.test("passes: ACTIVATION_DAY_COUNT counts the distinct days used", () => {
  let multi = 0;
  for (const p of passes) {
    const byDate = ridesByDate(p.RFID);
    [...byDate.values()].forEach((day, i) => {
      for (const r of day) assert.equal(r.ACTIVATION_DAY_COUNT, i + 1);
    });
    if (byDate.size > 1) multi++;
  }
  assert.ok(multi > 20, `${multi} passes used on several days`);
});
