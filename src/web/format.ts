/**
 * How numbers, money, times and ages read on the dashboard. Everything a page prints goes through
 * here, so a page never shows `NaN`, `null` or a raw ISO string.
 *
 * @module
 */

const INT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const USD = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});
const ONE_DECIMAL = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** Shown where a value is not known. */
export const NONE = "–";

/** `12,345`. */
export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : INT.format(n);
}

/** `$12,345` (whole dollars). */
export function fmtUsd(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : USD.format(n);
}

/** `72.3%`. */
export function fmtPct(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : `${ONE_DECIMAL.format(n)}%`;
}

/** `25.7` (one decimal). */
export function fmtDecimal(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : ONE_DECIMAL.format(n);
}

/** `+4.2%`, `−3.1%`, or null when there is nothing to compare with. */
export function fmtChange(pct: number | null | undefined): string | null {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return null;
  const sign = pct > 0 ? "+" : pct < 0 ? "−" : "±";
  return `${sign}${ONE_DECIMAL.format(Math.abs(pct))}%`;
}

/** `+1.4 pts` for a change of a percentage. */
export function fmtPoints(delta: number | null | undefined): string | null {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return null;
  const sign = delta > 0 ? "+" : delta < 0 ? "−" : "±";
  return `${sign}${ONE_DECIMAL.format(Math.abs(delta))} pts`;
}

/** `2026-11-30 14:05 UTC`. */
export function fmtUtc(t: Date | number | string | null | undefined): string {
  if (t === null || t === undefined) return NONE;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return NONE;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `Mon 30 Nov` for a `YYYY-MM-DD` date. */
export function fmtDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return d.toLocaleDateString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}

/** Local wall-clock time of `t` in `timeZone`: `08:15`. */
export function fmtLocalTime(t: Date | number, timeZone: string): string {
  return new Date(t).toLocaleTimeString("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone,
  });
}

/** The zone's short name at `t`: `MST`, `PST`. */
export function zoneAbbreviation(t: Date | number, timeZone: string): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" })
    .formatToParts(new Date(t)).find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone;
}

/** A duration in seconds, as a person says it: `850 ms`, `3.2 s`, `4 min`, `2.5 h`. */
export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return NONE;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${ONE_DECIMAL.format(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400) return `${ONE_DECIMAL.format(s / 3600)} h`;
  return `${ONE_DECIMAL.format(s / 86_400)} d`;
}

/** Rows per second: `12,345/s`. */
export function fmtRate(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : `${INT.format(n)}/s`;
}
