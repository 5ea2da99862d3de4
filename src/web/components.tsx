/**
 * The small pieces every page is built from: panels, KPI tiles, tables, charts with their data
 * tables, and the "waiting for…" and inline error notes. Everything is escaped by hono's JSX,
 * except chart SVG, which the charts module builds from escaped text.
 *
 * @module
 */
import type { Child, FC, PropsWithChildren } from "hono/jsx";
import { raw } from "hono/html";
import { fmtUtc } from "./format.ts";
import { CHART_SIZES, type ChartSize } from "./charts.ts";
import { SourceNotReadyError } from "../reports/source.ts";

/** A titled card. */
export const Panel: FC<PropsWithChildren<{ title: string; wide?: boolean; id?: string }>> = (
  { title, wide, id, children },
) => (
  <section class={wide ? "panel wide" : "panel"} id={id} aria-label={title}>
    <h2>{title}</h2>
    {children}
  </section>
);

/** What a panel waits for before it has data. */
export const Waiting: FC<PropsWithChildren> = ({ children }) => (
  <p class="waiting" role="status">{children}</p>
);

/**
 * A read failed: says so, and what the numbers below are. Before the target is reachable there
 * is nothing wrong yet: the panel says what it waits for instead.
 */
export const ReadError: FC<{ error: Error | null; hasValue: boolean }> = ({ error, hasValue }) =>
  error instanceof SourceNotReadyError
    ? <Waiting>Connecting to the reports' target…</Waiting>
    : error
    ? (
      <p class="error" role="alert">
        Could not read the reports: {error.message}.{" "}
        {hasValue ? "Showing the last numbers read." : "Retrying at the next refresh."}
      </p>
    )
    : null;

/**
 * Says, above a report page's figures, that rows are held up on their way to the reports (a
 * channel reopening or waiting, a full disk): until they arrive, the figures are short of them.
 */
export const HeldUp: FC<{ reasons: readonly string[] }> = ({ reasons }) =>
  reasons.length
    ? (
      <p class="warning" role="status">
        Rows are held up on their way to the reports, so these figures may be short of them:{" "}
        {reasons.slice(0, 2).join("; ")}
        {reasons.length > 2 ? `, and ${reasons.length - 2} more` : ""}.{" "}
        <a href="/pipeline">Pipeline</a>
      </p>
    )
    : null;

/** One KPI tile. */
export const Kpi: FC<
  { label: string; value: string; delta?: string | null; trend?: number | null; note?: string }
> = ({ label, value, delta, trend, note }) => (
  <div class="kpi">
    <div class="label">{label}</div>
    <div class="value">{value}</div>
    {delta !== undefined && (
      <div
        class={`delta${
          trend === null || trend === undefined ? "" : trend > 0 ? " up" : trend < 0 ? " down" : ""
        }`}
      >
        {delta ?? "no earlier period to compare"}
        {note ? ` ${note}` : ""}
      </div>
    )}
  </div>
);

/** A column of {@link DataTable}. */
export interface Column {
  label: string;
  /** Right-aligned (numbers). */
  num?: boolean;
  /** Hidden on narrow screens. */
  optional?: boolean;
}

/** A plain table. */
export const DataTable: FC<
  { columns: readonly Column[]; rows: readonly Child[][]; caption?: string }
> = (
  { columns, rows, caption },
) => (
  <table>
    {caption && <caption class="note">{caption}</caption>}
    <thead>
      <tr>
        {columns.map((c) => (
          <th scope="col" class={cellClass(c)}>
            {c.label}
          </th>
        ))}
      </tr>
    </thead>
    <tbody>
      {rows.map((r) => <tr>{r.map((cell, i) => <td class={cellClass(columns[i])}>{cell}</td>)}
      </tr>)}
    </tbody>
  </table>
);

function cellClass(c: Column | undefined): string | undefined {
  const classes = [c?.num ? "num" : "", c?.optional ? "optional" : ""].filter(Boolean).join(" ");
  return classes || undefined;
}

/** A chart drawn twice: for its panel's usual width, and for a phone's. */
export interface Drawn {
  svg: string;
  narrowSvg?: string;
}

/**
 * Draws a chart at `wide` and at {@link CHART_SIZES}`.narrow`; null when there is nothing to plot
 * (the panel then says what it waits for).
 */
export function drawTwice(
  draw: (size: ChartSize) => string | null,
  wide: ChartSize = CHART_SIZES.wide,
): Drawn | null {
  const svg = draw(wide);
  if (svg === null) return null;
  return { svg, narrowSvg: draw(CHART_SIZES.narrow) ?? undefined };
}

/**
 * A chart, with its numbers in a collapsed table beside it (readable without the picture). With
 * a narrow drawing too, the stylesheet shows the one that fits the screen, so text stays
 * readable on a phone.
 */
export const Chart: FC<{ svg: string; narrowSvg?: string; table: Child; tableLabel?: string }> = (
  { svg, narrowSvg, table, tableLabel },
) => (
  <figure>
    {narrowSvg
      ? (
        <>
          <div class="chart-wide">{raw(svg)}</div>
          <div class="chart-narrow">{raw(narrowSvg)}</div>
        </>
      )
      : raw(svg)}
    <details>
      <summary>{tableLabel ?? "Data table"}</summary>
      {table}
    </details>
  </figure>
);

/** A status badge. */
export const Badge: FC<{ kind: string; text: string }> = ({ kind, text }) => (
  <span class={`badge ${kind}`}>{text}</span>
);

/** `<time>` with a machine-readable value. */
export const Time: FC<{ at: Date | string | number | null | undefined }> = ({ at }) =>
  at === null || at === undefined
    ? <>{fmtUtc(null)}</>
    : <time datetime={new Date(at).toISOString()}>{fmtUtc(at)}</time>;
