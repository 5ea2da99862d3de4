/**
 * The ski-resort model (docs/data-model.md), event-driven in world time: ticket sales are
 * a Poisson process, season passes follow ticket sales (one per 20 tickets), and every live
 * ticket or pass has exactly one scheduled event, its next lift ride, in a heap keyed by world
 * time. Daily decisions (ski today or not) are taken when a holder's previous ski day ends, for
 * each following day in turn, so nothing needs an event per idle day.
 *
 * The rows depend only on the seed, the start time and TICKETS_PER_DAY: however world time is cut
 * into spans ({@link Simulation.runUntil}), the same rows come out in the same order. Expired or
 * used-up tickets and passes free their slot at once ({@link HolderSlots}), so memory follows the
 * live population, not history, and leaves nothing behind for the garbage collector.
 *
 * @module
 */
import type { TableName } from "../config/load.ts";
import { CustomerFactory } from "./customer.ts";
import { EventHeap } from "./heap.ts";
import { HolderSlots } from "./holders.ts";
import { calendarFor, DAY_MS, isWeekend, type ZoneCalendar } from "./local_time.ts";
import { cumulative, Random, rfidText } from "./random.ts";
import { FACTS, type Resort, RESORTS } from "./resorts.ts";
import { isoDate, RowBytes, RowEncoder } from "./rows.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** What determines the rows: same options, same rows. */
export interface SimulationOptions {
  /** Seed text (SEED, or the UTC date YYYYMMDD). */
  seed: string;
  /** World start time (ms since epoch). */
  start: number;
  /** Mean ticket sales per world day. */
  ticketsPerDay: number;
  /** Resorts to simulate (default: those of `resorts.json`). */
  resorts?: readonly Resort[];
}

/** Rows produced and not yet handed on, per table, in queue order. */
export class RowBatch {
  /** RESORT_TICKET rows. */
  RESORT_TICKET: string[] = [];
  /** SEASON_PASS rows. */
  SEASON_PASS: string[] = [];
  /** LIFT_RIDE rows, kept as bytes until taken (they are most rows: see {@link RowBytes}). */
  readonly rides: RowBytes = new RowBytes();

  /** Rows held, all tables. */
  get size(): number {
    return this.RESORT_TICKET.length + this.SEASON_PASS.length + this.rides.count;
  }

  /** Takes every row out, by table name as `Outbox.append` takes them; the batch is then empty. */
  take(): Record<TableName, string[]> {
    const rows = {
      RESORT_TICKET: this.RESORT_TICKET,
      SEASON_PASS: this.SEASON_PASS,
      LIFT_RIDE: this.rides.take(),
    };
    this.RESORT_TICKET = [];
    this.SEASON_PASS = [];
    return rows;
  }
}

/** Lift index ranges [lo, lo + span) per skill group for a list of n lifts. */
function liftRanges(n: number): { lo: number[]; span: number[] } {
  const bounds = [
    [0, Math.floor(n / 3)],
    [Math.floor(n / 4), Math.floor((3 * n) / 4)],
    [Math.floor((2 * n) / 3), n],
  ];
  // A resort with very few lifts still needs one lift per group.
  return {
    lo: bounds.map(([lo, hi]) => (hi > lo ? lo : Math.min(lo, n - 1))),
    span: bounds.map(([lo, hi]) => Math.max(1, hi - lo)),
  };
}

/** The resort model. Create one per run; feed it world time with {@link Simulation.runUntil}. */
export class Simulation {
  readonly #rng: Random;
  readonly #customers: CustomerFactory;
  readonly #encode: RowEncoder;
  /** Live holders by slot; the heap holds their slots, keyed by their next ride. */
  readonly #holders = new HolderSlots();
  readonly #heap = new EventHeap<number>();
  readonly #resorts: readonly Resort[];
  readonly #calendars: ZoneCalendar[];
  /** One calendar per distinct zone, for the passes' network day. */
  readonly #zones: ZoneCalendar[];
  readonly #resortCum: Float64Array;
  readonly #daysCum: Float64Array;
  readonly #passCum: Float64Array;
  readonly #liftLo: number[][];
  readonly #liftSpan: number[][];
  readonly #meanSaleGapMs: number;
  readonly #arrivalMs: number;
  readonly #rideMin: number;
  readonly #rideSpan: number;
  readonly #restMin: number;
  readonly #restSpan: number;
  #now: number;
  #nextSale: number;
  #seq = 0;
  #ticketsSold = 0;
  #passesSold = 0;
  #rides = 0;

  constructor(options: SimulationOptions) {
    if (!(options.ticketsPerDay > 0)) throw new RangeError("ticketsPerDay must be positive");
    if (!Number.isFinite(options.start)) throw new RangeError("start must be a finite time");
    const resorts = options.resorts ?? RESORTS;
    if (resorts.length === 0) throw new RangeError("at least one resort is needed");
    this.#resorts = resorts;
    this.#rng = new Random(options.seed);
    this.#customers = new CustomerFactory(options.seed);
    this.#encode = new RowEncoder(resorts);
    const open = FACTS.openHourLocal, close = FACTS.closeHourLocal;
    this.#calendars = resorts.map((r) => calendarFor(r.timezone, open, close));
    this.#zones = [...new Set(this.#calendars)];
    this.#resortCum = cumulative(resorts.map((r) => r.weight));
    this.#daysCum = cumulative(FACTS.ticketDays.weights);
    this.#passCum = cumulative(FACTS.seasonPassPrices.map((p) => p.weight));
    const ranges = resorts.map((r) => {
      if (r.lifts.length === 0) throw new RangeError(`resort ${r.name} has no lifts`);
      return liftRanges(r.lifts.length);
    });
    this.#liftLo = ranges.map((r) => r.lo);
    this.#liftSpan = ranges.map((r) => r.span);
    this.#meanSaleGapMs = DAY_MS / options.ticketsPerDay;
    this.#arrivalMs = FACTS.firstRideWithinHoursOfOpening * HOUR_MS;
    this.#rideMin = FACTS.rideIntervalMinutes.min * MINUTE_MS;
    this.#rideSpan = (FACTS.rideIntervalMinutes.max - FACTS.rideIntervalMinutes.min) * MINUTE_MS;
    this.#restMin = FACTS.restIntervalMinutes.min * MINUTE_MS;
    this.#restSpan = (FACTS.restIntervalMinutes.max - FACTS.restIntervalMinutes.min) * MINUTE_MS;
    this.#now = Math.floor(options.start);
    this.#nextSale = this.#now + this.#saleGap();
  }

  /** World time up to which every event has been produced. */
  get worldTime(): number {
    return this.#now;
  }

  /** Tickets sold so far. */
  get ticketsSold(): number {
    return this.#ticketsSold;
  }

  /** Season passes sold so far. */
  get passesSold(): number {
    return this.#passesSold;
  }

  /** Lift rides produced so far. */
  get rides(): number {
    return this.#rides;
  }

  /** Tickets and passes still able to ride (they are all that the model keeps in memory). */
  get liveHolders(): number {
    return this.#heap.size;
  }

  /**
   * Produces every row of events at world times in [worldTime, `until`) into `out`, in event
   * order, and moves world time to `until`. Does nothing if `until` is not later.
   */
  runUntil(until: number, out: RowBatch): void {
    if (!(until > this.#now)) return;
    const heap = this.#heap;
    for (;;) {
      const due = heap.peekAt();
      // On a tie the sale goes first: a ticket bought while lifts are open rides at once.
      if (this.#nextSale <= due) {
        if (this.#nextSale >= until) break;
        this.#sell(this.#nextSale, out);
        this.#nextSale += this.#saleGap();
      } else {
        if (due >= until) break;
        this.#ride(heap.peek()!, due, out);
      }
    }
    this.#now = until;
  }

  #saleGap(): number {
    return Math.round(this.#rng.exponential(this.#meanSaleGapMs));
  }

  #skill(): number {
    const u = this.#rng.next();
    return u < 0.3 ? 0 : u < 0.7 ? 1 : 2;
  }

  #arrival(): number {
    return this.#rng.int(this.#arrivalMs);
  }

  #sell(t: number, out: RowBatch): void {
    const rng = this.#rng;
    this.#ticketsSold++;
    const r = rng.pick(this.#resortCum);
    const resort = this.#resorts[r];
    const cal = this.#calendars[r];
    const days = FACTS.ticketDays.options[rng.pick(this.#daysCum)];
    const today = cal.dayOf(t);
    const weekend = isWeekend(today) ? resort.weekendMultiplier : 1;
    const price = Math.trunc(resort.ticketBasePriceUsd * weekend * rng.uniform(0.9, 1.1) * days);
    const expiry = t + 2 * days * DAY_MS;
    const w0 = rng.u32(), w1 = rng.u32(), w2 = rng.u32();
    out.RESORT_TICKET.push(
      this.#encode.ticket(
        rng.uuid(),
        rfidText(w0, w1, w2),
        r,
        t,
        price,
        isoDate(expiry),
        days,
        this.#customers.nextJson(),
      ),
    );
    const h = this.#holders.add({
      rfid: [w0, w1, w2],
      isPass: false,
      resort: r,
      maxDays: days,
      expiry,
      skill: this.#skill(),
    });
    const hours = cal.hours(today);
    if (t < hours.close && rng.chance(FACTS.dailyTicketRidingChance)) {
      // Bought while open: first ride now; bought before opening: arrival after opening.
      this.#startDay(h, today, t >= hours.open ? t : hours.open + this.#arrival(), hours.close);
    } else {
      this.#planFrom(h, today + 1);
    }
    while (this.#ticketsSold / FACTS.ticketsPerSeasonPass > this.#passesSold) {
      this.#sellPass(t, out);
    }
  }

  #sellPass(t: number, out: RowBatch): void {
    const rng = this.#rng;
    this.#passesSold++;
    const price = FACTS.seasonPassPrices[rng.pick(this.#passCum)].priceUsd;
    const expiry = t + 365 * DAY_MS;
    const w0 = rng.u32(), w1 = rng.u32(), w2 = rng.u32();
    out.SEASON_PASS.push(
      this.#encode.pass(
        rng.uuid(),
        rfidText(w0, w1, w2),
        t,
        price,
        isoDate(expiry),
        this.#customers.nextJson(),
      ),
    );
    const h = this.#holders.add({
      rfid: [w0, w1, w2],
      isPass: true,
      resort: 0,
      maxDays: Infinity,
      expiry,
      skill: this.#skill(),
    });
    const today = this.#zones[0].dayOf(t);
    if (rng.chance(FACTS.seasonPassRidingChance)) {
      const r = rng.pick(this.#resortCum);
      const hours = this.#calendars[r].hours(today);
      if (t < hours.close) {
        this.#holders.resort[h] = r;
        this.#startDay(h, today, t >= hours.open ? t : hours.open + this.#arrival(), hours.close);
        return;
      }
    }
    this.#planFrom(h, today + 1);
  }

  /** Schedules the first ride of a ski day (`first` must be before closing and expiry). */
  #startDay(h: number, day: number, first: number, closing: number): void {
    const hs = this.#holders;
    hs.day[h] = day;
    hs.used[h]++;
    hs.close[h] = closing < hs.expiry[h] ? closing : hs.expiry[h];
    this.#heap.push(h, first, this.#seq++);
  }

  /**
   * Takes the daily decisions from local date `day` on until the holder skis on some day (its
   * first ride is scheduled) or can no longer ride (its slot is freed).
   */
  #planFrom(h: number, day: number): void {
    const rng = this.#rng;
    const hs = this.#holders;
    const expiry = hs.expiry[h];
    if (hs.isPass[h]) {
      for (let d = day;; d++) {
        if (this.#earliestOpen(d) >= expiry) return hs.release(h);
        if (rng.chance(FACTS.seasonPassRidingChance)) {
          const r = rng.pick(this.#resortCum);
          const hours = this.#calendars[r].hours(d);
          const first = hours.open + this.#arrival();
          if (first >= expiry) return hs.release(h);
          hs.resort[h] = r;
          this.#startDay(h, d, first, hours.close);
          return;
        }
      }
    }
    const cal = this.#calendars[hs.resort[h]];
    for (let d = day;; d++) {
      const hours = cal.hours(d);
      if (hours.open >= expiry) return hs.release(h);
      if (rng.chance(FACTS.dailyTicketRidingChance)) {
        const first = hours.open + this.#arrival();
        if (first >= expiry) return hs.release(h);
        this.#startDay(h, d, first, hours.close);
        return;
      }
    }
  }

  #earliestOpen(day: number): number {
    let open = Infinity;
    for (const z of this.#zones) {
      const o = z.hours(day).open;
      if (o < open) open = o;
    }
    return open;
  }

  /** Produces the ride due at the top of the heap and schedules what follows it. */
  #ride(h: number, t: number, out: RowBatch): void {
    const rng = this.#rng;
    const hs = this.#holders;
    const r = hs.resort[h];
    const skill = hs.skill[h];
    const lift = this.#liftLo[r][skill] + rng.int(this.#liftSpan[r][skill]);
    const w = 3 * h;
    this.#encode.ride(
      out.rides,
      rng,
      hs.rfid[w],
      hs.rfid[w + 1],
      hs.rfid[w + 2],
      r,
      lift,
      t,
      hs.used[h],
    );
    this.#rides++;
    const next = t +
      (rng.next() < FACTS.restChance
        ? this.#restMin + rng.int(this.#restSpan)
        : this.#rideMin + rng.int(this.#rideSpan));
    if (next < hs.close[h]) {
      this.#heap.rescheduleTop(next, this.#seq++);
      return;
    }
    this.#heap.pop();
    if (hs.used[h] < hs.maxDays[h]) this.#planFrom(h, hs.day[h] + 1);
    else hs.release(h);
  }
}

/** Options of {@link generateRows}. */
export interface SpanOptions extends SimulationOptions {
  /** End of the span (exclusive), ms since epoch. */
  until: number;
}

/**
 * Every row of the world-time span [start, until), per table, in queue order, without an outbox:
 * exactly what a run with the same options puts in the queue.
 */
export function generateRows(options: SpanOptions): Record<TableName, string[]> {
  const sim = new Simulation(options);
  const out = new RowBatch();
  sim.runUntil(options.until, out);
  return out.take();
}
