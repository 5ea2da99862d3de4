/**
 * Bench group "web":
 * - `startup_to_healthz_ms`: how fast a fresh `liftline run` (local mode, embedded emulator)
 *   answers its first `/healthz`;
 * - `dashboard_page_p95_ms`: whole dashboard pages (queries, charts, HTML) at 5M rides, cache
 *   cold, beside `dashboard_page_queries_p95_ms`, the same pages' report reads alone;
 * - `dashboard_swap_p95_ms` and `dashboard_swap_kb`: what a click on a link costs once the page
 *   is open (htmx's request, `HX-Request: true`): time with the report cache warm, and bytes;
 * - `live_fanout_100_p95_ms`: from a report change to its fragment at each of 100 SSE clients
 *   (and `live_fanout_100_spread_p95_ms`, the same clients spread over eight topics).
 *
 * The pages run in the real app (`createWebApp`) over the real report feed reading an embedded
 * emulator of 5M rides through its in-process SQL client (as `run` does): the one the reports
 * group built when it ran before in this process, else built here the same way.
 */
import { fileURLToPath } from "node:url";
import type { BenchGroup, BenchResult } from "./main.ts";
import { disposeHistory, type SharedHistory, takeHistory } from "./shared_history.ts";
import { SkiHistory } from "./ski_history.ts";
import { buildConfig } from "../src/config/load.ts";
import { silentLogger } from "../src/log.ts";
import { startLiftlineEmulator } from "../tests/helpers/liftline_emulator.ts";
import { ReportFeed } from "../src/app/report_feed.ts";
import type { Target } from "../src/app/target.ts";
import { PERIODS } from "../src/reports/reports.ts";
import { Metrics } from "../src/status/metrics.ts";
import { StatusStore } from "../src/status/store.ts";
import { createWebApp, LiveHub } from "../src/web/app.ts";
import { RESORT_METRICS } from "../src/web/charts.ts";
import { loadClock, loadOverview, loadResort, loadResorts } from "../src/web/dashboard.ts";
import { freePort } from "./free_port.ts";
import { liftlineCommand, startRuntime } from "./start_task.ts";

const SSE_CLIENTS = fileURLToPath(new URL("./sse_clients.ts", import.meta.url));

const HISTORY_RIDES = 5_000_000;
/** Measured rounds over every page (after one warm-up round). */
const PAGE_ROUNDS = 8;
const FANOUT_CLIENTS = 100;
/** Measured report changes per fan-out figure (after one warm-up change). */
const FANOUT_CHANGES = 20;

type Report = (r: BenchResult) => void;

const ms = (v: number) => Number(v.toFixed(1));

/** The `q` quantile of `values` (nearest rank). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * q) - 1)];
}

async function startupToHealthz(): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-bench-web-" });
  const port = freePort();
  const runtime = await startRuntime();
  const started = performance.now();
  const child = liftlineCommand(runtime, ["run", "--quiet"], {
    env: { DATA_DIR: dir, PORT: String(port), SEED: "bench" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const deadline = started + 30_000;
    while (performance.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.body?.cancel();
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("liftline run did not answer /healthz within 30 s");
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
}

async function benchStartup(report: Report): Promise<void> {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) runs.push(await startupToHealthz());
  runs.sort((a, b) => a - b);
  report({
    name: "startup_to_healthz_ms",
    value: Math.round(runs[Math.floor(runs.length / 2)]),
    unit: "ms",
    note: `median of ${runs.length} starts (deno run, module graph cached); min ${
      Math.round(runs[0])
    }, max ${Math.round(runs[runs.length - 1])}`,
  });
}

/** The reports group's 5M-ride emulator when it ran before in this process, else a new one. */
async function history5m(): Promise<{ history: SharedHistory; origin: string }> {
  const shared = takeHistory(HISTORY_RIDES);
  if (shared) return { history: shared, origin: "shared with the reports group" };
  const t0 = performance.now();
  const e = await startLiftlineEmulator({ dynamic: { autoRefresh: false } });
  try {
    const fill = await SkiHistory.open(e.emu);
    await fill.fillTo(HISTORY_RIDES);
    await e.emu.context.dynamic.refreshAll();
    // As the reports group leaves its history: a busy last hour (its three rounds of 10,000
    // streamed rides), so that "the last 30 minutes" reads have rows to rank.
    await fill.addRecentRides(30_000);
    await e.emu.context.dynamic.refreshAll();
    const built = Math.round((performance.now() - t0) / 1000);
    return { history: { emulator: e, rides: fill.rides }, origin: `built here in ${built} s` };
  } catch (err) {
    await e.close();
    throw err;
  }
}

/** The app as `serve` wires it for an embedded emulator: real report feed, live hub, status. */
async function dashboardApp(history: SharedHistory) {
  const status = new StatusStore();
  const metrics = new Metrics();
  const feed = new ReportFeed({ config: buildConfig({}), metrics, status, log: silentLogger });
  // What `run` attaches: its embedded emulator, read through the in-process SQL client.
  const emulator = history.emulator.emu;
  const target: Target = {
    controlUrl: emulator.url,
    privateKeyPem: "",
    keySource: "bench",
    emulator,
    description: "embedded emulator (bench)",
    close: () => Promise.resolve(),
  };
  feed.attach(target);
  await feed.poll(); // the chain's state for the pipeline page, and the first cache version
  const live = new LiveHub();
  const app = createWebApp({ metrics, status, dashboard: feed, live });
  const resorts = await (await feed.reports()).resorts();
  return { status, feed, live, app, resorts };
}

type DashboardApp = Awaited<ReturnType<typeof dashboardApp>>;

interface PageCase {
  path: string;
  /** The page's report reads alone, as its route makes them. */
  queries: () => Promise<unknown>;
}

function pageCases(d: DashboardApp): PageCase[] {
  const { feed, status } = d;
  const checked = (reads: { error: Error | null }[]) => {
    for (const r of reads) if (r.error) throw r.error;
  };
  const overview = (period: (typeof PERIODS)[number]) => async () => {
    const data = await loadOverview(feed, status, period);
    const r = data.report;
    if (!r) throw new Error("no reported date in the 5M history");
    checked([data.clock.read, data.resorts, r.overview, r.totals, r.trend]);
  };
  const cases: PageCase[] = [{ path: "/", queries: overview("today") }];
  for (const period of PERIODS) {
    for (const metric of Object.keys(RESORT_METRICS)) {
      cases.push({ path: `/?period=${period}&metric=${metric}`, queries: overview(period) });
    }
  }
  for (const info of d.resorts) {
    cases.push({
      path: `/resorts/${encodeURIComponent(info.resort)}`,
      queries: async () => {
        checked([await loadResorts(feed)]);
        const data = await loadResort(feed, status, info);
        checked([data.clock.read, data.resorts, data.center]);
      },
    });
  }
  cases.push({
    path: "/pipeline",
    queries: async () => {
      const [resorts, clock] = await Promise.all([loadResorts(feed), loadClock(feed, status)]);
      checked([resorts, clock.read]);
    },
  });
  return cases;
}

/** Whole pages and their reads alone, each with a fresh cache version (cold). */
async function benchPages(report: Report, d: DashboardApp, origin: string, rides: number) {
  const cases = pageCases(d);
  const pages = new Map<string, number[]>(cases.map((c) => [c.path, []]));
  const reads = new Map<string, number[]>(cases.map((c) => [c.path, []]));
  const renders = new Map<string, number[]>(cases.map((c) => [c.path, []]));
  const charts = new Map<string, number>();
  let version = 0;
  const cold = () => d.feed.cache.setVersion(`bench-cold-${++version}`);
  for (let round = 0; round <= PAGE_ROUNDS; round++) {
    for (const c of cases) {
      cold();
      let t0 = performance.now();
      const res = await d.app.request(c.path, { headers: { Accept: "text/html" } });
      const body = await res.text();
      const page = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${c.path}: ${res.status}`);
      if (body.includes('class="error"')) throw new Error(`GET ${c.path}: a read failed`);
      // The same page again with the cache warm: its rendering (charts, HTML) alone.
      t0 = performance.now();
      await (await d.app.request(c.path, { headers: { Accept: "text/html" } })).text();
      const render = performance.now() - t0;
      cold();
      t0 = performance.now();
      await c.queries();
      const query = performance.now() - t0;
      if (round === 0) continue; // warm-up: compilation, first statements prepared
      pages.get(c.path)!.push(page);
      renders.get(c.path)!.push(render);
      reads.get(c.path)!.push(query);
      charts.set(c.path, body.split("<svg").length - 1);
    }
  }
  const all = [...pages.values()].flat();
  const allReads = [...reads.values()].flat();
  const allRenders = [...renders.values()].flat();
  const perPage = cases.map((c) => ({
    path: c.path,
    page: quantile(pages.get(c.path)!, 0.95),
    reads: quantile(reads.get(c.path)!, 0.95),
    render: quantile(renders.get(c.path)!, 0.95),
    charts: charts.get(c.path) ?? 0,
  })).sort((a, b) => b.page - a.page);
  const slowest = perPage[0];
  const slowestReads = [...perPage].sort((a, b) => b.reads - a.reads)[0];
  report({
    name: "dashboard_page_p95_ms",
    value: ms(quantile(all, 0.95)),
    unit: "ms",
    note: `${cases.length} pages (/, 3 periods × 4 metrics, ${d.resorts.length} resorts, ` +
      `/pipeline) × ${PAGE_ROUNDS} rounds, in-process app.request, each with a new cache ` +
      `version; p50 ${ms(quantile(all, 0.5))}; slowest page ${slowest.path} p95 ` +
      `${ms(slowest.page)} (its reads alone ${ms(slowest.reads)}, its rendering with a warm ` +
      `cache ${ms(slowest.render)}, ${slowest.charts} charts); all pages warm (rendering ` +
      `only) p95 ${ms(quantile(allRenders, 0.95))}; ${rides} rides, embedded ` +
      `warehouse ${origin} (target ≤ 150)`,
  });
  report({
    name: "dashboard_page_queries_p95_ms",
    value: ms(quantile(allReads, 0.95)),
    unit: "ms",
    note: `the bound dashboard_page_p95_ms is measured against: the same pages' report reads ` +
      `alone (cold cache, through the same loaders), no rendering; p50 ${
        ms(quantile(allReads, 0.5))
      }; slowest ${slowestReads.path} p95 ` +
      `${ms(slowestReads.reads)}`,
  });
  return perPage;
}

/** Measured rounds of swaps over every page (after one warm-up round). */
const SWAP_ROUNDS = 20;

/**
 * What a click costs once a page is open: the request htmx sends for a link (`HX-Request`, the
 * current URL), for every page of {@link pageCases}, with the report cache warm (the live topics
 * keep it so while anyone watches). Bytes are the response body as sent (no compression).
 */
async function benchSwaps(report: Report, d: DashboardApp) {
  const cases = pageCases(d);
  const times: number[] = [];
  const bytes = new Map<string, number>();
  const headers = {
    Accept: "text/html",
    "HX-Request": "true",
    "HX-Boosted": "true",
    "HX-Current-URL": "http://127.0.0.1/",
  };
  for (let round = 0; round <= SWAP_ROUNDS; round++) {
    for (const c of cases) {
      const t0 = performance.now();
      const res = await d.app.request(c.path, { headers });
      const body = new Uint8Array(await res.arrayBuffer());
      const took = performance.now() - t0;
      if (res.status !== 200) throw new Error(`swap to ${c.path}: ${res.status}`);
      if (round === 0) continue; // warm-up, and fills the cache
      times.push(took);
      bytes.set(c.path, body.byteLength);
    }
  }
  const sizes = [...bytes.values()];
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  report({
    name: "dashboard_swap_p95_ms",
    value: ms(quantile(times, 0.95)),
    unit: "ms",
    note: `a link's request (HX-Request) to each of ${cases.length} pages × ${SWAP_ROUNDS} ` +
      `rounds, in-process app.request, report cache warm; p50 ${ms(quantile(times, 0.5))}`,
  });
  report({
    name: "dashboard_swap_kb",
    value: Number((mean / 1024).toFixed(1)),
    unit: "KiB",
    note: `mean response body of those swaps; smallest ${Math.min(...sizes)} B, largest ` +
      `${Math.max(...sizes)} B (uncompressed)`,
  });
}

/** Line reader over a child's stdout. */
function lines(stream: ReadableStream<Uint8Array>): () => Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return async () => {
    for (;;) {
      const end = buffer.indexOf("\n");
      if (end >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the SSE client process ended early");
      buffer += value;
    }
  };
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * 100 clients in a second process on the pages' live streams; each change is a real refresh of
 * the report chain (new data timestamps), then the feed's poll that notices it. Measured from
 * the poll to each client's complete message.
 */
async function fanout(
  d: DashboardApp,
  refresh: () => Promise<void>,
  base: string,
  pagePaths: string[],
): Promise<
  {
    deliveries: number[];
    firsts: number[];
    spreads: number[];
    topics: number;
    bytes: number;
    renders: number;
  }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", SSE_CLIENTS, base, String(FANOUT_CLIENTS), ...pagePaths],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const next = lines(child.stdout);
  const deliveries: number[] = [];
  /** Per change: the first client's delivery, and how much later the last client had it. */
  const firsts: number[] = [];
  const spreads: number[] = [];
  let bytes = 0;
  let renders = 0;
  try {
    const ready = JSON.parse(await within(next(), 60_000, "SSE clients")) as { topics: string[] };
    for (let change = 0; change <= FANOUT_CHANGES; change++) {
      await refresh();
      const before = d.feed.cache.version;
      const rendersBefore = d.live.renders;
      const t0 = performance.timeOrigin + performance.now();
      await d.feed.poll();
      if (d.feed.cache.version === before) throw new Error("the refresh changed no version");
      const got = JSON.parse(await within(next(), 30_000, "fan-out")) as {
        at: number[];
        bytes: number;
      };
      if (change === 0) continue; // warm-up
      renders += d.live.renders - rendersBefore;
      bytes = got.bytes;
      const times = got.at.map((at) => at - t0);
      deliveries.push(...times);
      firsts.push(Math.min(...times));
      spreads.push(Math.max(...times) - Math.min(...times));
    }
    return { deliveries, firsts, spreads, topics: ready.topics.length, bytes, renders };
  } finally {
    await child.stdin.close().catch(() => {});
    await child.status;
  }
}

async function benchFanout(report: Report, d: DashboardApp, history: SharedHistory) {
  const refresh = () => history.emulator.emu.context.dynamic.refreshAll();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    d.app.fetch,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const one = await fanout(d, refresh, base, ["/?period=today&metric=visitors"]);
    report({
      name: "live_fanout_100_p95_ms",
      value: ms(quantile(one.deliveries, 0.95)),
      unit: "ms",
      note: `${FANOUT_CLIENTS} SSE clients (fetch streams, in a second process) on one overview ` +
        `topic, ${FANOUT_CHANGES} changes (each a refresh of the chain at ${history.rides} ` +
        `rides, timed from the feed's poll noticing it to each client's complete message, ` +
        `${one.bytes} B); p50 ${ms(quantile(one.deliveries, 0.5))}, max ${
          ms(Math.max(...one.deliveries))
        }; per change, first client p50 ${ms(quantile(one.firsts, 0.5))} and last client ` +
        `after the first p50 ${ms(quantile(one.spreads, 0.5))}; ${
          one.renders / FANOUT_CHANGES
        } render(s) per change (target ≤ 500)`,
    });
    const spreadPages = [
      ...PERIODS.map((p) => `/?period=${p}&metric=visitors`),
      ...d.resorts.map((r) => `/resorts/${encodeURIComponent(r.resort)}`),
    ];
    const spread = await fanout(d, refresh, base, spreadPages);
    report({
      name: "live_fanout_100_spread_p95_ms",
      value: ms(quantile(spread.deliveries, 0.95)),
      unit: "ms",
      note: `as live_fanout_100_p95_ms with the ${FANOUT_CLIENTS} clients spread round-robin ` +
        `over ${spread.topics} topics (3 overview periods, ${d.resorts.length} resorts); p50 ${
          ms(quantile(spread.deliveries, 0.5))
        }, max ${ms(Math.max(...spread.deliveries))}; per change, first client p50 ${
          ms(quantile(spread.firsts, 0.5))
        }, last after first p50 ${ms(quantile(spread.spreads, 0.5))}; ${
          spread.renders / FANOUT_CHANGES
        } render(s) per change`,
    });
  } finally {
    d.live.close(); // ends the open streams, so that the server can shut down
    await server.shutdown();
  }
}

const web: BenchGroup = async (report) => {
  await benchStartup(report);
  const { history, origin } = await history5m();
  try {
    const d = await dashboardApp(history);
    const perPage = await benchPages(report, d, origin, history.rides);
    await benchSwaps(report, d);
    if (Deno.env.get("BENCH_VERBOSE")) {
      for (const p of perPage) {
        console.error(
          `${p.path}\tpage p95 ${ms(p.page)}\treads ${ms(p.reads)}\twarm ${ms(p.render)}\t` +
            `${p.charts} svg`,
        );
      }
    }
    await benchFanout(report, d, history);
    await d.feed.close();
  } finally {
    await disposeHistory(history);
  }
};

export default web;

if (import.meta.main) {
  await web((r) => console.log(JSON.stringify(r)));
}
