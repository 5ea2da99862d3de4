/**
 * The dashboard's routes: the three pages, their live event streams, and the wiring that turns
 * report refreshes and status samples into one render per topic, pushed to every subscriber.
 *
 * A page route validates its query string in a middleware (`validQuery`), reads its data, and
 * answers `c.render(body, props)`: the layout (`layout.tsx`) adds the rest, or only the swapped
 * fragment when htmx asks.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { ResortInfo } from "../reports/reports.ts";
import type { StatusStore } from "../status/store.ts";
import {
  type DashboardSource,
  type LiftHours,
  loadClock,
  loadOverview,
  loadResort,
  loadResorts,
} from "./dashboard.ts";
import { ClockLine, clockPartial, isSwap, layout, Live, livePartials } from "./layout.tsx";
import { ReadError, Waiting } from "./components.tsx";
import type { LiveHub } from "./live.ts";
import { answerError } from "./errors.ts";
import { renderBarChart, renderLineChart, renderSparkline } from "./charts.ts";
import {
  type BadQuery,
  overviewQuery,
  overviewStreamQuery,
  sinceQuery,
  validQuery,
} from "./params.ts";
import { BadRequestBody, NotFoundBody, UnknownResortBody } from "./pages/errors.tsx";
import {
  type OverviewChoice,
  overviewEventsUrl,
  OverviewLive,
  PeriodChoice,
} from "./pages/overview.tsx";
import { PIPELINE_EVENTS_URL, PipelineLive } from "./pages/pipeline.tsx";
import { resortEventsUrl, ResortHeader, ResortLive } from "./pages/resort.tsx";

/** What the dashboard routes read. */
export interface DashboardDeps {
  status: StatusStore;
  dashboard: DashboardSource;
  live: LiveHub;
  liftHours: LiftHours;
  /** The raw tables, in pipeline order. */
  tables: readonly string[];
}

async function html(node: Child): Promise<string> {
  return String(await (node as { toString(): string | Promise<string> }).toString());
}

/** Resort names for the navigation; an empty list when the reports cannot be read. */
async function resortNames(d: DashboardSource): Promise<string[]> {
  return ((await loadResorts(d)).value ?? []).map((r) => r.resort);
}

/** An event stream's answer to a query string that does not validate. */
const badStreamQuery = (c: Context, e: BadQuery) => c.text(`bad request: ${e.message}\n`, 400);

function warmUpCharts(): void {
  const axis = { name: "visitors", unit: "count" as const };
  renderBarChart({ title: "warm-up", axis, bars: [{ label: "a", value: 1 }] });
  renderLineChart({
    title: "warm-up",
    x: { kind: "hour", hours: [8, 9] },
    y: axis,
    series: [{ name: "a", values: [1, 2] }],
  });
  renderSparkline({ title: "warm-up", unit: "seconds", points: [{ at: 0, value: 1 }] });
}

/** The resort a URL names: exact, else ignoring case, `-` for spaces. */
function findResort(resorts: readonly ResortInfo[], name: string): ResortInfo | undefined {
  const norm = (s: string) => s.toLowerCase().replaceAll("-", " ").trim();
  return resorts.find((r) => r.resort === name) ??
    resorts.find((r) => norm(r.resort) === norm(name));
}

const overviewTopic = (c: OverviewChoice) => `overview?period=${c.period}&metric=${c.metric}`;
const resortTopic = (name: string) => `resort:${name}`;
const PIPELINE_TOPIC = "pipeline";

/** The pages and their live streams as a hono app; starts pushing updates (until `live` closes). */
export function createDashboardApp(deps: DashboardDeps): Hono {
  const app = new Hono({ strict: false });
  app.onError(answerError);
  // The chart engine's first drawing of each kind costs far more than the next ones: pay it
  // here, while the app loads, not on someone's first page view.
  warmUpCharts();
  const { status, dashboard, live, liftHours, tables } = deps;
  /** Bumped on every report refresh: the id of live messages, and `since` of rendered pages. */
  let generation = 0;

  const clockHtml = async () => html(<ClockLine clock={await loadClock(dashboard, status)} />);

  const renderOverview = (choice: OverviewChoice) => async () =>
    html(
      <OverviewLive
        data={await loadOverview(dashboard, status, choice.period)}
        choice={choice}
        hours={liftHours}
        status={status}
      />,
    );
  const renderResort = (info: ResortInfo) => async () =>
    html(
      <ResortLive
        data={await loadResort(dashboard, status, info)}
        hours={liftHours}
        status={status}
      />,
    );
  const renderPipeline = () =>
    html(<PipelineLive status={status} tables={tables} now={Date.now()} />);

  const withClock = (render: () => Promise<string>) => async () =>
    livePartials(await render(), clockPartial(await clockHtml()));

  // Live streams. A page passes the generation it was rendered at; when a refresh happened
  // since (or the client reconnects with an older event id), it gets the current view at once.
  const ids = (c: Context, since: number | undefined) => {
    const last = c.req.header("Last-Event-ID");
    const seen = last !== undefined && /^\d+$/.test(last) ? last : since?.toString();
    return { seenId: seen, currentId: String(generation) };
  };

  app.use("/events/*", async (c, next) => {
    if (c.req.method === "HEAD") return live.head();
    await next();
  });

  app.get("/events/overview", validQuery(overviewStreamQuery, badStreamQuery), async (c) => {
    const { since, ...choice } = c.req.valid("query");
    return await live.connect(
      overviewTopic(choice),
      withClock(renderOverview(choice)),
      ids(c, since),
    );
  });

  app.get("/events/resorts/:name", validQuery(sinceQuery, badStreamQuery), async (c) => {
    const { since } = c.req.valid("query");
    const known = await loadResorts(dashboard);
    if (known.value === undefined) {
      // Not readable yet: the client comes back after a while, and connects once it is.
      return live.retryLater("the resort list cannot be read yet");
    }
    const info = findResort(known.value, c.req.param("name"));
    if (!info) return c.text("no such resort\n", 404);
    return await live.connect(
      resortTopic(info.resort),
      withClock(renderResort(info)),
      ids(c, since),
    );
  });

  app.get(PIPELINE_EVENTS_URL, () => live.connect(PIPELINE_TOPIC, withClock(renderPipeline)));

  // Every page below answers through the layout, which reads what a route did not pass.
  app.use(
    layout({
      resorts: () => resortNames(dashboard),
      clock: () => loadClock(dashboard, status),
    }),
  );

  /** A page's answer to a query string that does not validate: a 400 page naming it. */
  const badPage = (retry: string) => (c: Context, e: BadQuery) => {
    c.status(400);
    return c.render(
      <BadRequestBody parameter={e.parameter} problem={e.problem} retry={retry} />,
      { title: "Bad request" },
    );
  };

  app.get("/", validQuery(overviewQuery, badPage("/")), async (c) => {
    const choice = c.req.valid("query");
    const since = generation;
    const data = await loadOverview(dashboard, status, choice.period);
    return c.render(
      <>
        <h1>Network overview</h1>
        <PeriodChoice choice={choice} />
        <OverviewLive data={data} choice={choice} hours={liftHours} status={status} />
      </>,
      {
        title: "Network overview",
        active: { page: "overview" },
        resorts: (data.resorts.value ?? []).map((r) => r.resort),
        clock: data.clock,
        liveUrl: overviewEventsUrl(choice, since),
      },
    );
  });

  app.get("/resorts/:name", async (c) => {
    const name = c.req.param("name");
    const known = await loadResorts(dashboard);
    if (known.value === undefined) {
      // The resort list cannot be read yet (target unreachable or still starting): that is no
      // reason to call the resort unknown. The live stream brings the page once it can be read.
      return c.render(
        <>
          <h1>{name}</h1>
          <Live>
            <ReadError error={known.error} hasValue={false} />
            <Waiting>
              Waiting for the list of resorts; this page fills in when it can be read.
            </Waiting>
          </Live>
        </>,
        { title: name, resorts: [], liveUrl: resortEventsUrl(name) },
      );
    }
    const resorts = known.value.map((r) => r.resort);
    const info = findResort(known.value, name);
    if (!info) {
      c.status(404);
      return c.render(<UnknownResortBody name={name} resorts={resorts} />, {
        title: "No such resort",
        resorts,
      });
    }
    const since = generation;
    const data = await loadResort(dashboard, status, info);
    return c.render(
      <>
        <ResortHeader info={info} />
        <ResortLive data={data} hours={liftHours} status={status} />
      </>,
      {
        title: info.resort,
        active: { page: "resort", resort: info.resort },
        resorts,
        clock: data.clock,
        liveUrl: resortEventsUrl(info.resort, since),
      },
    );
  });

  app.get("/pipeline", (c) =>
    c.render(
      <>
        <h1>Ingest pipeline</h1>
        <PipelineLive status={status} tables={tables} now={Date.now()} />
      </>,
      { title: "Pipeline", active: { page: "pipeline" }, liveUrl: PIPELINE_EVENTS_URL },
    ));

  // Every report refresh: each open report view is rendered once and pushed to its viewers.
  const offChange = dashboard.onChange(() => {
    generation++;
    live.publish((key) => key !== PIPELINE_TOPIC, String(generation)).catch(() => {});
  });
  // Every status sample (once a second): the pipeline view, and the clock on every page.
  let lastClock = "";
  let sampling = false;
  const offSample = status.onSample(() => {
    // Nobody watching: no render, and no report read (a warehouse query on a real account).
    if (sampling || live.subscribers === 0) return;
    sampling = true;
    (async () => {
      await live.publish((key) => key === PIPELINE_TOPIC);
      const clock = await clockHtml();
      if (clock !== lastClock) {
        lastClock = clock;
        live.broadcast(clockPartial(clock));
      }
    })().catch(() => {}).finally(() => {
      sampling = false;
    });
  });
  live.onClose(() => {
    offChange();
    offSample();
  });

  app.get("/resorts", (c) => c.redirect("/", 302));

  app.notFound((c) => {
    const wantsHtml = isSwap(c) || (c.req.header("Accept") ?? "").includes("text/html");
    if (c.req.path.startsWith("/api/") || !wantsHtml) {
      return c.json({ error: "not found", path: c.req.path }, 404);
    }
    c.status(404);
    return c.render(<NotFoundBody path={c.req.path} />, { title: "Not found" });
  });
  return app;
}
