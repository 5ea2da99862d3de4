/**
 * Query strings the pages accept, validated with zod. A bad value is a 400 page that says which
 * parameter is wrong and what it may be; parameters a page does not know are ignored, so links
 * carrying tracking or cache-busting parameters still work.
 *
 * @module
 */
import { z } from "zod";
import { PERIODS } from "../reports/reports.ts";
import { RESORT_METRICS, type ResortMetric } from "./charts.ts";
import type { OverviewChoice } from "./pages/overview.tsx";

const METRIC_NAMES = Object.keys(RESORT_METRICS) as [ResortMetric, ...ResortMetric[]];

const overviewSchema = z.object({
  period: z.enum(PERIODS, { message: `must be one of ${PERIODS.join(", ")}` }).default("today"),
  metric: z.enum(METRIC_NAMES, { message: `must be one of ${METRIC_NAMES.join(", ")}` })
    .default("visitors"),
});

const sinceSchema = z.object({
  since: z.coerce.number({ message: "must be a whole number" }).int("must be a whole number")
    .min(0, "must be 0 or more").optional(),
});

/** A query string that does not validate: which parameter, and why. */
export class BadQuery extends Error {
  constructor(readonly parameter: string, readonly problem: string) {
    super(`${parameter} ${problem}`);
    this.name = "BadQuery";
  }
}

function parse<T>(schema: z.ZodType<T>, query: Record<string, string>): T {
  const r = schema.safeParse(query);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new BadQuery(String(issue.path[0] ?? "query"), issue.message);
}

/** `period` and `metric` of the overview. */
export function overviewChoice(query: Record<string, string>): OverviewChoice {
  return parse(overviewSchema, query);
}

/** `since`: the live-update generation the page was rendered at. */
export function sinceOf(query: Record<string, string>): number | undefined {
  return parse(sinceSchema, query).since;
}
