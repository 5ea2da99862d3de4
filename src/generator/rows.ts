/**
 * Row encoding: each row as the exact JSON text that is queued and sent, keys upper case in the
 * order of `shared/spec/ski-data.md`.
 *
 * This is the generator's hot path (one call per lift ride), so strings are assembled by hand from
 * pre-escaped pieces; `JSON.stringify` is used only on text that comes from outside (names,
 * addresses). Times are whole milliseconds since the epoch.
 *
 * @module
 */
import type { Resort } from "./resorts.ts";
import { DAY_MS } from "./local_time.ts";

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const PAD3: readonly string[] = Array.from(
  { length: 1000 },
  (_, i) => String(i).padStart(3, "0"),
);

let cachedDay = NaN;
let cachedPrefix = "";

/** `t` (ms since epoch) as ISO-8601 UTC with milliseconds, e.g. `2026-11-25T14:03:12.345Z`. */
export function isoUtc(t: number): string {
  const ms = Math.floor(t);
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    // The date part changes once a simulated day; only then is Date used.
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    cachedDay = day;
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  rest -= s * 1000;
  return cachedPrefix + PAD2[h] + ":" + PAD2[m] + ":" + PAD2[s] + "." + PAD3[rest] + "Z";
}

/** The UTC calendar date of `t` as `YYYY-MM-DD` (the DATE columns, e.g. EXPIRATION_TIME). */
export function isoDate(t: number): string {
  return new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** JSON string contents without the surrounding quotes. */
function escapeInner(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** Encodes rows for a fixed list of resorts (indexes are positions in that list). */
export class RowEncoder {
  /** Per resort, per lift: `","RESORT":"…","LIFT":"…` (escaped). */
  readonly #resortLift: string[][];
  /** Per resort: `","RESORT":"…` (escaped). */
  readonly #resort: string[];

  constructor(resorts: readonly Resort[]) {
    this.#resort = resorts.map((r) => `","RESORT":"${escapeInner(r.name)}`);
    this.#resortLift = resorts.map((r) =>
      r.lifts.map((l) => `","RESORT":"${escapeInner(r.name)}","LIFT":"${escapeInner(l)}`)
    );
  }

  /** A LIFT_RIDE row. */
  ride(
    txid: string,
    rfid: string,
    resort: number,
    lift: number,
    time: number,
    activationDayCount: number,
  ): string {
    return '{"TXID":"' + txid + '","RFID":"' + rfid + this.#resortLift[resort][lift] +
      '","RIDE_TIME":"' + isoUtc(time) + '","ACTIVATION_DAY_COUNT":' + activationDayCount + "}";
  }

  /**
   * A RESORT_TICKET row. `customer` is the fragment from `CustomerFactory.next()`
   * (`"NAME":…,"EMERGENCY_CONTACT":…`).
   */
  ticket(
    txid: string,
    rfid: string,
    resort: number,
    purchase: number,
    priceUsd: number,
    expirationDate: string,
    days: number,
    customer: string,
  ): string {
    return '{"TXID":"' + txid + '","RFID":"' + rfid + this.#resort[resort] +
      '","PURCHASE_TIME":"' + isoUtc(purchase) + '","PRICE_USD":' + priceUsd +
      ',"EXPIRATION_TIME":"' + expirationDate + '","DAYS":' + days + "," + customer + "}";
  }

  /** A SEASON_PASS row (`customer` as for {@link RowEncoder.ticket}). */
  pass(
    txid: string,
    rfid: string,
    purchase: number,
    priceUsd: number,
    expirationDate: string,
    customer: string,
  ): string {
    return '{"TXID":"' + txid + '","RFID":"' + rfid + '","PURCHASE_TIME":"' + isoUtc(purchase) +
      '","PRICE_USD":' + priceUsd + ',"EXPIRATION_TIME":"' + expirationDate + '",' + customer +
      "}";
  }
}
