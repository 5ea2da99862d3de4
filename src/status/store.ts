/**
 * The live status snapshot: each role writes its own part; the web role reads the whole.
 *
 * Besides the roles' own numbers it keeps what the pipeline page plots: per-table rates sampled
 * once a second, ingest-lag percentiles over the last minute and fifteen minutes of sparkline
 * history, all in fixed-size memory.
 *
 * @module
 */
import { type LagPercentiles, LagWindow } from "./lag_window.ts";
import { type Sample, SampleRing } from "./ring.ts";

/** What the generator reports. */
export interface GeneratorStatus {
  /** Latest world time reached (ISO UTC). */
  worldTime: string;
  /** Rows written to the queue per table since start. */
  rows: Record<string, number>;
  /** Rows per second over the last summary interval. */
  rowsPerSecond: number;
  /** `TURTLE`, `LLAMA`, `CHEETAH` or `MAX`. */
  speed: string;
  /** True while the world clock is held (backpressure or an unwritable queue). */
  paused: boolean;
  /**
   * Why it is held: `backpressure` (a queue reached QUEUE_MAX_ROWS) or `queue is not writable: …`
   * (for example a full disk); null while running.
   */
  pausedReason: string | null;
  /** True once UNTIL was reached and every row is queued. */
  finished: boolean;
}

/** What the streamer reports per channel (one per shard of a table's outbox). */
export interface ChannelStatus {
  table: string;
  /** The shard of the table's outbox this channel streams (0 … STREAM_CHANNELS − 1, or beyond). */
  shard: number;
  /**
   * True for a shard beyond STREAM_CHANNELS (queued by a run with more channels): it is streamed
   * until empty, then its channel is left alone.
   */
  retired: boolean;
  pipe: string;
  channel: string;
  /**
   * `opening`, `open`, `reopening`, `stopped`, `failed`; `drained` for a retired channel whose
   * rows are all committed.
   */
  state: string;
  /** Last committed offset token as a number (an id of its shard), or null before any commit. */
  committedOffset: number | null;
  /** Highest offset appended (sent and accepted) so far. */
  appendedOffset: number | null;
  rowsAppended: number;
  rowsCommitted: number;
  /** Committed rows per second over a short window. */
  rowsPerSecond: number;
  /** Most recent per-row ingest lag, ms. */
  lastIngestLagMs: number | null;
  retries: number;
  /** Retries by cause (`429`, `5xx`, `network`, …). */
  retriesByReason: Record<string, number>;
  reopens: number;
  /** Rows queued and not yet confirmed committed (null until first counted). */
  queueRows: number | null;
  /** Enqueue time of the oldest queued row (ISO UTC), or null when the queue is empty. */
  oldestQueuedAt: string | null;
  /** The channel's cumulative error rows as the target reports them. */
  rowsErrorCount: number;
  lastErrorMessage: string | null;
  lastErrorOffsetUpperBound: string | null;
  /** The last problem the streamer itself hit (network, auth, ...), or null. */
  lastProblem: string | null;
}

/** A channel's status before anything happened on it: nothing appended, committed or failed. */
export function newChannelStatus(
  id: Pick<ChannelStatus, "table" | "shard" | "retired" | "pipe" | "channel" | "state">,
): ChannelStatus {
  return {
    ...id,
    committedOffset: null,
    appendedOffset: null,
    rowsAppended: 0,
    rowsCommitted: 0,
    rowsPerSecond: 0,
    lastIngestLagMs: null,
    retries: 0,
    retriesByReason: {},
    reopens: 0,
    queueRows: null,
    oldestQueuedAt: null,
    rowsErrorCount: 0,
    lastErrorMessage: null,
    lastErrorOffsetUpperBound: null,
    lastProblem: null,
  };
}

/** How a dynamic table's data timestamp compares with its target lag. */
export type FreshnessState = "ok" | "late" | "stale" | "waiting";

/** One dynamic table's freshness and last refresh. */
export interface DynamicTableStatus {
  name: string;
  /** As declared: `1 minute`, `DOWNSTREAM`. */
  targetLag: string;
  /**
   * The lag it is held to, seconds: its own, or for DOWNSTREAM the smallest of the tables that
   * read it. Null when nothing bounds it.
   */
  effectiveLagSeconds: number | null;
  /** Data timestamp of the last successful refresh (ISO UTC), or null before the first. */
  dataTimestamp: string | null;
  /** Now minus the data timestamp, seconds. */
  freshnessSeconds: number | null;
  /** ok: within its lag; late: within twice its lag; stale: beyond; waiting: no refresh yet. */
  state: FreshnessState;
  /** The most recent refresh, successful or not. */
  lastRefresh: {
    state: string;
    /** ISO UTC. */
    start: string;
    durationMs: number | null;
    rowsInserted: number;
    rowsUpdated: number;
    rowsDeleted: number;
    message: string | null;
  } | null;
}

/** The report chain as last read. */
export interface ReportsStatus {
  /** Where report reads go: `embedded warehouse`, `snowflake-sdk …`. */
  source: string;
  /** When the chain's state was last read (ISO UTC). */
  checkedAt: string | null;
  dynamicTables: DynamicTableStatus[];
  /**
   * While the reports are behind the committed rides (a refresh backlog): how many of them the
   * reports reflect. Null when caught up or unknown.
   */
  catchingUp: { reflectedRides: number; committedRides: number } | null;
  /** The last failure to read the chain's state, or null. */
  lastError: string | null;
}

/** A table's channels summed up: what `/api/status` and the pipeline page show per table. */
export interface TableSummary {
  table: string;
  /** Its channels, by shard. */
  channels: ChannelStatus[];
  /** Channels by state, e.g. `{ open: 4 }`. */
  states: Record<string, number>;
  rowsAppended: number;
  rowsCommitted: number;
  rowsPerSecond: number;
  /** Rows queued over every shard (null until a channel first counted its shard). */
  queueRows: number | null;
  /** Enqueue time of the oldest queued row over every shard (ISO UTC), or null. */
  oldestQueuedAt: string | null;
  rowsErrorCount: number;
  retries: number;
  retriesByReason: Record<string, number>;
  reopens: number;
}

/** Per-table rates and lag, as sampled. */
export interface TableFlow {
  generatedPerSecond: number;
  appendedPerSecond: number;
  committedPerSecond: number;
  /** Ingest lag over the last minute, seconds. */
  lag: LagPercentiles;
}

/** How often {@link StatusStore.sample} is meant to run, ms. */
export const SAMPLE_EVERY_MS = 1000;
/** Sparkline history: fifteen minutes of one-second samples. */
const HISTORY_SAMPLES = 900;
/** Commit marks kept for end-to-end freshness: one per second, fifteen minutes. */
const COMMIT_MARKS = 900;
/**
 * A channel's ingest lag is kept over the last minute in six ten-second slots (6 KB a channel,
 * against 60 KB for a table's one-second slots), so that thousands of channels stay cheap.
 */
const CHANNEL_LAG_SLOT_SECONDS = 10;

interface TableTrack {
  lag: LagWindow;
  lagP95: SampleRing;
  committedPerSecond: SampleRing;
  flow: TableFlow;
  last: { at: number; generated: number; appended: number; committed: number } | null;
}

/** A process-wide status snapshot. Roles mutate their part; readers take {@link snapshot}. */
export class StatusStore {
  /** When the process started (ms since epoch). */
  readonly startedAt: number = Date.now();
  /** The target in use, e.g. `local (emulator at http://127.0.0.1:1234)`. */
  target = "";
  generator: GeneratorStatus | null = null;
  /** Every channel's status, by channel name; each channel's streamer loop writes its own. */
  readonly channels = new Map<string, ChannelStatus>();
  reports: ReportsStatus | null = null;
  /** Reasons the process is not ready; empty when ready. Keyed by the role that set them. */
  readonly #notReady = new Map<string, string[]>();
  readonly #tracks = new Map<string, TableTrack>();
  readonly #channelLag = new Map<string, LagWindow>();
  /** Each channel's lag percentiles as of the last {@link sample}. */
  readonly #channelLagSampled = new Map<string, LagPercentiles>();
  /** Per second: the newest enqueue time among rides committed by then (ms since epoch). */
  readonly #commitMarks = new SampleRing(COMMIT_MARKS);
  #commitMarkSecond = -1;
  #commitMarkNewest = 0;
  readonly #listeners = new Set<() => void>();

  /** Sets (or with an empty list clears) a role's not-ready reasons. */
  setNotReady(role: string, reasons: string[]): void {
    if (reasons.length === 0) this.#notReady.delete(role);
    else this.#notReady.set(role, reasons);
  }

  /** Every current not-ready reason. */
  notReadyReasons(): string[] {
    return [...this.#notReady.values()].flat();
  }

  #track(table: string): TableTrack {
    let t = this.#tracks.get(table);
    if (!t) {
      t = {
        lag: new LagWindow(60),
        lagP95: new SampleRing(HISTORY_SAMPLES),
        committedPerSecond: new SampleRing(HISTORY_SAMPLES),
        flow: {
          generatedPerSecond: 0,
          appendedPerSecond: 0,
          committedPerSecond: 0,
          lag: { p50: null, p95: null, p99: null, count: 0 },
        },
        last: null,
      };
      this.#tracks.set(table, t);
    }
    return t;
  }

  /**
   * Records that `count` rows of `table` reached their commit `seconds` after being queued, on
   * `channel` when given.
   */
  observeIngestLag(
    table: string,
    seconds: number,
    count = 1,
    now = Date.now(),
    channel?: string,
  ): void {
    this.#track(table).lag.observe(seconds, count, now);
    if (channel === undefined) return;
    let w = this.#channelLag.get(channel);
    if (!w) {
      w = new LagWindow(60, CHANNEL_LAG_SLOT_SECONDS);
      this.#channelLag.set(channel, w);
    }
    w.observe(seconds, count, now);
  }

  /** The channels of `table`, by shard. */
  channelsOf(table: string): ChannelStatus[] {
    return [...this.channels.values()].filter((c) => c.table === table).sort((a, b) =>
      a.shard - b.shard
    );
  }

  /** A channel's ingest-lag percentiles over the last minute, as of the last sample. */
  channelLag(channel: string): LagPercentiles {
    return this.#channelLagSampled.get(channel) ?? { p50: null, p95: null, p99: null, count: 0 };
  }

  /** `table`'s channels summed up. */
  tableSummary(table: string): TableSummary {
    const channels = this.channelsOf(table);
    const sum: TableSummary = {
      table,
      channels,
      states: {},
      rowsAppended: 0,
      rowsCommitted: 0,
      rowsPerSecond: 0,
      queueRows: null,
      oldestQueuedAt: null,
      rowsErrorCount: 0,
      retries: 0,
      retriesByReason: {},
      reopens: 0,
    };
    for (const c of channels) {
      sum.states[c.state] = (sum.states[c.state] ?? 0) + 1;
      sum.rowsAppended += c.rowsAppended;
      sum.rowsCommitted += c.rowsCommitted;
      sum.rowsPerSecond += c.rowsPerSecond;
      if (c.queueRows !== null) sum.queueRows = (sum.queueRows ?? 0) + c.queueRows;
      if (c.oldestQueuedAt !== null && !(sum.oldestQueuedAt! <= c.oldestQueuedAt)) {
        sum.oldestQueuedAt = c.oldestQueuedAt;
      }
      sum.rowsErrorCount += c.rowsErrorCount;
      sum.retries += c.retries;
      for (const [r, n] of Object.entries(c.retriesByReason)) {
        sum.retriesByReason[r] = (sum.retriesByReason[r] ?? 0) + n;
      }
      sum.reopens += c.reopens;
    }
    return sum;
  }

  /** The tables with a channel or a generator count, in first-seen order. */
  #tables(): string[] {
    return [
      ...new Set([
        ...[...this.channels.values()].map((c) => c.table),
        ...Object.keys(this.generator?.rows ?? {}),
        ...this.#tracks.keys(),
      ]),
    ];
  }

  /**
   * Records a commit of lift rides, the newest of them queued at `newestEnqueuedAt`: the newest
   * ride in the target is at least that new. Feeds {@link endToEndAge}.
   */
  noteRidesCommitted(newestEnqueuedAt: number, now = Date.now()): void {
    const second = Math.floor(now / 1000);
    this.#commitMarkNewest = Math.max(this.#commitMarkNewest, newestEnqueuedAt);
    if (second !== this.#commitMarkSecond) {
      this.#commitMarkSecond = second;
      this.#commitMarks.push(now, this.#commitMarkNewest);
    } else {
      // One mark per second: later commits of the same second only move it forward.
      this.#commitMarks.setLast(this.#commitMarkNewest);
    }
  }

  /**
   * How old, in real seconds at `now`, the newest ride is that a report refreshed at
   * `dataTimestamp` reflects (every ride committed before it). Null when this process saw no
   * commit before then (the streamer runs elsewhere, or the history has rolled over).
   */
  endToEndAge(dataTimestamp: number, now = Date.now()): number | null {
    let newest: number | null = null;
    for (const s of this.#commitMarks.since()) {
      if (s.at > dataTimestamp) break;
      if (s.value !== null) newest = s.value;
    }
    return newest === null ? null : Math.max(0, (now - newest) / 1000);
  }

  /**
   * Takes one sample of every table's rates and lag (about once a second) and tells the
   * listeners that the status changed.
   */
  sample(now = Date.now()): void {
    for (const table of this.#tables()) {
      const t = this.#track(table);
      let appended = 0, committed = 0;
      for (const ch of this.channels.values()) {
        if (ch.table !== table) continue;
        appended += ch.rowsAppended;
        committed += ch.rowsCommitted;
      }
      const current = {
        at: now,
        generated: this.generator?.rows[table] ?? 0,
        appended,
        committed,
      };
      const prev = t.last;
      const span = prev ? (now - prev.at) / 1000 : 0;
      const rate = (a: number, b: number) => (span > 0 ? Math.max(0, (a - b) / span) : 0);
      t.flow = {
        generatedPerSecond: prev ? rate(current.generated, prev.generated) : 0,
        appendedPerSecond: prev ? rate(current.appended, prev.appended) : 0,
        committedPerSecond: prev ? rate(current.committed, prev.committed) : 0,
        lag: t.lag.percentiles(now),
      };
      t.last = current;
      t.committedPerSecond.push(now, t.flow.committedPerSecond);
      t.lagP95.push(now, t.flow.lag.p95);
    }
    for (const [channel, w] of this.#channelLag) {
      this.#channelLagSampled.set(channel, w.percentiles(now));
    }
    for (const l of this.#listeners) {
      try {
        l();
      } catch {
        // A listener's failure must not stop sampling for the others.
      }
    }
  }

  /** Calls `listener` after every {@link sample}; returns the unsubscribe function. */
  onSample(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Samples every {@link SAMPLE_EVERY_MS} until `signal` aborts. */
  startSampling(signal: AbortSignal): void {
    if (signal.aborted) return;
    const timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
    signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  }

  /** The latest sampled rates and lag of `table`. */
  flow(table: string): TableFlow {
    return this.#track(table).flow;
  }

  /** Sparkline history of `table` since `since` (ms since epoch). */
  history(table: string, since = -Infinity): { lagP95: Sample[]; committedPerSecond: Sample[] } {
    const t = this.#track(table);
    return { lagP95: t.lagP95.since(since), committedPerSecond: t.committedPerSecond.since(since) };
  }

  /** "reports catching up: N of M rides reflected", or null when caught up or unknown. */
  catchingUpMessage(): string | null {
    const c = this.reports?.catchingUp;
    if (!c) return null;
    return `reports catching up: ${c.reflectedRides} of ${c.committedRides} rides reflected`;
  }

  /**
   * A JSON-ready copy of the whole status: per table its channels summed up, with each channel
   * (and its lag over the last minute) under `channels`.
   */
  snapshot(): Record<string, unknown> {
    const tables = this.#tables();
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      target: this.target,
      generator: this.generator,
      tables: Object.fromEntries(tables.map((t) => {
        const summary = this.tableSummary(t);
        return [t, {
          ...summary,
          channels: summary.channels.map((c) => ({ ...c, lag: this.channelLag(c.channel) })),
        }];
      })),
      flow: Object.fromEntries(tables.map((t) => [t, this.flow(t)])),
      reports: this.reports,
      reportsCatchingUp: this.catchingUpMessage(),
      notReady: this.notReadyReasons(),
    };
  }
}
