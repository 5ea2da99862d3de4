/**
 * Keeps `liftline_report_freshness_seconds` current: from the embedded emulator's engine state
 * when this process runs it, otherwise from `DYNAMIC_TABLE_REFRESH_HISTORY` through snowflake-sdk
 * (a real account, or an emulator in another process), loaded only then.
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../status/metrics.ts";
import { dynamicTableStates } from "../emulator/dynamic/engine.ts";
import {
  engineHistorySource,
  type RefreshHistorySource,
  sqlHistorySource,
  updateReportFreshness,
} from "../reports/freshness.ts";
import { sqlSource } from "../reports/source.ts";
import type { Target } from "./target.ts";

/** How often freshness is read over SQL (each read is six small queries). */
const REMOTE_EVERY_MS = 30_000;
/** How often the embedded engine's state is read (cheap: one local query). */
const LOCAL_EVERY_MS = 2_000;

/** Updates the freshness gauge until `signal` aborts. Failures are logged, never fatal. */
export function keepReportFreshness(
  config: Config,
  target: Target,
  metrics: Metrics,
  log: Logger,
  signal: AbortSignal,
): void {
  let source: RefreshHistorySource | undefined;
  let close: (() => Promise<void>) | undefined;
  let warned = false;
  const embedded = target.emulator;
  if (embedded) {
    const db = embedded.context.warehouse.db;
    source = engineHistorySource({ tables: () => dynamicTableStates(db) });
  }
  const connect = async (): Promise<RefreshHistorySource> => {
    const { SnowflakeSql, sdkOptionsFromConfig } = await import("../snowflake/sdk.ts");
    const conn = await SnowflakeSql.connect(
      sdkOptionsFromConfig(config, target.privateKeyPem, target.controlUrl),
    );
    close = () => conn.close();
    return sqlHistorySource(sqlSource(conn));
  };
  let busy = false;
  const update = async () => {
    if (busy || signal.aborted) return;
    busy = true;
    try {
      source ??= await connect();
      await updateReportFreshness(metrics, source);
      warned = false;
    } catch (e) {
      if (!warned) {
        log.warn("report freshness unavailable", { error: (e as Error).message });
        warned = true;
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(update, embedded ? LOCAL_EVERY_MS : REMOTE_EVERY_MS);
  update();
  signal.addEventListener("abort", () => {
    clearInterval(timer);
    close?.().catch(() => {});
  }, { once: true });
}
