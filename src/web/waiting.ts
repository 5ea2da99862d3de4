/**
 * What a panel says before it has data: never an empty chart frame or an error, but what it is
 * waiting for, in the terms a person watching the simulation understands ("lifts open at 08:00
 * local; world time 07:41 in Vail").
 *
 * @module
 */
import type { ResortInfo } from "../reports/reports.ts";
import type { StatusStore } from "../status/store.ts";
import type { LiftHours } from "./dashboard.ts";
import { fmtLocalTime, fmtSeconds, zoneAbbreviation } from "./format.ts";

const pad = (h: number) => `${String(h).padStart(2, "0")}:00`;

function localHourMinutes(t: number, timeZone: string): number {
  const [h, m] = fmtLocalTime(t, timeZone).split(":").map(Number);
  return h * 60 + m;
}

/** Where the lifts stand at world time `worldTime`: open somewhere, or opening next where. */
export function liftsNote(
  resorts: readonly ResortInfo[],
  worldTime: Date | null,
  hours: LiftHours,
): string {
  if (!worldTime) return "Waiting for the generator's first rows.";
  const t = worldTime.getTime();
  let next: { resort: ResortInfo; minutes: number } | undefined;
  for (const r of resorts) {
    const now = localHourMinutes(t, r.timezone);
    if (now >= hours.open * 60 && now < hours.close * 60) {
      return `Lifts are open: world time ${fmtLocalTime(t, r.timezone)} in ${r.resort} (${
        zoneAbbreviation(t, r.timezone)
      }).`;
    }
    const until = (hours.open * 60 - now + 24 * 60) % (24 * 60);
    if (!next || until < next.minutes) next = { resort: r, minutes: until };
  }
  if (!next) return `Lifts open at ${pad(hours.open)} local.`;
  const r = next.resort;
  return `Lifts open at ${pad(hours.open)} local; world time ${
    fmtLocalTime(t, r.timezone)
  } in ${r.resort} (${zoneAbbreviation(t, r.timezone)}).`;
}

/** When the first report refresh after now is due, from the report chain's state. */
export function refreshNote(status: StatusStore, now = Date.now()): string {
  const tables = status.reports?.dynamicTables ?? [];
  const summary = tables.find((t) => t.name === "HOURLY_RESORT_SUMMARY") ?? tables[0];
  if (!summary) return "Waiting for the report chain.";
  const lag = summary.effectiveLagSeconds;
  if (summary.dataTimestamp === null || lag === null) {
    return "Waiting for the first refresh of the reports.";
  }
  const due = (Date.parse(summary.dataTimestamp) + lag * 1000 - now) / 1000;
  const catching = status.catchingUpMessage();
  if (catching) return `${catching[0].toUpperCase()}${catching.slice(1)}.`;
  // The target lag bounds how old the reports may get; a refresh often comes sooner (the
  // emulator refreshes within seconds of new rows), so no countdown to it is promised.
  const age = Math.max(0, (now - Date.parse(summary.dataTimestamp)) / 1000);
  return due > 1
    ? `The reports are refreshed at least every ${fmtSeconds(lag)}; the latest refresh was ${
      age < 60 ? `${Math.floor(age)} s` : fmtSeconds(age)
    } ago.`
    : "A report refresh is due now.";
}
