/**
 * The dashboard's pages over a seeded history, through the real report feed on a real warehouse:
 * status codes, content types and security headers of every page, the numbers each page shows
 * against the reports module's results for the same history, bad input (400 and 404 pages,
 * escaping, lookalike resort names), the static files, what the pages say before data arrives,
 * what they do when the reports cannot be read, and what a link clicked in a page gets (only the
 * fragment it swaps).
 */
import assert from "node:assert/strict";
import type { ReportFeed } from "../../src/app/report_feed.ts";
import {
  type DateRange,
  type Period,
  periodRanges,
  PERIODS,
  ReportCache,
  type Reports,
  type ResortInfo,
} from "../../src/reports/mod.ts";
import type { DashboardSource } from "../../src/web/app.ts";
import { RESORT_METRICS, type ResortMetric } from "../../src/web/charts.ts";
import {
  fmtChange,
  fmtDay,
  fmtDecimal,
  fmtInt,
  fmtLocalTime,
  fmtPct,
  fmtPoints,
  fmtUsd,
  fmtUtc,
  NONE,
  zoneAbbreviation,
} from "../../src/web/format.ts";
import { CAPACITY, DAY_MS, FRIDAY_START, simulate } from "../reports/fixtures.ts";
import { BROWSER_ACCEPT, dashboardFixture } from "./dashboard_fixture.ts";
import {
  byId,
  decodeEntities,
  elementsWith,
  hasSection,
  kpis,
  links,
  onlyTable,
  section,
  tables,
  type TableText,
  textOf,
} from "./html.ts";

/**
 * Capacities that put the resorts of this history in every capacity band (the real ones need
 * thousands of visitors, the reports tests' small ones put every resort at capacity).
 */
const MIXED_CAPACITY = CAPACITY.map((r) => ({ ...r, maxCapacity: 100 }));

/** Nine days from a Friday: the week boundary, a previous day, week and (empty) month. */
const HISTORY = simulate(9, { seed: "web-pages", ticketsPerDay: 200 });

const METRICS = Object.keys(RESORT_METRICS) as ResortMetric[];
const PERIOD_LABELS: Record<Period, string> = {
  today: "Today",
  last7: "Last 7 days",
  mtd: "Month to date",
};

// ---- what every HTML answer must carry -------------------------------------------------------

/** Content type, security headers, and nothing the policy would block in the markup. */
async function assertHtmlPage(res: Response, status: number, what: string): Promise<string> {
  const body = await res.text();
  assert.equal(res.status, status, `${what}: status (${body.slice(0, 300)})`);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html; charset=utf-8$/i, what);
  assertSecurityHeaders(res, what);
  assert.match(body, /^<!doctype html>\n<html lang="en">/, `${what}: a whole document`);
  assert.match(body, /<title>[^<]+ · liftline<\/title>/, `${what}: a title`);
  // The CSP allows only our own scripts and styles: none inline, no handlers, no style attributes.
  for (const tag of body.matchAll(/<script\b[^>]*>/g)) {
    assert.match(tag[0], /\ssrc="\/static\/[0-9a-f]+\/[\w.-]+\.js"/, `${what}: ${tag[0]}`);
  }
  assert.doesNotMatch(body, /<script\b[^>]*>[^<]/, `${what}: inline script`);
  assert.doesNotMatch(body, /<style\b/i, `${what}: style element`);
  assert.doesNotMatch(body, /\sstyle="/i, `${what}: style attribute`);
  assert.doesNotMatch(body, /\son[a-z]+="/i, `${what}: event handler attribute`);
  assert.doesNotMatch(textOf(body), /\bNaN\b|\bundefined\b|\[object /, `${what}: raw values`);
  return body;
}

function assertSecurityHeaders(res: Response, what: string): void {
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /(^|;)\s*default-src 'self'/, `${what}: CSP default-src (${csp})`);
  assert.match(csp, /(^|;)\s*script-src 'self'(;|$)/, `${what}: CSP script-src (${csp})`);
  assert.match(csp, /(^|;)\s*style-src 'self'(;|$)/, `${what}: CSP style-src (${csp})`);
  assert.match(csp, /(^|;)\s*frame-ancestors 'none'/, `${what}: CSP frame-ancestors (${csp})`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${what}: CSP (${csp})`);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", `${what}: nosniff`);
  assert.ok(res.headers.get("referrer-policy"), `${what}: Referrer-Policy`);
}

// ---- what the pages should show, from the reports module -------------------------------------

const fmtMetric = (m: ResortMetric, v: number | null | undefined) =>
  v === null || v === undefined
    ? NONE
    : m === "revenue"
    ? fmtUsd(v)
    : m === "capacity"
    ? fmtPct(v)
    : fmtInt(v);

const valueOf = (
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

const rangeText = (r: DateRange) =>
  r.from === r.to ? fmtDay(r.from) : `${fmtDay(r.from)} – ${fmtDay(r.to)}`;

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The clock line every page shows. */
function clockText(worldTime: Date | null, reportedHour: Date | null): string {
  return `World time ${worldTime ? fmtUtc(worldTime) : "not started"} · latest reported hour ${
    reportedHour ? fmtUtc(reportedHour) : "none yet"
  }`;
}

/** The resort's name as the overview's status table shows it: its link's text. */
const names = (resorts: ResortInfo[]) => resorts.map((r) => r.resort);

async function expectedKpis(reports: Reports, period: Period, date: string) {
  const o = await reports.networkOverview(period, date);
  const none = "no earlier period to compare";
  const capDelta = o.current.avgCapacityPct !== null && o.previous.avgCapacityPct !== null
    ? fmtPoints(o.current.avgCapacityPct - o.previous.avgCapacityPct)
    : null;
  return {
    overview: o,
    note: `${PERIOD_LABELS[period]}: ${rangeText(o.ranges.current)}, ${
      o.previous.visitors > 0 ? "compared with" : "nothing reported to compare with for"
    } ${rangeText(o.ranges.previous)}`,
    tiles: new Map([
      // One day counts its visitors; several days add up each day's (a visitor-day each).
      [period === "today" ? "Visitors" : "Visitor-days", {
        value: fmtInt(o.current.visitors),
        delta: fmtChange(o.change.visitors) ?? none,
      }],
      ["Revenue", { value: fmtUsd(o.current.revenue), delta: fmtChange(o.change.revenue) ?? none }],
      ["Average capacity", { value: fmtPct(o.current.avgCapacityPct), delta: capDelta ?? none }],
      ["Lift rides", { value: fmtInt(o.current.rides), delta: fmtChange(o.change.rides) ?? none }],
    ]),
  };
}

function assertTable(actual: TableText, head: string[], rows: string[][], what: string): void {
  assert.deepEqual(actual.head, head, `${what}: columns`);
  assert.deepEqual(actual.rows, rows, `${what}: rows`);
}

// ---- the seeded history ----------------------------------------------------------------------

Deno.test("pages over a seeded history show the reports module's numbers", async (t) => {
  const f = await dashboardFixture({ rows: HISTORY, capacity: MIXED_CAPACITY });
  try {
    const { reports } = f;
    const clock = await reports.clock();
    const date = clock.reportingDate!;
    const resorts = await reports.resorts();
    assert.equal(resorts.length, 5);
    // The history reaches past a Monday and back over the previous day and week.
    assert.equal(date, "2026-12-05");
    const clockLine = clockText(clock.latestWorldTime, clock.latestReportedHour);

    await t.step("every page and error page: status, HTML, security headers", async () => {
      const pages: [string, number][] = [
        ["/", 200],
        ...PERIODS.flatMap((p) =>
          METRICS.map((m): [string, number] => [`/?period=${p}&metric=${m}`, 200])
        ),
        ...resorts.map((r): [string, number] => [`/resorts/${encodeURIComponent(r.resort)}`, 200]),
        ["/pipeline", 200],
        ["/?period=yesterday", 400],
        ["/?metric=height", 400],
        ["/resorts/Aspen", 404],
        ["/no/such/page", 404],
      ];
      for (const [path, status] of pages) {
        const body = await assertHtmlPage(await f.get(path), status, path);
        assert.equal(textOf(byId(body, "p", "clock")), clockLine, `${path}: simulation clock`);
        // Every page has the plain navigation: the overview, each resort, the pipeline.
        const nav = links(body.match(/<nav[\s\S]*?<\/nav>/)![0]);
        assert.deepEqual(nav, [
          "/",
          ...resorts.map((r) => `/resorts/${encodeURIComponent(r.resort)}`),
          "/pipeline",
        ], `${path}: navigation`);
      }
    });

    await t.step("overview: KPI tiles and their changes, for each period", async () => {
      let compared = 0;
      for (const period of PERIODS) {
        const body = await assertHtmlPage(await f.get(`/?period=${period}`), 200, period);
        const want = await expectedKpis(reports, period, date);
        const totals = section(body, "Network totals");
        assert.equal(textOf(totals.match(/<p class="note">[\s\S]*?<\/p>/)![0]), want.note);
        assert.deepEqual(kpis(totals), want.tiles, period);
        if (want.overview.change.visitors !== null) compared++;
        // The period selector marks the current period and keeps the metric.
        const selector = elementsWith(body, "div", "aria-label", "Period")[0];
        const chosen = [...selector.matchAll(/<a [^>]*aria-current="true"[^>]*>([^<]*)<\/a>/g)];
        assert.deepEqual(chosen.map((m) => m[1]), [PERIOD_LABELS[period]], `${period} selected`);
      }
      // Today and the last 7 days have a period before them in this history; the month does not.
      assert.equal(compared, 2);
    });

    await t.step("overview: the resort status table, for each period", async () => {
      const labels = new Set<string>();
      for (const period of PERIODS) {
        const body = await f.get(`/?period=${period}`).then((r) => r.text());
        const totals = await reports.resortTotals(periodRanges(period, date).current);
        const byName = new Map(totals.map((x) => [x.resort, x]));
        assertTable(
          onlyTable(section(body, "Resort status")),
          ["Resort", period === "today" ? "Visitors" : "Visitor-days", "Avg capacity", "Revenue"],
          names(resorts).map((name) => {
            const x = byName.get(name)!;
            labels.add(x.status);
            return [
              name,
              fmtInt(x.visitors),
              `${fmtPct(x.capacityPct)} ${x.status}`,
              fmtUsd(x.revenue),
            ];
          }),
          `status table, ${period}`,
        );
        // Each resort's name links to its page.
        const hrefs = links(section(body, "Resort status"));
        assert.deepEqual(hrefs, resorts.map((r) => `/resorts/${encodeURIComponent(r.resort)}`));
      }
      assert.deepEqual([...labels].sort(), ["At capacity", "Busy", "Normal"]);
    });

    await t.step("overview: comparison data table, each metric and period", async () => {
      for (const period of PERIODS) {
        const totals = await reports.resortTotals(periodRanges(period, date).current);
        const byName = new Map(totals.map((x) => [x.resort, x]));
        for (const metric of METRICS) {
          const path = `/?period=${period}&metric=${metric}`;
          const panel = section(await f.get(path).then((r) => r.text()), "Resort comparison");
          assert.match(panel, /<svg\b[^>]*role="img"/, `${path}: a chart`);
          assert.match(panel, /<details>\s*<summary>/, `${path}: its data table, collapsed`);
          const label = RESORT_METRICS[metric].label;
          assertTable(
            onlyTable(panel),
            ["Resort", label],
            names(resorts).map((
              n,
            ) => [n, fmtMetric(metric, byName.has(n) ? valueOf(metric, byName.get(n)!) : null)]),
            path,
          );
          // The metric selector marks the chosen metric and keeps the period.
          assert.match(
            panel,
            new RegExp(`href="/\\?period=${period}&amp;metric=${metric}"[^>]*aria-current="true"`),
          );
        }
      }
    });

    await t.step("overview: daily trend data table, each metric and period", async () => {
      for (const period of PERIODS) {
        const current = periodRanges(period, date).current;
        // At least the last seven days, and the whole period when it is longer.
        const from = [current.from, addDays(date, -6)].sort()[0];
        const points = await reports.dailyTrend({ from, to: date });
        const withData = datesBetween(from, date).filter((d) => points.some((p) => p.date === d));
        const shown = datesBetween(withData[0], date);
        assert.ok(shown.length >= 7, `${period}: ${shown.length} days`);
        for (const metric of METRICS) {
          const path = `/?period=${period}&metric=${metric}`;
          const panel = section(await f.get(path).then((r) => r.text()), "Daily trend by resort");
          assert.match(panel, /<svg\b[^>]*role="img"/, `${path}: a chart`);
          assertTable(
            onlyTable(panel),
            ["Date", ...names(resorts)],
            shown.map((d) => [
              fmtDay(d),
              ...names(resorts).map((n) => {
                const p = points.find((x) => x.date === d && x.resort === n);
                return fmtMetric(metric, p ? valueOf(metric, p) : null);
              }),
            ]),
            `trend ${path}`,
          );
        }
      }
    });

    await t.step(
      "resort pages: this hour, top lifts, hours, revenue target, four weeks",
      async () => {
        const targetText: Record<string, string> = {
          ABOVE_TARGET: "Above target",
          NEAR_TARGET: "Near target",
          BELOW_TARGET: "Below target",
        };
        for (const info of resorts) {
          const path = `/resorts/${encodeURIComponent(info.resort)}`;
          const body = await assertHtmlPage(await f.get(path), 200, path);
          const c = (await reports.resortCenter(info.resort))!;
          const tz = info.timezone;
          assert.equal(textOf(body.match(/<h1>[\s\S]*?<\/h1>/)![0]), info.resort);
          assert.ok(
            body.includes(
              `hx-sse:connect="/events/resorts/${encodeURIComponent(info.resort)}?since=`,
            ),
          );

          // This hour.
          const h = c.thisHour!;
          const hour = section(body, "This hour");
          assert.deepEqual(
            kpis(hour),
            new Map([
              ["Visitors this hour", { value: fmtInt(h.visitors), delta: null }],
              ["Of daily capacity", { value: fmtPct(h.capacityPct), delta: null }],
              ["Lift rides this hour", { value: fmtInt(h.rides), delta: null }],
              ["Revenue this hour", { value: fmtUsd(h.revenue), delta: null }],
            ]),
            `${info.resort}: this hour`,
          );
          assert.ok(
            textOf(hour).startsWith(
              `Latest reported hour: ${fmtDay(c.localDate!)}, ${fmtLocalTime(h.hour, tz)}–${
                fmtLocalTime(h.hour.getTime() + 3_600_000, tz)
              } ${zoneAbbreviation(h.hour, tz)}`,
            ),
            textOf(hour),
          );
          // The hour is still filling when no resort reports a later one and no row of any table
          // is past its end yet: it says so, with the latest ride's time.
          const clock = await reports.clock();
          const end = h.hour.getTime() + 3_600_000;
          const partial = clock.latestReportedHour!.getTime() <= h.hour.getTime() &&
            clock.latestWorldTime!.getTime() < end;
          assert.equal(
            textOf(hour).includes(
              `in progress: rides up to ${fmtLocalTime(c.latestRide!, tz)} so far`,
            ),
            partial,
            textOf(hour),
          );

          // Top lifts of the 30 minutes up to the resort's latest ride.
          assert.ok(c.topLifts.length > 0 && c.topLifts.length <= 10, `${c.topLifts.length} lifts`);
          const top = onlyTable(section(body, "Top 10 lifts, last 30 minutes"));
          const last = c.latestRide!;
          assert.equal(
            top.caption,
            `30 minutes up to the latest ride: ${fmtLocalTime(last.getTime() - 30 * 60_000, tz)}–${
              fmtLocalTime(last, tz)
            } ${zoneAbbreviation(last, tz)}`,
          );
          assertTable(
            top,
            ["#", "Lift", "Rides", "Riders", "Rides/hour", "First–last"],
            c.topLifts.map((l) => [
              String(l.usageRankInResort),
              l.lift,
              fmtInt(l.rides),
              fmtInt(l.uniqueVisitors),
              fmtDecimal(l.ridesPerHour),
              `${fmtLocalTime(l.firstActivity, tz)}–${fmtLocalTime(l.lastActivity, tz)}`,
            ]),
            `${info.resort}: top lifts`,
          );

          // Today's revenue against its target.
          const r = c.revenueTarget!;
          const target = textOf(section(body, "Today's revenue against target"));
          assert.ok(
            target.includes(
              `${fmtUsd(r.revenue)} of ${fmtUsd(r.target)} (${fmtPct(r.targetPct)}) ${
                targetText[r.status]
              }`,
            ),
            target,
          );
          assert.ok(target.includes(fmtDay(r.date)), target);

          // The reporting day's hours, in local time.
          const hourly = section(body, "Visitors and capacity by hour");
          assert.match(hourly, /<svg\b[^>]*role="img"/);
          assert.ok(c.hourly.length >= 6, `${info.resort}: ${c.hourly.length} hours`);
          assertTable(
            onlyTable(hourly),
            ["Hour", "Visitors", "Capacity", "Rides", "Revenue"],
            c.hourly.map((p) => [
              `${String(p.localHour).padStart(2, "0")}:00`,
              fmtInt(p.visitors),
              fmtPct(p.capacityPct),
              fmtInt(p.rides),
              fmtUsd(p.revenue),
            ]),
            `${info.resort}: hours`,
          );
          // Lifts run 08:00–16:00 local: the hours are the resort's, not UTC.
          assert.ok(c.hourly.every((p) => p.localHour >= 8 && p.localHour < 16));

          // The last four weeks (two in this history: it crosses one Monday).
          assert.equal(c.weeks.length, 2);
          assertTable(
            onlyTable(section(body, "Last four weeks")),
            [
              "Week of",
              "Visitor-days",
              "Rides",
              "Revenue",
              "Avg/day",
              "Avg capacity",
              "Peak",
              "Days",
            ],
            c.weeks.map((w) => [
              fmtDay(w.weekStart),
              fmtInt(w.visitors),
              fmtInt(w.rides),
              fmtUsd(w.revenue),
              fmtUsd(w.avgDailyRevenue),
              fmtPct(w.avgCapacityPct),
              fmtPct(w.peakCapacityPct),
              fmtInt(w.operationDays),
            ]),
            `${info.resort}: weeks`,
          );
          assert.ok(!body.includes('role="alert"'), `${info.resort}: no error`);
        }
      },
    );

    await t.step("pipeline page: the report chain's tables and where reads go", async () => {
      const body = await assertHtmlPage(await f.get("/pipeline"), 200, "/pipeline");
      const chain = onlyTable(section(body, "Dynamic tables"));
      assert.deepEqual(chain.rows.map((r) => r[0]), [
        "DAILY_VISITS",
        "HOURLY_LIFT_ACTIVITY",
        "HOURLY_AMORTIZED_REVENUE",
        "HOURLY_RESORT_SUMMARY",
        "DAILY_RESORT_SUMMARY",
        "WEEKLY_RESORT_SUMMARY",
      ]);
      assert.ok(chain.rows.every((r) => r[4].startsWith("succeeded")), JSON.stringify(chain.rows));
      assert.match(chain.caption ?? "", /^Read from embedded emulator \(SQL in process\)/);
      for (const table of ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"]) {
        assert.ok(hasSection(body, table), table);
      }
      assert.equal(tables(section(body, "Generator")).length, 0);
    });

    await t.step("400 pages name the parameter and link the defaults", async () => {
      for (
        const [path, parameter] of [
          ["/?period=yesterday", "period"],
          ["/?period=TODAY", "period"],
          ["/?metric=height", "metric"],
          ["/?period=today&metric=visitors%00", "metric"],
        ]
      ) {
        const body = await assertHtmlPage(await f.get(path), 400, path);
        const panel = textOf(section(body, "Bad request"));
        assert.match(panel, new RegExp(`The query parameter ${parameter} must be one of `), path);
        assert.ok(links(section(body, "Bad request")).includes("/"), `${path}: a way back`);
      }
      // Parameters a page does not know are ignored (tracking, cache busting).
      assert.equal((await f.get("/?utm_source=mail&_=1")).status, 200);
      // The event streams validate the same way, with a plain-text 400.
      for (
        const [path, parameter] of [
          ["/events/overview?period=yesterday", "period"],
          ["/events/overview?metric=height", "metric"],
          ["/events/overview?since=-1", "since"],
          ["/events/overview?since=abc", "since"],
          ["/events/resorts/Vail?since=1.5", "since"],
        ]
      ) {
        const res = await f.get(path);
        assert.equal(res.status, 400, path);
        assertSecurityHeaders(res, path);
        assert.match(await res.text(), new RegExp(`\\b${parameter}\\b`), path);
      }
    });

    await t.step("unknown resorts get a 404 page linking the five real ones", async () => {
      for (const name of ["Aspen", "Vail Resort", " ", "Vail%2F..%2Fpipeline"]) {
        const path = `/resorts/${name.startsWith("Vail%") ? name : encodeURIComponent(name)}`;
        const body = await assertHtmlPage(await f.get(path), 404, path);
        const panel = section(body, "No such resort");
        const hrefs = links(panel);
        assert.deepEqual(hrefs, resorts.map((r) => `/resorts/${encodeURIComponent(r.resort)}`));
        for (const href of hrefs) assert.equal((await f.get(href)).status, 200, href);
      }
      assert.equal((await f.get("/events/resorts/Aspen")).status, 404);
      // Malformed percent-encoding is a client error, never a 500.
      for (const path of ["/resorts/%E0%A4%A", "/resorts/%", "/events/resorts/%E0%A4%A"]) {
        const res = await f.get(path);
        assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
        await res.body?.cancel();
      }
    });

    await t.step("lookalike resort names in the URL resolve to the resort", async () => {
      for (
        const [path, resort] of [
          ["/resorts/vail", "Vail"],
          ["/resorts/VAIL", "Vail"],
          ["/resorts/beaver-creek", "Beaver Creek"],
          ["/resorts/Beaver%20Creek", "Beaver Creek"],
          ["/resorts/beaver%20creek", "Beaver Creek"],
          ["/resorts/Beaver-Creek", "Beaver Creek"],
        ]
      ) {
        const body = await assertHtmlPage(await f.get(path), 200, path);
        assert.equal(textOf(body.match(/<h1>[\s\S]*?<\/h1>/)![0]), resort, path);
        assert.ok(
          body.includes(`hx-sse:connect="/events/resorts/${encodeURIComponent(resort)}?since=`),
          `${path}: live updates of the resort itself`,
        );
        assert.match(body, new RegExp(`aria-current="page"[^>]*>${resort}</a>`), `${path}: nav`);
      }
      assert.equal((await f.get("/events/resorts/beaver-creek?since=0")).status, 200);
      const res = await f.get("/resorts");
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "/");
    });

    await t.step("other paths: an HTML 404 for browsers, JSON for the rest", async () => {
      const body = await assertHtmlPage(await f.get("/no/such/page"), 404, "404");
      // Its heading is the page's h1, as on every page.
      assert.match(body, /<h1>Not found<\/h1>/);
      assert.equal(
        textOf(section(body, "Not found")),
        "Nothing lives at /no/such/page. Try the overview or the pipeline.",
      );
      assert.deepEqual(links(section(body, "Not found")), ["/", "/pipeline"]);
      const json = await f.get("/no/such/page", { Accept: "application/json" });
      assert.equal(json.status, 404);
      assert.deepEqual(await json.json(), { error: "not found", path: "/no/such/page" });
      const api = await f.get("/api/nope");
      assert.equal(api.status, 404);
      assert.match(api.headers.get("content-type") ?? "", /application\/json/);
      await api.body?.cancel();
    });

    await t.step("names from the URL are escaped in every answer", async () => {
      const hostile = `<script>alert(1)</script>"'&`;
      const e = encodeURIComponent(hostile);
      const paths = [
        `/resorts/${e}`,
        `/${e}`,
        `/no/${e}/page`,
        `/?period=${e}`,
        `/?metric=${e}`,
        `/?period=today&metric=${e}`,
        `/?${e}=1`,
        `/events/resorts/${e}`,
        `/events/overview?period=${e}`,
        `/events/overview?since=${e}`,
        `/resorts/${e}?period=${e}`,
        `/static/${e}/htmx-sse.min.js`,
        `/static/x/${e}`,
      ];
      for (const path of paths) {
        for (const accept of [BROWSER_ACCEPT, "*/*"]) {
          const res = await f.get(path, { Accept: accept });
          const body = await res.text();
          assert.ok(res.status < 500, `${path}: ${res.status}`);
          assertSecurityHeaders(res, path);
          if (/^application\/json/.test(res.headers.get("content-type") ?? "")) {
            // JSON for API clients may echo the path, JSON-escaped; with nosniff no browser
            // renders it as a page.
            assert.equal(typeof JSON.parse(body), "object", path);
            continue;
          }
          assert.ok(!body.includes("<script>alert"), `${path} (${accept}): raw markup in\n${body}`);
        }
      }
      // The name is shown (as text), not dropped.
      const body = await f.get(`/resorts/${e}`).then((r) => r.text());
      assert.ok(textOf(section(body, "No such resort")).includes(hostile));
      assert.ok(body.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped, visible");
      const notFound = await f.get(`/${e}`).then((r) => r.text());
      // The path as the router sees it (decodeURI keeps reserved characters such as %2F encoded).
      assert.ok(textOf(section(notFound, "Not found")).includes(decodeURI(`/${e}`)));
    });

    await t.step("static files: immutable under their hash, 404 otherwise; a favicon", async () => {
      const body = await f.get("/").then((r) => r.text());
      const head = body.match(/<head>[\s\S]*?<\/head>/)![0];
      const urls = [
        ...head.matchAll(/\s(?:src|href)="(\/static\/[^"]+)"/g),
      ].map((m) => m[1]);
      const types: Record<string, RegExp> = {
        "htmx-sse.min.js": /^text\/javascript/,
        "app.css": /^text\/css/,
        "favicon.svg": /^image\/svg\+xml/,
      };
      assert.deepEqual(urls.map((u) => u.split("/").pop()).sort(), Object.keys(types).sort());
      const version = urls[0].split("/")[2];
      assert.match(version, /^[0-9a-f]{8,}$/);
      assert.ok(urls.every((u) => u.split("/")[2] === version), "one version for all");
      for (const url of urls) {
        const res = await f.get(url);
        assert.equal(res.status, 200, url);
        assert.match(res.headers.get("content-type") ?? "", types[url.split("/").pop()!], url);
        const cache = res.headers.get("cache-control") ?? "";
        assert.match(cache, /\bimmutable\b/, url);
        assert.match(cache, /\bmax-age=31536000\b/, url);
        assertSecurityHeaders(res, url);
        assert.ok((await res.text()).length > 50, url);
      }
      // htmx and its SSE extension in one file, htmx first: the extension registers before htmx
      // starts (two deferred files race, and a page that loses never connects its stream).
      const js = await f.get(urls.find((u) => u.endsWith("/htmx-sse.min.js"))!).then((r) =>
        r.text()
      );
      const core = js.indexOf("var htmx=");
      const sse = js.indexOf('registerExtension("sse"');
      assert.ok(core >= 0 && sse > core, "htmx, then the SSE extension");
      for (
        const url of [
          `/static/000000000000/app.css`,
          `/static/${version}0/app.css`,
          `/static/${version}/nope.js`,
          `/static/${version}/..%2Fdeno.json`,
        ]
      ) {
        const res = await f.get(url);
        assert.equal(res.status, 404, url);
        assert.doesNotMatch(res.headers.get("cache-control") ?? "", /immutable/, url);
        await res.body?.cancel();
      }
      const icon = await f.get("/favicon.ico");
      assert.equal(icon.status, 200);
      assert.match(icon.headers.get("content-type") ?? "", /^image\//);
      assert.match(await icon.text(), /<svg\b/);
    });
  } finally {
    await f.close();
  }
});

// ---- swaps: what a link clicked in a page gets --------------------------------------------------

/** What htmx 4 sends for a boosted link (the back button adds `HX-History-Restore-Request`). */
const SWAP_HEADERS = {
  Accept: "text/html",
  "HX-Request": "true",
  "HX-Boosted": "true",
  "HX-Target": "main#page",
  "HX-Current-URL": "http://127.0.0.1:8000/",
};

/** The feed as the pages' source, noting the key of every report read the pages make. */
function countingSource(feed: ReportFeed, keys: string[]): DashboardSource {
  const cache = new Proxy(feed.cache, {
    get(target, name) {
      if (name === "read") {
        return (key: string, run: () => Promise<unknown>) => {
          keys.push(key);
          return target.read(key, run);
        };
      }
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { cache, reports: () => feed.reports(), onChange: (l) => feed.onChange(l) };
}

Deno.test("a link clicked in a page (HX-Request) gets only the fragment it swaps", async () => {
  const keys: string[] = [];
  const f = await dashboardFixture({
    rows: simulate(3, { seed: "web-swap", ticketsPerDay: 100 }),
    source: (feed) => countingSource(feed, keys),
  });
  try {
    const resorts = names(await f.reports.resorts());
    const nav = ["/", ...resorts.map((r) => `/resorts/${encodeURIComponent(r)}`), "/pipeline"];
    const cases: { path: string; status: number; title: string; current: string | null }[] = [
      { path: "/", status: 200, title: "Network overview", current: "/" },
      {
        path: "/?period=last7&metric=revenue",
        status: 200,
        title: "Network overview",
        current: "/",
      },
      { path: "/resorts/Vail", status: 200, title: "Vail", current: "/resorts/Vail" },
      { path: "/pipeline", status: 200, title: "Pipeline", current: "/pipeline" },
      { path: "/?period=yesterday", status: 400, title: "Bad request", current: null },
      { path: "/resorts/Aspen", status: 404, title: "No such resort", current: null },
      { path: "/no/such/page", status: 404, title: "Not found", current: null },
    ];
    for (const { path, status, title, current } of cases) {
      keys.length = 0;
      const whole = await f.get(path);
      const page = await whole.text();
      const pageReads = [...keys];
      keys.length = 0;
      const res = await f.get(path, SWAP_HEADERS);
      const body = await res.text();
      const swapReads = [...keys];

      assert.equal(res.status, status, `${path}: status`);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html; charset=utf-8$/i, path);
      assertSecurityHeaders(res, path);
      // One URL, two answers: caches must keep them apart.
      for (const r of [whole, res]) assert.match(r.headers.get("vary") ?? "", /\bHX-Request\b/);

      // The swap: a title, the page, and the navigation (its current entry moves). Nothing else:
      // no document around it, no head, no script, no header with the clock.
      const main = byId(body, "main", "page");
      const partial = body.match(
        /<hx-partial hx-target="#nav" hx-swap="outerHTML">([\s\S]*?)<\/hx-partial>/,
      );
      assert.ok(partial, `${path}: the navigation as a partial`);
      const rest = body.replace(`<title>${title} · liftline</title>`, "").replace(main, "")
        .replace(partial[0], "");
      assert.equal(rest, "", `${path}: nothing but title, page and navigation`);
      assert.doesNotMatch(body, /<!doctype|<html|<head|<body|<script|id="clock"/i, path);
      // The same page as a whole document shows, and the same navigation.
      if (path !== "/pipeline") {
        // (/pipeline shows ages against the time of the request.)
        assert.equal(main, byId(page, "main", "page"), `${path}: the page itself`);
      }
      assert.equal(partial[1], byId(page, "nav", "nav"), `${path}: the navigation`);
      assert.deepEqual(links(partial[1]), nav, path);
      const marked = [...partial[1].matchAll(/<a id="[^"]*" href="([^"]*)" aria-current="page"/g)];
      assert.deepEqual(marked.map((m) => decodeEntities(m[1])), current ? [current] : [], path);

      // The clock is read for a whole page only (the overview and resort pages need it anyway).
      const dataNeedsClock = status === 200 && path !== "/pipeline";
      if (!dataNeedsClock) {
        assert.ok(pageReads.includes("clock"), `${path}: ${pageReads}`);
        assert.ok(!swapReads.includes("clock"), `${path}: a swap read the clock: ${swapReads}`);
      }
      assert.ok(body.length < page.length, `${path}: ${body.length} B swapped, ${page.length} B`);
    }

    // The back button: htmx 4.0.1 restores with this one header (no HX-Request, fetch's own
    // Accept), and swaps the #page it finds: the same fragment, also for a 404.
    for (const path of ["/resorts/Vail", "/no/such/page"]) {
      const res = await f.fetch(
        new Request(`http://localhost${path}`, {
          headers: { Accept: "*/*", "HX-History-Restore-Request": "true" },
        }),
      );
      const back = await res.text();
      assert.match(
        back,
        /^<title>[^<]+ · liftline<\/title><main id="page" hx-history-elt="" tabindex="-1">/,
      );
      assert.match(res.headers.get("vary") ?? "", /\bHX-History-Restore-Request\b/);
    }
  } finally {
    await f.close();
  }
});

Deno.test("navigation is inherited: the body boosts every link, no link repeats hx- attributes", async () => {
  const f = await dashboardFixture({ rows: simulate(2, { seed: "web-boost", ticketsPerDay: 50 }) });
  try {
    for (const path of ["/", "/resorts/Vail", "/pipeline", "/resorts/Aspen", "/?metric=x"]) {
      const body = await f.get(path).then((r) => r.text());
      const bodyTag = body.match(/<body\b[^>]*>/)![0];
      assert.equal(
        decodeEntities(bodyTag),
        `<body hx-boost:inherited="target:#page swap:outerHTML">`,
        path,
      );
      // A selector's links keep the reader's place; every other link opens its page at the top.
      for (const m of body.matchAll(/<div class="choice"[^>]*>/g)) {
        assert.match(
          decodeEntities(m[0]),
          /hx-boost:inherited="target:#page swap:'outerHTML show:none'"/,
        );
      }
      const anchors = [...body.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]);
      assert.ok(anchors.length > 5, `${path}: ${anchors.length} links`);
      for (const a of anchors) assert.doesNotMatch(a, /\shx-/, `${path}: ${a}`);
      // The page's live connection is not a link: it keeps its own target (itself).
      for (const el of body.matchAll(/<div hx-sse:connect="[^"]*" hidden=""><\/div>/g)) {
        assert.ok(byId(body, "main", "page").includes(el[0]), `${path}: inside #page`);
      }
    }
  } finally {
    await f.close();
  }
});

// ---- names from the data -----------------------------------------------------------------------

const HOSTILE = `<script>alert(1)</script>"'& Peak`;

Deno.test("a resort name from the warehouse is escaped on every page, chart and stream", async () => {
  // Keystone under a hostile name, in RESORT_CAPACITY and in every row that names it.
  const rename = (rows: string[]) =>
    rows.map((r) => {
      const o = JSON.parse(r);
      if (o.RESORT === "Keystone") o.RESORT = HOSTILE;
      return JSON.stringify(o);
    });
  const sim = simulate(2, { seed: "web-hostile", ticketsPerDay: 100 });
  const f = await dashboardFixture({
    capacity: CAPACITY.map((r) => r.resort === "Keystone" ? { ...r, resort: HOSTILE } : r),
    rows: {
      RESORT_TICKET: rename(sim.RESORT_TICKET),
      SEASON_PASS: sim.SEASON_PASS,
      LIFT_RIDE: rename(sim.LIFT_RIDE),
    },
  });
  try {
    const totals = await f.reports.resortTotals({ from: "2026-11-27", to: "2026-11-30" });
    assert.ok(totals.some((t) => t.resort === HOSTILE && t.rides > 0), "the name carries data");
    const resortPath = `/resorts/${encodeURIComponent(HOSTILE)}`;
    const paths = [
      ...METRICS.map((m) => `/?period=last7&metric=${m}`),
      resortPath,
      "/pipeline",
      "/resorts/Aspen",
      "/?period=bad",
      "/no/such/page",
    ];
    for (const path of paths) {
      const res = await f.get(path);
      const body = await res.text();
      assert.ok(res.status < 500, `${path}: ${res.status}`);
      assert.ok(!body.includes("<script>alert"), `${path}: raw markup`);
      // Shown as text (in the navigation at least).
      assert.ok(textOf(body).includes(HOSTILE), `${path}: the name is shown`);
    }
    // In the charts too: the comparison's SVG names every resort, escaped.
    const overview = await f.get("/?period=last7&metric=rides").then((r) => r.text());
    const svg = section(overview, "Resort comparison").match(/<svg[\s\S]*?<\/svg>/)![0];
    assert.ok(svg.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped in the chart");
    // Its page is its own, and so is its live stream.
    const page = await assertHtmlPage(await f.get(resortPath), 200, resortPath);
    assert.equal(textOf(page.match(/<h1>[\s\S]*?<\/h1>/)![0]), HOSTILE);
    const stream = decodeEntities(page.match(/hx-sse:connect="([^"]+)"/)![1]);
    assert.ok(stream.startsWith(`/events/resorts/${encodeURIComponent(HOSTILE)}?since=`), stream);
    const res = await f.fetch(
      new Request(`http://localhost${stream.replace(/since=\d+/, "since=0")}`),
    );
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes('hx-target="#clock"')) {
      text += new TextDecoder().decode((await reader.read()).value);
    }
    await reader.cancel();
    assert.ok(!text.includes("<script>alert"), "raw markup in the stream");
    assert.ok(text.includes("Visitors this hour"));
  } finally {
    await f.close();
  }
});

// ---- before data arrives ---------------------------------------------------------------------

/** World time 14:00 UTC: 07:00 in Colorado, 06:00 at Heavenly; lifts open at 08:00 local. */
const BEFORE_OPENING = new Date(FRIDAY_START);

function generatorAt(worldTime: Date) {
  return {
    worldTime: worldTime.toISOString(),
    rows: { RESORT_TICKET: 0, SEASON_PASS: 0, LIFT_RIDE: 0 },
    rowsPerSecond: 0,
    speed: "MAX",
    paused: false,
    pausedReason: null,
    finished: false,
  };
}

/** No chart frame, no error, no empty table: each panel says what it waits for. */
function assertWaiting(body: string, what: string): string[] {
  assert.doesNotMatch(body, /<svg\b/, `${what}: a chart without data`);
  assert.doesNotMatch(body, /role="alert"|class="error"/, `${what}: an error panel`);
  assert.doesNotMatch(body, /<tbody>\s*<\/tbody>/, `${what}: an empty table`);
  const live = byId(body, "div", "live");
  const notes = [...live.matchAll(/<p class="waiting" role="status">([\s\S]*?)<\/p>/g)].map((m) =>
    textOf(m[1])
  );
  assert.ok(notes.length > 0, `${what}: says what it waits for`);
  for (const n of notes) assert.ok(n.length > 10, `${what}: "${n}"`);
  return notes;
}

Deno.test("before data arrives: every page says what it waits for, never an empty chart or an error", async (t) => {
  for (const refreshed of [false, true]) {
    await t.step(
      refreshed ? "the chain refreshed over no rows" : "before the first refresh",
      async () => {
        const f = await dashboardFixture({ refreshed });
        try {
          f.status.generator = generatorAt(BEFORE_OPENING);
          const resorts = await f.reports.resorts();
          for (const period of PERIODS) {
            for (const metric of METRICS) {
              const path = `/?period=${period}&metric=${metric}`;
              const body = await assertHtmlPage(await f.get(path), 200, path);
              const notes = assertWaiting(body, path);
              assert.match(
                notes.join(" "),
                /Lifts open at 08:00 local; world time 07:00 in (Vail|Beaver Creek|Breckenridge|Keystone) \(MST\)\./,
                path,
              );
              assert.equal(
                textOf(byId(body, "p", "clock")),
                clockText(BEFORE_OPENING, null),
                `${path}: the world time is the generator's`,
              );
            }
          }
          for (const r of resorts) {
            const path = `/resorts/${encodeURIComponent(r.resort)}`;
            const body = await assertHtmlPage(await f.get(path), 200, path);
            const notes = assertWaiting(body, path);
            const local = r.timezone === "America/Los_Angeles" ? "06:00" : "07:00";
            const zone = r.timezone === "America/Los_Angeles" ? "PST" : "MST";
            assert.ok(
              notes.some((n) =>
                n.startsWith(
                  `Lifts open at 08:00 local; world time ${local} in ${r.resort} (${zone}).`,
                )
              ),
              `${path}: ${JSON.stringify(notes)}`,
            );
            for (
              const panel of [
                "This hour",
                "Top 10 lifts, last 30 minutes",
                "Today's revenue against target",
                "Visitors and capacity by hour",
                "Last four weeks",
              ]
            ) {
              assert.match(section(body, panel), /role="status"/, `${path}: ${panel} waits`);
            }
          }
          const pipeline = await assertHtmlPage(await f.get("/pipeline"), 200, "/pipeline");
          assert.doesNotMatch(pipeline, /<svg\b/, "no sparkline without samples");
          assert.doesNotMatch(pipeline, /role="alert"/);
          assert.ok(textOf(section(pipeline, "Generator")).includes(fmtUtc(BEFORE_OPENING)));
        } finally {
          await f.close();
        }
      },
    );
  }

  await t.step("no generator in this process and no rows: waiting for the first rows", async () => {
    const f = await dashboardFixture();
    try {
      const body = await assertHtmlPage(await f.get("/"), 200, "/");
      assert.deepEqual(assertWaiting(body, "/"), ["Waiting for the generator's first rows."]);
      assert.equal(textOf(byId(body, "p", "clock")), clockText(null, null));
    } finally {
      await f.close();
    }
  });

  await t.step("rides arriving, no hour reported yet", async () => {
    // A morning of rows, not refreshed into the reports yet.
    const morning = simulate(1, { seed: "web-morning", ticketsPerDay: 100 });
    const f = await dashboardFixture({ rows: morning, refreshed: false });
    try {
      const body = await assertHtmlPage(await f.get("/"), 200, "/");
      const notes = assertWaiting(body, "/");
      assert.ok(
        notes[0].startsWith("Rides are arriving; no hour has been reported yet."),
        notes[0],
      );
      // The dynamic tables were refreshed once, empty, when setup created them: the note says
      // how old that refresh is, and that the next comes within the target lag.
      assert.match(
        notes[0],
        /Waiting for the first refresh of the reports\.|the latest refresh was .* ago/,
      );
      for (const r of await f.reports.resorts()) {
        const path = `/resorts/${encodeURIComponent(r.resort)}`;
        const page = await assertHtmlPage(await f.get(path), 200, path);
        assert.doesNotMatch(page, /role="alert"/, path);
        assert.doesNotMatch(
          section(page, "Visitors and capacity by hour"),
          /<svg\b/,
          `${path}: no hourly chart before an hour is reported`,
        );
      }
    } finally {
      await f.close();
    }
  });
});

// ---- failed reads ----------------------------------------------------------------------------

/** The feed's reports behind a switch, with a cache whose versions the test moves. */
function switchableSource(feed: ReportFeed, failing = false) {
  const state = { failing };
  const source: DashboardSource = {
    cache: new ReportCache({ retryFailedMs: 0 }),
    reports: () =>
      state.failing ? Promise.reject(new Error("the warehouse is unreachable")) : feed.reports(),
    onChange: (listener) => feed.onChange(listener),
  };
  return { source, state };
}

Deno.test("a failed report read: 200 with an inline error and the last good numbers", async () => {
  let control: ReturnType<typeof switchableSource> | undefined;
  const f = await dashboardFixture({
    rows: simulate(2, { seed: "web-fail", ticketsPerDay: 100 }),
    source: (feed) => (control = switchableSource(feed)).source,
  });
  try {
    const { source, state } = control!;
    source.cache.setVersion("v1");
    const paths = ["/", "/?period=last7&metric=revenue", "/resorts/Vail", "/resorts/Heavenly"];
    const good = new Map<string, string>();
    for (const path of paths) {
      const body = await assertHtmlPage(await f.get(path), 200, path);
      assert.doesNotMatch(body, /role="alert"/, path);
      good.set(path, body);
    }
    // The warehouse goes away, and a refresh makes every cached read stale.
    state.failing = true;
    source.cache.setVersion("v2");
    for (const path of paths) {
      const body = await assertHtmlPage(await f.get(path), 200, path);
      const alert = body.match(/<p class="error" role="alert">([\s\S]*?)<\/p>/);
      assert.ok(alert, `${path}: an inline error`);
      assert.equal(
        textOf(alert[1]),
        "Could not read the reports: the warehouse is unreachable. Showing the last numbers read.",
      );
      // The numbers are the last good ones.
      const before = good.get(path)!;
      const panels = path.startsWith("/resorts/")
        ? ["This hour", "Top 10 lifts, last 30 minutes", "Last four weeks"]
        : ["Network totals", "Resort status", "Resort comparison", "Daily trend by resort"];
      for (const p of panels) {
        assert.deepEqual(tables(section(body, p)), tables(section(before, p)), `${path}: ${p}`);
        assert.deepEqual(kpis(section(body, p)), kpis(section(before, p)), `${path}: ${p}`);
      }
      assert.match(body, /<svg\b/, `${path}: charts of the last numbers`);
    }
    // Navigation and the unknown-resort page keep the resorts they last read.
    const unknown = await assertHtmlPage(await f.get("/resorts/Aspen"), 404, "/resorts/Aspen");
    assert.equal(links(section(unknown, "No such resort")).length, 5);
    await assertHtmlPage(await f.get("/pipeline"), 200, "/pipeline");
    // When the warehouse is back, the next version reads fresh and the error goes.
    state.failing = false;
    source.cache.setVersion("v3");
    const back = await assertHtmlPage(await f.get("/"), 200, "/");
    assert.doesNotMatch(back, /role="alert"/);
    assert.deepEqual(kpis(back), kpis(good.get("/")!));
  } finally {
    await f.close();
  }
});

Deno.test("reports never read yet: pages answer with an inline error, never a 500", async () => {
  const f = await dashboardFixture({ source: (feed) => switchableSource(feed, true).source });
  try {
    for (const path of ["/", "/?period=mtd&metric=capacity", "/pipeline"]) {
      const body = await assertHtmlPage(await f.get(path), 200, path);
      assert.doesNotMatch(body, /<svg\b/, `${path}: no chart without numbers`);
    }
    const body = await f.get("/").then((r) => r.text());
    assert.equal(
      textOf(body.match(/<p class="error" role="alert">([\s\S]*?)<\/p>/)![1]),
      "Could not read the reports: the warehouse is unreachable. Retrying at the next refresh.",
    );
  } finally {
    await f.close();
  }
});

/**
 * When the resort list cannot be read (the warehouse is unreachable, or `run` is still starting
 * its target), a real resort's page is not "no such resort": it answers with an inline error and
 * fills in once the list can be read.
 */
Deno.test("a real resort's page while the reports cannot be read is not a 404 'no such resort'", async () => {
  const f = await dashboardFixture({ source: (feed) => switchableSource(feed, true).source });
  try {
    const res = await f.get("/resorts/Vail");
    const body = await res.text();
    assert.ok(
      !body.includes("There is no resort called"),
      `a read failure is not "no such resort" (status ${res.status}): ${
        textOf(byId(body, "main", "page"))
      }`,
    );
    assert.notEqual(res.status, 404);
    assert.ok(res.status < 500, `status ${res.status}`);
    assert.match(body, /role="alert"/, "says the reports cannot be read");
  } finally {
    await f.close();
  }
});

/**
 * While `run` or `serve` is still reaching its target (the feed is not attached yet; the
 * embedded emulator takes a few seconds to start), each panel says what it waits for: issue 7
 * asks that a page never show an error before data arrives.
 */
Deno.test("while the target is being reached, the overview waits instead of showing an error", async () => {
  const f = await dashboardFixture({ attached: false });
  try {
    f.status.generator = generatorAt(BEFORE_OPENING);
    for (const path of ["/", "/pipeline"]) {
      const body = await assertHtmlPage(await f.get(path), 200, path);
      assertWaiting(body, path);
    }
  } finally {
    await f.close();
  }
});

Deno.test("rows held up on their way (a channel reopening): report pages say their figures may be short", async () => {
  const f = await dashboardFixture({ rows: simulate(1, { seed: "web-held", ticketsPerDay: 50 }) });
  try {
    for (const path of ["/", "/resorts/Vail"]) {
      assert.doesNotMatch(await (await f.get(path)).text(), /class="warning"/, path);
    }
    f.status.setNotReady("streamer:C1", [
      "channel LIFTLINE_RESORT_TICKET_1 for RESORT_TICKET is reopening",
    ]);
    f.status.setNotReady("streamer:C2", ["channel LIFTLINE_LIFT_RIDE_2 for LIFT_RIDE is waiting"]);
    f.status.setNotReady("streamer:C3", ["channel LIFTLINE_LIFT_RIDE_3 for LIFT_RIDE is waiting"]);
    for (const path of ["/", "/resorts/Vail"]) {
      const body = await assertHtmlPage(await f.get(path), 200, path);
      const warning = body.match(/<p class="warning" role="status">([\s\S]*?)<\/p>/);
      assert.ok(warning, `${path}: a warning`);
      assert.equal(
        textOf(warning[1]),
        "Rows are held up on their way to the reports, so these figures may be short of them: " +
          "channel LIFTLINE_RESORT_TICKET_1 for RESORT_TICKET is reopening; " +
          "channel LIFTLINE_LIFT_RIDE_2 for LIFT_RIDE is waiting, and 1 more. Pipeline",
        path,
      );
    }
    for (const c of ["streamer:C1", "streamer:C2", "streamer:C3"]) f.status.setNotReady(c, []);
    assert.doesNotMatch(await (await f.get("/")).text(), /class="warning"/);
  } finally {
    await f.close();
  }
});
