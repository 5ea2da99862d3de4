/**
 * Row encoding: each row as the exact JSON text that is queued and sent, keys upper case in the
 * column order of docs/data-model.md, times ISO-8601 UTC with milliseconds.
 *
 * LIFT_RIDE rows are the generator's hot path (nearly all rows), so they are written as bytes
 * from pre-escaped pieces (see {@link RowBytes}); tickets and passes are rare and are built as
 * strings, with `JSON.stringify` on text that comes from outside (names, addresses). Times are
 * whole milliseconds since the epoch.
 *
 * @module
 */
import type { Resort } from "./resorts.ts";
import { DAY_MS } from "./local_time.ts";

/** `t` (ms since epoch) as ISO-8601 UTC with milliseconds, e.g. `2026-11-25T14:03:12.345Z`. */
export function isoUtc(t: number): string {
  return new Date(Math.floor(t)).toISOString();
}

const dates = new Map<number, string>();

/** The UTC calendar date of `t` as `YYYY-MM-DD` (the DATE columns, e.g. EXPIRATION_TIME). */
export function isoDate(t: number): string {
  const day = Math.floor(t / DAY_MS);
  let text = dates.get(day);
  if (text === undefined) {
    // A handful of dates are in use at any time (expiry dates of today's sales).
    if (dates.size >= 64) dates.clear();
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dates.set(day, text);
  }
  return text;
}

/** JSON string contents without the surrounding quotes. */
function escapeInner(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * JSON string contents with every non-ASCII character escaped (`\u00e9`), so that the text is
 * ASCII: one character per byte, which {@link RowBytes} relies on.
 */
export function asciiJsonInner(text: string): string {
  return escapeInner(text).replace(
    /[\u0080-\uffff]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The four lower-case hex digits of each 16-bit value, packed little-endian in one word. */
const HEX16 = new Uint32Array(65536);
for (let v = 0; v < 65536; v++) {
  const h = v.toString(16).padStart(4, "0");
  HEX16[v] = h.charCodeAt(0) | (h.charCodeAt(1) << 8) | (h.charCodeAt(2) << 16) |
    (h.charCodeAt(3) << 24);
}

const decoder = new TextDecoder();
/** Bytes decoded into one string at a time by {@link RowBytes.take}. */
const CHUNK_BYTES = 64 * 1024;

/**
 * ASCII rows written as bytes into one reusable buffer, then turned into strings all at once:
 * one decode per batch and a slice per row. Building each row by string concatenation instead
 * makes dozens of short-lived string pieces per row, and the garbage (not the work) dominated
 * the generator's time and memory.
 */
export class RowBytes {
  /** The buffer; writers fill it from {@link RowBytes.pos} on after {@link RowBytes.reserve}. */
  buf: Uint8Array = new Uint8Array(1 << 20);
  /** Bytes written so far. */
  pos = 0;
  readonly #ends: number[] = [];

  /** Rows written and not yet taken. */
  get count(): number {
    return this.#ends.length;
  }

  /** Makes room for `bytes` more bytes. */
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** Marks the end of the row just written (at {@link RowBytes.pos}). */
  endRow(): void {
    this.#ends.push(this.pos);
  }

  /** The rows written since the last call, as strings; the buffer is then reused. */
  take(): string[] {
    const n = this.#ends.length;
    const ends = this.#ends;
    const out = new Array<string>(n);
    let i = 0, start = 0;
    while (i < n) {
      // Decode at most ~64 KB at a time: a larger string would go straight to V8's large-object
      // space, which only a full GC frees, and memory would climb between full GCs.
      let j = i;
      while (j < n && ends[j] - start <= CHUNK_BYTES) j++;
      if (j === i) j = i + 1;
      const chunk = decoder.decode(this.buf.subarray(start, ends[j - 1]));
      for (let k = i, from = 0; k < j; k++) {
        const to = ends[k] - start;
        out[k] = chunk.slice(from, to);
        from = to;
      }
      start = ends[j - 1];
      i = j;
    }
    this.pos = 0;
    this.#ends.length = 0;
    return out;
  }
}

/** A source of uniform 32-bit words (the generator's seeded PRNG). */
export interface WordSource {
  u32(): number;
}

function writeHex16(b: Uint8Array, p: number, v: number): number {
  const x = HEX16[v];
  b[p] = x;
  b[p + 1] = x >>> 8;
  b[p + 2] = x >>> 16;
  b[p + 3] = x >>> 24;
  return p + 4;
}

function write2(b: Uint8Array, p: number, v: number): number {
  const tens = (v / 10) | 0;
  b[p] = 48 + tens;
  b[p + 1] = 48 + v - tens * 10;
  return p + 2;
}

function writeBytes(b: Uint8Array, p: number, piece: Uint8Array): number {
  const n = piece.length;
  if (n > 24) b.set(piece, p);
  else for (let i = 0; i < n; i++) b[p + i] = piece[i];
  return p + n;
}

const RIDE_HEAD = ascii('{"TXID":"');
const RIDE_RFID = ascii('","RFID":"');
const RIDE_COUNT = ascii('","ACTIVATION_DAY_COUNT":');

/** Encodes rows for a fixed list of resorts (indexes are positions in that list). */
export class RowEncoder {
  /** Per resort, per lift: `","RESORT":"…","LIFT":"…","RIDE_TIME":"` as bytes. */
  readonly #rideMiddle: Uint8Array[][];
  /** Per resort: `","RESORT":"…` (escaped). */
  readonly #resort: string[];
  /** Longest possible LIFT_RIDE row in bytes (with a 64-character RFID and a long count). */
  readonly #maxRide: number;
  #day = NaN;
  #dayBytes: Uint8Array = new Uint8Array(11);

  constructor(resorts: readonly Resort[]) {
    this.#resort = resorts.map((r) => `","RESORT":"${escapeInner(r.name)}`);
    this.#rideMiddle = resorts.map((r) =>
      r.lifts.map((l) =>
        ascii(
          `","RESORT":"${asciiJsonInner(r.name)}","LIFT":"${asciiJsonInner(l)}","RIDE_TIME":"`,
        )
      )
    );
    const longest = Math.max(...this.#rideMiddle.flat().map((b) => b.length));
    this.#maxRide = RIDE_HEAD.length + 36 + RIDE_RFID.length + 64 + longest + 24 +
      RIDE_COUNT.length + 16 + 1;
  }

  /**
   * Writes a LIFT_RIDE row into `out`, with a fresh TXID (UUID v4) drawn from `words`. The RFID
   * is given as its three 32-bit words and written as `rfidText` (random.ts) writes it: the model keeps
   * RFIDs as numbers, not strings.
   */
  ride(
    out: RowBytes,
    words: WordSource,
    rfid0: number,
    rfid1: number,
    rfid2: number,
    resort: number,
    lift: number,
    time: number,
    activationDayCount: number,
  ): void {
    out.reserve(this.#maxRide);
    const b = out.buf;
    let p = writeBytes(b, out.pos, RIDE_HEAD);
    // TXID: a version-4 UUID, laid out exactly as Random.uuid() lays out the same words.
    const w0 = words.u32(), w1 = words.u32(), w2 = words.u32(), w3 = words.u32();
    p = writeHex16(b, p, w0 >>> 16);
    p = writeHex16(b, p, w0 & 0xffff);
    b[p++] = 45;
    p = writeHex16(b, p, w1 >>> 16);
    b[p++] = 45;
    p = writeHex16(b, p, (w1 & 0x0fff) | 0x4000);
    b[p++] = 45;
    p = writeHex16(b, p, ((w2 >>> 16) & 0x3fff) | 0x8000);
    b[p++] = 45;
    p = writeHex16(b, p, w2 & 0xffff);
    p = writeHex16(b, p, w3 >>> 16);
    p = writeHex16(b, p, w3 & 0xffff);
    p = writeBytes(b, p, RIDE_RFID);
    b[p++] = 48; // "0"
    b[p++] = 120; // "x"
    p = writeHex16(b, p, rfid0 >>> 16);
    p = writeHex16(b, p, rfid0 & 0xffff);
    p = writeHex16(b, p, rfid1 >>> 16);
    p = writeHex16(b, p, rfid1 & 0xffff);
    p = writeHex16(b, p, rfid2 >>> 16);
    p = writeHex16(b, p, rfid2 & 0xffff);
    p = writeBytes(b, p, this.#rideMiddle[resort][lift]);
    // RIDE_TIME, as isoUtc() writes it.
    const ms = Math.floor(time);
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      this.#dayBytes = ascii(new Date(day * DAY_MS).toISOString().slice(0, 11));
    }
    p = writeBytes(b, p, this.#dayBytes);
    let rest = ms - day * DAY_MS;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = Math.floor(rest / 1000);
    rest -= s * 1000;
    p = write2(b, p, h);
    b[p++] = 58;
    p = write2(b, p, m);
    b[p++] = 58;
    p = write2(b, p, s);
    b[p++] = 46;
    b[p++] = 48 + Math.floor(rest / 100);
    p = write2(b, p, rest % 100);
    b[p++] = 90;
    p = writeBytes(b, p, RIDE_COUNT);
    const count = String(activationDayCount);
    for (let i = 0; i < count.length; i++) b[p++] = count.charCodeAt(i);
    b[p++] = 125;
    out.pos = p;
    out.endRow();
  }

  /**
   * A RESORT_TICKET row. `customer` is the fragment from `CustomerFactory.nextJson()`
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
