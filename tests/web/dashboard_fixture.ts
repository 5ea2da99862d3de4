/**
 * A dashboard over a real warehouse for the web tests: an embedded emulator set up with liftline's
 * objects through SQL (the setup script, with the test's RESORT_CAPACITY), seeded simulated rows
 * streamed into its pipes, its dynamic tables refreshed by hand, the real report feed reading it
 * through the in-process SQL client (as `run` does with its embedded emulator), a status store and
 * a live hub, all behind `createWebApp`. Optionally served on an ephemeral port for the event
 * streams.
 */
import { buildConfig, type TableName } from "../../src/config/load.ts";
import {
  type LocalSqlClient,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Reports, sqlSource } from "../../src/reports/mod.ts";
import { ReportFeed } from "../../src/app/report_feed.ts";
import type { Target } from "../../src/app/target.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";
import { createWebApp, type DashboardSource, LiveHub, type WebDeps } from "../../src/web/app.ts";
import type { LiveHubOptions } from "../../src/web/live.ts";
import { type ResortCapacityRow, resortCapacityRows, setupScript } from "../../sql/render.ts";
import facts from "../../src/generator/resorts.json" with { type: "json" };
import { NAMES } from "../helpers/liftline_emulator.ts";
import { streamRows } from "../helpers/stream_rows.ts";

/** The dashboard under test and what it reads. */
export interface DashboardFixture {
  /** The emulator (its report chain refreshed by {@link refresh}). */
  emu: RunningEmulator;
  /** A SQL client of the emulator, in process. */
  sql: LocalSqlClient;
  /** The report queries on the same warehouse: what the pages must agree with. */
  reports: Reports;
  feed: ReportFeed;
  status: StatusStore;
  live: LiveHub;
  /** `createWebApp`'s fetch handler. */
  fetch: (req: Request) => Response | Promise<Response>;
  /** GET `path` in process (no server), with `Accept: text/html` like a browser. */
  get(path: string, headers?: HeadersInit): Promise<Response>;
  /**
   * Streams rows into the tables' pipes and resolves once they are committed. {@link refresh}
   * waits for loads still under way, so a load needs no await of its own before a refresh.
   */
  load(rows: Partial<Record<TableName, readonly string[]>>): Promise<void>;
  /** Refreshes the whole report chain, then lets the feed notice (a new cache version). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link dashboardFixture}. */
export interface DashboardFixtureOptions {
  /** RESORT_CAPACITY rows (default: the real resorts). */
  capacity?: readonly ResortCapacityRow[];
  /** Rows loaded before the fixture is returned (default none). */
  rows?: Partial<Record<TableName, readonly string[]>>;
  /**
   * Attach the feed to the warehouse (default true); false is `run` while its target is still
   * being reached.
   */
  attached?: boolean;
  /**
   * Refresh the chain once more before returning, after the rows are in (default true). False
   * leaves the dynamic tables as setup left them: refreshed once at creation, over no rows (the
   * setup script's dynamic tables initialize on creation, as Snowflake's do by default).
   */
  refreshed?: boolean;
  live?: LiveHubOptions;
  /** Replaces the report feed as the pages' source (the feed still keeps the status current). */
  source?: (feed: ReportFeed) => DashboardSource;
  web?: Partial<WebDeps>;
}

/** A browser's Accept header. */
export const BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8";

/** Runs liftline's setup script, with `capacity` as RESORT_CAPACITY. */
async function provisionWith(
  sql: LocalSqlClient,
  capacity: readonly ResortCapacityRow[],
): Promise<void> {
  for (const s of setupScript({ ...NAMES, pipes: { ...NAMES.pipes } }, capacity)) {
    await sql.query(s.sql);
  }
}

/** Builds the dashboard over a fresh emulator. */
export async function dashboardFixture(
  options: DashboardFixtureOptions = {},
): Promise<DashboardFixture> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-dashboard-" });
  const emu = await startEmulator({
    dataDir: dir,
    commitDelayMs: 0,
    dynamic: { autoRefresh: false },
  });
  const sql = emu.localClient();
  const status = new StatusStore();
  const metrics = new Metrics();
  const config = buildConfig({ DATA_DIR: dir, TARGET: "local" });
  const feed = new ReportFeed({ config, metrics, status, log: silentLogger });
  const live = new LiveHub(options.live);
  const app = createWebApp({
    metrics,
    status,
    dashboard: options.source ? options.source(feed) : feed,
    live,
    ...options.web,
  });
  const loads = new Set<Promise<void>>();
  const fixture: DashboardFixture = {
    emu,
    sql,
    reports: new Reports(sqlSource(sql)),
    feed,
    status,
    live,
    fetch: (req) => app.fetch(req),
    get: async (path, headers) =>
      await app.request(path, { headers: { Accept: BROWSER_ACCEPT, ...headers } }),
    load(rows) {
      // One load at a time, in call order (each reopens the fixture's channels).
      const previous = Promise.all(loads);
      const run = previous.then(() => streamRows(emu, rows));
      const tracked = run.finally(() => loads.delete(tracked));
      loads.add(tracked);
      return run;
    },
    async refresh() {
      await Promise.all(loads);
      await emu.context.dynamic.refreshAll();
      await feed.poll();
    },
    async close() {
      live.close();
      await feed.close();
      await Promise.allSettled(loads);
      await sql.close().catch(() => {});
      await emu.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
  try {
    await provisionWith(sql, options.capacity ?? resortCapacityRows(facts));
    // What `run` attaches: a target with its embedded emulator, read through its SQL client.
    if (options.attached ?? true) {
      const target: Target = {
        controlUrl: emu.url,
        privateKeyPem: "",
        keySource: "test",
        emulator: emu,
        description: "embedded emulator (test)",
        close: () => Promise.resolve(),
      };
      feed.attach(target);
    }
    // The pages load in the background (ECharts): wait for them, so that they see every change.
    await (await app.request("/pipeline")).body?.cancel();
    if (options.rows) await fixture.load(options.rows);
    if (options.refreshed ?? true) await fixture.refresh();
    else await feed.poll();
  } catch (e) {
    await fixture.close();
    throw e;
  }
  return fixture;
}

/** A server on an ephemeral loopback port for `handler`. */
export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at an ephemeral port. */
export function serve(handler: (req: Request) => Response | Promise<Response>): TestServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    close: () => server.shutdown(),
  };
}
