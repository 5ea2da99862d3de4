/**
 * Local calendars of the resorts' time zones: the local date of an instant, the UTC instants of
 * opening and closing on a local date (daylight-saving changes included), and the weekday.
 *
 * Local dates are day numbers (days since 1970-01-01) so that "the next day" is `day + 1`.
 * `Intl.DateTimeFormat` knows the zone rules but is slow, so answers are cached per zone and
 * date (or quarter hour); the caches are bounded so that a long run does not grow them.
 *
 * @module
 */

/** Milliseconds per day. */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Every time zone in use changes offset on a quarter-hour boundary of UTC. */
const OFFSET_BUCKET_MS = 900_000;
/** A cache reaching this size is emptied: it holds a few days' worth, not the run's history. */
const CACHE_LIMIT = 4096;

/** Opening hours of a resort on one local date. */
export interface DayHours {
  /** The local date (days since 1970-01-01). */
  readonly day: number;
  /** UTC ms of opening (the opening hour local). */
  readonly open: number;
  /** UTC ms of closing (the closing hour local); rides happen before it. */
  readonly close: number;
}

/** The calendar of one IANA time zone. Use {@link calendarFor} to share instances. */
export class ZoneCalendar {
  /** The IANA zone name. */
  readonly zone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #offsets = new Map<number, number>();
  readonly #hours = new Map<number, DayHours>();
  readonly #openHour: number;
  readonly #closeHour: number;

  /** Throws RangeError for a zone name the platform does not know. */
  constructor(zone: string, openHour = 8, closeHour = 16) {
    this.zone = zone;
    this.#openHour = openHour;
    this.#closeHour = closeHour;
    this.#format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /** Local time minus UTC at instant `t` (ms), e.g. -7 h in Denver in winter. */
  offsetAt(t: number): number {
    const bucket = Math.floor(t / OFFSET_BUCKET_MS);
    let offset = this.#offsets.get(bucket);
    if (offset === undefined) {
      const at = bucket * OFFSET_BUCKET_MS;
      const f: Record<string, number> = {};
      for (const p of this.#format.formatToParts(at)) {
        if (p.type !== "literal") f[p.type] = Number(p.value);
      }
      offset = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - at;
      if (this.#offsets.size >= CACHE_LIMIT) this.#offsets.clear();
      this.#offsets.set(bucket, offset);
    }
    return offset;
  }

  /** The local date of instant `t`, as days since 1970-01-01. */
  dayOf(t: number): number {
    return Math.floor((t + this.offsetAt(t)) / DAY_MS);
  }

  /** The UTC instant of `hour`:00 local on local date `day`. */
  instant(day: number, hour: number): number {
    const wall = day * DAY_MS + hour * HOUR_MS;
    // The offset to subtract is the one in force at the answer, not at the wall-clock reading;
    // a second pass settles it on days when the offset changes.
    const first = wall - this.offsetAt(wall);
    const second = wall - this.offsetAt(first);
    return second;
  }

  /** Opening and closing instants on local date `day`. */
  hours(day: number): DayHours {
    let h = this.#hours.get(day);
    if (h === undefined) {
      h = {
        day,
        open: this.instant(day, this.#openHour),
        close: this.instant(day, this.#closeHour),
      };
      if (this.#hours.size >= CACHE_LIMIT) this.#hours.clear();
      this.#hours.set(day, h);
    }
    return h;
  }
}

const calendars = new Map<string, ZoneCalendar>();

/** The shared calendar of `zone` with the given opening hours. */
export function calendarFor(zone: string, openHour = 8, closeHour = 16): ZoneCalendar {
  const key = `${zone}|${openHour}|${closeHour}`;
  let c = calendars.get(key);
  if (!c) {
    c = new ZoneCalendar(zone, openHour, closeHour);
    calendars.set(key, c);
  }
  return c;
}

/** Day of the week of a date (days since 1970-01-01): 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(day: number): number {
  // 1970-01-01 was a Thursday.
  return (((day + 4) % 7) + 7) % 7;
}

/** True for a Saturday or Sunday. */
export function isWeekend(day: number): boolean {
  const d = dayOfWeek(day);
  return d === 0 || d === 6;
}

/** A date (days since 1970-01-01) as `YYYY-MM-DD`. */
export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
