/**
 * What the dashboard shows (docs/dashboard.md), as typed results:
 * the simulation clock, the network overview for a period against the period before, and a
 * resort's operations center. Periods are relative to the latest reported date, never the wall
 * clock, because the world clock runs fast.
 *
 * @module
 */
import {
  CLOCK,
  DAILY_TREND,
  LATEST_RIDES,
  LIFT_PERFORMANCE,
  NETWORK_TOTALS,
  NETWORK_TOTALS_THROUGH,
  normalizeRow,
  type ReportQuery,
  RESORT_CURRENT_HOUR,
  RESORT_HOURS,
  RESORT_REVENUE_TARGET,
  RESORT_TOTALS,
  RESORT_WEEKS,
  RESORTS,
  timestampBind,
} from "./queries.ts";
import type { Bind, ReportSource } from "./source.ts";

/** Network overview periods. */
export const PERIODS = ["today", "last7", "mtd"] as const;
/** `today`, `last7` (the 7 days ending on the reporting date) or `mtd` (month to date). */
export type Period = (typeof PERIODS)[number];

/** An inclusive range of `YYYY-MM-DD` dates. */
export interface DateRange {
  from: string;
  to: string;
}

/** A period and the one it is compared with. */
export interface PeriodRanges {
  period: Period;
  current: DateRange;
  previous: DateRange;
}

/** The simulation clock. */
export interface SimulationClock {
  /** Latest world time seen in any raw table (rides, ticket and pass sales). */
  latestWorldTime: Date | null;
  /** Latest ride of any resort, or null before the first. */
  latestRideTime: Date | null;
  /** Latest hour in HOURLY_RESORT_SUMMARY. */
  latestReportedHour: Date | null;
  /** UTC date of the latest reported hour: what "today" means on the dashboard. */
  reportingDate: string | null;
}

/** A resort's facts. */
export interface ResortInfo {
  resort: string;
  maxCapacity: number;
  hourlyCapacity: number;
  baseLiftCount: number;
  timezone: string;
}

/** Network totals of a date range. */
export interface NetworkTotals {
  visitors: number;
  revenue: number;
  /** Mean of the days' network capacity %, or null without data. */
  avgCapacityPct: number | null;
  rides: number;
  /** Days with data. */
  days: number;
}

/** Network KPIs for a period, with the change against the previous period in percent. */
export interface NetworkOverview {
  ranges: PeriodRanges;
  /**
   * Today's comparison is with yesterday up to the same hour (the start of its last hour counted),
   * so that a day in progress is not set against a whole one; null for other periods, and when
   * yesterday has no hour after it.
   */
  previousThrough: Date | null;
  current: NetworkTotals;
  previous: NetworkTotals;
  /** Percent change; null when the previous period has none. */
  change: { visitors: number | null; revenue: number | null; rides: number | null };
}

/** Busy-ness label of the status table (the lab's thresholds). */
export type CapacityLabel = "Normal" | "Busy" | "At capacity";

/** One resort over a period: the status table and the comparison chart. */
export interface ResortTotals {
  resort: string;
  visitors: number;
  revenue: number;
  capacityPct: number | null;
  rides: number;
  status: CapacityLabel;
}

/** One point of the daily trend chart. */
export interface TrendPoint {
  date: string;
  resort: string;
  visitors: number;
  revenue: number;
  capacityPct: number | null;
  rides: number;
}

/** A resort's current (latest reported) hour. */
export interface ResortHour {
  date: string;
  hour: Date;
  visitors: number;
  capacityPct: number;
  capacityStatus: string;
  rides: number;
  revenue: number;
}

/** One lift of the 30-minute ranking. */
export interface LiftPerformance {
  lift: string;
  rides: number;
  uniqueVisitors: number;
  firstActivity: Date;
  lastActivity: Date;
  usageRankInResort: number;
  overallUsageRank: number;
  /** Rides per hour over the active minutes, one decimal; null within a single minute. */
  ridesPerHour: number | null;
}

/** One hour of a resort's reporting day, with its local clock hour. */
export interface HourlyPoint {
  hour: Date;
  localDate: string;
  localHour: number;
  visitors: number;
  capacityPct: number;
  rides: number;
  revenue: number;
}

/** A resort's day against its revenue target. */
export interface RevenueTarget {
  date: string;
  revenue: number;
  target: number;
  targetPct: number;
  status: string;
}

/** One week of WEEKLY_RESORT_SUMMARY. */
export interface WeekSummary {
  weekStart: string;
  maxDailyVisitors: number;
  avgDailyVisitors: number;
  visitors: number;
  rides: number;
  revenue: number;
  avgDailyRevenue: number;
  avgCapacityPct: number;
  peakCapacityPct: number;
  operationDays: number;
}

/** Everything of the resort operations center. */
export interface ResortCenter {
  resort: ResortInfo;
  /** This resort's latest reported hour and latest ride. */
  latestReportedHour: Date | null;
  latestRide: Date | null;
  thisHour: ResortHour | null;
  topLifts: LiftPerformance[];
  /** The reporting day in the resort's local time. */
  localDate: string | null;
  hourly: HourlyPoint[];
  revenueTarget: RevenueTarget | null;
  weeks: WeekSummary[];
}

const DAY_MS = 86_400_000;
const dateOf = (t: number) => new Date(t).toISOString().slice(0, 10);
const addDays = (date: string, n: number) => dateOf(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS);

/** The date ranges of a period ending on `reportingDate`, and of the period before it. */
export function periodRanges(period: Period, reportingDate: string): PeriodRanges {
  const d = reportingDate;
  switch (period) {
    case "today":
      return {
        period,
        current: { from: d, to: d },
        previous: { from: addDays(d, -1), to: addDays(d, -1) },
      };
    case "last7":
      return {
        period,
        current: { from: addDays(d, -6), to: d },
        previous: { from: addDays(d, -13), to: addDays(d, -7) },
      };
    case "mtd": {
      // Compared with the same days of the previous month (as far as that month has them).
      const [y, m, day] = d.split("-").map(Number);
      const monthStart = `${d.slice(0, 8)}01`;
      const prevStart = dateOf(Date.UTC(y, m - 2, 1));
      const prevEnd = dateOf(Math.min(Date.UTC(y, m - 2, day), Date.UTC(y, m - 1, 0)));
      return {
        period,
        current: { from: monthStart, to: d },
        previous: { from: prevStart, to: prevEnd },
      };
    }
  }
}

/**
 * Status label for a capacity percentage: over 70 Busy, over 90 At capacity, the cut-offs of the
 * hourly CAPACITY_STATUS the dynamic tables compute (sql/dynamic_tables.sql), so that a resort's
 * day and its hours are labelled alike.
 */
export function capacityLabel(pct: number | null): CapacityLabel {
  if (pct === null || pct <= 70) return "Normal";
  return pct <= 90 ? "Busy" : "At capacity";
}

const change = (cur: number, prev: number) =>
  prev > 0 ? Math.round(((cur - prev) / prev) * 1000) / 10 : null;

/** `p / q` rounded half up. */
const halfUp = (p: number, q: number) => Math.floor((2 * p + q) / (2 * q));

/** RIDES_PER_HOUR as sql/lift_performance.sql computes it (minutes counted as DATEDIFF does). */
export function ridesPerHour(rides: number, first: Date, last: Date): number | null {
  const minutes = Math.floor(last.getTime() / 60_000) - Math.floor(first.getTime() / 60_000);
  return minutes <= 0 ? null : halfUp(rides * 600, minutes) / 10;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Local calendar parts of an instant in an IANA time zone. */
export function zonedParts(
  t: number,
  timeZone: string,
): { date: string; hour: number; offsetMs: number } {
  let f = zoneFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    zoneFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    hour: +p.hour,
    offsetMs: local - Math.floor(t / 1000) * 1000,
  };
}

/** The UTC instant at which local `date` begins in `timeZone`. */
export function localMidnight(date: string, timeZone: string): number {
  const naive = Date.parse(`${date}T00:00:00Z`);
  let t = naive - zonedParts(naive, timeZone).offsetMs;
  // A second pass settles days on which the offset changes.
  t = naive - zonedParts(t, timeZone).offsetMs;
  return t;
}

/** The dashboard's queries, over one source. */
export class Reports {
  readonly #source: ReportSource;

  constructor(source: ReportSource) {
    this.#source = source;
  }

  async #rows(q: ReportQuery, binds: readonly Bind[] = []): Promise<Record<string, unknown>[]> {
    if (binds.length !== q.binds.length) {
      throw new Error(`${q.name} takes ${q.binds.length} binds, got ${binds.length}`);
    }
    const rows = await this.#source.query(q.sql, binds);
    return rows.map((r) => normalizeRow(q, r));
  }

  /** The resorts and their facts, by name. */
  async resorts(): Promise<ResortInfo[]> {
    return (await this.#rows(RESORTS)).map((r) => ({
      resort: r.RESORT as string,
      maxCapacity: r.MAX_CAPACITY as number,
      hourlyCapacity: r.HOURLY_CAPACITY as number,
      baseLiftCount: r.BASE_LIFT_COUNT as number,
      timezone: r.IANA_TIMEZONE as string,
    }));
  }

  /** Each resort's latest ride. */
  async latestRides(): Promise<Map<string, Date | null>> {
    const rows = await this.#rows(LATEST_RIDES);
    return new Map(rows.map((r) => [r.RESORT as string, r.LATEST_RIDE_TIME as Date | null]));
  }

  /** The simulation clock: latest world time seen and latest reported hour. */
  async clock(): Promise<SimulationClock> {
    const [row] = await this.#rows(CLOCK);
    const rides = await this.latestRides();
    const latest = (ts: unknown[]) => {
      const ms = ts.filter((t): t is Date => t instanceof Date).map((t) => t.getTime());
      return ms.length ? new Date(Math.max(...ms)) : null;
    };
    const times = [row.LATEST_TICKET_TIME, row.LATEST_PASS_TIME, ...rides.values()]
      .filter((t): t is Date => t instanceof Date);
    const latestWorldTime = times.length
      ? new Date(Math.max(...times.map((t) => t.getTime())))
      : null;
    const latestReportedHour = (row.LATEST_REPORTED_HOUR as Date | null) ?? null;
    return {
      latestWorldTime,
      latestRideTime: latest([...rides.values()]),
      latestReportedHour,
      reportingDate: latestReportedHour ? dateOf(latestReportedHour.getTime()) : null,
    };
  }

  async #networkTotals(range: DateRange, through?: Date): Promise<NetworkTotals> {
    const [r] = through
      ? await this.#rows(NETWORK_TOTALS_THROUGH, [range.from, timestampBind(through)])
      : await this.#rows(NETWORK_TOTALS, [range.from, range.to]);
    return {
      visitors: (r?.TOTAL_VISITORS as number | null) ?? 0,
      revenue: (r?.TOTAL_REVENUE as number | null) ?? 0,
      avgCapacityPct: (r?.AVG_CAPACITY_PCT as number | null) ?? null,
      rides: (r?.TOTAL_RIDES as number | null) ?? 0,
      days: (r?.DAYS as number | null) ?? 0,
    };
  }

  /** Network KPIs of a period ending on `reportingDate`, against the period before. */
  async networkOverview(
    period: Period,
    reportingDate: string,
    latestReportedHour: Date | null = null,
  ): Promise<NetworkOverview> {
    const ranges = periodRanges(period, reportingDate);
    const cutoff = period === "today" && latestReportedHour
      ? new Date(latestReportedHour.getTime() - 24 * 3_600_000)
      : undefined;
    const [current, whole, upTo] = await Promise.all([
      this.#networkTotals(ranges.current),
      this.#networkTotals(ranges.previous),
      cutoff ? this.#networkTotals(ranges.previous, cutoff) : Promise.resolve(undefined),
    ]);
    // A cut that leaves out nothing (today is over, or yesterday ended earlier) is no cut.
    const cut = upTo && JSON.stringify(upTo) !== JSON.stringify(whole) ? upTo : undefined;
    const previous = cut ?? whole;
    return {
      ranges,
      previousThrough: cut ? cutoff! : null,
      current,
      previous,
      change: {
        visitors: change(current.visitors, previous.visitors),
        revenue: change(current.revenue, previous.revenue),
        rides: change(current.rides, previous.rides),
      },
    };
  }

  /** Per resort over a date range: the status table and the comparison chart, by resort. */
  async resortTotals(range: DateRange): Promise<ResortTotals[]> {
    return (await this.#rows(RESORT_TOTALS, [range.from, range.to])).map((r) => ({
      resort: r.RESORT as string,
      visitors: (r.VISITORS as number | null) ?? 0,
      revenue: (r.REVENUE as number | null) ?? 0,
      capacityPct: r.CAPACITY_PCT as number | null,
      rides: (r.RIDES as number | null) ?? 0,
      status: capacityLabel(r.CAPACITY_PCT as number | null),
    }));
  }

  /** Per day and resort over a date range: the trend chart. */
  async dailyTrend(range: DateRange): Promise<TrendPoint[]> {
    return (await this.#rows(DAILY_TREND, [range.from, range.to])).map((r) => ({
      date: r.RIDE_DATE as string,
      resort: r.RESORT as string,
      visitors: r.TOTAL_VISITORS as number,
      revenue: r.TOTAL_REVENUE as number,
      capacityPct: r.AVG_CAPACITY_PCT as number | null,
      rides: r.TOTAL_RIDES as number,
    }));
  }

  /** A resort's latest reported hour, or null before its first. */
  async resortCurrentHour(resort: string): Promise<ResortHour | null> {
    const [r] = await this.#rows(RESORT_CURRENT_HOUR, [resort]);
    if (!r) return null;
    return {
      date: r.RIDE_DATE as string,
      hour: r.RIDE_HOUR_TIMESTAMP as Date,
      visitors: r.VISITOR_COUNT as number,
      capacityPct: r.CAPACITY_PCT as number,
      capacityStatus: r.CAPACITY_STATUS as string,
      rides: r.TOTAL_RIDES as number,
      revenue: r.TOTAL_RECOGNIZED_REVENUE as number,
    };
  }

  /** The top 10 lifts of the 30 minutes up to `latestRide`, the resort's latest ride. */
  async topLifts(resort: string, latestRide: Date): Promise<LiftPerformance[]> {
    const end = latestRide.getTime();
    const rows = await this.#rows(LIFT_PERFORMANCE, [
      timestampBind(end - 30 * 60_000),
      timestampBind(end),
      resort,
    ]);
    return rows.map((r) => ({
      lift: r.LIFT as string,
      rides: r.RIDES as number,
      uniqueVisitors: r.UNIQUE_VISITORS as number,
      firstActivity: r.FIRST_ACTIVITY_TIME as Date,
      lastActivity: r.LAST_ACTIVITY_TIME as Date,
      usageRankInResort: r.USAGE_RANK_IN_RESORT as number,
      overallUsageRank: r.OVERALL_USAGE_RANK as number,
      ridesPerHour: ridesPerHour(
        r.RIDES as number,
        r.FIRST_ACTIVITY_TIME as Date,
        r.LAST_ACTIVITY_TIME as Date,
      ),
    }));
  }

  /** A resort's hours of local day `localDate` (in `timezone`), with their local hours. */
  async hourlyPattern(resort: string, timezone: string, localDate: string): Promise<HourlyPoint[]> {
    const from = localMidnight(localDate, timezone);
    const to = localMidnight(addDays(localDate, 1), timezone);
    const rows = await this.#rows(RESORT_HOURS, [resort, timestampBind(from), timestampBind(to)]);
    return rows.map((r) => {
      const hour = r.RIDE_HOUR_TIMESTAMP as Date;
      const local = zonedParts(hour.getTime(), timezone);
      return {
        hour,
        localDate: local.date,
        localHour: local.hour,
        visitors: r.VISITOR_COUNT as number,
        capacityPct: r.CAPACITY_PCT as number,
        rides: r.TOTAL_RIDES as number,
        revenue: r.TOTAL_RECOGNIZED_REVENUE as number,
      };
    });
  }

  /** A resort's day (UTC `date`) against its revenue target. */
  async revenueTarget(resort: string, date: string): Promise<RevenueTarget | null> {
    const [r] = await this.#rows(RESORT_REVENUE_TARGET, [resort, date]);
    if (!r) return null;
    return {
      date: r.RIDE_DATE as string,
      revenue: r.TOTAL_REVENUE as number,
      target: r.REVENUE_TARGET_USD as number,
      targetPct: r.REVENUE_TARGET_PCT as number,
      status: r.PERFORMANCE_STATUS as string,
    };
  }

  /** A resort's last four weeks, newest first. */
  async lastFourWeeks(resort: string): Promise<WeekSummary[]> {
    return (await this.#rows(RESORT_WEEKS, [resort])).map((r) => ({
      weekStart: r.WEEK_START_DATE as string,
      maxDailyVisitors: r.MAX_DAILY_UNIQUE_VISITORS as number,
      avgDailyVisitors: r.AVG_DAILY_UNIQUE_VISITORS as number,
      visitors: r.WEEK_TOTAL_VISITORS as number,
      rides: r.WEEK_TOTAL_RIDES as number,
      revenue: r.WEEK_TOTAL_REVENUE as number,
      avgDailyRevenue: r.AVG_DAILY_REVENUE as number,
      avgCapacityPct: r.AVG_WEEK_CAPACITY_PCT as number,
      peakCapacityPct: r.WEEK_PEAK_CAPACITY_PCT as number,
      operationDays: r.OPERATION_DAYS as number,
    }));
  }

  /** The whole resort operations center; null for a resort RESORT_CAPACITY does not know. */
  async resortCenter(resort: string): Promise<ResortCenter | null> {
    const info = (await this.resorts()).find((r) => r.resort === resort);
    if (!info) return null;
    const [thisHour, rides, weeks] = await Promise.all([
      this.resortCurrentHour(resort),
      this.latestRides(),
      this.lastFourWeeks(resort),
    ]);
    const latestRide = rides.get(resort) ?? null;
    const localDate = thisHour ? zonedParts(thisHour.hour.getTime(), info.timezone).date : null;
    const [topLifts, hourly, revenueTarget] = await Promise.all([
      latestRide ? this.topLifts(resort, latestRide) : Promise.resolve([]),
      localDate ? this.hourlyPattern(resort, info.timezone, localDate) : Promise.resolve([]),
      thisHour ? this.revenueTarget(resort, thisHour.date) : Promise.resolve(null),
    ]);
    return {
      resort: info,
      latestReportedHour: thisHour?.hour ?? null,
      latestRide,
      thisHour,
      topLifts,
      localDate,
      hourly,
      revenueTarget,
      weeks,
    };
  }
}
