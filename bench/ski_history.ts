/**
 * Synthetic ski history for the benches: whole days of visits (a ticket or a pass, then about
 * fourteen rides) streamed into an emulator's RESORT_TICKET, SEASON_PASS and LIFT_RIDE through
 * its Snowpipe Streaming service, in process: the same parse, coercion and commit an append over
 * HTTP gets, without building millions of requests. The same seed gives the same history.
 *
 * @module
 */
import type { RunningEmulator } from "../src/emulator/mod.ts";
import type { Pipe } from "../src/emulator/pipe.ts";
import { plainPayload } from "../src/emulator/http_body.ts";
import facts from "../src/generator/resorts.json" with { type: "json" };

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Synthetic rides per simulated day (about what 8,000 tickets a day make). */
const RIDES_PER_DAY = 100_000;
const RIDES_PER_VISIT = 14;
const START = Date.parse("2026-01-05T00:00:00Z");
/** Rows per append, about what the streamer sends. */
const BATCH_ROWS = 20_000;

/** A small seeded PRNG (mulberry32): the same history every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const stamp = (t: number) => new Date(t).toISOString().replace("Z", "+00:00");
const encoder = new TextEncoder();

/** One table's channel: its pipe, rows waiting to be appended, the token to append with. */
interface Lane {
  readonly pipe: Pipe;
  readonly channel: string;
  token: string;
  lines: string[];
  offset: number;
}

/** Streams synthetic history into an emulator set up with liftline's tables and pipes. */
export class SkiHistory {
  readonly #emu: RunningEmulator;
  readonly #rand = prng(20261125);
  readonly #lanes = new Map<string, Lane>();
  #day = 0;
  #card = 0;
  #ride = 0;
  /** Riders of the latest day: [rfid, resort]. */
  #lastRiders: [string, string][] = [];

  private constructor(emu: RunningEmulator) {
    this.#emu = emu;
  }

  /** Opens one channel per table on the tables' default pipes. */
  static async open(emu: RunningEmulator): Promise<SkiHistory> {
    const h = new SkiHistory(emu);
    const { database, schema } = emu.context.options;
    for (const table of ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"]) {
      const pipe = emu.context.streaming.resolvePipe(database, schema, `${table}-STREAMING`);
      const channel = `bench_history_${table}`;
      const opened = await emu.context.streaming.open(pipe, channel);
      h.#lanes.set(table, {
        pipe,
        channel,
        token: opened.next_continuation_token,
        lines: [],
        offset: 0,
      });
    }
    return h;
  }

  /** LIFT_RIDE rows streamed so far. */
  get rides(): number {
    return this.#ride;
  }

  /** The first simulated day. */
  static get start(): Date {
    return new Date(START);
  }

  /** Whole days of visits until at least `targetRides` rides exist. */
  async fillTo(targetRides: number): Promise<void> {
    const r = this.#rand;
    const resorts = facts.resorts;
    while (this.#ride < targetRides) {
      const dayStart = START + this.#day * DAY_MS;
      const riders: [string, string][] = [];
      const visits = Math.round(RIDES_PER_DAY / RIDES_PER_VISIT);
      for (let v = 0; v < visits; v++) {
        const resort = resorts[Math.floor(r() * resorts.length)];
        const rfid = `0x${(++this.#card).toString(16).padStart(24, "0")}`;
        riders.push([rfid, resort.name]);
        const bought = dayStart + 13 * HOUR_MS + Math.floor(r() * HOUR_MS);
        if (r() < 0.05) {
          await this.#push("SEASON_PASS", {
            TXID: `p${this.#card}`,
            RFID: rfid,
            PURCHASE_TIME: stamp(bought),
            PRICE_USD: 783,
            EXPIRATION_TIME: "2027-01-01",
            NAME: "Synthetic Pass",
          });
        } else {
          const days = 1 + Math.floor(r() * 3);
          await this.#push("RESORT_TICKET", {
            TXID: `t${this.#card}`,
            RFID: rfid,
            RESORT: resort.name,
            PURCHASE_TIME: stamp(bought),
            PRICE_USD: resort.ticketBasePriceUsd * days,
            EXPIRATION_TIME: "2027-01-01",
            DAYS: days,
            NAME: "Synthetic Ticket",
          });
        }
        let t = dayStart + 15 * HOUR_MS + Math.floor(r() * 3 * HOUR_MS);
        for (let k = 0; k < RIDES_PER_VISIT; k++) {
          const lift = resort.lifts[Math.floor(r() * resort.lifts.length)];
          await this.#push("LIFT_RIDE", {
            TXID: `r${++this.#ride}`,
            RFID: rfid,
            RESORT: resort.name,
            LIFT: lift,
            RIDE_TIME: stamp(t),
            ACTIVATION_DAY_COUNT: 1,
          });
          t += 10 * 60_000 + Math.floor(r() * 20 * 60_000);
        }
      }
      this.#lastRiders = riders;
      this.#day++;
    }
    await this.flush();
  }

  /** `n` rides by riders of the latest day, in the hour after its last ride. */
  async addRecentRides(n: number): Promise<void> {
    const lastDay = START + (this.#day - 1) * DAY_MS;
    const hourStart = lastDay + 23 * HOUR_MS;
    const riders = this.#lastRiders.slice(0, 2000);
    for (let i = 0; i < n; i++) {
      const [rfid, resort] = riders[i % riders.length];
      await this.#push("LIFT_RIDE", {
        TXID: `n${++this.#ride}`,
        RFID: rfid,
        RESORT: resort,
        LIFT: "Bench Lift",
        RIDE_TIME: stamp(hourStart + Math.floor((i / n) * HOUR_MS)),
        ACTIVATION_DAY_COUNT: 1,
      });
    }
    await this.flush();
  }

  /** Appends (and so commits: the emulator runs with no commit delay) every waiting row. */
  async flush(): Promise<void> {
    for (const lane of this.#lanes.values()) await this.#append(lane);
  }

  async #push(table: string, row: Record<string, unknown>): Promise<void> {
    const lane = this.#lanes.get(table)!;
    lane.lines.push(JSON.stringify(row));
    if (lane.lines.length >= BATCH_ROWS) await this.#append(lane);
  }

  async #append(lane: Lane): Promise<void> {
    if (!lane.lines.length) return;
    const body = encoder.encode(lane.lines.join("\n") + "\n");
    lane.offset += lane.lines.length;
    lane.lines = [];
    const answer = await this.#emu.context.streaming.append(
      lane.pipe,
      lane.channel,
      lane.token,
      String(lane.offset),
      plainPayload(body),
    );
    lane.token = answer.next_continuation_token;
  }
}
