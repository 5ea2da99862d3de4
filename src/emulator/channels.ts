/**
 * Named Channels of the emulator's pipes: sequencers and continuation tokens, the buffer of
 * appended-but-uncommitted batches, and the commit scheduler that lands them after the commit
 * delay (one SQLite transaction per commit, see {@link Warehouse.commitBodies}).
 *
 * Memory: an uncommitted batch is kept as the bytes of its NDJSON body, in the 64 KB chunks it
 * arrived in, outside the JavaScript heap, and only decoded and parsed inside its commit, chunk by
 * chunk and row by row into the inserts. Parsed rows would take several times the body's size for
 * the whole commit delay; kept as a string, a body would outlive the young generation and wait in
 * the old one for a full collection (at full speed that was most of what the process promoted).
 * Once committed (or discarded) a body's buffers are detached, which frees them at once instead
 * of at some later collection. Each channel
 * holds at most `maxUncommittedBytes`: an append beyond it is refused with 429 (nothing is
 * buffered; the client retries once a commit has made room), as the real service throttles a
 * channel that sends faster than it loads.
 *
 * Durable state (sequencer, committed offset token, counters) lives in `warehouse.db`; the buffer
 * and the row sequencer live in memory only, like the real service's in-flight data. That is why
 * every start invalidates all channels: a client holding a token from before a restart must
 * reopen and replay from the committed offset instead of appending after a silent gap.
 *
 * @module
 */
import {
  type AppendRowsResponse,
  type BulkChannelStatusResponse,
  type ChannelStatusWire,
  ERROR_CODE,
  type OpenChannelResponse,
} from "../snowflake/protocol.ts";
import type { Logger } from "../log.ts";
import { ApiError } from "./errors.ts";
import { decodeContinuationToken, encodeContinuationToken } from "./continuation.ts";
import { type BatchCounts, Pipe } from "./pipe.ts";
import type { ChannelRecord, Warehouse } from "./warehouse.ts";

/** Settings of {@link StreamingService}. */
export interface StreamingOptions {
  /** Database name (upper-case). */
  readonly database: string;
  /** Schema name (upper-case). */
  readonly schema: string;
  /** Pipe name (upper-case) per raw table. */
  readonly pipes: Readonly<Record<string, string>>;
  /** How long appended rows wait before they commit; 0 commits within the append call. */
  readonly commitDelayMs: number;
  /** Invalidate every channel every this many seconds (fault injection); 0 = never. */
  readonly invalidateSeconds: number;
  /**
   * Most NDJSON bytes one channel holds appended but uncommitted; an append beyond it gets 429
   * (one batch is always accepted). Default {@link DEFAULT_MAX_UNCOMMITTED_BYTES}.
   */
  readonly maxUncommittedBytes?: number;
  readonly log: Logger;
}

/**
 * Default of {@link StreamingOptions.maxUncommittedBytes}: 128 MB of NDJSON per channel. liftline's
 * streamer stays below it on its own (STREAM_MAX_INFLIGHT_ROWS: 100,000 rows are about 20 MB of
 * rides or 65 MB of tickets); the bound is a safety net for clients that send without waiting for
 * commits, and for commits that keep failing (a full disk).
 */
export const DEFAULT_MAX_UNCOMMITTED_BYTES = 128 * 1024 * 1024;

interface PendingBatch {
  /** The append's NDJSON body (UTF-8, in the chunks it arrived in), parsed at commit. */
  readonly chunks: readonly Uint8Array<ArrayBuffer>[];
  /** Its size in bytes. */
  readonly bytes: number;
  readonly endOffsetToken?: string;
  readonly receivedAt: number;
  readonly dueAt: number;
}

interface LiveChannel {
  readonly pipe: Pipe;
  readonly name: string;
  id: number;
  clientSequencer: number;
  rowSequencer: number;
  pending: PendingBatch[];
  /** Bytes of the bodies in `pending`. */
  pendingBytes: number;
  timer?: ReturnType<typeof setTimeout>;
  latencySumMs: number;
  latencyCount: number;
}

/** Options of an open. */
export interface OpenOptions {
  /** Sets the committed offset token (string or null) when given. */
  readonly offsetToken?: string | null;
  /** Refuse (409) instead of discarding uncommitted data. */
  readonly failOnUncommittedRows?: boolean;
}

const RETRY_FAILED_COMMIT_MS = 1000;

/**
 * Frees a batch's buffers now: detaching an ArrayBuffer drops its memory at once, where letting go
 * of it would leave it to the next full collection once it has aged into the old generation.
 */
function release(batch: PendingBatch): void {
  for (const c of batch.chunks) if (!c.buffer.detached) c.buffer.transfer(0);
}

/** The streaming side of the emulator: pipes, channels, appends and commits. */
export class StreamingService {
  /** Pipes by stored (upper-case) name. */
  readonly pipes: ReadonlyMap<string, Pipe>;
  readonly #warehouse: Warehouse;
  readonly #options: StreamingOptions;
  readonly #live = new Map<string, LiveChannel>();
  #invalidateTimer?: ReturnType<typeof setInterval>;
  #closed = false;

  /** Creates the pipes and invalidates every channel left by an earlier run. */
  constructor(warehouse: Warehouse, options: StreamingOptions) {
    this.#warehouse = warehouse;
    this.#options = options;
    const pipes = new Map<string, Pipe>();
    for (const [table, name] of Object.entries(options.pipes)) {
      if (pipes.has(name)) throw new Error(`pipe ${name} is configured for two tables`);
      pipes.set(name, new Pipe(name, warehouse.table(table)));
    }
    this.pipes = pipes;
    warehouse.invalidateAllChannels();
  }

  /** Starts the invalidation timer when that fault is configured. */
  start(): void {
    const s = this.#options.invalidateSeconds;
    if (s > 0 && this.#invalidateTimer === undefined && !this.#closed) {
      this.#invalidateTimer = setInterval(() => this.invalidateAll(), s * 1000);
    }
  }

  /** The pipe a path names, or a 404 naming the first part that does not exist. */
  resolvePipe(database: string, schema: string, pipe: string): Pipe {
    // Unquoted identifiers are case-insensitive (stored upper-case), per the REST docs.
    if (database.toUpperCase() !== this.#options.database) {
      throw new ApiError(
        404,
        ERROR_CODE.databaseDoesNotExist,
        `Database ${database} does not exist or not authorized.`,
      );
    }
    if (schema.toUpperCase() !== this.#options.schema) {
      throw new ApiError(
        404,
        ERROR_CODE.schemaDoesNotExist,
        `Schema ${database}.${schema} does not exist or not authorized.`,
      );
    }
    const found = this.pipes.get(pipe.toUpperCase());
    if (!found) {
      throw new ApiError(
        404,
        ERROR_CODE.pipeDoesNotExist,
        `Pipe ${database}.${schema}.${pipe} does not exist or not authorized.`,
      );
    }
    return found;
  }

  #key(pipe: Pipe, channel: string): string {
    return `${pipe.name}\u0000${channel}`;
  }

  /** The live state of an existing channel, loaded from the warehouse on first use. */
  #load(pipe: Pipe, channel: string): LiveChannel | undefined {
    const key = this.#key(pipe, channel);
    const live = this.#live.get(key);
    if (live) return live;
    const rec = this.#warehouse.channel(pipe.name, channel);
    if (!rec) return undefined;
    const fresh: LiveChannel = {
      pipe,
      name: channel,
      id: rec.id,
      clientSequencer: rec.clientSequencer,
      rowSequencer: 0,
      pending: [],
      pendingBytes: 0,
      latencySumMs: 0,
      latencyCount: 0,
    };
    this.#live.set(key, fresh);
    return fresh;
  }

  #discard(live: LiveChannel): void {
    if (live.timer !== undefined) clearTimeout(live.timer);
    live.timer = undefined;
    for (const b of live.pending) release(b);
    live.pending = [];
    live.pendingBytes = 0;
  }

  #status(rec: ChannelRecord, live: LiveChannel | undefined): ChannelStatusWire {
    return {
      database_name: this.#options.database,
      schema_name: this.#options.schema,
      pipe_name: rec.pipe,
      channel_name: rec.channel,
      channel_status_code: "SUCCESS",
      last_committed_offset_token: rec.lastCommittedOffsetToken,
      created_on_ms: rec.createdOnMs,
      rows_inserted: rec.rowsInserted,
      rows_parsed: rec.rowsParsed,
      rows_error_count: rec.rowsErrorCount,
      rows_errors: rec.rowsErrorCount,
      last_error_offset_upper_bound: rec.lastErrorOffsetUpperBound,
      last_error_message: rec.lastErrorMessage,
      last_error_timestamp: rec.lastErrorTimestampMs,
      snowflake_avg_processing_latency_ms: live && live.latencyCount
        ? Math.round(live.latencySumMs / live.latencyCount)
        : 0,
    };
  }

  /**
   * Opens or reopens a channel: bumps its client sequencer (older tokens go stale), discards its
   * uncommitted batches (or refuses with 409 when `failOnUncommittedRows`), and answers the first
   * continuation token with the channel's status and last committed offset token.
   */
  open(pipe: Pipe, channel: string, options: OpenOptions = {}): OpenChannelResponse {
    const key = this.#key(pipe, channel);
    const live = this.#live.get(key);
    if (live && live.pending.length && options.failOnUncommittedRows) {
      throw new ApiError(
        409,
        ERROR_CODE.channelHasUncommittedData,
        `Channel ${channel} has uncommitted data; retry later or reopen with ` +
          "fail_on_uncommitted_rows=false to discard it.",
      );
    }
    if (live) this.#discard(live);
    const rec = this.#warehouse.openChannel(pipe.name, channel, options.offsetToken);
    const next: LiveChannel = live && live.id === rec.id ? live : {
      pipe,
      name: channel,
      id: rec.id,
      clientSequencer: 0,
      rowSequencer: 0,
      pending: [],
      pendingBytes: 0,
      latencySumMs: 0,
      latencyCount: 0,
    };
    next.clientSequencer = rec.clientSequencer;
    next.rowSequencer = 0;
    this.#live.set(key, next);
    this.#options.log.info("channel opened", {
      pipe: pipe.name,
      channel,
      sequencer: rec.clientSequencer,
      committed: rec.lastCommittedOffsetToken,
    });
    return {
      next_continuation_token: encodeContinuationToken({
        channelId: rec.id,
        clientSequencer: rec.clientSequencer,
        rowSequencer: 0,
      }),
      channel_status: this.#status(rec, next),
    };
  }

  /**
   * Appends an NDJSON body (UTF-8 bytes in one or more chunks, which the channel then owns) to a
   * channel after checking its continuation token. The body is buffered (uncommitted) until the commit delay passes; a
   * commit delay of 0 commits it before this returns. Answers the next continuation token; 429
   * when the channel already holds `maxUncommittedBytes` of uncommitted bodies.
   */
  append(
    pipe: Pipe,
    channel: string,
    continuationToken: string,
    endOffsetToken: string | undefined,
    body: readonly Uint8Array<ArrayBuffer>[],
  ): AppendRowsResponse {
    const live = this.#load(pipe, channel);
    if (!live) {
      throw new ApiError(
        404,
        ERROR_CODE.channelDoesNotExist,
        `Channel ${channel} does not exist or is not authorized; open it first.`,
      );
    }
    this.#checkToken(live, continuationToken);
    const limit = this.#options.maxUncommittedBytes ?? DEFAULT_MAX_UNCOMMITTED_BYTES;
    let bytes = 0;
    for (const c of body) bytes += c.byteLength;
    if (live.pending.length > 0 && live.pendingBytes + bytes > limit) {
      throw new ApiError(
        429,
        ERROR_CODE.generalRetry,
        `Channel ${channel} has ${live.pendingBytes} bytes of uncommitted rows, the most it ` +
          "buffers; retry once they commit.",
      );
    }
    const now = Date.now();
    live.rowSequencer++;
    live.pending.push({
      chunks: body,
      bytes,
      endOffsetToken,
      receivedAt: now,
      dueAt: now + this.#options.commitDelayMs,
    });
    live.pendingBytes += bytes;
    if (this.#options.commitDelayMs === 0) this.#commitDue(live);
    else this.#schedule(live);
    return {
      next_continuation_token: encodeContinuationToken({
        channelId: live.id,
        clientSequencer: live.clientSequencer,
        rowSequencer: live.rowSequencer,
      }),
    };
  }

  #checkToken(live: LiveChannel, text: string): void {
    const token = decodeContinuationToken(text);
    if (!token) {
      throw new ApiError(400, ERROR_CODE.badRequest, "continuationToken is malformed.");
    }
    if (token.channelId !== live.id || token.clientSequencer < live.clientSequencer) {
      // HTTP status not documented; 400 as SnowDuck does: the request itself carries a token the
      // channel no longer accepts. Clients must act on the code (reopen), not on the status.
      throw new ApiError(
        400,
        ERROR_CODE.staleContinuationToken,
        "Channel sequencer in the continuation token is stale. Please reopen the channel",
      );
    }
    if (token.clientSequencer > live.clientSequencer) {
      throw new ApiError(
        400,
        ERROR_CODE.channelInvalidClientSequencer,
        "The continuation token's client sequencer was never issued. Please reopen the channel",
      );
    }
    if (token.rowSequencer !== live.rowSequencer) {
      // A replayed or skipped token would duplicate or reorder rows: refuse, the client reopens
      // and resumes from the committed offset.
      throw new ApiError(
        400,
        ERROR_CODE.channelInvalidRowSequencer,
        "The continuation token's row sequencer is not the channel's latest. Use the token " +
          "returned by the previous call, or reopen the channel",
      );
    }
  }

  #schedule(live: LiveChannel): void {
    if (live.timer !== undefined || !live.pending.length || this.#closed) return;
    const wait = Math.max(0, live.pending[0].dueAt - Date.now());
    live.timer = setTimeout(() => {
      live.timer = undefined;
      this.#commitDue(live);
    }, wait);
  }

  /** Commits every batch whose commit time has come, in one transaction. */
  #commitDue(live: LiveChannel): void {
    const now = Date.now();
    let n = 0;
    while (n < live.pending.length && live.pending[n].dueAt <= now) n++;
    if (n > 0) {
      const batches = live.pending.slice(0, n);
      let counts: BatchCounts | undefined;
      try {
        counts = this.#warehouse.commitBodies(
          live.id,
          live.pipe.table.name,
          batches,
          (chunks, onRow) => live.pipe.parseChunks(chunks, onRow),
        );
      } catch (e) {
        // Nothing was written (the transaction rolled back): keep the batches and try again.
        this.#options.log.error("commit failed; retrying", {
          pipe: live.pipe.name,
          channel: live.name,
          error: e as Error,
        });
        if (!this.#closed) {
          live.timer = setTimeout(() => {
            live.timer = undefined;
            this.#commitDue(live);
          }, RETRY_FAILED_COMMIT_MS);
        }
        return;
      }
      live.pending.splice(0, n);
      for (const b of batches) {
        live.pendingBytes -= b.bytes;
        release(b);
      }
      if (!counts) {
        this.#discard(live);
        this.#live.delete(this.#key(live.pipe, live.name));
        return;
      }
      for (const b of batches) {
        live.latencySumMs += now - b.receivedAt;
        live.latencyCount++;
      }
      if (counts.errors) {
        this.#options.log.debug("rows rejected", {
          pipe: live.pipe.name,
          channel: live.name,
          errors: counts.errors,
        });
      }
    }
    this.#schedule(live);
  }

  /** Status of the named channels of a pipe; channels that do not exist are left out. */
  status(pipe: Pipe, channelNames: readonly string[]): BulkChannelStatusResponse {
    const statuses: Record<string, ChannelStatusWire> = {};
    for (const name of channelNames) {
      const rec = this.#warehouse.channel(pipe.name, name);
      if (rec) statuses[name] = this.#status(rec, this.#live.get(this.#key(pipe, name)));
    }
    return { channel_statuses: statuses };
  }

  /** Drops a channel and its offset (404 when there is none). */
  drop(pipe: Pipe, channel: string, failOnUncommittedRows = false): void {
    const live = this.#load(pipe, channel);
    if (!live) {
      throw new ApiError(
        404,
        ERROR_CODE.channelDoesNotExist,
        `Channel ${channel} does not exist or is not authorized.`,
      );
    }
    if (live.pending.length && failOnUncommittedRows) {
      throw new ApiError(
        409,
        ERROR_CODE.channelHasUncommittedData,
        `Channel ${channel} has uncommitted data.`,
      );
    }
    this.#discard(live);
    this.#live.delete(this.#key(pipe, channel));
    this.#warehouse.dropChannel(pipe.name, channel);
    this.#options.log.info("channel dropped", { pipe: pipe.name, channel });
  }

  /**
   * Invalidates every channel as if another client had reopened it: sequencers bump (all
   * outstanding tokens go stale) and uncommitted batches are discarded.
   */
  invalidateAll(): void {
    this.#warehouse.invalidateAllChannels();
    for (const live of this.#live.values()) {
      this.#discard(live);
      live.clientSequencer++;
      live.rowSequencer = 0;
    }
    this.#options.log.info("channels invalidated (fault injection)", { channels: this.#live.size });
  }

  /** Number of batches appended but not yet committed, over all channels. */
  get pendingBatches(): number {
    let n = 0;
    for (const live of this.#live.values()) n += live.pending.length;
    return n;
  }

  /** Stops the timers and discards uncommitted batches (they were never reported committed). */
  close(): void {
    this.#closed = true;
    if (this.#invalidateTimer !== undefined) clearInterval(this.#invalidateTimer);
    this.#invalidateTimer = undefined;
    for (const live of this.#live.values()) this.#discard(live);
  }
}
