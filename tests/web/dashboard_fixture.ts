/**
 * A dashboard over a real warehouse for the web tests: seeded simulated rows loaded through the
 * pipe's commit path, the real dynamic-table engine, the real report feed reading the warehouse
 * directly (as `run` does with its embedded emulator), a status store and a live hub, all behind
 * `createWebApp`. Optionally served on an ephemeral port for the event streams.
 */
import type { Config, TableName } from "../../src/config/load.ts";
import { DynamicTableEngine } from "../../src/emulator/dynamic/engine.ts";
import { ensureSchema } from "../../src/emulator/dynamic/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { Reports, warehouseSource } from "../../src/reports/mod.ts";
import { ReportFeed } from "../../src/app/report_feed.ts";
import type { Target } from "../../src/app/target.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";
import { createWebApp, type DashboardSource, LiveHub, type WebDeps } from "../../src/web/app.ts";
import type { LiveHubOptions } from "../../src/web/live.ts";
import type { ResortCapacityRow } from "../../sql/render.ts";
import { CAPACITY, type TempWarehouse, tempWarehouse } from "../reports/fixtures.ts";

/** The dashboard under test and what it reads. */
export interface DashboardFixture {
  /** The warehouse (its report chain refreshed by {@link refresh}). */
  store: TempWarehouse;
  engine: DynamicTableEngine;
  /** The report queries on the same warehouse: what the pages must agree with. */
  reports: Reports;
  feed: ReportFeed;
  status: StatusStore;
  live: LiveHub;
  /** `createWebApp`'s fetch handler. */
  fetch: (req: Request) => Response | Promise<Response>;
  /** GET `path` in process (no server), with `Accept: text/html` like a browser. */
  get(path: string, headers?: HeadersInit): Promise<Response>;
  /** Loads rows (one committed batch per table), as a streamed append ends. */
  load(rows: Partial<Record<TableName, readonly string[]>>): void;
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
  /** Refresh the chain once before returning, as a start does (default true). */
  refreshed?: boolean;
  live?: LiveHubOptions;
  /** Replaces the report feed as the pages' source (the feed still keeps the status current). */
  source?: (feed: ReportFeed) => DashboardSource;
  web?: Partial<WebDeps>;
}

/** A browser's Accept header. */
export const BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8";

/** Builds the dashboard over a fresh warehouse. */
export async function dashboardFixture(
  options: DashboardFixtureOptions = {},
): Promise<DashboardFixture> {
  const store = await tempWarehouse();
  const db = store.warehouse.db;
  ensureSchema(db, options.capacity ?? CAPACITY);
  // One chunk per refresh: the pauses between chunks only matter when others share the thread.
  const engine = new DynamicTableEngine(db, { chunkRides: 1_000_000_000 });
  const status = new StatusStore();
  const metrics = new Metrics();
  const feed = new ReportFeed({ config: {} as Config, metrics, status, log: silentLogger });
  // What `run` attaches: a target whose embedded emulator's warehouse the feed reads directly.
  if (options.attached ?? true) {
    feed.attach({ emulator: { context: { warehouse: store.warehouse } } } as unknown as Target);
  }
  const live = new LiveHub(options.live);
  const app = createWebApp({
    metrics,
    status,
    dashboard: options.source ? options.source(feed) : feed,
    live,
    ...options.web,
  });
  const fixture: DashboardFixture = {
    store,
    engine,
    reports: new Reports(warehouseSource(db)),
    feed,
    status,
    live,
    fetch: (req) => app.fetch(req),
    get: async (path, headers) =>
      await app.request(path, { headers: { Accept: BROWSER_ACCEPT, ...headers } }),
    load: (rows) => store.load(rows),
    async refresh() {
      const outcomes = await engine.refreshAll();
      const failed = outcomes.find((o) => o.state !== "SUCCEEDED");
      if (failed) throw new Error(`refresh of ${failed.name}: ${failed.state}`);
      await feed.poll();
    },
    async close() {
      live.close();
      await feed.close();
      await engine.stop();
      await store.close();
    },
  };
  try {
    // The pages load in the background (ECharts): wait for them, so that they see every change.
    await (await app.request("/pipeline")).body?.cancel();
    if (options.rows) fixture.load(options.rows);
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
