/**
 * Named Channels of the emulator's pipes: sequencers and continuation tokens, the buffer of
 * appended-but-uncommitted batches, and the commit scheduler that lands them after the commit
 * delay (one DuckDB transaction per commit, see `warehouse/ingest.ts`).
 *
 * Pipes are the catalog's: a named pipe created with CREATE PIPE, or any table's default pipe
 * `<TABLE>-STREAMING`, resolved on each request so that a table's new columns are matched as
 * soon as they exist.
 *
 * Memory: an uncommitted batch is kept compressed, outside the JavaScript heap: as sent when it came
 * compressed, else compressed on arrival when it is 64 KB or more (about a fifth of the NDJSON; see
 * `compactPayload`). It is decoded and parsed only inside its commit, row by row into the inserts.
 * Parsed rows would take several times the body's size for the whole commit delay, decoded text
 * about five times; kept as a string, a body would outlive the young generation and wait in the
 * old one for a full collection. Once committed (or discarded) a body's buffers are detached,
 * which frees them at once instead of at some later collection. Each channel holds at most
 * `maxUncommittedBytes` of decoded rows: an append beyond it is refused with 429 (nothing is
 * buffered; the client retries once a commit has made room), as the real service throttles a
 * channel that sends faster than it loads.
 *
 * Durable state (sequencer, committed offset token, counters) lives in the warehouse; the buffer
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
import { type AppendPayload, compactPayload } from "./http_body.ts";
import { decodeContinuationToken, encodeContinuationToken } from "./continuation.ts";
import { type BatchCounts, Pipe } from "./pipe.ts";
import type { ChannelRecord, Warehouse } from "./warehouse/warehouse.ts";
import { ChannelGoneError, commitBodies, TableGoneError } from "./warehouse/ingest.ts";
import { isReopening } from "./warehouse/duckdb.ts";
import { formatSfType } from "./warehouse/types.ts";
import type { CatalogColumn } from "./warehouse/catalog.ts";
import type { ColumnFill } from "./coerce.ts";
import { compileTransform, type PipeTransform } from "./pipe_transform.ts";

/** Settings of {@link StreamingService}. */
export interface StreamingOptions {
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
  /** The append's body as held (compressed, see `compactPayload`), decoded and parsed at commit. */
  readonly payload: AppendPayload;
  /** Its decoded size in bytes. */
  readonly bytes: number;
  readonly endOffsetToken?: string;
  readonly receivedAt: number;
  readonly dueAt: number;
  /**
   * True while a commit parses and writes it. A reopen, drop or invalidation that discards the
   * channel's buffer meanwhile must not free its bytes: the commit would find them empty and
   * advance the offset token over rows it never wrote. The commit frees them once done.
   */
  committing?: boolean;
}

interface LiveChannel {
  /** The pipe as last resolved (a table's columns may change between appends). */
  pipe: Pipe;
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
  /** The commit in progress, if any. */
  committing?: Promise<void>;
  /** Commits that failed in a row (their retries back off, and are logged more sparsely). */
  failures?: number;
  /** The last commit was refused while the warehouse reopened, and waited for it once. */
  waitedForReopen?: boolean;
}

/** Options of an open. */
export interface OpenOptions {
  /** Sets the committed offset token (string or null) when given. */
  readonly offsetToken?: string | null;
  /** Refuse (409) instead of discarding uncommitted data. */
  readonly failOnUncommittedRows?: boolean;
}

const RETRY_FAILED_COMMIT_MS = 1000;
/** DuckDB's memory limit for a commit that ran out of the everyday one (see Warehouse). */
const COMMIT_RETRY_MEMORY_LIMIT = "256MB";
/** The longest wait between retries of a commit that keeps failing (a full disk, say). */
const RETRY_FAILED_COMMIT_MAX_MS = 10_000;

/**
 * Frees a batch's buffers now: detaching an ArrayBuffer drops its memory at once, where letting go
 * of it would leave it to the next full collection once it has aged into the old generation.
 */
function release(batch: PendingBatch): void {
  for (const c of batch.payload.bytes) if (!c.buffer.detached) c.buffer.transfer(0);
}

/** Suffix of a table's default pipe. */
const DEFAULT_PIPE_SUFFIX = "-STREAMING";

/** The streaming side of the emulator: pipes, channels, appends and commits. */
export class StreamingService {
  readonly #warehouse: Warehouse;
  readonly #options: StreamingOptions;
  readonly #live = new Map<string, LiveChannel>();
  readonly #pipes = new Map<
    string,
    { signature: string; pipe: Pipe; path: readonly [string, string, string] }
  >();
  #invalidateTimer?: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(warehouse: Warehouse, options: StreamingOptions) {
    this.#warehouse = warehouse;
    this.#options = options;
  }

  /**
   * Invalidates every channel left by an earlier run (their uncommitted rows are gone), then
   * starts the invalidation timer when that fault is configured.
   */
  async start(): Promise<void> {
    await this.#warehouse.invalidateAllChannels();
    const s = this.#options.invalidateSeconds;
    if (s > 0 && this.#invalidateTimer === undefined && !this.#closed) {
      this.#invalidateTimer = setInterval(() => {
        this.invalidateAll().catch((e) =>
          this.#options.log.error("invalidation failed", { error: e as Error })
        );
      }, s * 1000);
    }
  }

  /** The pipe a path names, or a 404 naming the first part that does not exist. */
  resolvePipe(database: string, schema: string, pipe: string): Pipe {
    // Unquoted identifiers are case-insensitive (stored upper-case), per the REST docs.
    const db = database.toUpperCase(), sc = schema.toUpperCase(), name = pipe.toUpperCase();
    const catalog = this.#warehouse.catalog;
    if (!catalog.hasDatabase(db)) {
      throw new ApiError(
        404,
        ERROR_CODE.databaseDoesNotExist,
        `Database ${database} does not exist or not authorized.`,
      );
    }
    if (!catalog.hasSchema(db, sc)) {
      throw new ApiError(
        404,
        ERROR_CODE.schemaDoesNotExist,
        `Schema ${database}.${schema} does not exist or not authorized.`,
      );
    }
    const notFound = () =>
      new ApiError(
        404,
        ERROR_CODE.pipeDoesNotExist,
        `Pipe ${database}.${schema}.${pipe} does not exist or not authorized.`,
      );
    let table;
    let match: "CASE_SENSITIVE" | "CASE_INSENSITIVE" = "CASE_SENSITIVE";
    const named = catalog.find(db, sc, name, "PIPE");
    if (named) {
      table = catalog.byId(Number(named.props.table));
      if (named.props.match === "CASE_INSENSITIVE") match = "CASE_INSENSITIVE";
    } else if (name.endsWith(DEFAULT_PIPE_SUFFIX)) {
      // A table's default pipe: its name is the table's (as stored) plus -STREAMING.
      const tableName = pipe.slice(0, -DEFAULT_PIPE_SUFFIX.length);
      table = catalog.find(db, sc, tableName, "RELATION") ??
        catalog.find(db, sc, tableName.toUpperCase(), "RELATION");
      match = "CASE_INSENSITIVE";
    }
    if (!table || table.kind !== "TABLE") throw notFound();
    const full = `${db}.${sc}.${named ? name : `${table.name}${DEFAULT_PIPE_SUFFIX}`}`;
    const signature = `${table.id}|${match}|${named?.definition ?? ""}|${
      table.columns.map((c) =>
        `${c.name}:${formatSfType(c.type)}:${c.nullable}:${c.defaultDuck ?? ""}`
      ).join(",")
    }`;
    const cached = this.#pipes.get(full);
    if (cached && cached.signature === signature) return cached.pipe;
    const path = [database, schema, pipe] as const;
    let transform: PipeTransform | { broken: string } | undefined;
    if (named && typeof named.props.transform === "string") {
      try {
        transform = compileTransform(
          this.#warehouse,
          {
            database: named.database,
            schema: named.schema,
            owner: named.owner,
            table,
          },
          named.props.transform,
          (named.props.columns as string[] | null) ?? null,
        );
      } catch (e) {
        // The table changed under the pipe (a column renamed or dropped) since its CREATE: its
        // channels stay readable, and what is appended loads as bad rows saying why.
        transform = {
          broken: `the pipe's transformation no longer fits its table (${
            (e as Error).message.replace(/\s+/g, " ").replace(/^SQL compilation error: /, "")
          })`,
        };
      }
    }
    const p = new Pipe(
      full,
      {
        id: table.id,
        database: table.database,
        schema: table.schema,
        name: table.name,
        columns: table.columns.map((c) => ({
          name: c.name,
          type: c.type,
          nullable: c.nullable,
          ...fillOf(c),
        })),
      },
      match,
      transform,
    );
    this.#pipes.set(full, { signature, pipe: p, path });
    return p;
  }

  /**
   * The pipe resolved again from the catalog, by the path it was first resolved by; the same pipe
   * when it no longer resolves (the commit then finds its table or channel gone).
   */
  #current(pipe: Pipe): Pipe {
    const known = this.#pipes.get(pipe.name);
    if (!known) return pipe;
    try {
      const fresh = this.resolvePipe(...known.path);
      return fresh.name === pipe.name ? fresh : pipe;
    } catch {
      return pipe;
    }
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
    for (const b of live.pending) if (!b.committing) release(b);
    live.pending = [];
    live.pendingBytes = 0;
  }

  #status(rec: ChannelRecord, live: LiveChannel | undefined): ChannelStatusWire {
    const [database, schema, ...pipeName] = rec.pipe.split(".");
    return {
      database_name: database,
      schema_name: schema,
      pipe_name: pipeName.join("."),
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
  async open(pipe: Pipe, channel: string, options: OpenOptions = {}): Promise<OpenChannelResponse> {
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
    if (live) {
      this.#discard(live);
      // Older tokens are stale from this moment, before the new sequencer is stored.
      live.clientSequencer = Number.MAX_SAFE_INTEGER;
    }
    const rec = await this.#warehouse.openChannel(pipe.name, channel, options.offsetToken);
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
    this.#options.log.debug("channel opened", {
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
   * Appends an NDJSON body (as received, which the channel then owns) to a channel after checking
   * its continuation token. The body is buffered (uncommitted) until the commit delay passes; a
   * commit delay of 0 commits it before this returns. Answers the next continuation token; 429
   * when the channel already holds `maxUncommittedBytes` of uncommitted bodies.
   */
  async append(
    pipe: Pipe,
    channel: string,
    continuationToken: string,
    endOffsetToken: string | undefined,
    body: AppendPayload,
  ): Promise<AppendRowsResponse> {
    const live = this.#load(pipe, channel);
    if (!live) {
      throw new ApiError(
        404,
        ERROR_CODE.channelDoesNotExist,
        `Channel ${channel} does not exist or is not authorized; open it first.`,
      );
    }
    this.#checkToken(live, continuationToken);
    live.pipe = pipe;
    const limit = this.#options.maxUncommittedBytes ?? DEFAULT_MAX_UNCOMMITTED_BYTES;
    const bytes = body.decodedBytes;
    if (live.pending.length > 0 && live.pendingBytes + bytes > limit) {
      throw new ApiError(
        429,
        ERROR_CODE.generalRetry,
        `Channel ${channel} has ${live.pendingBytes} bytes of uncommitted rows, the most it ` +
          "buffers; retry once they commit.",
      );
    }
    const now = Date.now();
    // Held for the commit delay: compressed, unless it commits before this returns. Done before
    // the channel's state moves, so that a failure here leaves the channel as it was.
    const payload = this.#options.commitDelayMs > 0 ? compactPayload(body) : body;
    live.rowSequencer++;
    live.pending.push({
      payload,
      bytes,
      endOffsetToken,
      receivedAt: now,
      dueAt: now + this.#options.commitDelayMs,
    });
    live.pendingBytes += bytes;
    const next = encodeContinuationToken({
      channelId: live.id,
      clientSequencer: live.clientSequencer,
      rowSequencer: live.rowSequencer,
    });
    if (this.#options.commitDelayMs === 0) await this.#commitDue(live);
    else this.#schedule(live);
    return { next_continuation_token: next };
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
      this.#commitDue(live).catch(() => {});
    }, wait);
  }

  /** Commits every batch whose commit time has come, in one transaction. */
  #commitDue(live: LiveChannel): Promise<void> {
    // One commit per channel at a time: later batches wait for the one in progress.
    const run = (live.committing ?? Promise.resolve()).then(() => this.#commitNow(live));
    live.committing = run.catch(() => {});
    return run;
  }

  async #commitNow(live: LiveChannel): Promise<void> {
    if (this.#closed) return;
    const now = Date.now();
    let n = 0;
    while (n < live.pending.length && live.pending[n].dueAt <= now) n++;
    if (n > 0) {
      const batches = live.pending.slice(0, n);
      const rec = this.#warehouse.channel(live.pipe.name, live.name);
      if (!rec || rec.id !== live.id) {
        this.#discard(live);
        this.#live.delete(this.#key(live.pipe, live.name));
        return;
      }
      // Matched against the table's columns as they are now (added or dropped since the append).
      live.pipe = this.#current(live.pipe);
      let counts: BatchCounts;
      for (const b of batches) b.committing = true;
      try {
        // The channel state moves inside the writer lane, right after the commit, so that a
        // reopen queued behind it answers the offset this commit reached.
        // A commit that could not have the memory it needed (a refresh or a query held the rest)
        // is made at once with more, rather than failing and holding the rows another second.
        const pipe = live.pipe;
        const out = await this.#warehouse.withMemoryRetry(
          COMMIT_RETRY_MEMORY_LIMIT,
          () => commitBodies(this.#warehouse, rec, pipe, batches),
          (error) =>
            this.#options.log.info("commit ran out of memory: committing again with more", {
              pipe: pipe.name,
              channel: live.name,
              memory_limit: COMMIT_RETRY_MEMORY_LIMIT,
              error: error as Error,
            }),
        );
        counts = out.counts;
      } catch (e) {
        for (const b of batches) {
          b.committing = false;
          // Discarded while the commit ran: nothing holds it any more.
          if (!live.pending.includes(b)) release(b);
        }
        if (e instanceof ChannelGoneError) {
          this.#discard(live);
          this.#live.delete(this.#key(live.pipe, live.name));
          return;
        }
        if (e instanceof TableGoneError) {
          this.#options.log.warn("the pipe's table is gone; uncommitted rows discarded", {
            pipe: live.pipe.name,
            channel: live.name,
          });
          this.#discard(live);
          return;
        }
        // Shutting down interrupted it: the rows were never reported committed, and the
        // client sends them again from the committed offset; not a failure to report.
        if (this.#closed) return;
        // Another commit's failure has the warehouse reopened, and this one never ran: it runs
        // as soon as the new instance is there, as nothing went wrong with it.
        if (isReopening(e) && !live.waitedForReopen) {
          live.waitedForReopen = true;
          this.#warehouse.reopened().then(() => {
            if (!this.#closed && live.timer === undefined) this.#commitDue(live).catch(() => {});
          });
          return;
        }
        // Nothing was written (the transaction rolled back): keep the batches and try again,
        // less often while it keeps failing, and saying so on the 1st, 2nd, 4th, 8th… failure.
        const failures = (live.failures ?? 0) + 1;
        live.failures = failures;
        if ((failures & (failures - 1)) === 0) {
          this.#options.log.error("commit failed; retrying", {
            pipe: live.pipe.name,
            channel: live.name,
            failures,
            error: e as Error,
          });
        }
        if (!this.#closed && live.timer === undefined) {
          live.timer = setTimeout(
            () => {
              live.timer = undefined;
              this.#commitDue(live).catch(() => {});
              // A passing shortage (memory) is retried every second three times, as before.
            },
            Math.min(
              RETRY_FAILED_COMMIT_MAX_MS,
              RETRY_FAILED_COMMIT_MS * 2 ** Math.max(0, failures - 3),
            ),
          );
        }
        return;
      }
      live.failures = 0;
      live.waitedForReopen = false;
      // A reopen discarded the buffer meanwhile: the committed batches are no longer in it.
      for (const b of batches) {
        b.committing = false;
        const i = live.pending.indexOf(b);
        if (i >= 0) {
          live.pending.splice(i, 1);
          live.pendingBytes -= b.bytes;
        }
        release(b);
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
  async drop(pipe: Pipe, channel: string, failOnUncommittedRows = false): Promise<void> {
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
    await this.#warehouse.dropChannel(pipe.name, channel);
    this.#options.log.debug("channel dropped", { pipe: pipe.name, channel });
  }

  /**
   * Invalidates every channel as if another client had reopened it: sequencers bump (all
   * outstanding tokens go stale) and uncommitted batches are discarded.
   */
  async invalidateAll(): Promise<void> {
    for (const live of this.#live.values()) {
      this.#discard(live);
      live.clientSequencer++;
      live.rowSequencer = 0;
    }
    await this.#warehouse.invalidateAllChannels();
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

/** What a streamed row that leaves column `c` out gets: its DEFAULT (an identity's included). */
function fillOf(c: CatalogColumn): { fill?: ColumnFill } {
  if (!c.defaultDuck) return {};
  return { fill: { duck: c.defaultDuck, perRow: /\bnextval\s*\(/i.test(c.defaultDuck) } };
}
