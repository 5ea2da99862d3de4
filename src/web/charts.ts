/**
 * The dashboard's charts, drawn on the server as SVG by Apache ECharts' SSR renderer:
 * a bar chart comparing resorts on one metric, a line chart of categories (dates, local hours)
 * with an optional second y axis, and a small sparkline.
 *
 * Every function returns SVG markup ready to inline (hono: `raw(svg)`), or `null` when there is
 * nothing to plot (no categories, no series, or every value null), so the page can say what it
 * is waiting for instead of drawing an empty frame. The markup:
 * - is safe under `default-src 'self'; style-src 'self'; script-src 'self'`: no `style`
 *   attribute or element, no script, no event handler, no external reference;
 * - escapes every text (titles, names, labels), so data cannot inject markup;
 * - has `role="img"`, an `aria-label` and a `<title>` with the chart's title;
 * - scales to its container's width (`width="100%"`, viewBox kept); sparklines keep a fixed size;
 * - is the same for the same input (ids come from a hash of the input, not from ECharts).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { EChartsOption, LineSeriesOption } from "echarts";
import {
  formatHour,
  formatShortDate,
  formatValue,
  unitSymbol,
  type ValueUnit,
} from "./charts/format.ts";
import { renderOptionToSvg } from "./charts/svg.ts";

export { formatHour, formatShortDate, formatValue, type ValueUnit };

/** A drawing size in px. The SVG's viewBox; fluid charts scale from it. */
export interface ChartSize {
  width: number;
  height: number;
}

/**
 * Sizes the dashboard uses. Text is drawn at 12 px (titles 14 px) in the viewBox, so it shows
 * at that size when the container is as wide as the chart. `wide` suits containers of about
 * 560 px and more (at 1280×800); `narrow` suits a phone (a 390 px viewport leaves about 360 px),
 * with fewer ticks. A page can render both and show one by a media query in its stylesheet.
 */
export const CHART_SIZES = {
  wide: { width: 640, height: 320 },
  narrow: { width: 360, height: 300 },
  sparkline: { width: 240, height: 48 },
} as const satisfies Record<string, ChartSize>;

/** Per-call options. */
export interface RenderOptions {
  /** Drawing size; defaults to {@link CHART_SIZES}`.wide` (`.sparkline` for sparklines). */
  size?: ChartSize;
  /**
   * Prefix for the ids inside the SVG (clip paths), letters, digits and dashes. Defaults to a
   * hash of the input, so two different charts on one page never share an id.
   */
  id?: string;
}

/** A value axis: its name and what its numbers measure. */
export interface ValueAxisSpec {
  /** What is counted, lower case, e.g. "visitors", "revenue", "capacity". */
  name: string;
  /** Decides tick labels ("12.3k", "$1.2M", "85%") and the unit shown after the name. */
  unit: ValueUnit;
}

/** The four metrics the resort comparison can switch between (the `metric` query parameter). */
export type ResortMetric = "visitors" | "revenue" | "capacity" | "rides";

/** Label and axis for each {@link ResortMetric}, for titles and {@link renderBarChart}. */
export const RESORT_METRICS: Record<ResortMetric, { label: string; axis: ValueAxisSpec }> = {
  visitors: { label: "Visitors", axis: { name: "visitors", unit: "count" } },
  revenue: { label: "Revenue", axis: { name: "revenue", unit: "usd" } },
  capacity: { label: "Average capacity", axis: { name: "capacity", unit: "percent" } },
  rides: { label: "Lift rides", axis: { name: "rides", unit: "count" } },
};

/** One bar: a category (e.g. a resort name) and its value; null draws no bar. */
export interface Bar {
  label: string;
  value: number | null;
}

/** A horizontal bar chart, bars top to bottom in the given order. */
export interface BarChartInput {
  title: string;
  axis: ValueAxisSpec;
  bars: readonly Bar[];
}

/**
 * The x axis of a line chart.
 * - `date`: ISO dates "2025-01-05", shown "Jan 5"; axis named "date" unless `name` is given.
 * - `hour`: local hours 0–23, shown "08:00"; axis named "local hour" unless `name` is given.
 * - `text`: labels shown as given.
 */
export type CategoryAxisSpec =
  | { kind: "date"; dates: readonly string[]; name?: string }
  | { kind: "hour"; hours: readonly number[]; name?: string }
  | { kind: "text"; labels: readonly string[]; name: string };

/** One line: a value per category (same length as the categories); null leaves a gap. */
export interface LineSeries {
  name: string;
  values: readonly (number | null)[];
  /** Which y axis it is read against; "right" needs `y2` and is drawn dashed. Default "left". */
  axis?: "left" | "right";
}

/** A line chart over categories, one line per series, with an optional right y axis. */
export interface LineChartInput {
  title: string;
  x: CategoryAxisSpec;
  y: ValueAxisSpec;
  y2?: ValueAxisSpec;
  series: readonly LineSeries[];
}

/** A timed sample, as the status store's rings hold them. */
export interface TimedValue {
  /** ms since epoch */
  at: number;
  value: number | null;
}

/** A sparkline: one series over time, no axes; null values leave gaps. */
export interface SparklineInput {
  /** The accessible name, e.g. "Ingest lag p95 of LIFT_RIDE, last 15 minutes". */
  title: string;
  unit: ValueUnit;
  points: readonly TimedValue[];
  /** The time span drawn (ms since epoch); defaults to the points' span. */
  window?: { from: number; to: number };
}

/**
 * ECharts lays text out with Arial's metrics (it has no canvas to measure with on the server),
 * so the SVG asks for Arial or a metric-compatible face first.
 */
const FONT_FAMILY = "Arial, Helvetica, Liberation Sans, Arimo, sans-serif";
const FONT_SIZE = 12;
const TITLE_FONT_SIZE = 14;
const PAD = 8;
/** Gap between an axis and its tick labels. */
const LABEL_MARGIN = 8;
const LEGEND_ITEM = { width: 16, height: 8, gap: 12, textGap: 5, rowHeight: 24 };
/** Width of a character at 12 px, generous so estimates leave room rather than clip. */
const CHAR_WIDTH = 7;
/** Category count up to which every value gets a dot. */
const SYMBOLS_UP_TO = 16;
const SPARK_COLOR = "#5070dd";
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;

/**
 * A horizontal bar chart comparing categories (the five resorts) on one metric, each bar
 * labelled with its value.
 * @returns SVG markup, or null when no bar has a value.
 * @throws TypeError on an empty title or a bad size or id.
 */
export function renderBarChart(input: BarChartInput, options: RenderOptions = {}): string | null {
  const size = checkedSize(options.size ?? CHART_SIZES.wide);
  checkTitle(input.title);
  const bars = input.bars.map((b) => ({ label: String(b.label), value: finiteOrNull(b.value) }));
  if (!bars.some((b) => b.value !== null)) return null;

  const { unit } = input.axis;
  const valueLabels = bars.map((b) => b.value === null ? "" : formatValue(unit, b.value));
  const valueRoom = Math.max(...valueLabels.map(textWidth)) + 2 * PAD;
  // Category labels are truncated to this width; the grid leaves room for them itself rather
  // than trusting ECharts' Arial-based text estimate, which a wider fallback font overruns.
  const categoryWidth = Math.round(size.width * 0.28);
  const categoryRoom = Math.min(categoryWidth, Math.max(...bars.map((b) => textWidth(b.label))));
  const max = Math.max(...bars.map((b) => b.value ?? 0));

  const option: EChartsOption = {
    ...baseOption(),
    title: titleOption(input.title, size),
    grid: {
      left: PAD + categoryRoom + LABEL_MARGIN,
      right: valueRoom,
      top: PAD + TITLE_FONT_SIZE + 2 * PAD,
      bottom: 2 * (FONT_SIZE + LABEL_MARGIN) + PAD,
      outerBoundsMode: "none",
    },
    yAxis: {
      type: "category",
      data: bars.map((b) => b.label),
      inverse: true,
      axisTick: { show: false },
      axisLabel: { width: categoryWidth, overflow: "truncate", margin: LABEL_MARGIN },
    },
    xAxis: {
      type: "value",
      name: axisName(input.axis),
      nameLocation: "middle",
      nameGap: FONT_SIZE + 2 * LABEL_MARGIN + 4,
      splitNumber: size.width < 480 ? 3 : 5,
      axisLabel: {
        formatter: (v: number) => formatValue(unit, v),
        hideOverlap: true,
        margin: LABEL_MARGIN,
      },
      ...(unit === "percent" ? percentScale(max) : {}),
    },
    series: [{
      type: "bar",
      name: input.axis.name,
      data: bars.map((b) => b.value),
      barMaxWidth: 28,
      label: {
        show: true,
        position: "right",
        formatter: (p) => formatValue(unit, typeof p.value === "number" ? p.value : null),
      },
    }],
  };
  return renderOptionToSvg(option, {
    ...size,
    title: input.title,
    idPrefix: idPrefixFor("bar", input, size, options.id),
    className: "chart chart-bar",
    fluid: true,
  });
}

/**
 * A line chart: one line per series over date, hour or text categories, with a legend when
 * there are several series. With `y2`, series marked `axis: "right"` are read against a second
 * y axis on the right (e.g. capacity % beside visitors) and drawn dashed.
 * @returns SVG markup, or null when there are no categories, no series or no value at all.
 * @throws RangeError when a series' length differs from the categories'; TypeError when a
 *   series asks for the right axis without `y2`, or on an empty title or a bad size or id.
 */
export function renderLineChart(input: LineChartInput, options: RenderOptions = {}): string | null {
  const size = checkedSize(options.size ?? CHART_SIZES.wide);
  checkTitle(input.title);
  const { labels, name: xName } = categoryLabels(input.x);
  for (const s of input.series) {
    if (s.values.length !== labels.length) {
      throw new RangeError(
        `series "${s.name}" has ${s.values.length} values for ${labels.length} categories`,
      );
    }
    if (s.axis === "right" && !input.y2) {
      throw new TypeError(`series "${s.name}" is on the right axis but the chart has no y2`);
    }
  }
  const series = input.series.map((s) => ({ ...s, values: s.values.map(finiteOrNull) }));
  if (!labels.length || !series.some((s) => s.values.some((v) => v !== null))) return null;

  const names = series.map((s) => String(s.name));
  const legendRows = names.length > 1 ? countLegendRows(names, size.width - 2 * PAD) : 0;
  const legendTop = PAD + TITLE_FONT_SIZE + PAD;
  const gridTop = legendTop + legendRows * LEGEND_ITEM.rowHeight + PAD + FONT_SIZE + PAD;

  const valuesOn = (side: "left" | "right") =>
    series.filter((s) => (s.axis ?? "left") === side).flatMap((s) => s.values);
  const yAxes = [valueAxisOption(input.y, "left", valuesOn("left"))];
  if (input.y2) yAxes.push(valueAxisOption(input.y2, "right", valuesOn("right")));

  const option: EChartsOption = {
    ...baseOption(),
    title: titleOption(input.title, size),
    legend: {
      show: names.length > 1,
      data: names,
      top: legendTop,
      left: PAD,
      right: PAD,
      itemWidth: LEGEND_ITEM.width,
      itemHeight: LEGEND_ITEM.height,
      itemGap: LEGEND_ITEM.gap,
      selectedMode: false,
    },
    grid: { left: PAD, right: PAD, top: gridTop, bottom: PAD },
    xAxis: {
      type: "category",
      data: labels,
      boundaryGap: false,
      name: xName,
      nameLocation: "middle",
      nameGap: 26,
      axisLabel: { hideOverlap: true },
    },
    yAxis: yAxes,
    series: series.map((s): LineSeriesOption => ({
      type: "line",
      name: String(s.name),
      data: s.values,
      yAxisIndex: s.axis === "right" ? 1 : 0,
      connectNulls: false,
      // Dots mark each value on short axes; on long ones only a lone value (nulls either side)
      // needs one, since it has no line to show it.
      showSymbol: labels.length <= SYMBOLS_UP_TO || hasLoneValue(s.values),
      symbolSize: 4,
      lineStyle: { width: 2, type: s.axis === "right" ? "dashed" : "solid" },
    })),
  };
  return renderOptionToSvg(option, {
    ...size,
    title: input.title,
    idPrefix: idPrefixFor("line", input, size, options.id),
    className: "chart chart-line",
    fluid: true,
  });
}

/**
 * A sparkline: one line over time with a light fill, no axes and no visible text. The title is
 * its accessible name; a `<desc>` gives the latest, lowest and highest value. The y axis starts
 * at 0 (or the lowest value, if negative). Long series are downsampled to about one point per
 * pixel, so a gap of a single sample may not show. The SVG keeps its fixed size (240×48 by
 * default) rather than stretching.
 * @returns SVG markup, or null when no point has a value.
 * @throws TypeError on an empty title or a bad size or id.
 */
export function renderSparkline(input: SparklineInput, options: RenderOptions = {}): string | null {
  const size = checkedSize(options.size ?? CHART_SIZES.sparkline);
  checkTitle(input.title);
  const points = input.points
    .filter((p) => Number.isFinite(p.at))
    .map((p) => [p.at, finiteOrNull(p.value)] as [number, number | null]);
  const values = points.map(([, v]) => v).filter((v): v is number => v !== null);
  if (!values.length) return null;

  const from = finiteOrNull(input.window?.from) ?? points[0][0];
  const to = finiteOrNull(input.window?.to) ?? points[points.length - 1][0];
  const latest = points.findLast(([, v]) => v !== null)![1]!;
  const { unit } = input;
  const highest = Math.max(...values);
  const lowest = Math.min(...values);
  const description = `latest ${formatValue(unit, latest)}, lowest ${
    formatValue(unit, lowest)
  }, highest ${formatValue(unit, highest)}`;

  const option: EChartsOption = {
    ...baseOption(),
    grid: { left: 2, right: 2, top: 4, bottom: 2, outerBoundsMode: "none" },
    xAxis: { type: "time", show: false, min: from, max: Math.max(to, from + 1) },
    // Headroom over the highest value, so the line never runs along the top edge.
    yAxis: {
      type: "value",
      show: false,
      min: Math.min(0, lowest),
      max: highest > 0 ? highest * 1.1 : 1,
    },
    series: [{
      type: "line",
      data: points,
      connectNulls: false,
      showSymbol: hasLoneValue(points.map(([, v]) => v)),
      // At most about one point per pixel; the path stays small whatever the ring holds.
      sampling: "lttb",
      symbolSize: 3,
      lineStyle: { width: 1.5, color: SPARK_COLOR },
      itemStyle: { color: SPARK_COLOR },
      areaStyle: { color: SPARK_COLOR, opacity: 0.15 },
    }],
  };
  return renderOptionToSvg(option, {
    ...size,
    title: input.title,
    description,
    idPrefix: idPrefixFor("spark", input, size, options.id),
    className: "chart chart-sparkline",
    fluid: false,
  });
}

// No `tooltip` option: a static SVG has no hover, and naming a component that was not
// installed (see charts/svg.ts) makes ECharts print a warning on the first drawing.
function baseOption(): EChartsOption {
  return {
    animation: false,
    textStyle: { fontFamily: FONT_FAMILY, fontSize: FONT_SIZE },
  };
}

function titleOption(text: string, size: ChartSize): EChartsOption["title"] {
  return {
    text,
    left: PAD,
    top: PAD,
    textStyle: {
      fontSize: TITLE_FONT_SIZE,
      fontWeight: "bold",
      width: size.width - 2 * PAD,
      overflow: "truncate",
    },
  };
}

function valueAxisOption(axis: ValueAxisSpec, side: "left" | "right", values: (number | null)[]) {
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  return {
    ...(axis.unit === "percent" ? percentScale(max) : {}),
    type: "value" as const,
    position: side,
    name: axisName(axis),
    nameLocation: "end" as const,
    nameGap: 10,
    nameTextStyle: { align: side },
    splitNumber: 4,
    // Grid lines from the left axis only; two sets would not line up.
    splitLine: { show: side === "left" },
    axisLabel: { formatter: (v: number) => formatValue(axis.unit, v) },
  };
}

/**
 * 0 to 100 % in quarters, so ticks land on round values; beyond 100 % (a resort over its
 * capacity) in wider steps that still land on round values.
 */
function percentScale(dataMax: number): { min: number; max: number; interval: number } {
  const top = Math.max(100, dataMax);
  const step = 25 * Math.ceil(top / 100);
  return { min: 0, max: Math.ceil(top / step) * step, interval: step };
}

/** "visitors"; "revenue (USD)"; "capacity (%)". */
function axisName(axis: ValueAxisSpec): string {
  const symbol = unitSymbol(axis.unit);
  return symbol ? `${axis.name} (${symbol})` : axis.name;
}

function categoryLabels(x: CategoryAxisSpec): { labels: string[]; name: string } {
  switch (x.kind) {
    case "date":
      return { labels: x.dates.map((d) => formatShortDate(String(d))), name: x.name ?? "date" };
    case "hour":
      return { labels: x.hours.map(formatHour), name: x.name ?? "local hour" };
    case "text":
      return { labels: x.labels.map(String), name: x.name };
  }
}

/** Legend rows ECharts will wrap `names` into across `width` (an estimate on the safe side). */
function countLegendRows(names: string[], width: number): number {
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const w = LEGEND_ITEM.width + LEGEND_ITEM.textGap + textWidth(name);
    if (x > 0 && x + w > width) {
      rows++;
      x = 0;
    }
    x += w + LEGEND_ITEM.gap;
  }
  return rows;
}

function textWidth(s: string): number {
  return s.length * CHAR_WIDTH;
}

/** Whether some value has no non-null neighbour, so a line alone would not show it. */
function hasLoneValue(values: readonly (number | null)[]): boolean {
  return values.some((v, i) => v !== null && values[i - 1] == null && values[i + 1] == null);
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function checkTitle(title: string): void {
  if (typeof title !== "string" || !title.trim()) throw new TypeError("a chart needs a title");
}

function checkedSize(size: ChartSize): ChartSize {
  const ok = (n: number) => Number.isInteger(n) && n >= 16 && n <= 4096;
  if (!ok(size.width) || !ok(size.height)) {
    throw new TypeError(
      `chart size must be whole px in 16..4096, got ${size.width}×${size.height}`,
    );
  }
  return { width: size.width, height: size.height };
}

function idPrefixFor(kind: string, input: unknown, size: ChartSize, id?: string): string {
  if (id !== undefined) {
    if (!ID_PATTERN.test(id)) throw new TypeError(`chart id must match ${ID_PATTERN}, got "${id}"`);
    return id;
  }
  const hash = createHash("sha256").update(JSON.stringify({ kind, input, size })).digest("hex");
  return `chart-${hash.slice(0, 12)}`;
}
