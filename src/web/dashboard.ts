/**
 * What the pages read, and how: every report goes through the shared cache (one query per key
 * per report-chain version, however many viewers), and the simulation clock's world time comes
 * from the live status when the generator runs in this process.
 *
 * @module
 */
import type { CachedRead, ReportCache } from "../reports/cache.ts";
import {
  type DateRange,
  type NetworkOverview,
  type Period,
  periodRanges,
  type Reports,
  type ResortCenter,
  type ResortInfo,
  type ResortTotals,
  type SimulationClock,
  type TrendPoint,
} from "../reports/reports.ts";
import type { StatusStore } from "../status/store.ts";

/** Where the pages' report data comes from (the app's report feed). */
export interface DashboardSource {
  /** Versioned, shared report reads. */
  readonly cache: ReportCache;
  /** The report queries (uncached). */
  reports(): Promise<Reports>;
  /** Calls `listener` whenever a dynamic table refreshed (a new version). */
  onChange(listener: (version: string) => void): () => void;
}

/** The resorts' lift hours (local clock hours), for "lifts open at 08:00" notes. */
export interface LiftHours {
  open: number;
  close: number;
}

/** The simulation clock as pages show it. */
export interface ClockView {
  /** Latest world time seen: the generator's, else the newest raw row's. */
  worldTime: Date | null;
  latestReportedHour: Date | null;
  /** What "today" means on the dashboard (UTC date of the latest reported hour). */
  reportingDate: string | null;
  read: CachedRead<SimulationClock>;
}

async function cached<T>(
  d: DashboardSource,
  key: string,
  run: (r: Reports) => Promise<T>,
): Promise<CachedRead<T>> {
  return await d.cache.read(key, async () => run(await d.reports()));
}

/** The simulation clock. */
export async function loadClock(d: DashboardSource, status: StatusStore): Promise<ClockView> {
  const read = await cached(d, "clock", (r) => r.clock());
  const generated = status.generator ? new Date(status.generator.worldTime) : null;
  const seen = read.value?.latestWorldTime ?? null;
  const worldTime = generated && (!seen || generated > seen) ? generated : seen;
  return {
    worldTime,
    latestReportedHour: read.value?.latestReportedHour ?? null,
    reportingDate: read.value?.reportingDate ?? null,
    read,
  };
}

/** The resorts RESORT_CAPACITY knows, by name. */
export function loadResorts(d: DashboardSource): Promise<CachedRead<ResortInfo[]>> {
  return cached(d, "resorts", (r) => r.resorts());
}

/** Everything of the network overview for one period. */
export interface OverviewData {
  clock: ClockView;
  resorts: CachedRead<ResortInfo[]>;
  /** Present once a date has been reported. */
  report?: {
    overview: CachedRead<NetworkOverview>;
    totals: CachedRead<ResortTotals[]>;
    trend: CachedRead<TrendPoint[]>;
    /** The trend's dates: the period's, and at least the last seven days. */
    trendRange: DateRange;
  };
}

/** The trend chart's dates: a single day is no trend, so at least the week up to it. */
export function trendRange(period: Period, reportingDate: string): DateRange {
  const current = periodRanges(period, reportingDate).current;
  const week = periodRanges("last7", reportingDate).current;
  return { from: current.from < week.from ? current.from : week.from, to: current.to };
}

/** Loads the overview of `period`. */
export async function loadOverview(
  d: DashboardSource,
  status: StatusStore,
  period: Period,
): Promise<OverviewData> {
  const [clock, resorts] = await Promise.all([loadClock(d, status), loadResorts(d)]);
  const date = clock.reportingDate;
  if (!date) return { clock, resorts };
  const ranges = periodRanges(period, date);
  const trend = trendRange(period, date);
  const [overview, totals, trendRead] = await Promise.all([
    cached(
      d,
      `overview:${period}:${clock.latestReportedHour?.getTime()}`,
      (r) => r.networkOverview(period, date, clock.latestReportedHour),
    ),
    cached(
      d,
      `totals:${ranges.current.from}:${ranges.current.to}`,
      (r) => r.resortTotals(ranges.current),
    ),
    cached(d, `trend:${trend.from}:${trend.to}`, (r) => r.dailyTrend(trend)),
  ]);
  return { clock, resorts, report: { overview, totals, trend: trendRead, trendRange: trend } };
}

/** Everything of one resort's operations center. */
export interface ResortData {
  clock: ClockView;
  resorts: CachedRead<ResortInfo[]>;
  info: ResortInfo;
  center: CachedRead<ResortCenter | null>;
}

/** Loads a resort's page; null when `name` is not a resort RESORT_CAPACITY knows. */
export async function loadResort(
  d: DashboardSource,
  status: StatusStore,
  info: ResortInfo,
): Promise<ResortData> {
  const [clock, resorts, center] = await Promise.all([
    loadClock(d, status),
    loadResorts(d),
    cached(d, `resort:${info.resort}`, (r) => r.resortCenter(info.resort)),
  ]);
  return { clock, resorts, info, center };
}
