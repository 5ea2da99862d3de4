/**
 * The report feed: where the dashboard's reads go for this target, and a watch on the report
 * chain that moves the shared cache to a new version (and tells the live pages) whenever a
 * dynamic table refreshes. It also keeps `liftline_report_freshness_seconds` and the status
 * store's report section current.
 *
 * Sources: the embedded emulator's in-process SQL client (this process runs it), or snowflake-sdk
 * (a real account, or an emulator at EMULATOR_URL), loaded only then. Either way the reports and
 * the chain's state are read with the same SQL text.
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../status/metrics.ts";
import type { StatusStore } from "../status/store.ts";
import { ReportCache } from "../reports/cache.ts";
import { type ChainSource, chainStatus, chainVersion, sqlChainSource } from "../reports/chain.ts";
import { REPORT_CHAIN } from "../reports/declared.ts";
import { Reports } from "../reports/reports.ts";
import { type ReportSource, SourceNotReadyError, sqlSource } from "../reports/source.ts";
import type { Target } from "./target.ts";

/** How often the chain is read: the embedded engine (one cheap local read). */
const LOCAL_EVERY_MS = 1000;
/** …an emulator in another process (a few small queries over loopback). */
const EMULATOR_EVERY_MS = 2000;
/**
 * …a real account. The dynamic tables refresh every minute on their own warehouse anyway, so a
 * history read every 30 s costs nothing extra and never depends on how many pages are open.
 */
const REMOTE_EVERY_MS = 30_000;

/** What the feed needs. */
export interface ReportFeedDeps {
  config: Config;
  metrics: Metrics;
  status: StatusStore;
  log: Logger;
}

/** The dashboard's data side for one target. */
export class ReportFeed {
  /** Versioned, shared report reads. */
  readonly cache: ReportCache = new ReportCache();
  /** Where report reads go, for the pipeline page. */
  description = "not connected yet";
  readonly #deps: ReportFeedDeps;
  #target: Target | undefined;
  #everyMs = LOCAL_EVERY_MS;
  readonly #listeners = new Set<(version: string) => void>();
  #reports: Reports | undefined;
  #chain: ChainSource | undefined;
  #connecting: Promise<void> | undefined;
  #closeConnection: (() => Promise<void>) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #signal: AbortSignal | undefined;
  #busy = false;
  #warned = false;
  readonly #startedAt = Date.now();

  /**
   * A feed for `deps.config`'s target. Until {@link attach} is called (the target is being
   * reached), reads fail with a message saying so, and pages show it inline.
   */
  constructor(deps: ReportFeedDeps) {
    this.#deps = deps;
  }

  /** Starts reading from `target` once it is reachable. */
  attach(target: Target): void {
    const deps = this.#deps;
    this.#target = target;
    const embedded = target.emulator;
    if (embedded) {
      const client = embedded.localClient();
      const source = sqlSource(client);
      this.#reports = new Reports(source);
      this.#chain = sqlChainSource(source, this.#names(), REPORT_CHAIN, { backlog: true });
      this.#closeConnection = () => client.close();
      this.#everyMs = LOCAL_EVERY_MS;
      this.description = "embedded emulator (SQL in process)";
    } else if (deps.config.target === "local") {
      this.#everyMs = EMULATOR_EVERY_MS;
      this.description = `snowflake-sdk → emulator at ${target.controlUrl}`;
    } else {
      this.#everyMs = REMOTE_EVERY_MS;
      this.description =
        `snowflake-sdk → ${deps.config.SNOWFLAKE_ACCOUNT} (warehouse ${deps.config.SNOWFLAKE_WAREHOUSE})`;
    }
    if (this.#signal) this.start(this.#signal);
  }

  /** The report queries (uncached); connects snowflake-sdk on first use when needed. */
  async reports(): Promise<Reports> {
    await this.#connect();
    return this.#reports!;
  }

  /** Calls `listener` with the new version whenever a dynamic table refreshed. */
  onChange(listener: (version: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the chain now: status, freshness gauge, cache version and listeners. */
  async poll(now = Date.now()): Promise<void> {
    if (this.#busy || !this.#target) return;
    this.#busy = true;
    const { status, metrics, log } = this.#deps;
    try {
      await this.#connect();
      const state = await this.#chain!.read();
      status.reports = chainStatus(state, this.description, now);
      for (const t of status.reports.dynamicTables) {
        // Before a table's first refresh its data is at least as old as the wait for it.
        const seconds = t.freshnessSeconds ?? Math.max(0, (now - this.#startedAt) / 1000);
        metrics.reportFreshness.set({ dynamic_table: t.name }, seconds);
      }
      this.#warned = false;
      const version = chainVersion(state);
      if (this.cache.setVersion(version)) {
        for (const l of this.#listeners) {
          try {
            l(version);
          } catch (e) {
            log.warn("report change listener failed", { error: e as Error });
          }
        }
      }
    } catch (e) {
      const message = (e as Error).message;
      if (status.reports) status.reports.lastError = message;
      else {
        status.reports = {
          source: this.description,
          checkedAt: null,
          dynamicTables: [],
          catchingUp: null,
          lastError: message,
        };
      }
      if (!this.#warned) {
        log.warn("cannot read the report chain's state", { error: message });
        this.#warned = true;
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Polls on the target's interval (once attached) until `signal` aborts. */
  start(signal: AbortSignal): void {
    if (signal.aborted || this.#timer !== undefined) return;
    if (!this.#signal) {
      this.#signal = signal;
      signal.addEventListener("abort", () => this.close(), { once: true });
    }
    if (!this.#target) return;
    this.poll();
    this.#timer = setInterval(() => this.poll(), this.#everyMs);
  }

  /** Stops polling and signs out of snowflake-sdk. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const close = this.#closeConnection;
    this.#closeConnection = undefined;
    await close?.().catch(() => {});
  }

  #names(): { database: string; schema: string } {
    return { database: this.#deps.config.DATABASE_NAME, schema: this.#deps.config.SCHEMA_NAME };
  }

  #connect(): Promise<void> {
    if (this.#reports && this.#chain) return Promise.resolve();
    const target = this.#target;
    if (!target) return Promise.reject(new SourceNotReadyError());
    this.#connecting ??= (async () => {
      const { config } = this.#deps;
      const { SnowflakeSql, sdkOptionsFromConfig } = await import("../snowflake/sdk.ts");
      const conn = await SnowflakeSql.connect(
        sdkOptionsFromConfig(config, target.privateKeyPem, target.controlUrl),
      );
      this.#closeConnection = () => conn.close();
      const source: ReportSource = sqlSource(conn);
      this.#reports = new Reports(source);
      this.#chain = sqlChainSource(source, this.#names(), REPORT_CHAIN, {
        backlog: config.target === "local",
      });
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }
}
