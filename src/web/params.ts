/**
 * Query strings the pages and their streams accept, validated with zod in a middleware (hono's
 * `validator`), so a handler only ever sees valid choices (`c.req.valid("query")`). A bad value
 * is answered by the route's own `onBad` (a 400 page, or plain text for an event stream) that
 * says which parameter is wrong and what it may be. Parameters a page does not know are ignored,
 * so links carrying tracking or cache-busting parameters still work; a repeated parameter counts
 * with its first value.
 *
 * @module
 */
import type { Context } from "hono";
import { validator } from "hono/validator";
import { z } from "zod";
import { PERIODS } from "../reports/reports.ts";
import { RESORT_METRICS, type ResortMetric } from "./charts.ts";

const METRIC_NAMES = Object.keys(RESORT_METRICS) as [ResortMetric, ...ResortMetric[]];

const choice = {
  period: z.enum(PERIODS, { message: `must be one of ${PERIODS.join(", ")}` }).default("today"),
  metric: z.enum(METRIC_NAMES, { message: `must be one of ${METRIC_NAMES.join(", ")}` })
    .default("visitors"),
};

const since = {
  since: z.coerce.number({ message: "must be a whole number" }).int("must be a whole number")
    .min(0, "must be 0 or more").optional(),
};

/** `period` and `metric` of the overview. */
export const overviewQuery = z.object(choice);
/** `since`: the live-update generation the page was rendered at. */
export const sinceQuery = z.object(since);
/** The overview's stream: its choices and `since`. */
export const overviewStreamQuery = z.object({ ...choice, ...since });

/** A query string that does not validate: which parameter, and why. */
export class BadQuery extends Error {
  constructor(readonly parameter: string, readonly problem: string) {
    super(`${parameter} ${problem}`);
    this.name = "BadQuery";
  }
}

/** Validates `query` (first value of each parameter) against `schema`. */
export function parseQuery<T>(
  schema: z.ZodType<T>,
  query: Record<string, string | string[]>,
): { ok: true; value: T } | { ok: false; bad: BadQuery } {
  const first = Object.fromEntries(
    Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
  );
  const r = schema.safeParse(first);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, bad: new BadQuery(String(issue.path[0] ?? "query"), issue.message) };
}

/** Middleware: the query string validated by `schema`, or `onBad`'s answer. */
export function validQuery<T>(
  schema: z.ZodType<T>,
  onBad: (c: Context, bad: BadQuery) => Response | Promise<Response>,
) {
  return validator("query", (query, c) => {
    const r = parseQuery(schema, query);
    return r.ok ? r.value : onBad(c, r.bad);
  });
}
