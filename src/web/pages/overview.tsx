/**
 * `GET /`: the network overview for a period (today, the last 7 days, month to date, all relative
 * to the latest reported date): KPI tiles against the period before, the resort status table, a
 * resort comparison chart whose metric can be switched, and a daily trend per resort.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import type {
  NetworkOverview,
  Period,
  ResortInfo,
  ResortTotals,
  TrendPoint,
} from "../../reports/reports.ts";
import type { StatusStore } from "../../status/store.ts";
import { renderBarChart, renderLineChart, RESORT_METRICS, type ResortMetric } from "../charts.ts";
import {
  Badge,
  Chart,
  type Column,
  DataTable,
  drawTwice,
  HeldUp,
  Kpi,
  Panel,
  ReadError,
  Waiting,
} from "../components.tsx";
import type { LiftHours, OverviewData } from "../dashboard.ts";
import { fmtChange, fmtDay, fmtInt, fmtPct, fmtPoints, fmtUsd } from "../format.ts";
import { KEEP_PLACE, Live, resortUrl } from "../layout.tsx";
import { liftsNote, refreshNote } from "../waiting.ts";

/** The overview's choices, from its query string. */
export interface OverviewChoice {
  period: Period;
  metric: ResortMetric;
}

/** Drawing size of a chart in a full-width panel (about 1,000 px wide on a laptop). */
export const FULL_WIDTH_CHART = { width: 960, height: 340 };

const PERIOD_LABELS: Record<Period, string> = {
  today: "Today",
  last7: "Last 7 days",
  mtd: "Month to date",
};

/**
 * What a period's visitor figure counts: one day's distinct visitors, or over several days the
 * days' figures added up, where a visitor who skis three days counts three times.
 */
export function visitorsLabel(period: Period): string {
  return period === "today" ? "Visitors" : "Visitor-days";
}

/** The end of the hour starting at `t`, as `HH:MM` UTC. */
function fmtUtcHourEnd(t: Date): string {
  return new Date(t.getTime() + 3_600_000).toISOString().slice(11, 16);
}

/** The overview's URL for `choice`. */
export function overviewUrl(choice: OverviewChoice): string {
  return `/?period=${choice.period}&metric=${choice.metric}`;
}

/** The overview's live stream URL. */
export function overviewEventsUrl(choice: OverviewChoice, since: number): string {
  return `/events/overview?period=${choice.period}&metric=${choice.metric}&since=${since}`;
}

/** Whether the period before the shown one has anything to compare with. */
const hasPrevious = (o: NetworkOverview): boolean =>
  o.change.visitors !== null || o.change.revenue !== null || o.change.rides !== null;

/** A resort's (or a day's) value of the comparison metric `m`. */
export const metricValue = (
  m: ResortMetric,
  t: { visitors: number; revenue: number; capacityPct: number | null; rides: number },
) =>
  m === "visitors"
    ? t.visitors
    : m === "revenue"
    ? t.revenue
    : m === "capacity"
    ? t.capacityPct
    : t.rides;

/** A value of metric `m`, as the comparison and trend tables print it. */
export const fmtMetric = (m: ResortMetric, v: number | null | undefined) =>
  m === "revenue" ? fmtUsd(v) : m === "capacity" ? fmtPct(v) : fmtInt(v);

/**
 * The period selector (outside the live region: it changes the URL, not the data). Each link has
 * an id, so that htmx gives the focus back to the chosen link after the swap: a keyboard user
 * stays at the selector instead of starting again from the top of the page.
 */
export const PeriodChoice: FC<{ choice: OverviewChoice }> = ({ choice }) => (
  <div class="controls">
    <div class="choice" role="group" aria-label="Period" hx-boost:inherited={KEEP_PLACE}>
      <span>Period</span>
      {(Object.keys(PERIOD_LABELS) as Period[]).map((p) => (
        <a
          id={`period-${p}`}
          href={overviewUrl({ ...choice, period: p })}
          aria-current={p === choice.period ? "true" : undefined}
        >
          {PERIOD_LABELS[p]}
        </a>
      ))}
    </div>
  </div>
);

function rangeText(from: string, to: string): string {
  return from === to ? fmtDay(from) : `${fmtDay(from)} – ${fmtDay(to)}`;
}

const capacityKind = (label: string) =>
  label === "Normal" ? "normal" : label === "Busy" ? "busy" : "full";

/** The overview's live region. */
export const OverviewLive: FC<
  { data: OverviewData; choice: OverviewChoice; hours: LiftHours; status: StatusStore }
> = ({ data, choice, hours, status }) => {
  const resorts = data.resorts.value ?? [];
  if (!data.report) {
    // Ticket sales alone are no ride: before the lifts open, say when they do.
    const ridesSeen = data.clock.read.value?.latestRideTime != null;
    return (
      <Live>
        <ReadError error={data.clock.read.error} hasValue={false} />
        <Panel title="Network overview" wide>
          <Waiting>
            {ridesSeen
              ? `Rides are arriving; no hour has been reported yet. ${refreshNote(status)}`
              : liftsNote(resorts, data.clock.worldTime, hours)}
          </Waiting>
        </Panel>
      </Live>
    );
  }
  const { overview, totals, trend, trendRange } = data.report;
  const o = overview.value;
  return (
    <Live>
      <HeldUp reasons={status.notReadyReasons()} />
      <ReadError error={overview.error ?? totals.error ?? trend.error} hasValue={o !== undefined} />
      {o && (
        <section aria-label="Network totals">
          <p class="note">
            {PERIOD_LABELS[choice.period]}: {rangeText(o.ranges.current.from, o.ranges.current.to)},
            {" "}
            {hasPrevious(o) ? "compared with " : "nothing reported to compare with for "}
            {rangeText(o.ranges.previous.from, o.ranges.previous.to)}
            {o.previousThrough
              ? ` up to ${fmtUtcHourEnd(o.previousThrough)} UTC, the hour today has reached`
              : ""}
          </p>
          <div class="kpis">
            <Kpi
              label={visitorsLabel(choice.period)}
              value={fmtInt(o.current.visitors)}
              delta={fmtChange(o.change.visitors)}
              trend={o.change.visitors}
            />
            <Kpi
              label="Revenue"
              value={fmtUsd(o.current.revenue)}
              delta={fmtChange(o.change.revenue)}
              trend={o.change.revenue}
            />
            <Kpi
              label="Average capacity"
              value={fmtPct(o.current.avgCapacityPct)}
              delta={o.current.avgCapacityPct !== null && o.previous.avgCapacityPct !== null
                ? fmtPoints(o.current.avgCapacityPct - o.previous.avgCapacityPct)
                : null}
              trend={o.current.avgCapacityPct !== null && o.previous.avgCapacityPct !== null
                ? o.current.avgCapacityPct - o.previous.avgCapacityPct
                : null}
            />
            <Kpi
              label="Lift rides"
              value={fmtInt(o.current.rides)}
              delta={fmtChange(o.change.rides)}
              trend={o.change.rides}
            />
          </div>
        </section>
      )}
      <div class="grid">
        <Panel title="Resort status">
          <StatusTable
            resorts={resorts}
            totals={totals.value ?? []}
            status={status}
            period={choice.period}
          />
        </Panel>
        <Panel title="Resort comparison">
          <MetricChoice choice={choice} />
          <Comparison
            metric={choice.metric}
            resorts={resorts}
            totals={totals.value ?? []}
            period={choice.period}
          />
        </Panel>
        <Panel title="Daily trend by resort" wide>
          <Trend
            metric={choice.metric}
            resorts={resorts}
            points={trend.value ?? []}
            from={trendRange.from}
            to={trendRange.to}
          />
        </Panel>
      </div>
    </Live>
  );
};

const MetricChoice: FC<{ choice: OverviewChoice }> = ({ choice }) => (
  <div class="choice" role="group" aria-label="Compare by" hx-boost:inherited={KEEP_PLACE}>
    <span>Compare by</span>
    {(Object.keys(RESORT_METRICS) as ResortMetric[]).map((m) => (
      <a
        id={`metric-${m}`}
        href={overviewUrl({ ...choice, metric: m })}
        aria-current={m === choice.metric ? "true" : undefined}
      >
        {RESORT_METRICS[m].label}
      </a>
    ))}
  </div>
);

const StatusTable: FC<
  { resorts: ResortInfo[]; totals: ResortTotals[]; status: StatusStore; period: Period }
> = (
  { resorts, totals, status, period },
) => {
  if (totals.length === 0) {
    return (
      <Waiting>No resort has a reported day in this period yet. {refreshNote(status)}</Waiting>
    );
  }
  const byName = new Map(totals.map((t) => [t.resort, t]));
  const columns: Column[] = [
    { label: "Resort" },
    { label: visitorsLabel(period), num: true },
    { label: "Avg capacity", num: true },
    { label: "Revenue", num: true },
  ];
  const names = resorts.length ? resorts.map((r) => r.resort) : totals.map((t) => t.resort);
  return (
    <DataTable
      columns={columns}
      rows={names.map((name) => {
        const t = byName.get(name);
        return [
          <a href={resortUrl(name)}>{name}</a>,
          fmtInt(t?.visitors ?? null),
          t
            ? (
              <>
                {fmtPct(t.capacityPct)} <Badge kind={capacityKind(t.status)} text={t.status} />
              </>
            )
            : "–",
          fmtUsd(t?.revenue ?? null),
        ];
      })}
    />
  );
};

const Comparison: FC<
  { metric: ResortMetric; resorts: ResortInfo[]; totals: ResortTotals[]; period: Period }
> = (
  { metric, resorts, totals, period },
) => {
  const byName = new Map(totals.map((t) => [t.resort, t]));
  const names = resorts.length ? resorts.map((r) => r.resort) : totals.map((t) => t.resort);
  const bars = names.map((name) => {
    const t = byName.get(name);
    return { label: name, value: t ? metricValue(metric, t) : null };
  });
  const spec = RESORT_METRICS[metric];
  const title = `${metric === "visitors" ? visitorsLabel(period) : spec.label} by resort`;
  const drawn = drawTwice((size) => renderBarChart({ title, axis: spec.axis, bars }, { size }));
  if (!drawn) return <Waiting>No resort has a reported day in this period yet.</Waiting>;
  return (
    <Chart
      {...drawn}
      table={
        <DataTable
          columns={[{ label: "Resort" }, { label: spec.label, num: true }]}
          rows={bars.map((b) => [b.label, fmtMetric(metric, b.value)])}
        />
      }
    />
  );
};

function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (
    let t = Date.parse(`${from}T00:00:00Z`);
    t <= Date.parse(`${to}T00:00:00Z`);
    t += 86_400_000
  ) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

const Trend: FC<
  { metric: ResortMetric; resorts: ResortInfo[]; points: TrendPoint[]; from: string; to: string }
> = ({ metric, resorts, points, from, to }) => {
  const dates = datesBetween(from, to);
  const withData = dates.filter((d) => points.some((p) => p.date === d));
  const shown = withData.length ? dates.slice(dates.indexOf(withData[0])) : [];
  const names = resorts.length
    ? resorts.map((r) => r.resort)
    : [...new Set(points.map((p) => p.resort))];
  const key = (date: string, resort: string) => `${date}|${resort}`;
  const byKey = new Map(points.map((p) => [key(p.date, p.resort), p]));
  const spec = RESORT_METRICS[metric];
  const title = `Daily ${spec.label.toLowerCase()} by resort`;
  const input = {
    title,
    x: { kind: "date" as const, dates: shown },
    y: spec.axis,
    series: names.map((name) => ({
      name,
      values: shown.map((d) => {
        const p = byKey.get(key(d, name));
        return p ? metricValue(metric, p) : null;
      }),
    })),
  };
  const drawn = drawTwice((size) => renderLineChart(input, { size }), FULL_WIDTH_CHART);
  if (!drawn) return <Waiting>No day in {rangeText(from, to)} has been reported yet.</Waiting>;
  return (
    <Chart
      {...drawn}
      table={
        <DataTable
          columns={[{ label: "Date" }, ...names.map((n) => ({ label: n, num: true }))]}
          rows={shown.map((d) => [
            fmtDay(d),
            ...names.map((n) => {
              const p = byKey.get(key(d, n));
              return fmtMetric(metric, p ? metricValue(metric, p) : null);
            }),
          ])}
        />
      }
    />
  );
};
