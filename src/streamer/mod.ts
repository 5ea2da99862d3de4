/**
 * The streamer role: drains the outbox into Snowflake (or the emulator), one Named Channel per
 * outbox shard, every loop side by side (see channel_streamer.ts). A table has as many shards as
 * its outbox was opened with channels (STREAM_CHANNELS), plus any shard an earlier layout with
 * more channels left rows in: those are "retired" channels, streamed until their rows are
 * committed, then closed.
 *
 * @module
 */
import { type Config, type TableName, TABLES } from "../config/load.ts";
import type { Outbox, OutboxShard } from "../queue/outbox.ts";
import { QueueDeleter, type RowDeleter } from "../queue/deleter.ts";
import type { Metrics } from "../status/metrics.ts";
import type { StatusStore } from "../status/store.ts";
import type { Logger } from "../log.ts";
import { channelName, instanceId } from "./instance.ts";
import { type Clock, sleep, systemClock } from "./clock.ts";
import {
  ChannelStreamer,
  DEFAULT_STREAMER_OPTIONS,
  type StreamerOptions,
  type StreamingApi,
} from "./channel_streamer.ts";
import { StatusBatcher } from "./status_batcher.ts";

export {
  DEFAULT_STREAMER_OPTIONS,
  OffsetMismatchError,
  type StreamerOptions,
  type StreamingApi,
} from "./channel_streamer.ts";
export { channelName, instanceId } from "./instance.ts";
export { type Clock, systemClock } from "./clock.ts";

/** What {@link runStreamer} needs. */
export interface StreamerDeps {
  config: Config;
  /** The outbox; its `channels` are the shards (channels) per table new rows go to. */
  outbox: Outbox;
  /** The client, or a factory called once (e.g. `() => createStreamingClient(config, …)`). */
  client: StreamingApi | (() => Promise<StreamingApi>);
  metrics: Metrics;
  status: StatusStore;
  log: Logger;
  /** Aborting it asks for a clean shutdown. */
  signal: AbortSignal;
  /**
   * Return once every shard is empty and fully committed. A function is asked each time a shard
   * is found empty (e.g. `() => generatorFinished` for `run --drain`).
   */
  drain?: boolean | (() => boolean);
  /**
   * Tuning; defaults in {@link DEFAULT_STREAMER_OPTIONS}, except the batch size and the in-flight
   * bound, which come from STREAM_BATCH_ROWS and STREAM_MAX_INFLIGHT_ROWS.
   */
  options?: Partial<StreamerOptions>;
  /** Tables to stream; default all three. */
  tables?: readonly TableName[];
  /** Time and timers (default the system's); tests pass one they move themselves. */
  clock?: Clock;
  /**
   * Who deletes committed rows: by default a {@link QueueDeleter}, a worker thread with its own
   * connection to the outbox, started and closed here.
   */
  deleter?: RowDeleter;
}

/** How long the end of a run waits for the deleter to catch up (the rest goes at the next start). */
const DELETES_FLUSH_MS = 2000;

/**
 * The channel names of this data folder for `channels` shards per table:
 * `<CHANNEL_NAME or CLIENT_NAME>_<TABLE>_<instance id>` for shard 0, `…_<instance id>_<k>` for
 * shard k (see instance.ts).
 */
export async function channelNames(
  config: Config,
  channels = 1,
): Promise<Record<TableName, string[]>> {
  const id = await instanceId(config.dataDir);
  const prefix = config.CHANNEL_NAME ?? config.CLIENT_NAME;
  return Object.fromEntries(
    TABLES.map((
      t,
    ) => [t, Array.from({ length: channels }, (_, k) => channelName(prefix, t, id, k))]),
  ) as Record<TableName, string[]>;
}

/**
 * Streams the outbox until `signal` aborts (then sends nothing new, waits up to
 * `shutdownGraceMs` for in-flight rows to commit, and returns), until everything is drained (with
 * `drain`), or until a failure that retrying cannot fix (bad credentials, missing privileges, a
 * channel of another program): then the other channels stop too and the promise rejects with it.
 * Transient failures are retried without end.
 */
export async function runStreamer(deps: StreamerDeps): Promise<void> {
  const options: StreamerOptions = {
    ...DEFAULT_STREAMER_OPTIONS,
    batchRows: deps.config.STREAM_BATCH_ROWS,
    maxInFlightRows: deps.config.STREAM_MAX_INFLIGHT_ROWS,
    ...deps.options,
  };
  const log = deps.log.child("streamer");
  if (deps.signal.aborted) return;
  const tables = deps.tables ?? TABLES;
  const { outbox } = deps;
  // Not ready until each channel's loop has opened its channel (it clears its own entry); until
  // the loops exist, one reason per table says so.
  for (const table of tables) {
    deps.status.setNotReady(`streamer:${table}`, [`channels for ${table} are not open yet`]);
  }
  const id = await instanceId(deps.config.dataDir);
  const prefix = deps.config.CHANNEL_NAME ?? deps.config.CLIENT_NAME;
  const api = typeof deps.client === "function" ? await deps.client() : deps.client;
  const drain = deps.drain;
  const drainCheck = typeof drain === "function" ? drain : () => drain === true;

  // A fatal failure of one channel stops the others gracefully.
  const fatal = new AbortController();
  const stop = AbortSignal.any([deps.signal, fatal.signal]);
  const hard = new AbortController();
  const clock = deps.clock ?? systemClock;
  let cancelGrace: (() => void) | undefined;
  // After a stop, commits in flight get `shutdownGraceMs` to be confirmed; then requests are
  // abandoned. Nothing is lost either way: unconfirmed rows stay queued, and the next start
  // resumes from each channel's committed offset.
  const onStop = () => {
    cancelGrace = clock.timer(options.shutdownGraceMs, () => {
      log.warn("shutdown grace period over: abandoning requests in flight", {
        grace_ms: options.shutdownGraceMs,
      });
      hard.abort();
    });
  };
  stop.addEventListener("abort", onStop, { once: true });

  const ownDeleter = deps.deleter ? undefined : new QueueDeleter(outbox.path, log);
  const deleter = deps.deleter ?? ownDeleter!;
  const streamers = new Map<OutboxShard, ChannelStreamer>();
  // One bulk status request per pipe serves every channel of the table polling about then.
  const batchers = new Map<string, StatusBatcher>();
  const batcherOf = (pipe: string) => {
    let b = batchers.get(pipe);
    if (!b) {
      b = new StatusBatcher(api, pipe, clock, options.pollMinMs, hard.signal);
      batchers.set(pipe, b);
    }
    return b;
  };
  const running = new Map<ChannelStreamer, Promise<void>>();
  let firstFatal: unknown;
  let wake: (() => void) | undefined;
  const start = (shard: OutboxShard) => {
    const retired = shard.index >= outbox.channels;
    let s = streamers.get(shard);
    if (!s) {
      const table = shard.table as TableName;
      const pipe = deps.config.pipes[table].toUpperCase();
      s = new ChannelStreamer({
        table,
        shard,
        deleter,
        retired,
        pipe,
        statuses: batcherOf(pipe),
        channel: channelName(prefix, table, id, shard.index),
        api,
        metrics: deps.metrics,
        status: deps.status,
        log,
        stop,
        hardStop: hard.signal,
        drain: drainCheck,
        options,
        clock,
      });
      streamers.set(shard, s);
      if (retired) {
        log.info("rows queued for a channel beyond STREAM_CHANNELS: streaming them through it", {
          table,
          channel: s.status.channel,
          rows: shard.rows,
          stream_channels: outbox.channels,
        });
      }
    }
    const loop = s;
    running.set(
      loop,
      loop.run().catch((e) => {
        if (firstFatal === undefined) {
          firstFatal = e;
          log.error("streaming stopped", { table: loop.status.table, error: e });
        }
        fatal.abort();
      }).finally(() => {
        running.delete(loop);
        wake?.();
      }),
    );
  };
  try {
    for (const table of tables) {
      for (const shard of outbox.shards(table)) {
        // A shard of another layout that holds nothing needs no channel.
        if (shard.index < outbox.channels || shard.depth().rows > 0) start(shard);
      }
      deps.status.setNotReady(`streamer:${table}`, []);
    }
  } catch (e) {
    fatal.abort();
    await Promise.all(running.values());
    await ownDeleter?.close();
    throw e;
  }
  /** Retired shards found with rows (another process queued for them, or a rescan found them). */
  const restartRetired = () => {
    if (stop.aborted) return;
    outbox.rescan();
    for (const table of tables) {
      for (const shard of outbox.shards(table)) {
        const s = streamers.get(shard);
        if ((!s || !running.has(s)) && shard.index >= outbox.channels && shard.depth().rows > 0) {
          start(shard);
        }
      }
    }
  };

  const tick = (force = false) => {
    const now = clock.now();
    for (const s of streamers.values()) s.tick(now, force);
  };
  tick(true);
  // Queue gauges and rates once a second, and now and then a look for retired shards with rows,
  // until the loops are done.
  const done = new AbortController();
  const ticking = (async () => {
    let lastScan = clock.now();
    for (;;) {
      await sleep(clock, 1000, done.signal);
      if (done.signal.aborted) return;
      tick();
      if (clock.now() - lastScan >= options.rescanMs) {
        lastScan = clock.now();
        try {
          restartRetired();
        } catch (e) {
          log.warn("could not look for retired channels' rows", { error: e as Error });
        }
      }
    }
  })();
  try {
    while (running.size > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (running.size === 0) resolve();
      });
    }
  } finally {
    wake = undefined;
    done.abort();
    await ticking;
    cancelGrace?.();
    stop.removeEventListener("abort", onStop);
    // The committed rows' deletes, and their counts, before the last look at the queue.
    if (!(await deleter.flush(DELETES_FLUSH_MS))) {
      log.warn("committed rows are still being deleted from the queue; the next start finishes", {
        waited_ms: DELETES_FLUSH_MS,
      });
    }
    await ownDeleter?.close(1000);
    tick(true);
  }
  if (firstFatal !== undefined) throw firstFatal;
}
