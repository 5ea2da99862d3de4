/**
 * `GET /resorts/{name}`: one resort's operations center. This hour's visitors, capacity, rides
 * and revenue; the top 10 lifts of the last 30 minutes; the reporting day's hourly visitors and
 * capacity in the resort's local time; today's revenue against its target; the last four weeks.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import type { ResortCenter, ResortInfo } from "../../reports/reports.ts";
import type { StatusStore } from "../../status/store.ts";
import { CHART_SIZES, renderLineChart } from "../charts.ts";
import {
  Badge,
  Chart,
  DataTable,
  drawTwice,
  HeldUp,
  Kpi,
  Panel,
  ReadError,
  Waiting,
} from "../components.tsx";
import type { ClockView, LiftHours, ResortData } from "../dashboard.ts";
import {
  fmtDay,
  fmtDecimal,
  fmtInt,
  fmtLocalTime,
  fmtPct,
  fmtUsd,
  zoneAbbreviation,
} from "../format.ts";
import { Live } from "../layout.tsx";
import { FULL_WIDTH_CHART } from "./overview.tsx";
import { liftsNote, refreshNote } from "../waiting.ts";

/** A resort page's live stream URL; without `since` the stream starts with the current view. */
export function resortEventsUrl(resort: string, since?: number): string {
  const url = `/events/resorts/${encodeURIComponent(resort)}`;
  return since === undefined ? url : `${url}?since=${since}`;
}

/** The hourly CAPACITY_STATUS in the words the overview uses for a day (capacityLabel). */
const HOURLY_STATUS: Record<string, { kind: string; text: string }> = {
  HIGH: { kind: "full", text: "At capacity" },
  MODERATE: { kind: "busy", text: "Busy" },
  NORMAL: { kind: "normal", text: "Normal" },
};

const TARGET_STATUS: Record<string, { kind: string; text: string }> = {
  ABOVE_TARGET: { kind: "normal", text: "Above target" },
  NEAR_TARGET: { kind: "busy", text: "Near target" },
  BELOW_TARGET: { kind: "full", text: "Below target" },
};

/** The resort page's fixed header: name and facts (not live). */
export const ResortHeader: FC<{ info: ResortInfo }> = ({ info }) => (
  <>
    <h1>{info.resort}</h1>
    <p class="note">
      {info.timezone} · up to {fmtInt(info.maxCapacity)} visitors a day ·{" "}
      {fmtInt(info.hourlyCapacity)} an hour · {fmtInt(info.baseLiftCount)} lifts
    </p>
  </>
);

/** The resort page's live region. */
export const ResortLive: FC<{ data: ResortData; hours: LiftHours; status: StatusStore }> = (
  { data, hours, status },
) => {
  const { info } = data;
  const c = data.center.value ?? null;
  const tz = info.timezone;
  const waitingForRides = liftsNote([info], data.clock.worldTime, hours);
  return (
    <Live>
      <HeldUp reasons={status.notReadyReasons()} />
      <ReadError error={data.center.error} hasValue={c !== null} />
      <ThisHour
        center={c}
        info={info}
        waiting={`${waitingForRides} ${refreshNote(status)}`}
        clock={data.clock}
      />
      <div class="grid">
        <Panel title="Top 10 lifts, last 30 minutes">
          <TopLifts center={c} tz={tz} waiting={waitingForRides} />
        </Panel>
        <Panel title="Today's revenue against target">
          <RevenueTarget center={c} waiting={refreshNote(status)} />
        </Panel>
        <Panel title="Visitors and capacity by hour" wide>
          <Hourly center={c} tz={tz} waiting={`${waitingForRides} ${refreshNote(status)}`} />
        </Panel>
        <Panel title="Last four weeks" wide>
          <Weeks center={c} waiting={refreshNote(status)} />
        </Panel>
      </div>
    </Live>
  );
};

/**
 * Whether the latest reported hour is whole. The report has every ride of it once it reports a
 * later hour for any resort (the chain refreshes them together), or once the newest row of any
 * table is past the hour's end with no ride since (the lifts closed). A ride after the hour's end that the
 * report does not show yet means the report is behind: its figures for the hour may be short.
 */
export function hourProgress(
  hourStart: number,
  latestRide: Date | null,
  clock: { latestRowTime: Date | null; latestReportedHour: Date | null },
): { kind: "whole" } | { kind: "filling" | "behind"; through: Date } {
  const end = hourStart + 3_600_000;
  if ((clock.latestReportedHour?.getTime() ?? -Infinity) > hourStart) return { kind: "whole" };
  if (latestRide && latestRide.getTime() >= end) return { kind: "behind", through: latestRide };
  // The rows committed, not the generator's clock, which runs ahead of rows still queued.
  if ((clock.latestRowTime?.getTime() ?? -Infinity) >= end || !latestRide) return { kind: "whole" };
  return { kind: "filling", through: latestRide };
}

const ThisHour: FC<
  { center: ResortCenter | null; info: ResortInfo; waiting: string; clock: ClockView }
> = (
  { center, info, waiting, clock },
) => {
  const h = center?.thisHour;
  if (!h) {
    return (
      <Panel title="This hour" wide>
        <Waiting>{waiting}</Waiting>
      </Panel>
    );
  }
  const tz = info.timezone;
  const start = fmtLocalTime(h.hour, tz);
  const end = fmtLocalTime(h.hour.getTime() + 3_600_000, tz);
  const status = HOURLY_STATUS[h.capacityStatus] ?? { kind: "normal", text: h.capacityStatus };
  const progress = hourProgress(h.hour.getTime(), center!.latestRide ?? null, {
    latestRowTime: clock.read.value?.latestWorldTime ?? null,
    latestReportedHour: clock.latestReportedHour,
  });
  return (
    <section aria-label="This hour">
      <p class="note">
        Latest reported hour: {fmtDay(center!.localDate ?? h.date)}, {start}–{end}{" "}
        {zoneAbbreviation(h.hour, tz)}
        {progress.kind === "filling"
          ? `, in progress: rides up to ${fmtLocalTime(progress.through, tz)} so far`
          : progress.kind === "behind"
          ? `, not complete yet: the reports are catching up with rides up to ${
            fmtLocalTime(progress.through, tz)
          }`
          : ""} <Badge kind={status.kind} text={status.text} />
      </p>
      <div class="kpis">
        <Kpi label="Visitors this hour" value={fmtInt(h.visitors)} />
        <Kpi label="Of daily capacity" value={fmtPct(h.capacityPct)} />
        <Kpi label="Lift rides this hour" value={fmtInt(h.rides)} />
        <Kpi label="Revenue this hour" value={fmtUsd(h.revenue)} />
      </div>
    </section>
  );
};

const TopLifts: FC<{ center: ResortCenter | null; tz: string; waiting: string }> = (
  { center, tz, waiting },
) => {
  if (!center?.latestRide) return <Waiting>{waiting}</Waiting>;
  const lifts = center.topLifts;
  const end = center.latestRide;
  const window = `${fmtLocalTime(end.getTime() - 30 * 60_000, tz)}–${fmtLocalTime(end, tz)} ${
    zoneAbbreviation(end, tz)
  }`;
  if (lifts.length === 0) return <Waiting>No rides between {window}.</Waiting>;
  return (
    <DataTable
      caption={`30 minutes up to the latest ride: ${window}`}
      columns={[
        { label: "#", num: true },
        { label: "Lift" },
        { label: "Rides", num: true },
        { label: "Riders", num: true, optional: true },
        { label: "Rides/hour", num: true },
        { label: "First–last", optional: true },
      ]}
      rows={lifts.map((l) => [
        String(l.usageRankInResort),
        l.lift,
        fmtInt(l.rides),
        fmtInt(l.uniqueVisitors),
        fmtDecimal(l.ridesPerHour),
        `${fmtLocalTime(l.firstActivity, tz)}–${fmtLocalTime(l.lastActivity, tz)}`,
      ])}
    />
  );
};

const RevenueTarget: FC<{ center: ResortCenter | null; waiting: string }> = (
  { center, waiting },
) => {
  const r = center?.revenueTarget;
  if (!r) return <Waiting>No revenue reported for the day yet. {waiting}</Waiting>;
  const status = TARGET_STATUS[r.status] ?? { kind: "normal", text: r.status };
  return (
    <>
      <p>
        <b>{fmtUsd(r.revenue)}</b> of {fmtUsd(r.target)} ({fmtPct(r.targetPct)}){" "}
        <Badge kind={status.kind} text={status.text} />
      </p>
      <meter
        min={0}
        max={Math.max(r.target, r.revenue)}
        low={r.target * 0.9}
        high={r.target}
        optimum={r.target * 1.2}
        value={r.revenue}
        aria-label="Revenue against target"
      >
        {fmtPct(r.targetPct)}
      </meter>
      <p class="note">
        {fmtDay(r.date)}{" "}
        (UTC). Target: 70% of daily capacity × $100; recognised revenue amortises tickets over their
        days and passes over 20 activations.
      </p>
    </>
  );
};

const Hourly: FC<{ center: ResortCenter | null; tz: string; waiting: string }> = (
  { center, tz, waiting },
) => {
  const points = center?.hourly ?? [];
  if (points.length === 0) return <Waiting>{waiting}</Waiting>;
  const day = `${fmtDay(center!.localDate ?? points[0].localDate)} (${
    zoneAbbreviation(points[0].hour, tz)
  })`;
  const title = `Visitors and capacity by local hour, ${day}`;
  // A phone's drawing is 360 px wide: the full title would be cut off; its x axis shows hours.
  const narrowTitle = `Visitors and capacity, ${day}`;
  const input = {
    title,
    x: { kind: "hour" as const, hours: points.map((p) => p.localHour) },
    y: { name: "visitors", unit: "count" as const },
    y2: { name: "capacity", unit: "percent" as const },
    series: [
      { name: "Visitors", values: points.map((p) => p.visitors) },
      {
        name: "% of daily capacity",
        values: points.map((p) => p.capacityPct),
        axis: "right" as const,
      },
    ],
  };
  const drawn = drawTwice(
    (size) =>
      renderLineChart(size === CHART_SIZES.narrow ? { ...input, title: narrowTitle } : input, {
        size,
      }),
    FULL_WIDTH_CHART,
  );
  if (!drawn) return <Waiting>{waiting}</Waiting>;
  return (
    <Chart
      {...drawn}
      table={
        <DataTable
          columns={[
            { label: "Hour" },
            { label: "Visitors", num: true },
            { label: "Capacity", num: true },
            { label: "Rides", num: true },
            { label: "Revenue", num: true, optional: true },
          ]}
          rows={points.map((p) => [
            `${String(p.localHour).padStart(2, "0")}:00`,
            fmtInt(p.visitors),
            fmtPct(p.capacityPct),
            fmtInt(p.rides),
            fmtUsd(p.revenue),
          ])}
        />
      }
    />
  );
};

const Weeks: FC<{ center: ResortCenter | null; waiting: string }> = ({ center, waiting }) => {
  const weeks = center?.weeks ?? [];
  if (weeks.length === 0) return <Waiting>No week reported yet. {waiting}</Waiting>;
  return (
    <DataTable
      columns={[
        { label: "Week of" },
        { label: "Visitor-days", num: true },
        { label: "Rides", num: true, optional: true },
        { label: "Revenue", num: true },
        { label: "Avg/day", num: true, optional: true },
        { label: "Avg capacity", num: true },
        { label: "Peak", num: true, optional: true },
        { label: "Days", num: true, optional: true },
      ]}
      rows={weeks.map((w) => [
        fmtDay(w.weekStart),
        fmtInt(w.visitors),
        fmtInt(w.rides),
        fmtUsd(w.revenue),
        fmtUsd(w.avgDailyRevenue),
        fmtPct(w.avgCapacityPct),
        fmtPct(w.peakCapacityPct),
        fmtInt(w.operationDays),
      ])}
    />
  );
};
