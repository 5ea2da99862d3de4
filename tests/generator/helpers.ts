/**
 * Helpers for the generator tests: parsed rows of a seeded span, and local time computed
 * independently of `src/generator/local_time.ts` (straight from Intl, so a bug there cannot hide
 * itself).
 */
import { generateRows } from "../../src/generator/model.ts";

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** A LIFT_RIDE row as parsed. */
export interface Ride {
  TXID: string;
  RFID: string;
  RESORT: string;
  LIFT: string;
  RIDE_TIME: string;
  ACTIVATION_DAY_COUNT: number;
}

/** A customer's fields as parsed. */
export interface CustomerFields {
  NAME: string;
  ADDRESS: { STREET_ADDRESS: string; CITY: string; STATE: string; POSTALCODE: string } | null;
  PHONE: string | null;
  EMAIL: string | null;
  EMERGENCY_CONTACT: { NAME: string; PHONE: string } | null;
}

/** A RESORT_TICKET row as parsed. */
export interface Ticket extends CustomerFields {
  TXID: string;
  RFID: string;
  RESORT: string;
  PURCHASE_TIME: string;
  PRICE_USD: number;
  EXPIRATION_TIME: string;
  DAYS: number;
}

/** A SEASON_PASS row as parsed. */
export interface Pass extends CustomerFields {
  TXID: string;
  RFID: string;
  PURCHASE_TIME: string;
  PRICE_USD: number;
  EXPIRATION_TIME: string;
}

/** Parsed rows of a span. */
export interface Parsed {
  tickets: Ticket[];
  passes: Pass[];
  rides: Ride[];
  /** The raw JSON texts, per table. */
  raw: { RESORT_TICKET: string[]; SEASON_PASS: string[]; LIFT_RIDE: string[] };
}

/** Generates and parses the rows of [start, until). */
export function parsedSpan(
  seed: string,
  start: string,
  until: string,
  ticketsPerDay: number,
): Parsed {
  const raw = generateRows({
    seed,
    start: Date.parse(start),
    until: Date.parse(until),
    ticketsPerDay,
  });
  return {
    tickets: raw.RESORT_TICKET.map((r) => JSON.parse(r)),
    passes: raw.SEASON_PASS.map((r) => JSON.parse(r)),
    rides: raw.LIFT_RIDE.map((r) => JSON.parse(r)),
    raw,
  };
}

const formats = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** Local time minus UTC (ms) in `zone` at instant `ms`, from Intl (cached per UTC hour). */
export function zoneOffset(zone: string, ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  const key = `${zone}|${hour}`;
  let off = offsets.get(key);
  if (off === undefined) {
    let f = formats.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
      });
      formats.set(zone, f);
    }
    const at = hour * HOUR_MS;
    const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, Number(x.value)]));
    off = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at;
    offsets.set(key, off);
  }
  return off;
}

/** Local wall-clock reading of instant `ms` in `zone`. */
export function local(zone: string, ms: number): {
  date: string;
  minuteOfDay: number;
  weekday: number;
} {
  const wall = new Date(ms + zoneOffset(zone, ms));
  return {
    date: wall.toISOString().slice(0, 10),
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    weekday: wall.getUTCDay(),
  };
}

/** Asserts |actual − expected| ≤ tolerance, with a message naming what was measured. */
export function near(actual: number, expected: number, tolerance: number, what: string): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(
      `${what}: ${actual.toFixed(4)} is not within ${tolerance} of ${expected.toFixed(4)}`,
    );
  }
}

/** Groups items by a key, keeping order. */
export function groupBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let list = out.get(k);
    if (!list) out.set(k, list = []);
    list.push(it);
  }
  return out;
}
