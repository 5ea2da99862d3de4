/**
 * The reference model: every report of sql/dynamic_tables.sql computed in plain TypeScript from
 * the raw rows (as the generator sends them), with Snowflake's decimal semantics — money summed
 * exactly and rounded half up to the cent, percentages and averages rounded half up. Money is
 * kept in whole cents and one-decimal percentages in whole tenths, so comparisons are exact.
 *
 * It shares no code with the engine under test.
 */

/** A raw row as sent (upper-case JSON keys). */
export type RawRow = Record<string, unknown>;

/** The raw rows of the three tables. */
export interface RawTables {
  RESORT_TICKET: RawRow[];
  SEASON_PASS: RawRow[];
  LIFT_RIDE: RawRow[];
}

/** RESORT_CAPACITY as the model needs it. */
export interface Capacity {
  resort: string;
  maxCapacity: number;
}

export interface ModelVisit {
  VISIT_DATE: string;
  RESORT: string;
  RFID: string;
  NAME: string | null;
  FIRST_RIDE_TIME: number;
  FIRST_LIFT: string | null;
  HAS_SEASON_PASS: boolean;
  PURCHASE_PRICE_CENTS: number | null;
  ACTIVATION_USAGE_COUNT: number | null;
  TICKET_ORIGINAL_DURATION: number | null;
}

export interface ModelLiftHour {
  RIDE_DATE: string;
  RIDE_HOUR: number;
  RESORT: string;
  TOTAL_RIDES: number;
  VISITOR_COUNT: number;
  ACTIVE_PASSES: number;
  PASS_RIDES: number;
}

export interface ModelRevenueHour {
  RIDE_DATE: string;
  RIDE_HOUR: number;
  RESORT: string;
  TICKET_CENTS: number | null;
  TICKET_ACTIVATIONS: number;
  PASS_CENTS: number | null;
  PASS_ACTIVATIONS: number;
}

export interface ModelHourly {
  RIDE_DATE: string;
  RIDE_HOUR: number;
  RIDE_HOUR_TIMESTAMP: string;
  RESORT: string;
  VISITOR_COUNT: number;
  TOTAL_RIDES: number;
  TICKET_ACTIVATIONS: number;
  PASS_ACTIVATIONS: number;
  ACTIVE_PASSES: number;
  PASS_RIDES: number;
  ACTIVE_TICKETS: number;
  TICKET_RIDES: number;
  TICKET_CENTS: number;
  PASS_CENTS: number;
  TOTAL_CENTS: number;
  CAPACITY_TENTHS: number;
  CAPACITY_STATUS: string;
}

export interface ModelDaily {
  RIDE_DATE: string;
  RESORT: string;
  PEAK_HOURLY_VISITORS: number;
  TOTAL_VISITOR_HOURS: number;
  TOTAL_RIDES: number;
  TICKET_CENTS: number;
  PASS_CENTS: number;
  TOTAL_CENTS: number;
  TOTAL_TICKET_ACTIVATIONS: number;
  TOTAL_PASS_ACTIVATIONS: number;
  TOTAL_PASS_RIDES: number;
  TOTAL_TICKET_RIDES: number;
  AVG_CAPACITY_TENTHS: number;
  PEAK_CAPACITY_TENTHS: number;
  OPERATION_HOURS: number;
  TOTAL_VISITORS: number;
}

export interface ModelWeekly {
  WEEK_START_DATE: string;
  RESORT: string;
  MAX_DAILY_UNIQUE_VISITORS: number;
  AVG_DAILY_UNIQUE_VISITORS: number;
  WEEK_TOTAL_VISITORS: number;
  WEEK_TOTAL_RIDES: number;
  WEEK_TOTAL_PASS_RIDES: number;
  WEEK_TOTAL_TICKET_RIDES: number;
  TICKET_CENTS: number;
  PASS_CENTS: number;
  TOTAL_CENTS: number;
  AVG_DAILY_REVENUE: number;
  WEEK_TOTAL_TICKET_ACTIVATIONS: number;
  WEEK_TOTAL_PASS_ACTIVATIONS: number;
  AVG_WEEK_CAPACITY_TENTHS: number;
  WEEK_PEAK_CAPACITY_TENTHS: number;
  OPERATION_DAYS: number;
}

export interface ModelRevenuePerformance {
  RIDE_DATE: string;
  RESORT: string;
  TOTAL_CENTS: number;
  REVENUE_TARGET_USD: number;
  REVENUE_TARGET_TENTHS: number;
  PERFORMANCE_STATUS: string;
}

export interface ModelNetwork {
  RIDE_DATE: string;
  TOTAL_NETWORK_VISITORS: number;
  TOTAL_NETWORK_CENTS: number;
  AVG_NETWORK_CAPACITY_TENTHS: number;
  TOTAL_NETWORK_RIDES: number;
  ACTIVE_RESORTS: number;
}

export interface ModelLift {
  RESORT: string;
  LIFT: string;
  RIDES: number;
  UNIQUE_VISITORS: number;
  FIRST_ACTIVITY_TIME: number;
  LAST_ACTIVITY_TIME: number;
  USAGE_RANK_IN_RESORT: number;
  OVERALL_USAGE_RANK: number;
  RIDES_PER_HOUR_TENTHS: number | null;
}

/** Everything the model computes, keyed as the tables are. */
export interface Model {
  visits: Map<string, ModelVisit>;
  liftHours: Map<string, ModelLiftHour>;
  revenueHours: Map<string, ModelRevenueHour>;
  hourly: Map<string, ModelHourly>;
  daily: Map<string, ModelDaily>;
  weekly: Map<string, ModelWeekly>;
  revenuePerformance: Map<string, ModelRevenuePerformance>;
  network: Map<string, ModelNetwork>;
}

/** `p / q` rounded half up (p ≥ 0, q > 0, integers). */
export function halfUp(p: number, q: number): number {
  return Math.floor((2 * p + q) / (2 * q));
}

const time = (v: unknown): number | null => {
  if (typeof v !== "string") return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
};
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
const int = (v: unknown): number | null => (typeof v === "number" ? Math.trunc(v) : null);
const cents = (v: unknown): number | null =>
  typeof v === "number"
    ? Math.round(v * 100)
    : typeof v === "string"
    ? Math.round(Number(v) * 100)
    : null;

/** UTC `YYYY-MM-DD` of a time. */
export const utcDate = (t: number) => new Date(t).toISOString().slice(0, 10);
/** UTC hour of a time. */
export const utcHour = (t: number) => new Date(t).getUTCHours();
/** Monday of a `YYYY-MM-DD` date's week. */
export function mondayOf(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  const dow = new Date(t).getUTCDay(); // 0 = Sunday
  return utcDate(t - ((dow + 6) % 7) * 86_400_000);
}

/** Ascending with null last (Snowflake's default), for text. */
function cmpText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
function cmpNum(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

interface Card {
  pass: boolean;
  name: string | null;
  priceCents: number | null;
  days: number | null;
  purchase: number | null;
  txid: string | null;
}

/** Computes every report from raw rows. */
export function computeModel(raw: RawTables, capacities: readonly Capacity[]): Model {
  // The card behind each RFID: a pass beats a ticket; the earliest sale wins.
  const cards = new Map<string, Card>();
  const consider = (rfid: string, c: Card) => {
    const old = cards.get(rfid);
    if (
      !old || (c.pass && !old.pass) ||
      (c.pass === old.pass &&
        (cmpNum(c.purchase, old.purchase) < 0 ||
          (cmpNum(c.purchase, old.purchase) === 0 && cmpText(c.txid, old.txid) < 0)))
    ) cards.set(rfid, c);
  };
  for (const r of raw.SEASON_PASS) {
    const rfid = text(r.RFID);
    if (rfid === null) continue;
    consider(rfid, {
      pass: true,
      name: text(r.NAME),
      priceCents: cents(r.PRICE_USD),
      days: null,
      purchase: time(r.PURCHASE_TIME),
      txid: text(r.TXID),
    });
  }
  for (const r of raw.RESORT_TICKET) {
    const rfid = text(r.RFID);
    if (rfid === null) continue;
    consider(rfid, {
      pass: false,
      name: text(r.NAME),
      priceCents: cents(r.PRICE_USD),
      days: int(r.DAYS),
      purchase: time(r.PURCHASE_TIME),
      txid: text(r.TXID),
    });
  }

  const capacity = new Map(capacities.map((c) => [c.resort, c.maxCapacity]));
  interface Ride {
    rfid: string;
    resort: string;
    lift: string | null;
    t: number;
    txid: string | null;
    adc: number | null;
  }
  const rides: Ride[] = [];
  for (const r of raw.LIFT_RIDE) {
    const rfid = text(r.RFID), resort = text(r.RESORT), t = time(r.RIDE_TIME);
    if (rfid === null || resort === null || t === null) continue;
    rides.push({
      rfid,
      resort,
      lift: text(r.LIFT),
      t,
      txid: text(r.TXID),
      adc: int(r.ACTIVATION_DAY_COUNT),
    });
  }

  // DAILY_VISITS
  const firsts = new Map<string, Ride>();
  for (const r of rides) {
    const k = `${utcDate(r.t)}|${r.resort}|${r.rfid}`;
    const f = firsts.get(k);
    if (!f || r.t < f.t || (r.t === f.t && cmpText(r.txid, f.txid) < 0)) firsts.set(k, r);
  }
  const visits = new Map<string, ModelVisit>();
  for (const [k, f] of firsts) {
    const card = cards.get(f.rfid);
    visits.set(k, {
      VISIT_DATE: utcDate(f.t),
      RESORT: f.resort,
      RFID: f.rfid,
      NAME: card?.name ?? null,
      FIRST_RIDE_TIME: f.t,
      FIRST_LIFT: f.lift,
      HAS_SEASON_PASS: card?.pass ?? false,
      PURCHASE_PRICE_CENTS: card?.priceCents ?? null,
      ACTIVATION_USAGE_COUNT: f.adc,
      TICKET_ORIGINAL_DURATION: card && !card.pass ? card.days : null,
    });
  }

  // HOURLY_LIFT_ACTIVITY
  const liftAcc = new Map<
    string,
    {
      date: string;
      hour: number;
      resort: string;
      rides: number;
      riders: Set<string>;
      passRiders: Set<string>;
      passRides: number;
    }
  >();
  for (const r of rides) {
    const date = utcDate(r.t), hour = utcHour(r.t);
    const k = `${date}|${hour}|${r.resort}`;
    let a = liftAcc.get(k);
    if (!a) {
      a = {
        date,
        hour,
        resort: r.resort,
        rides: 0,
        riders: new Set(),
        passRiders: new Set(),
        passRides: 0,
      };
      liftAcc.set(k, a);
    }
    a.rides++;
    a.riders.add(r.rfid);
    if (visits.get(`${date}|${r.resort}|${r.rfid}`)!.HAS_SEASON_PASS) {
      a.passRiders.add(r.rfid);
      a.passRides++;
    }
  }
  const liftHours = new Map<string, ModelLiftHour>();
  for (const [k, a] of liftAcc) {
    liftHours.set(k, {
      RIDE_DATE: a.date,
      RIDE_HOUR: a.hour,
      RESORT: a.resort,
      TOTAL_RIDES: a.rides,
      VISITOR_COUNT: a.riders.size,
      ACTIVE_PASSES: a.passRiders.size,
      PASS_RIDES: a.passRides,
    });
  }

  // HOURLY_AMORTIZED_REVENUE: sums in 1/420 cent, then half up to the cent.
  const revAcc = new Map<
    string,
    {
      date: string;
      hour: number;
      resort: string;
      ticketNum: number | null;
      tickets: number;
      passNum: number | null;
      passes: number;
    }
  >();
  for (const v of visits.values()) {
    const hour = utcHour(v.FIRST_RIDE_TIME);
    const k = `${v.VISIT_DATE}|${hour}|${v.RESORT}`;
    let a = revAcc.get(k);
    if (!a) {
      a = {
        date: v.VISIT_DATE,
        hour,
        resort: v.RESORT,
        ticketNum: null,
        tickets: 0,
        passNum: null,
        passes: 0,
      };
      revAcc.set(k, a);
    }
    if (v.HAS_SEASON_PASS) {
      a.passes++;
      if (
        v.PURCHASE_PRICE_CENTS !== null && v.ACTIVATION_USAGE_COUNT !== null &&
        v.ACTIVATION_USAGE_COUNT <= 20
      ) {
        a.passNum = (a.passNum ?? 0) + v.PURCHASE_PRICE_CENTS * 21;
      }
    } else {
      a.tickets++;
      if (v.PURCHASE_PRICE_CENTS !== null) {
        const days = Math.max(v.TICKET_ORIGINAL_DURATION ?? 1, 1);
        if (420 % days !== 0) {
          throw new Error(`model supports ticket days dividing 420, got ${days}`);
        }
        a.ticketNum = (a.ticketNum ?? 0) + v.PURCHASE_PRICE_CENTS * (420 / days);
      }
    }
  }
  const revenueHours = new Map<string, ModelRevenueHour>();
  for (const [k, a] of revAcc) {
    revenueHours.set(k, {
      RIDE_DATE: a.date,
      RIDE_HOUR: a.hour,
      RESORT: a.resort,
      TICKET_CENTS: a.ticketNum === null ? null : halfUp(a.ticketNum, 420),
      TICKET_ACTIVATIONS: a.tickets,
      PASS_CENTS: a.passNum === null ? null : halfUp(a.passNum, 420),
      PASS_ACTIVATIONS: a.passes,
    });
  }

  // HOURLY_RESORT_SUMMARY
  const hourly = new Map<string, ModelHourly>();
  for (const [k, a] of liftHours) {
    const cap = capacity.get(a.RESORT);
    if (cap === undefined) continue;
    const r = revenueHours.get(k);
    const tc = r?.TICKET_CENTS ?? 0, pc = r?.PASS_CENTS ?? 0;
    const pct = halfUp(a.VISITOR_COUNT * 1000, cap);
    hourly.set(k, {
      RIDE_DATE: a.RIDE_DATE,
      RIDE_HOUR: a.RIDE_HOUR,
      RIDE_HOUR_TIMESTAMP: `${a.RIDE_DATE} ${String(a.RIDE_HOUR).padStart(2, "0")}:00:00.000`,
      RESORT: a.RESORT,
      VISITOR_COUNT: a.VISITOR_COUNT,
      TOTAL_RIDES: a.TOTAL_RIDES,
      TICKET_ACTIVATIONS: r?.TICKET_ACTIVATIONS ?? 0,
      PASS_ACTIVATIONS: r?.PASS_ACTIVATIONS ?? 0,
      ACTIVE_PASSES: a.ACTIVE_PASSES,
      PASS_RIDES: a.PASS_RIDES,
      ACTIVE_TICKETS: a.VISITOR_COUNT - a.ACTIVE_PASSES,
      TICKET_RIDES: a.TOTAL_RIDES - a.PASS_RIDES,
      TICKET_CENTS: tc,
      PASS_CENTS: pc,
      TOTAL_CENTS: tc + pc,
      CAPACITY_TENTHS: pct,
      CAPACITY_STATUS: pct > 900 ? "HIGH" : pct > 700 ? "MODERATE" : "NORMAL",
    });
  }

  // DAILY_RESORT_SUMMARY
  const byDay = new Map<string, ModelHourly[]>();
  for (const h of hourly.values()) {
    const k = `${h.RIDE_DATE}|${h.RESORT}`;
    (byDay.get(k) ?? byDay.set(k, []).get(k)!).push(h);
  }
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
  const max = <T>(xs: readonly T[], f: (x: T) => number) => Math.max(...xs.map(f));
  const daily = new Map<string, ModelDaily>();
  for (const [k, hs] of byDay) {
    daily.set(k, {
      RIDE_DATE: hs[0].RIDE_DATE,
      RESORT: hs[0].RESORT,
      PEAK_HOURLY_VISITORS: max(hs, (h) => h.VISITOR_COUNT),
      TOTAL_VISITOR_HOURS: sum(hs, (h) => h.VISITOR_COUNT),
      TOTAL_RIDES: sum(hs, (h) => h.TOTAL_RIDES),
      TICKET_CENTS: sum(hs, (h) => h.TICKET_CENTS),
      PASS_CENTS: sum(hs, (h) => h.PASS_CENTS),
      TOTAL_CENTS: sum(hs, (h) => h.TOTAL_CENTS),
      TOTAL_TICKET_ACTIVATIONS: sum(hs, (h) => h.TICKET_ACTIVATIONS),
      TOTAL_PASS_ACTIVATIONS: sum(hs, (h) => h.PASS_ACTIVATIONS),
      TOTAL_PASS_RIDES: sum(hs, (h) => h.PASS_RIDES),
      TOTAL_TICKET_RIDES: sum(hs, (h) => h.TICKET_RIDES),
      AVG_CAPACITY_TENTHS: halfUp(sum(hs, (h) => h.CAPACITY_TENTHS), hs.length),
      PEAK_CAPACITY_TENTHS: max(hs, (h) => h.CAPACITY_TENTHS),
      OPERATION_HOURS: hs.length,
      TOTAL_VISITORS: sum(hs, (h) => h.TICKET_ACTIVATIONS) + sum(hs, (h) => h.PASS_ACTIVATIONS),
    });
  }

  // WEEKLY_RESORT_SUMMARY
  const byWeek = new Map<string, ModelDaily[]>();
  for (const d of daily.values()) {
    const k = `${mondayOf(d.RIDE_DATE)}|${d.RESORT}`;
    (byWeek.get(k) ?? byWeek.set(k, []).get(k)!).push(d);
  }
  const weekly = new Map<string, ModelWeekly>();
  for (const [k, ds] of byWeek) {
    weekly.set(k, {
      WEEK_START_DATE: mondayOf(ds[0].RIDE_DATE),
      RESORT: ds[0].RESORT,
      MAX_DAILY_UNIQUE_VISITORS: max(ds, (d) => d.TOTAL_VISITORS),
      AVG_DAILY_UNIQUE_VISITORS: halfUp(sum(ds, (d) => d.TOTAL_VISITORS), ds.length),
      WEEK_TOTAL_VISITORS: sum(ds, (d) => d.TOTAL_VISITORS),
      WEEK_TOTAL_RIDES: sum(ds, (d) => d.TOTAL_RIDES),
      WEEK_TOTAL_PASS_RIDES: sum(ds, (d) => d.TOTAL_PASS_RIDES),
      WEEK_TOTAL_TICKET_RIDES: sum(ds, (d) => d.TOTAL_TICKET_RIDES),
      TICKET_CENTS: sum(ds, (d) => d.TICKET_CENTS),
      PASS_CENTS: sum(ds, (d) => d.PASS_CENTS),
      TOTAL_CENTS: sum(ds, (d) => d.TOTAL_CENTS),
      AVG_DAILY_REVENUE: halfUp(sum(ds, (d) => d.TOTAL_CENTS), 100 * ds.length),
      WEEK_TOTAL_TICKET_ACTIVATIONS: sum(ds, (d) => d.TOTAL_TICKET_ACTIVATIONS),
      WEEK_TOTAL_PASS_ACTIVATIONS: sum(ds, (d) => d.TOTAL_PASS_ACTIVATIONS),
      AVG_WEEK_CAPACITY_TENTHS: halfUp(sum(ds, (d) => d.AVG_CAPACITY_TENTHS), ds.length),
      WEEK_PEAK_CAPACITY_TENTHS: max(ds, (d) => d.PEAK_CAPACITY_TENTHS),
      OPERATION_DAYS: new Set(ds.map((d) => d.RIDE_DATE)).size,
    });
  }

  // Views
  const revenuePerformance = new Map<string, ModelRevenuePerformance>();
  for (const [k, d] of daily) {
    const cap = capacity.get(d.RESORT)!;
    const targetCents = cap * 7000;
    revenuePerformance.set(k, {
      RIDE_DATE: d.RIDE_DATE,
      RESORT: d.RESORT,
      TOTAL_CENTS: d.TOTAL_CENTS,
      REVENUE_TARGET_USD: cap * 70,
      REVENUE_TARGET_TENTHS: halfUp(d.TOTAL_CENTS, 7 * cap),
      PERFORMANCE_STATUS: d.TOTAL_CENTS >= targetCents
        ? "ABOVE_TARGET"
        : d.TOTAL_CENTS * 10 >= targetCents * 9
        ? "NEAR_TARGET"
        : "BELOW_TARGET",
    });
  }
  const byDate = new Map<string, ModelDaily[]>();
  for (const d of daily.values()) {
    (byDate.get(d.RIDE_DATE) ?? byDate.set(d.RIDE_DATE, []).get(d.RIDE_DATE)!).push(d);
  }
  const network = new Map<string, ModelNetwork>();
  for (const [date, ds] of byDate) {
    network.set(date, {
      RIDE_DATE: date,
      TOTAL_NETWORK_VISITORS: sum(ds, (d) => d.TOTAL_VISITORS),
      TOTAL_NETWORK_CENTS: sum(ds, (d) => d.TOTAL_CENTS),
      AVG_NETWORK_CAPACITY_TENTHS: halfUp(sum(ds, (d) => d.AVG_CAPACITY_TENTHS), ds.length),
      TOTAL_NETWORK_RIDES: sum(ds, (d) => d.TOTAL_RIDES),
      ACTIVE_RESORTS: new Set(ds.map((d) => d.RESORT)).size,
    });
  }
  return { visits, liftHours, revenueHours, hourly, daily, weekly, revenuePerformance, network };
}

/**
 * The lift ranking for `resort`: rides in (its latest ride − 30 min, its latest ride], per lift of
 * every resort with capacity facts, ranked within the resort and overall.
 */
export function modelLiftPerformance(
  raw: RawTables,
  capacities: readonly Capacity[],
  resort: string,
): ModelLift[] {
  const known = new Set(capacities.map((c) => c.resort));
  const rides = raw.LIFT_RIDE.map((r) => ({
    rfid: text(r.RFID),
    resort: text(r.RESORT),
    lift: text(r.LIFT),
    t: time(r.RIDE_TIME),
  }));
  let end = -Infinity;
  for (const r of rides) if (r.resort === resort && r.t !== null && r.t > end) end = r.t;
  if (end === -Infinity) return [];
  const start = end - 30 * 60_000;
  const acc = new Map<
    string,
    {
      resort: string;
      lift: string;
      rides: number;
      riders: Set<string>;
      first: number;
      last: number;
    }
  >();
  for (const r of rides) {
    if (r.t === null || r.resort === null || r.lift === null || !known.has(r.resort)) continue;
    if (!(r.t > start && r.t <= end)) continue;
    const k = `${r.resort}|${r.lift}`;
    let a = acc.get(k);
    if (!a) {
      a = { resort: r.resort, lift: r.lift, rides: 0, riders: new Set(), first: r.t, last: r.t };
      acc.set(k, a);
    }
    a.rides++;
    if (r.rfid !== null) a.riders.add(r.rfid);
    a.first = Math.min(a.first, r.t);
    a.last = Math.max(a.last, r.t);
  }
  const all = [...acc.values()];
  const rank = (xs: typeof all, x: (typeof all)[number]) =>
    1 + xs.filter((y) => y.rides > x.rides).length;
  const mine = all.filter((a) => a.resort === resort);
  return mine.map((a) => {
    const minutes = Math.floor(a.last / 60_000) - Math.floor(a.first / 60_000);
    return {
      RESORT: a.resort,
      LIFT: a.lift,
      RIDES: a.rides,
      UNIQUE_VISITORS: a.riders.size,
      FIRST_ACTIVITY_TIME: a.first,
      LAST_ACTIVITY_TIME: a.last,
      USAGE_RANK_IN_RESORT: rank(mine, a),
      OVERALL_USAGE_RANK: rank(all, a),
      RIDES_PER_HOUR_TENTHS: minutes === 0 ? null : halfUp(a.rides * 600, minutes),
    };
  }).sort((x, y) => x.USAGE_RANK_IN_RESORT - y.USAGE_RANK_IN_RESORT || (x.LIFT < y.LIFT ? -1 : 1));
}
