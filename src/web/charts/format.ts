/**
 * Short, locale-fixed labels for chart ticks and values: "12.3k", "$1.2M", "87.5%", "Jan 5",
 * "08:00". Fixed to en-US so the same input always renders the same SVG.
 *
 * @module
 */

/** What a number measures; decides how it is abbreviated and which unit it carries. */
export type ValueUnit = "count" | "usd" | "percent" | "seconds" | "perSecond";

const compact = new Intl.NumberFormat("en-US", {
  notation: "compact",
  maximumFractionDigits: 1,
});
const compactUsd = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  notation: "compact",
  maximumFractionDigits: 1,
});
const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const shortDate = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

/** Intl writes thousands as "K"; the dashboard uses the SI-style lower-case "k". */
function lowerK(s: string): string {
  return s.replace(/K$/, "k");
}

/**
 * Formats `value` for a tick or a label in `unit`: 12345 → "12.3k", usd 1234567 → "$1.2M",
 * percent 87.46 → "87.5%", seconds 0.25 → "250 ms", perSecond 1500 → "1.5k/s".
 * A null or non-finite value gives "–" (no data).
 */
export function formatValue(unit: ValueUnit, value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "–";
  switch (unit) {
    case "count":
      return lowerK(compact.format(value));
    case "usd":
      return lowerK(compactUsd.format(value));
    case "percent":
      return `${oneDecimal.format(value)}%`;
    case "seconds":
      if (value !== 0 && Math.abs(value) < 1) return `${Math.round(value * 1000)} ms`;
      return `${
        Math.abs(value) < 10 ? twoDecimals.format(value) : lowerK(compact.format(value))
      } s`;
    case "perSecond":
      return `${lowerK(compact.format(value))}/s`;
  }
}

/** The unit as an axis name shows it: "USD", "%", "s", "/s"; a count has none. */
export function unitSymbol(unit: ValueUnit): string {
  switch (unit) {
    case "count":
      return "";
    case "usd":
      return "USD";
    case "percent":
      return "%";
    case "seconds":
      return "s";
    case "perSecond":
      return "/s";
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2025-01-05" → "Jan 5"; anything that is not an ISO calendar date is returned unchanged. */
export function formatShortDate(isoDate: string): string {
  const m = ISO_DATE.exec(isoDate);
  if (!m) return isoDate;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(t) ? isoDate : shortDate.format(t);
}

/** Local hour 0–23 → "08:00". */
export function formatHour(hour: number): string {
  return `${String(Math.trunc(hour)).padStart(2, "0")}:00`;
}
