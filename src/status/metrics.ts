/**
 * The Prometheus metrics every role reports to. Their names are an interface (listed in
 * docs/architecture.md, "Metrics"): the rules and dashboard of `deploy/` use them, and
 * tests/web/web_test.ts and tests/deploy/monitoring_test.ts check that they are all exported.
 *
 * Series about a channel carry its number among its table's channels (`channel="0"`, `"1"`, …)
 * beside `table`: sum them `by (table)` for the table. The rows generated are counted per table
 * (the generator writes a table; the outbox picks each row's channel).
 *
 * One {@link Metrics} instance per process; roles receive it rather than importing a global, so
 * tests can run several pipelines side by side.
 *
 * @module
 */
import client from "prom-client";
import { TABLES } from "../config/load.ts";
import { DYNAMIC_TABLE_NAMES } from "../../sql/mod.ts";
import { RETRY_REASONS } from "../snowflake/errors.ts";
import { QUEUE_WRITE_ERROR_REASONS, type QueueWriteErrorReason } from "../queue/write_error.ts";

/** Latency buckets (seconds) sized for ingest lag: sub-second commits up to minutes of backlog. */
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 5, 10, 30, 60, 120, 300];
/** Buckets for single HTTP calls. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Labels of a series about one channel. */
type ChannelLabels = "table" | "channel";

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  /**
   * Channels per table (STREAM_CHANNELS, default 1): their series are exported at 0 from the
   * start. A channel beyond them (rows left by a layout with more) gets its series when it starts.
   */
  channels?: number;
}

/** The metric registry and every liftline metric. */
export class Metrics {
  /** The registry `/metrics` renders. */
  readonly registry: client.Registry = new client.Registry();
  /** Rows the generator wrote to the queue. */
  readonly rowsGenerated: client.Counter<"table">;
  /** Rows in the queue not yet confirmed committed. */
  readonly queueRows: client.Gauge<ChannelLabels>;
  /** Age of the oldest queued row, 0 when empty. */
  readonly queueOldestRowAge: client.Gauge<ChannelLabels>;
  /** Rows accepted by append calls. */
  readonly rowsAppended: client.Counter<ChannelLabels>;
  /** Rows confirmed committed and removed from the queue. */
  readonly rowsCommitted: client.Counter<ChannelLabels>;
  /** Last committed offset token, as a number. */
  readonly committedOffset: client.Gauge<ChannelLabels>;
  /** Per row: enqueue to confirmed commit. */
  readonly ingestLag: client.Histogram<ChannelLabels>;
  /** Duration of append requests. */
  readonly appendDuration: client.Histogram<ChannelLabels>;
  /** Retried requests by cause. */
  readonly retries: client.Counter<ChannelLabels | "reason">;
  /** Channel reopens. */
  readonly channelReopens: client.Counter<ChannelLabels>;
  /** The channel's cumulative error rows as the target reports them. */
  readonly rowsErrorCount: client.Gauge<ChannelLabels>;
  /** Now minus the data timestamp of each dynamic table's last refresh. */
  readonly reportFreshness: client.Gauge<"dynamic_table">;
  /** Failed writes to the queue, by cause. */
  readonly queueWriteErrors: client.Counter<"reason">;
  /** Channels whose series exist. */
  readonly #zeroed = new Set<string>();

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    const perChannel = ["table", "channel"] as const;
    this.rowsGenerated = new client.Counter({
      name: "liftline_rows_generated_total",
      help: "Rows the generator wrote to the queue.",
      labelNames: ["table"],
      registers,
    });
    this.queueRows = new client.Gauge({
      name: "liftline_queue_rows",
      help: "Rows in the queue not yet confirmed committed.",
      labelNames: perChannel,
      registers,
    });
    this.queueOldestRowAge = new client.Gauge({
      name: "liftline_queue_oldest_row_age_seconds",
      help: "Age of the oldest queued row (0 when empty).",
      labelNames: perChannel,
      registers,
    });
    this.rowsAppended = new client.Counter({
      name: "liftline_rows_appended_total",
      help: "Rows accepted by append calls.",
      labelNames: perChannel,
      registers,
    });
    this.rowsCommitted = new client.Counter({
      name: "liftline_rows_committed_total",
      help: "Rows confirmed committed and removed from the queue.",
      labelNames: perChannel,
      registers,
    });
    this.committedOffset = new client.Gauge({
      name: "liftline_committed_offset",
      help: "Last committed offset token, as a number.",
      labelNames: perChannel,
      registers,
    });
    this.ingestLag = new client.Histogram({
      name: "liftline_ingest_lag_seconds",
      help: "Per row: time from enqueue to confirmed commit.",
      labelNames: perChannel,
      buckets: LAG_BUCKETS,
      registers,
    });
    this.appendDuration = new client.Histogram({
      name: "liftline_append_duration_seconds",
      help: "Duration of append requests.",
      labelNames: perChannel,
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.retries = new client.Counter({
      name: "liftline_retries_total",
      help: "Retried requests by cause (429, 5xx, network, ...).",
      labelNames: [...perChannel, "reason"],
      registers,
    });
    this.channelReopens = new client.Counter({
      name: "liftline_channel_reopens_total",
      help: "Channel reopens.",
      labelNames: perChannel,
      registers,
    });
    this.rowsErrorCount = new client.Gauge({
      name: "liftline_rows_error_count",
      help: "The channel's cumulative error rows, as the target reports them.",
      labelNames: perChannel,
      registers,
    });
    this.reportFreshness = new client.Gauge({
      name: "liftline_report_freshness_seconds",
      help: "Now minus the data timestamp of the dynamic table's last refresh; before its " +
        "first refresh, how long the report chain has been waited for (so a table that never " +
        "refreshes goes stale instead of looking fresh).",
      labelNames: ["dynamic_table"],
      registers,
    });
    this.queueWriteErrors = new client.Counter({
      name: "liftline_queue_write_errors_total",
      help: "Failed writes to the queue, by cause (disk_full, io, busy, readonly, other).",
      labelNames: ["reason"],
      registers,
    });
    this.#zeroKnownSeries(options.channels ?? 1);
  }

  /**
   * Creates every series whose labels are known in advance at 0, so that `rate()`, `increase()`
   * and alert rules see a value before the first event. The freshness gauge starts at 0 too;
   * the report feed moves it to the time waited as soon as it first reads the chain (within a
   * second locally), so a chain that never refreshes still crosses the stale threshold.
   */
  #zeroKnownSeries(channels: number): void {
    for (const table of TABLES) {
      this.rowsGenerated.inc({ table }, 0);
      for (let shard = 0; shard < channels; shard++) this.zeroChannel(table, shard);
    }
    for (const reason of QUEUE_WRITE_ERROR_REASONS) this.queueWriteErrors.inc({ reason }, 0);
    for (const dynamic_table of DYNAMIC_TABLE_NAMES) this.reportFreshness.set({ dynamic_table }, 0);
  }

  /**
   * Creates the series of channel `shard` of `table` at 0, once: before the channel's first
   * event, so that `rate()` sees it start from 0. Later calls change nothing.
   */
  zeroChannel(table: string, shard: number): void {
    const labels = { table, channel: String(shard) };
    const key = `${table}\u0000${shard}`;
    if (this.#zeroed.has(key)) return;
    this.#zeroed.add(key);
    for (const c of [this.rowsAppended, this.rowsCommitted, this.channelReopens]) c.inc(labels, 0);
    for (const reason of RETRY_REASONS) this.retries.inc({ ...labels, reason }, 0);
    for (const g of [this.queueRows, this.queueOldestRowAge, this.committedOffset]) {
      g.set(labels, 0);
    }
    this.rowsErrorCount.set(labels, 0);
    this.ingestLag.zero(labels);
    this.appendDuration.zero(labels);
  }

  /** Counts one failed queue write. */
  countQueueWriteError(reason: QueueWriteErrorReason): void {
    this.queueWriteErrors.inc({ reason });
  }

  /** The registry in Prometheus text format. */
  async render(): Promise<string> {
    const text = await this.registry.metrics();
    // The interface fixes the name liftline_rows_error_count, but promtool's linter rejects a
    // `_count` suffix on anything typed gauge. Declared untyped, Prometheus stores and queries
    // it exactly like a gauge, and `promtool check metrics` passes.
    return text.replace(
      "# TYPE liftline_rows_error_count gauge",
      "# TYPE liftline_rows_error_count untyped",
    );
  }

  /** The content type `/metrics` must answer with. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
