/**
 * The loop that streams one outbox shard through its Named Channel:
 *
 * open channel → delete from the shard what the channel reports committed → append the rows after
 * it in batches, chaining continuation tokens (one append in flight) → poll the channel status
 * while rows wait for their commit → delete each batch from the shard once the committed offset
 * covers it. On invalidation, a stale token or an append of unknown outcome the channel is reopened
 * and the stream resumes after the committed offset, so nothing committed is sent twice and
 * nothing uncommitted is skipped. Offset tokens are the shard's ids; only this loop reads and
 * deletes its shard, so another channel's commit never touches its rows.
 *
 * @module
 */
import type { OutboxShard, QueuedRow } from "../queue/outbox.ts";
import { INLINE_DELETES, type RowDeleter } from "../queue/deleter.ts";
import type { StatusBatcher } from "./status_batcher.ts";
import type { Metrics } from "../status/metrics.ts";
import { type ChannelStatus, newChannelStatus, type StatusStore } from "../status/store.ts";
import type { Logger } from "../log.ts";
import type { ChannelState, StreamingClient } from "../snowflake/streaming_client.ts";
import { CHANNEL_OK_CODES } from "../snowflake/protocol.ts";
import {
  ChannelInvalidError,
  isFatal,
  isMissingObject,
  RetryableError,
  type RetryReason,
} from "../snowflake/errors.ts";
import { backoffDelay } from "../snowflake/backoff.ts";
import { RowTooLargeError } from "../snowflake/ndjson.ts";
import { DEFAULT_STREAM_BATCH_ROWS, DEFAULT_STREAM_MAX_INFLIGHT_ROWS } from "../config/schema.ts";
import { enqueueRuns, PendingBatches } from "./pending.ts";
import { Wakeup } from "./wakeup.ts";
import { type Clock, sleep, systemClock } from "./clock.ts";
import { redactRowContent } from "../status/redact.ts";

/** What the loop needs of a Snowpipe Streaming client (a {@link StreamingClient} or a fake). */
export type StreamingApi = Pick<
  StreamingClient,
  "openChannel" | "prepareAppend" | "appendRows" | "channelStatus"
>;

/** Tuning of the per-channel loops. Defaults suit both the emulator and a real account. */
export interface StreamerOptions {
  /** Rows read from the outbox per batch (then split into requests under the wire cap). */
  batchRows: number;
  /**
   * Most rows appended and not yet committed, per channel: appending waits for commits beyond it
   * (a batch is cut short to stay within it). With the embedded emulator these rows are in this
   * process.
   */
  maxInFlightRows: number;
  /** How often an idle loop looks for new rows in the outbox. */
  pickupMs: number;
  /**
   * Least time between two append requests of one channel: Snowflake allows about 10 requests/s
   * per channel, so full speed comes from rows per request (`batchRows`), not from more requests.
   */
  minAppendIntervalMs: number;
  /**
   * Status poll interval bounds while rows wait for their commit: quiet until the oldest batch is
   * nearly due (by the commit latency seen so far), then every fortieth of that latency.
   */
  pollMinMs: number;
  pollMaxMs: number;
  /** Status poll interval when nothing is pending (a health check), doubling up to the max. */
  idlePollMs: number;
  idlePollMaxMs: number;
  /** After shutdown is asked for, how long to wait for in-flight rows to commit. */
  shutdownGraceMs: number;
  /** Backoff between failed opens or reopens without progress. */
  reopenBaseMs: number;
  reopenMaxMs: number;
  /** Cap of the backoff while a pipe that was open is gone. */
  goneMaxMs: number;
  /** Stale tokens right after our own open, in a row, that mean another writer took over. */
  takeoverStrikes: number;
  /** Cap of the slow backoff while another writer holds the channel. */
  takeoverMaxMs: number;
  /**
   * Bounds of the commit timeout: appended rows not committed within four times the usual commit
   * latency (but at least the min, at most the max) were probably discarded by the service (for
   * example another writer's open); the channel is reopened and they are sent again.
   */
  commitTimeoutMinMs: number;
  commitTimeoutMaxMs: number;
  /**
   * How often the outbox is looked at for shards beyond STREAM_CHANNELS that hold rows (queued by
   * another process with more channels per table), to stream them through their channels.
   */
  rescanMs: number;
}

/** Default tuning. */
export const DEFAULT_STREAMER_OPTIONS: Readonly<StreamerOptions> = {
  batchRows: DEFAULT_STREAM_BATCH_ROWS,
  maxInFlightRows: DEFAULT_STREAM_MAX_INFLIGHT_ROWS,
  pickupMs: 10,
  minAppendIntervalMs: 100,
  pollMinMs: 20,
  pollMaxMs: 1000,
  idlePollMs: 1000,
  idlePollMaxMs: 5000,
  // A signal must end the process within 10 s: 5 s here, ≤ 1 s for the loops to notice the hard
  // stop, and the rest of the shutdown (servers, engine, databases) stays under the 7.5 s
  // deadline of app/shutdown.ts. Commits usually confirm within 1–2 s; a row whose confirmation
  // misses the grace stays queued and the next start resumes from the channel's committed offset.
  shutdownGraceMs: 5_000,
  reopenBaseMs: 200,
  reopenMaxMs: 5000,
  goneMaxMs: 30_000,
  takeoverStrikes: 3,
  takeoverMaxMs: 60_000,
  commitTimeoutMinMs: 5000,
  commitTimeoutMaxMs: 60_000,
  rescanMs: 5000,
};

/** A committed offset token that cannot belong to this outbox. */
export class OffsetMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OffsetMismatchError";
  }
}

/** Dependencies of one {@link ChannelStreamer}. */
export interface ChannelStreamerDeps {
  table: string;
  /** The rows this channel streams: its shard of the table's outbox, ids as offset tokens. */
  shard: OutboxShard;
  /** Who deletes committed rows from the shard (default at once, on the shard's connection). */
  deleter?: RowDeleter;
  /** The pipe's status polls, sent in bulk with the other channels' (default: one by one). */
  statuses?: StatusBatcher;
  pipe: string;
  channel: string;
  /**
   * A shard of another layout (more channels per table than configured): nothing new is queued
   * for it, so the loop ends once its rows are committed, drain or not.
   */
  retired?: boolean;
  api: StreamingApi;
  metrics: Metrics;
  status: StatusStore;
  log: Logger;
  /** Graceful stop: send nothing new, wait (bounded) for pending commits. */
  stop: AbortSignal;
  /** Hard stop: abandon requests in flight (fires `shutdownGraceMs` after `stop`). */
  hardStop: AbortSignal;
  /** Asked when the shard is empty and fully committed: may the loop end? */
  drain: () => boolean;
  options: StreamerOptions;
  /** Time and timers (default the system's); tests pass one they move themselves. */
  clock?: Clock;
}

type EpochResult =
  | { kind: "done" }
  | { kind: "stopped" }
  | { kind: "reopen"; error: unknown; progress: boolean; appendsOk: number; triedAppend: boolean };

/** Parses an offset token: liftline writes outbox ids as decimal strings. */
export function parseOffsetToken(token: string | null, channel: string): number | null {
  if (token === null || token === "") return null;
  if (/^\d{1,15}$/.test(token)) return Number(token);
  throw new OffsetMismatchError(
    `channel ${channel} carries offset token ${JSON.stringify(token.slice(0, 40))}, which is not ` +
      "a liftline outbox id: another program writes to this channel; set CHANNEL_NAME to use " +
      "another one",
  );
}

function isAbort(e: unknown): boolean {
  return e instanceof DOMException && (e.name === "AbortError" || e.name === "TimeoutError");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Streams one shard through its channel; see the module doc. */
export class ChannelStreamer {
  readonly #d: ChannelStreamerDeps;
  readonly #o: StreamerOptions;
  readonly #pending = new PendingBatches();
  readonly #clock: Clock;
  readonly #appendWake: Wakeup;
  readonly #pollWake: Wakeup;
  readonly #labels: { table: string; channel: string };
  /** The channel's status as shown by /pipeline and /api/status. */
  readonly status: ChannelStatus;
  /** Last committed offset seen (null before any commit). */
  #committed: number | null = null;
  /** Highest offset appended in the current channel epoch (or the committed offset). */
  #cursor = 0;
  #errorCount: number | null = null;
  #opened = false;
  /** Typical time from an accepted append to its commit being seen (moving average; 0 = unknown). */
  #commitLatencyMs = 0;
  #rateSamples: { at: number; committed: number }[] = [];
  #depthAt = -Infinity;
  #depthCostMs = 0;

  constructor(deps: ChannelStreamerDeps) {
    this.#d = deps;
    this.#o = deps.options;
    this.#clock = deps.clock ?? systemClock;
    this.#appendWake = new Wakeup(this.#clock);
    this.#pollWake = new Wakeup(this.#clock);
    this.#labels = { table: deps.table, channel: String(deps.shard.index) };
    deps.metrics.zeroChannel(deps.table, deps.shard.index);
    this.status = newChannelStatus({
      table: deps.table,
      shard: deps.shard.index,
      retired: deps.retired ?? false,
      pipe: deps.pipe,
      channel: deps.channel,
      state: "opening",
    });
    deps.status.channels.set(deps.channel, this.status);
    this.#setNotReady(`channel ${deps.channel} for ${deps.table} is not open yet`);
  }

  /** The shard this loop streams. */
  get shard(): OutboxShard {
    return this.#d.shard;
  }

  /** Runs until stopped, drained (when asked to drain) or a fatal error (rejects with it). */
  async run(): Promise<void> {
    const d = this.#d;
    let failures = 0;
    let strikes = 0;
    try {
      while (!d.stop.aborted) {
        let token: string;
        try {
          token = await this.#open();
        } catch (e) {
          const gone = this.#gone(e);
          if ((isFatal(e) && !gone) || e instanceof OffsetMismatchError) throw this.#fail(e);
          // Nothing is in flight before an open: a shutdown can simply end here.
          if (d.stop.aborted) break;
          failures++;
          if (e instanceof RetryableError) this.#countRetry(e.reason);
          const delay = backoffDelay(failures - 1, {
            baseDelayMs: this.#o.reopenBaseMs,
            maxDelayMs: gone ? this.#o.goneMaxMs : this.#o.reopenMaxMs,
          });
          this.#problem(
            gone
              ? `pipe ${d.pipe} of channel ${d.channel} is gone (${message(e)}): its rows stay ` +
                `queued until it exists again (liftline setup --apply recreates it); retrying ` +
                `in ${delay} ms`
              : `cannot open channel ${d.channel}: ${message(e)}; retrying in ${delay} ms`,
          );
          await sleep(this.#clock, delay, d.stop);
          continue;
        }
        const result = await this.#stream(token);
        if (result.kind !== "reopen") {
          if (result.kind === "done") {
            d.log.info(d.retired ? "retired channel drained" : "channel drained", {
              table: d.table,
              channel: d.channel,
            });
          }
          break;
        }
        const e = result.error;
        if (
          (isFatal(e) && !this.#gone(e)) || e instanceof OffsetMismatchError ||
          e instanceof RowTooLargeError
        ) {
          throw this.#fail(e);
        }
        if (e instanceof RetryableError) this.#countRetry(e.reason);
        d.metrics.channelReopens.inc(this.#labels);
        this.status.reopens++;
        failures = result.progress ? 0 : failures + 1;
        const takeover = e instanceof ChannelInvalidError && result.triedAppend &&
          result.appendsOk === 0;
        strikes = takeover ? strikes + 1 : 0;
        let delay: number;
        if (strikes >= this.#o.takeoverStrikes) {
          delay = Math.min(this.#o.takeoverMaxMs, 5000 * 2 ** (strikes - this.#o.takeoverStrikes));
          this.#problem(
            `channel ${d.channel} seems to be used by another writer (its continuation token went ` +
              `stale right after our own open, ${strikes} times in a row): is a second liftline ` +
              `running on this data folder or with the same CHANNEL_NAME? Retrying in ${
                Math.round(delay / 1000)
              } s`,
          );
        } else {
          delay = failures <= 1 ? 0 : backoffDelay(failures - 2, {
            baseDelayMs: this.#o.reopenBaseMs,
            maxDelayMs: this.#o.reopenMaxMs,
          });
          this.#problem(`reopening channel ${d.channel}: ${message(e)}`, "info");
        }
        await sleep(this.#clock, delay, d.stop);
      }
    } finally {
      if (this.status.state === "drained") {
        // A retired channel with nothing left to stream owes readiness nothing.
        this.#setNotReady();
      } else if (this.status.state !== "failed") {
        this.status.state = "stopped";
        this.#setNotReady(`channel ${d.channel} for ${d.table} is stopped`);
      }
    }
  }

  /**
   * Refreshes queue gauges and the committed-rows rate; called about once a second (`force`
   * always re-reads the queue depth).
   */
  tick(now = this.#clock.now(), force = false): void {
    const d = this.#d;
    // Counting a deep queue scans it: keep that under ~2% of the time, also for huge backlogs.
    if (force || now - this.#depthAt >= this.#depthCostMs * 50) {
      try {
        const t0 = performance.now();
        const depth = d.shard.depth();
        this.#depthCostMs = performance.now() - t0;
        this.#depthAt = now;
        d.metrics.queueRows.set(this.#labels, depth.rows);
        d.metrics.queueOldestRowAge.set(
          this.#labels,
          depth.oldestEnqueuedAt === undefined
            ? 0
            : Math.max(0, (now - depth.oldestEnqueuedAt) / 1000),
        );
        this.status.queueRows = depth.rows;
        this.status.oldestQueuedAt = depth.oldestEnqueuedAt === undefined
          ? null
          : new Date(depth.oldestEnqueuedAt).toISOString();
      } catch {
        // The outbox may already be closed during shutdown; the gauges keep their last values.
      }
    }
    this.#rateSamples.push({ at: now, committed: this.status.rowsCommitted });
    while (this.#rateSamples.length > 2 && now - this.#rateSamples[0].at > 5000) {
      this.#rateSamples.shift();
    }
    const first = this.#rateSamples[0];
    const span = (now - first.at) / 1000;
    this.status.rowsPerSecond = span > 0
      ? Math.round((this.status.rowsCommitted - first.committed) / span)
      : 0;
  }

  /** Opens (or reopens) the channel and resynchronises with its committed offset. */
  async #open(): Promise<string> {
    const d = this.#d;
    this.status.state = this.#opened ? "reopening" : "opening";
    this.#setNotReady(`channel ${d.channel} for ${d.table} is ${this.status.state}`);
    const opened = await d.api.openChannel(d.pipe, d.channel, {
      signal: d.stop,
      onRetry: (reason) => this.#countRetry(reason),
    });
    const committed = parseOffsetToken(opened.status.committedOffsetToken, d.channel);
    if (committed !== null) {
      const maxId = d.shard.maxId();
      if (committed > maxId) {
        throw new OffsetMismatchError(
          `channel ${d.channel} reports offset ${committed} committed, but its outbox shard ` +
            `${d.shard.name} has never held a row past ${maxId}: the channel belongs to another ` +
            `data folder (was queue.db replaced?). Delete instance.json or set CHANNEL_NAME to ` +
            `start new channels`,
        );
      }
      if (this.#committed !== null && committed < this.#committed) {
        d.log.warn("channel reports a lower committed offset than before", {
          table: d.table,
          channel: d.channel,
          before: this.#committed,
          now: committed,
        });
        this.#committed = committed;
      }
      this.#applyCommitted(committed);
    } else {
      this.#committed = null;
    }
    // The reopen discarded whatever was appended and not committed: it will be sent again.
    this.#pending.clear();
    this.#cursor = committed ?? 0;
    this.#observeErrors(opened.status);
    this.#opened = true;
    this.status.state = "open";
    this.status.appendedOffset = committed;
    this.#setNotReady();
    d.log.info("channel open", {
      table: d.table,
      channel: d.channel,
      committed: opened.status.committedOffsetToken,
    });
    return opened.continuationToken;
  }

  /** One channel epoch: appender and status poller run side by side until one needs a reopen. */
  async #stream(token: string): Promise<EpochResult> {
    const d = this.#d;
    const epoch = new AbortController();
    const req = AbortSignal.any([epoch.signal, d.hardStop]);
    const st = { appendsOk: 0, triedAppend: false, appenderDone: false, drained: false };
    const startCommitted = this.#committed;
    let failure: unknown;
    let failed = false;
    const fail = (e: unknown) => {
      if (!failed) {
        failed = true;
        failure = e;
      }
      epoch.abort();
    };
    const onStop = () => {
      this.#appendWake.notify();
      this.#pollWake.notify();
    };
    d.stop.addEventListener("abort", onStop);
    try {
      await Promise.all([
        this.#appendLoop(token, st, epoch.signal, req).catch(fail).finally(() => {
          st.appenderDone = true;
          this.#pollWake.notify();
        }),
        this.#pollLoop(st, epoch.signal, req).catch(fail),
      ]);
    } finally {
      d.stop.removeEventListener("abort", onStop);
    }
    if (failed) {
      if (d.hardStop.aborted || (d.stop.aborted && isAbort(failure))) return { kind: "stopped" };
      const progress = this.#committed !== null &&
        (startCommitted === null || this.#committed > startCommitted);
      return {
        kind: "reopen",
        error: failure,
        progress,
        appendsOk: st.appendsOk,
        triedAppend: st.triedAppend,
      };
    }
    if (st.drained) {
      if (d.retired) this.status.state = "drained";
      return { kind: "done" };
    }
    return { kind: "stopped" };
  }

  async #appendLoop(
    token: string,
    st: { appendsOk: number; triedAppend: boolean; drained: boolean },
    epoch: AbortSignal,
    req: AbortSignal,
  ): Promise<void> {
    const d = this.#d;
    const o = this.#o;
    const clock = this.#clock;
    let ct = token;
    let lastAppendAt = -Infinity;
    const onRetry = (reason: RetryReason) => this.#countRetry(reason);
    while (!epoch.aborted && !d.stop.aborted) {
      const room = Math.min(o.batchRows, o.maxInFlightRows - this.#pending.rows);
      if (room <= 0) {
        await this.#appendWake.wait(o.pollMinMs, epoch);
        continue;
      }
      let rows: QueuedRow[] = d.shard.readAfter(this.#cursor, room);
      if (rows.length === 0) {
        if (this.#pending.isEmpty && (d.retired || d.drain())) {
          st.drained = true;
          return;
        }
        await this.#appendWake.wait(o.pickupMs, epoch);
        continue;
      }
      // Keep to the per-channel request rate; a batch that is not full gathers rows meanwhile.
      // (Never longer than the interval, whatever the wall clock did since the last append.)
      const wait = Math.min(
        o.minAppendIntervalMs,
        lastAppendAt + o.minAppendIntervalMs - clock.now(),
      );
      if (wait > 0) {
        await sleep(clock, wait, epoch);
        if (epoch.aborted || d.stop.aborted) return;
        if (rows.length < room) rows = d.shard.readAfter(this.#cursor, room);
      }
      const bodies = await d.api.prepareAppend(rows, { signal: req });
      // Only the enqueue times are needed from here on: the rows (a few MB with their JSON) are
      // let go before the appends are awaited, instead of living on through the round trips.
      const runs = bodies.map((b) => enqueueRuns(rows, b.start, b.end));
      rows = [];
      for (const [i, body] of bodies.entries()) {
        const gap = Math.min(
          o.minAppendIntervalMs,
          lastAppendAt + o.minAppendIntervalMs - clock.now(),
        );
        if (i > 0 && gap > 0) await sleep(clock, gap, epoch);
        if (epoch.aborted) return;
        st.triedAppend = true;
        const t0 = clock.now();
        lastAppendAt = t0;
        try {
          ct = await d.api.appendRows(d.pipe, d.channel, ct, body, { signal: req, onRetry });
        } finally {
          // The request is over either way (a failed one is resent from the queue): free its
          // bytes now, not when a full collection gets to them.
          if (!body.bytes.buffer.detached) body.bytes.buffer.transfer(0);
        }
        if (epoch.aborted) return;
        d.metrics.appendDuration.observe(this.#labels, (clock.now() - t0) / 1000);
        this.#pending.pushRuns(body.firstId, body.lastId, runs[i], clock.now());
        this.#cursor = body.lastId;
        st.appendsOk++;
        const n = body.end - body.start;
        d.metrics.rowsAppended.inc(this.#labels, n);
        this.status.rowsAppended += n;
        this.status.appendedOffset = body.lastId;
        this.#pollWake.notify();
      }
    }
  }

  async #pollLoop(
    st: { appenderDone: boolean },
    epoch: AbortSignal,
    req: AbortSignal,
  ): Promise<void> {
    const d = this.#d;
    const o = this.#o;
    let idle = o.idlePollMs;
    const onRetry = (reason: RetryReason) => this.#countRetry(reason);
    while (!epoch.aborted) {
      if (this.#pending.isEmpty) {
        if (st.appenderDone) return;
        const woke = await this.#pollWake.wait(idle, epoch);
        if (epoch.aborted) return;
        if (woke || !this.#pending.isEmpty || st.appenderDone) continue;
        idle = Math.min(idle * 2, o.idlePollMaxMs);
      } else {
        idle = o.idlePollMs;
        // Commits take a while: stay quiet until the oldest batch is nearly due (going by how long
        // commits have been taking), then look often, in steps of a fortieth of that time.
        const now = this.#clock.now();
        const age = now - (this.#pending.oldestAppendedAt ?? now);
        const expected = this.#commitLatencyMs;
        const quiet = 0.7 * expected - age;
        const step = quiet > o.pollMinMs ? quiet : Math.max(o.pollMinMs, expected / 40);
        await sleep(this.#clock, Math.min(o.pollMaxMs, step), epoch);
        if (epoch.aborted) return;
      }
      const state = d.statuses
        ? await d.statuses.status(d.channel, { signal: req, onRetry })
        : (await d.api.channelStatus(d.pipe, [d.channel], { signal: req, onRetry })).get(
          d.channel,
        );
      if (epoch.aborted) return;
      this.#onStatus(state);
      this.#checkCommitTimeout();
    }
  }

  #onStatus(s: ChannelState | undefined): void {
    const d = this.#d;
    if (!s) {
      throw new ChannelInvalidError(
        `channel ${d.channel} is unknown to the service (dropped or expired)`,
      );
    }
    this.#observeErrors(s);
    if (!CHANNEL_OK_CODES.has(s.statusCode)) {
      throw new ChannelInvalidError(
        `channel ${d.channel} reports status ${s.statusCode || "(none)"}`,
        undefined,
        s.statusCode,
      );
    }
    const committed = parseOffsetToken(s.committedOffsetToken, d.channel);
    if (committed !== null) this.#applyCommitted(committed);
  }

  /**
   * The service discards uncommitted rows silently when someone else reopens the channel; the
   * status still looks healthy. Rows waiting far longer than commits usually take are resent.
   */
  #checkCommitTimeout(): void {
    const oldest = this.#pending.oldestAppendedAt;
    if (oldest === undefined) return;
    const timeout = Math.min(
      this.#o.commitTimeoutMaxMs,
      Math.max(this.#o.commitTimeoutMinMs, this.#commitLatencyMs * 4),
    );
    const waited = this.#clock.now() - oldest;
    if (waited > timeout) {
      const usual = this.#commitLatencyMs > 0
        ? `commits usually take ${Math.round(this.#commitLatencyMs)} ms`
        : "no commit seen yet on this channel";
      throw new ChannelInvalidError(
        `rows appended ${waited} ms ago to channel ${this.#d.channel} are still not committed ` +
          `(${usual}): reopening to resend them`,
      );
    }
  }

  /**
   * Everything through `committed` is in Snowflake: have it deleted from the shard (the rows count
   * as committed once they are gone) and account for the lag.
   */
  #applyCommitted(committed: number): void {
    if (this.#committed !== null && committed <= this.#committed) return;
    const d = this.#d;
    (d.deleter ?? INLINE_DELETES).deleteThrough(d.shard, committed, (deleted) => {
      d.metrics.rowsCommitted.inc(this.#labels, deleted);
      this.status.rowsCommitted += deleted;
    });
    const oldest = this.#pending.oldestAppendedAt;
    const released = this.#pending.commitThrough(committed);
    const now = this.#clock.now();
    if (oldest !== undefined && released.rows > 0) {
      this.#commitLatencyMs = 0.7 * this.#commitLatencyMs + 0.3 * (now - oldest);
    }
    let lastLag: number | null = null;
    let newestEnqueuedAt = -Infinity;
    for (const run of released.runs) {
      const lag = Math.max(0, now - run.enqueuedAt);
      const seconds = lag / 1000;
      for (let i = 0; i < run.count; i++) d.metrics.ingestLag.observe(this.#labels, seconds);
      d.status.observeIngestLag(d.table, seconds, run.count, now, d.channel);
      if (run.enqueuedAt > newestEnqueuedAt) newestEnqueuedAt = run.enqueuedAt;
      lastLag = lag;
    }
    if (d.table === "LIFT_RIDE" && newestEnqueuedAt > -Infinity) {
      d.status.noteRidesCommitted(newestEnqueuedAt, now);
    }
    this.#committed = committed;
    if (this.#cursor < committed) this.#cursor = committed;
    d.metrics.committedOffset.set(this.#labels, committed);
    this.status.committedOffset = committed;
    if (lastLag !== null) this.status.lastIngestLagMs = lastLag;
    this.#appendWake.notify();
  }

  /** Surfaces growth of the channel's cumulative error rows: metric, status and a warning. */
  #observeErrors(s: ChannelState): void {
    const prev = this.#errorCount;
    if (prev === s.rowsErrorCount) return;
    const d = this.#d;
    this.#errorCount = s.rowsErrorCount;
    d.metrics.rowsErrorCount.set(this.#labels, s.rowsErrorCount);
    this.status.rowsErrorCount = s.rowsErrorCount;
    this.status.lastErrorMessage = s.lastErrorMessage === null
      ? null
      : redactRowContent(s.lastErrorMessage);
    this.status.lastErrorOffsetUpperBound = s.lastErrorOffsetUpperBound;
    if (s.rowsErrorCount > (prev ?? 0)) {
      d.log.warn("Snowflake rejected rows of this channel (counted, not loaded)", {
        table: d.table,
        channel: d.channel,
        newErrorRows: prev === null ? undefined : s.rowsErrorCount - prev,
        rowsErrorCount: s.rowsErrorCount,
        lastErrorMessage: this.status.lastErrorMessage,
        lastErrorOffsetUpperBound: s.lastErrorOffsetUpperBound,
      });
    }
  }

  #countRetry(reason: RetryReason): void {
    this.#d.metrics.retries.inc({ ...this.#labels, reason });
    this.status.retries++;
    this.status.retriesByReason[reason] = (this.status.retriesByReason[reason] ?? 0) + 1;
  }

  #problem(text: string, level: "info" | "warn" = "warn"): void {
    this.status.lastProblem = text;
    this.#d.log.log(level, text, { table: this.#d.table, channel: this.#d.channel });
  }

  /**
   * True when the pipe this channel opened before is gone (dropped with its table, schema or
   * database, or its grant revoked): the stream waits for it, slowly, instead of stopping the
   * program. At the first open the same error stops the streamer: the set-up is missing.
   */
  #gone(e: unknown): boolean {
    return this.#opened && isMissingObject(e);
  }

  #fail(e: unknown): unknown {
    const text = message(e);
    this.status.state = "failed";
    this.status.lastProblem = text;
    this.#setNotReady(`channel ${this.#d.channel} for ${this.#d.table} failed: ${text}`);
    return e;
  }

  #setNotReady(reason?: string): void {
    this.#d.status.setNotReady(`streamer:${this.#d.channel}`, reason ? [reason] : []);
  }
}
