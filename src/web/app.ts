/**
 * The process's own HTTP surface as one hono app: the dashboard pages and their live streams,
 * the embedded static files, and the operator's endpoints, behind the security headers. It
 * reads the status store, the metric registry and the report feed; it knows nothing of the
 * roles' internals.
 *
 * @module
 */
import { Hono } from "hono";
import { answerError } from "./errors.ts";
import { FAVICON, findAsset } from "./assets.ts";
import { type OpsDeps, registerOps } from "./ops.ts";
import { securityHeaders } from "./security.ts";
import type { DashboardSource, LiftHours } from "./dashboard.ts";
import type { LiveHub } from "./live.ts";

export type { DashboardSource, LiftHours } from "./dashboard.ts";
export { LiveHub, SlowClientError } from "./live.ts";

/** What the web app reads. */
export interface WebDeps extends OpsDeps {
  /** The report feed; without it only the operator's endpoints are served. */
  dashboard?: DashboardSource;
  /** Live updates (needed with `dashboard`); the caller closes it before shutting down. */
  live?: LiveHub;
  /** Lift hours for the "lifts open at …" notes (default 08:00–16:00). */
  liftHours?: LiftHours;
  /** The raw tables in pipeline order (default the three of liftline). */
  tables?: readonly string[];
}

const IMMUTABLE = "public, max-age=31536000, immutable";
/** How long after start the pages load when nobody asked for one yet. */
const PAGES_WARM_UP_MS = 1500;

/** Builds the hono app. */
export function createWebApp(deps: WebDeps): Hono {
  // strict: false lets `/pipeline/` and `/resorts/Vail/` reach their pages.
  const app = new Hono({ strict: false });
  app.use(securityHeaders());
  // Every page and endpoint here is read-only: any other method is refused as such (405, with
  // the methods that are allowed), not answered "not found".
  app.use(async (c, next) => {
    const m = c.req.method;
    if (m !== "GET" && m !== "HEAD" && m !== "OPTIONS") {
      return c.json({ error: "method not allowed", method: m }, 405, { Allow: "GET, HEAD" });
    }
    await next();
  });

  app.get("/static/:version/:name", (c) => {
    const asset = findAsset(c.req.param("version"), c.req.param("name"));
    if (!asset) return c.text("not found\n", 404);
    return c.body(asset.body, 200, {
      "Content-Type": asset.contentType,
      "Cache-Control": IMMUTABLE,
    });
  });
  app.get("/favicon.ico", (c) =>
    c.body(FAVICON.body, 200, {
      "Content-Type": FAVICON.contentType,
      "Cache-Control": "public, max-age=86400",
    }));

  registerOps(app, deps);

  if (deps.dashboard && deps.live) {
    const { dashboard, live } = deps;
    // The pages need ECharts, whose first load holds the thread for a second or so. It is loaded
    // on the first page request, or a moment after start, so health probes answer at once.
    let pages: Promise<Hono> | undefined;
    const load = () =>
      pages ??= import("./routes.tsx").then(({ createDashboardApp }) =>
        createDashboardApp({
          status: deps.status,
          dashboard,
          live,
          liftHours: deps.liftHours ?? { open: 8, close: 16 },
          tables: deps.tables ?? ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"],
        })
      );
    const warmUp = setTimeout(() => load().catch(() => {}), PAGES_WARM_UP_MS);
    Deno.unrefTimer(warmUp);
    live.onClose(() => clearTimeout(warmUp));
    app.all("*", async (c) => (await load()).fetch(c.req.raw));
  } else {
    app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));
  }
  app.onError(answerError);
  return app;
}
