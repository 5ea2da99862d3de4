/**
 * The streamer role: drains the outbox into Snowflake (or the emulator), one Named Channel per
 * table, three table loops side by side (see table_streamer.ts).
 *
 * @module
 */
import { type Config, type TableName, TABLES } from "../config/load.ts";
import type { Outbox } from "../queue/outbox.ts";
import type { Metrics } from "../status/metrics.ts";
import type { StatusStore } from "../status/store.ts";
import type { Logger } from "../log.ts";
import { channelName, instanceId } from "./instance.ts";
import { type Clock, sleep, systemClock } from "./clock.ts";
import {
  DEFAULT_STREAMER_OPTIONS,
  type StreamerOptions,
  type StreamingApi,
  TableStreamer,
} from "./table_streamer.ts";

export {
  DEFAULT_STREAMER_OPTIONS,
  OffsetMismatchError,
  type StreamerOptions,
  type StreamingApi,
} from "./table_streamer.ts";
export { channelName, instanceId } from "./instance.ts";
export { type Clock, systemClock } from "./clock.ts";

/** What {@link runStreamer} needs. */
export interface StreamerDeps {
  config: Config;
  outbox: Outbox;
  /** The client, or a factory called once (e.g. `() => createStreamingClient(config, …)`). */
  client: StreamingApi | (() => Promise<StreamingApi>);
  metrics: Metrics;
  status: StatusStore;
  log: Logger;
  /** Aborting it asks for a clean shutdown. */
  signal: AbortSignal;
  /**
   * Return once every table is empty and fully committed. A function is asked each time a table
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
}

/** The channel names this data folder uses, per table. */
export async function channelNames(config: Config): Promise<Record<TableName, string>> {
  const id = await instanceId(config.dataDir);
  const prefix = config.CHANNEL_NAME ?? config.CLIENT_NAME;
  return Object.fromEntries(TABLES.map((t) => [t, channelName(prefix, t, id)])) as Record<
    TableName,
    string
  >;
}

/**
 * Streams the outbox until `signal` aborts (then sends nothing new, waits up to
 * `shutdownGraceMs` for in-flight rows to commit, and returns), until everything is drained (with
 * `drain`), or until a failure that retrying cannot fix (bad credentials, missing privileges, a
 * channel of another program): then the other tables stop too and the promise rejects with it.
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
  // Not ready until each table's streamer has opened its channel (it clears its own entry).
  for (const table of deps.tables ?? TABLES) {
    deps.status.setNotReady(`streamer:${table}`, [`channel for ${table} is not open yet`]);
  }
  const names = await channelNames(deps.config);
  const api = typeof deps.client === "function" ? await deps.client() : deps.client;
  const drain = deps.drain;
  const drainCheck = typeof drain === "function" ? drain : () => drain === true;

  // A fatal failure of one table stops the others gracefully.
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

  const streamers = (deps.tables ?? TABLES).map((table) =>
    new TableStreamer({
      table,
      pipe: deps.config.pipes[table].toUpperCase(),
      channel: names[table],
      api,
      outbox: deps.outbox,
      metrics: deps.metrics,
      status: deps.status,
      log,
      stop,
      hardStop: hard.signal,
      drain: drainCheck,
      options,
      clock,
    })
  );
  const tick = (force = false) => {
    const now = clock.now();
    for (const s of streamers) s.tick(now, force);
  };
  tick(true);
  // Queue gauges and rates once a second, until the tables are done.
  const done = new AbortController();
  const ticking = (async () => {
    for (;;) {
      await sleep(clock, 1000, done.signal);
      if (done.signal.aborted) return;
      tick();
    }
  })();
  let firstFatal: unknown;
  try {
    await Promise.all(streamers.map((s) =>
      s.run().catch((e) => {
        if (firstFatal === undefined) {
          firstFatal = e;
          log.error("streaming stopped", { table: s.status.table, error: e });
        }
        fatal.abort();
      })
    ));
  } finally {
    done.abort();
    await ticking;
    cancelGrace?.();
    stop.removeEventListener("abort", onStop);
    tick(true);
  }
  if (firstFatal !== undefined) throw firstFatal;
}
