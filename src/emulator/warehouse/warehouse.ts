/**
 * The emulator's warehouse: one DuckDB file (`warehouse.duckdb`) holding the account's data, its
 * catalog and the streaming channels' durable state, with the lanes that write and read it.
 *
 * - The **writer** lane runs every statement that writes a table (SQL DML and DDL, and the
 *   streaming commits), one at a time. That order is what makes a table's `$ROW` sequence follow
 *   commit order, so "rows after sequence N" is exact for streams and dynamic tables.
 * - The **refresher** lane runs dynamic-table refreshes, which write only dynamic tables.
 * - Each SQL session reads on a lane of its own (its own session settings, e.g. TIMEZONE).
 *
 * Results of queries are kept, for chunked fetching and RESULT_SCAN, in an in-memory database
 * attached as `results`.
 *
 * @module
 */
import { join } from "node:path";
import type { DuckDBInstance } from "@duckdb/node-api";
import {
  cancelQueuedWork,
  DEFAULT_MEMORY_LIMIT,
  isCommitOutOfMemory,
  isConflictDuckError,
  isMemoryShortage,
  Lane,
  LaneSession,
  openDuckDB,
} from "./duckdb.ts";
import { type Logger, silentLogger } from "../../log.ts";
import { Catalog, type CatalogObject, changeLogOf, META, ROW_COLUMN, tableOf } from "./catalog.ts";
import { duckType } from "./types.ts";
import { NUMERIC_MACROS } from "../sql/translate/numeric.ts";
import { duckSchema, qi } from "../sql/translate/quote.ts";

/** File name of the warehouse in the data folder. */
export const WAREHOUSE_FILE = "warehouse.duckdb";

/** A channel's durable state. */
export interface ChannelRecord {
  /** Row id; a dropped and recreated channel gets a new one. */
  readonly id: number;
  readonly pipe: string;
  readonly channel: string;
  /** Bumped by every open: continuation tokens of older sequencers are stale. */
  clientSequencer: number;
  lastCommittedOffsetToken: string | null;
  readonly createdOnMs: number;
  rowsInserted: number;
  rowsParsed: number;
  /** Cumulative: never reset, not by commits, not by reopening. */
  rowsErrorCount: number;
  lastErrorOffsetUpperBound: string | null;
  lastErrorMessage: string | null;
  lastErrorTimestampMs: number | null;
}

/** Sequence positions of tables, by object id (see {@link Warehouse.baseTableSequences}). */
export interface SequenceMarks {
  readonly rows: ReadonlyMap<number, number>;
  readonly logs: ReadonlyMap<number, number>;
}

/** Settings of {@link Warehouse.open}. */
export interface WarehouseOptions {
  /** DuckDB's memory limit (default `128MB`). */
  memoryLimit?: string;
  /** DuckDB threads (default 2). */
  threads?: number;
  /** Where a reopen after a fatal DuckDB error is told (default: nowhere). */
  log?: Logger;
}

const CHANNELS = `${META}.channels`;

/** How often the write-ahead log's size is looked at. */
const CHECKPOINT_CHECK_MS = 2_000;
/** In-memory table data at which the warehouse checkpoints (half the everyday memory limit). */
const CHECKPOINT_MEMORY_BYTES = 64 * 1024 * 1024;

/** What every new writer connection needs: the results database and the numeric macros. */
async function prepareConnection(s: LaneSession): Promise<void> {
  await s.run(`ATTACH IF NOT EXISTS ':memory:' AS results`);
  for (const m of NUMERIC_MACROS) await s.run(m);
}

/** Another process has the warehouse file open. */
export class WarehouseInUseError extends Error {
  /** The warehouse file. */
  readonly path: string;
  /** The process that holds it. */
  readonly pid: number;

  constructor(path: string, pid: number) {
    super(`${path} is in use by another process (pid ${pid})`);
    this.name = "WarehouseInUseError";
    this.path = path;
    this.pid = pid;
  }
}

/** The DuckDB warehouse, its catalog and its lanes. */
export class Warehouse {
  readonly path: string;
  /** DuckDB's everyday memory limit (a refresh may raise it for itself, then restore it). */
  readonly memoryLimit: string;
  #instance: DuckDBInstance;
  readonly #threads: number | undefined;
  readonly #log: Logger;
  /** The reopen under way after a fatal error, if any. */
  #recovering: Promise<void> | undefined;
  /** Times the database was reopened after a fatal error. */
  recoveries = 0;
  readonly catalog: Catalog;
  /** Writes to tables: DML, DDL, streaming commits. */
  readonly writer: Lane;
  /** Dynamic-table refreshes. */
  readonly refresher: Lane;
  readonly #readers = new Map<string, Lane>();
  /** Next `$ROW` per table or dynamic table id. */
  readonly #nextRow = new Map<number, number>();
  /** Next change-log sequence per object id. */
  readonly #nextLogSeq = new Map<number, number>();
  readonly #channels = new Map<string, ChannelRecord>();
  #nextChannelId = 1;
  #closed = false;
  #catalogTail: Promise<unknown> = Promise.resolve();
  #checkpointTimer: ReturnType<typeof setInterval> | undefined;
  #checkpointing = false;
  /** When each table's rows were last written (see lastAltered). */
  readonly #altered = new Map<number, Date>();
  /** Memory limits asked for above the everyday one (see raiseMemory). */
  readonly #raised = new Set<{ bytes: number; limit: string }>();

  private constructor(
    path: string,
    instance: DuckDBInstance,
    catalog: Catalog,
    writer: Lane,
    refresher: Lane,
    memoryLimit: string,
    options: WarehouseOptions,
  ) {
    this.path = path;
    this.memoryLimit = memoryLimit;
    this.#instance = instance;
    this.#threads = options.threads;
    this.#log = options.log ?? silentLogger;
    this.catalog = catalog;
    this.writer = writer;
    this.refresher = refresher;
    for (const lane of [writer, refresher]) lane.onFatal = this.#onFatal;
  }

  /** The DuckDB instance (a new one after a reopen). */
  get instance(): DuckDBInstance {
    return this.#instance;
  }

  /** Opens (creating if needed) `DATA_DIR/warehouse.duckdb`. */
  static async open(dataDir: string, options: WarehouseOptions = {}): Promise<Warehouse> {
    const path = join(dataDir, WAREHOUSE_FILE);
    const memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
    const instance = await openDuckDB(path, { memoryLimit, threads: options.threads }).catch(
      (e: unknown) => {
        // DuckDB lets one process open a database file for writing.
        const held =
          /Could not set lock on file[\s\S]*Conflicting lock is held in[\s\S]*\(PID (\d+)\)/
            .exec(String((e as Error)?.message));
        throw held ? new WarehouseInUseError(path, Number(held[1])) : e;
      },
    );
    const writer = new Lane("writer", await instance.connect());
    const refresher = new Lane("refresher", await instance.connect());
    try {
      const catalog = await writer.exclusive(async (s) => {
        await prepareConnection(s);
        await s.run(`CREATE SCHEMA IF NOT EXISTS ${META}`);
        await s.run(`CREATE TABLE IF NOT EXISTS ${CHANNELS} (
          id BIGINT, pipe VARCHAR, channel VARCHAR, client_sequencer BIGINT,
          last_committed_offset_token VARCHAR, created_on_ms BIGINT, rows_inserted BIGINT,
          rows_parsed BIGINT, rows_error_count BIGINT, last_error_offset_upper_bound VARCHAR,
          last_error_message VARCHAR, last_error_timestamp_ms BIGINT)`);
        return await Catalog.open(s);
      });
      const w = new Warehouse(path, instance, catalog, writer, refresher, memoryLimit, options);
      await writer.exclusive(async (s) => {
        await w.#loadSequences(s);
        await w.#loadChannels(s);
      });
      const timer = setInterval(() => w.#checkpointIfDue(), CHECKPOINT_CHECK_MS);
      Deno.unrefTimer(timer as unknown as number);
      w.#checkpointTimer = timer;
      return w;
    } catch (e) {
      await writer.close().catch(() => {});
      await refresher.close().catch(() => {});
      instance.closeSync();
      throw e;
    }
  }

  async #loadSequences(s: LaneSession): Promise<void> {
    for (const o of this.catalog.objects()) {
      if (o.kind !== "TABLE" && o.kind !== "DYNAMIC TABLE") continue;
      const r = await s.all(`SELECT coalesce(max(${qi(ROW_COLUMN)}), 0) FROM ${tableOf(o)}`);
      this.#nextRow.set(o.id, Number(r.rows[0][0]) + 1);
      if (o.props.changeLog) {
        const l = await s.all(`SELECT coalesce(max("$SEQ"), 0) FROM ${changeLogOf(o)}`);
        this.#nextLogSeq.set(o.id, Number(l.rows[0][0]) + 1);
      }
    }
  }

  async #loadChannels(s: LaneSession): Promise<void> {
    const r = await s.all(`SELECT id, pipe, channel, client_sequencer, last_committed_offset_token,
      created_on_ms, rows_inserted, rows_parsed, rows_error_count, last_error_offset_upper_bound,
      last_error_message, last_error_timestamp_ms FROM ${CHANNELS}`);
    for (const row of r.rows) {
      const rec: ChannelRecord = {
        id: Number(row[0]),
        pipe: String(row[1]),
        channel: String(row[2]),
        clientSequencer: Number(row[3]),
        lastCommittedOffsetToken: row[4] as string | null,
        createdOnMs: Number(row[5]),
        rowsInserted: Number(row[6]),
        rowsParsed: Number(row[7]),
        rowsErrorCount: Number(row[8]),
        lastErrorOffsetUpperBound: row[9] as string | null,
        lastErrorMessage: row[10] as string | null,
        lastErrorTimestampMs: row[11] === null ? null : Number(row[11]),
      };
      this.#channels.set(`${rec.pipe}\u0000${rec.channel}`, rec);
      this.#nextChannelId = Math.max(this.#nextChannelId, rec.id + 1);
    }
  }

  /** A read lane for one session (created on first use). */
  /**
   * Raises DuckDB's memory limit to at least `limit` (`384MB`, `1GB`) until the returned function
   * is called. The limit is the largest still asked for, and the everyday one once nobody asks:
   * a refresh and an ad-hoc query that each raise it do not lower it under the other.
   */
  async raiseMemory(limit: string): Promise<() => Promise<void>> {
    const ask = { bytes: sizeInBytes(limit), limit };
    this.#raised.add(ask);
    await this.#applyMemoryLimit();
    return async () => {
      if (!this.#raised.delete(ask)) return;
      await this.#applyMemoryLimit();
    };
  }

  /**
   * Runs `work`; if DuckDB ran out of its everyday memory, tells `onShortage` and runs it once more
   * with the limit raised to `limit` (see {@link raiseMemory}), given back when it ends. `work` must
   * leave nothing behind when it fails (one transaction, a read).
   */
  async withMemoryRetry<T>(
    limit: string,
    work: () => Promise<T>,
    onShortage: (error: unknown) => void,
  ): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (!isMemoryShortage(e)) throw e;
      onShortage(e);
      // A commit that failed has the warehouse reopened first: the limit is set on the new one.
      await this.reopened();
      const release = await this.raiseMemory(limit);
      try {
        return await work();
      } finally {
        await release();
      }
    }
  }

  /** The largest limit still asked for, or the everyday one. */
  #memoryLimitNow(): string {
    let top: { bytes: number; limit: string } | undefined;
    for (const a of this.#raised) if (!top || a.bytes > top.bytes) top = a;
    return top?.limit ?? this.memoryLimit;
  }

  async #applyMemoryLimit(): Promise<void> {
    // A lane of its own: the setting is the database's, and the refresher may be busy.
    const lane = await this.reader("memory-limit");
    await lane.run(`SET memory_limit = '${this.#memoryLimitNow()}'`).catch(() => {});
  }

  /** Settles when no reopen is under way (at once when none is). */
  async reopened(): Promise<void> {
    while (this.#recovering) await this.#recovering.catch(() => {});
  }

  async reader(session: string): Promise<Lane> {
    let lane = this.#readers.get(session);
    if (!lane) {
      lane = new Lane(`reader-${session}`, await this.#instance.connect());
      lane.onFatal = this.#onFatal;
      this.#readers.set(session, lane);
    }
    return lane;
  }

  /** Closes a session's read lane. */
  async closeReader(session: string): Promise<void> {
    const lane = this.#readers.get(session);
    this.#readers.delete(session);
    await lane?.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Row sequences and change logs

  /** Reserves `count` `$ROW` values of a table; returns the first. */
  reserveRows(id: number, count: number): number {
    const first = this.#nextRow.get(id) ?? 1;
    this.#nextRow.set(id, first + count);
    this.markAltered(id);
    return first;
  }

  /** Notes that rows of table `id` were written now (INFORMATION_SCHEMA's LAST_ALTERED). */
  markAltered(id: number): void {
    this.#altered.set(id, new Date());
  }

  /**
   * When rows of table `id` were last written by this process: inserted, streamed, updated or
   * deleted (kept in memory: after a restart, the table's creation until its next write).
   */
  lastAltered(id: number): Date | undefined {
    return this.#altered.get(id);
  }

  /** The next `$ROW` a table would give (every row visible now has a smaller one). */
  nextRow(id: number): number {
    return this.#nextRow.get(id) ?? 1;
  }

  /**
   * Runs `fn` when the work that took its turn before has ended: statements that change the
   * catalog, and scheduled refreshes of dynamic tables, one at a time. The catalog in memory
   * changes inside a statement's transaction, before DuckDB commits it; a refresh that read it
   * then would reach for tables and change logs its snapshot lacks, and a statement dropping a
   * dynamic table would conflict with a refresh writing it.
   */
  catalogTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#catalogTail.then(fn);
    this.#catalogTail = run.catch(() => {});
    return run;
  }

  /**
   * Reads the catalog and the tables' row positions again from DuckDB, after a statement that
   * changed them failed: its rollback undid the changes in DuckDB, not in memory (a CREATE OR
   * REPLACE that failed after it dropped the old table would otherwise leave the new definition
   * over the old rows).
   */
  async resync(): Promise<void> {
    await this.writer.exclusive(async (s) => {
      await this.catalog.reload(s);
      await this.#loadSequences(s);
    });
  }

  /** Forgets a dropped table's sequences. */
  forget(id: number): void {
    this.#altered.delete(id);
    this.#nextRow.delete(id);
    this.#nextLogSeq.delete(id);
  }

  /** Starts a table's sequence (a new or replaced table). */
  startSequence(id: number, next = 1): void {
    this.#nextRow.set(id, next);
  }

  /**
   * The next `$ROW` and change-log positions of the base tables, which only the writer lane
   * reserves: a session's transaction takes them at BEGIN and puts them back on ROLLBACK
   * ({@link restoreSequences}), so that what it reserved is not taken for a change.
   */
  baseTableSequences(): SequenceMarks {
    const rows = new Map<number, number>();
    const logs = new Map<number, number>();
    for (const o of this.catalog.objects()) {
      if (o.kind !== "TABLE") continue;
      const row = this.#nextRow.get(o.id);
      if (row !== undefined) rows.set(o.id, row);
      const log = this.#nextLogSeq.get(o.id);
      if (log !== undefined) logs.set(o.id, log);
    }
    return { rows, logs };
  }

  /** Puts back positions {@link baseTableSequences} took. */
  restoreSequences(marks: SequenceMarks): void {
    for (const [id, row] of marks.rows) if (this.#nextRow.has(id)) this.#nextRow.set(id, row);
    for (const [id, log] of marks.logs) {
      if (this.#nextLogSeq.has(id)) this.#nextLogSeq.set(id, log);
    }
  }

  /** Reserves change-log sequence numbers of an object; returns the first. */
  reserveLogSeq(id: number, count: number): number {
    const first = this.#nextLogSeq.get(id) ?? 1;
    this.#nextLogSeq.set(id, first + count);
    return first;
  }

  nextLogSeq(id: number): number {
    return this.#nextLogSeq.get(id) ?? 1;
  }

  /** Creates an object's change log (old versions of updated and deleted rows) if needed. */
  async ensureChangeLog(s: LaneSession, o: CatalogObject): Promise<void> {
    if (o.props.changeLog) return;
    const cols = o.columns.map((c) => `${qi(c.name)} ${duckType(c.type)}`).join(", ");
    await s.run(
      `CREATE TABLE IF NOT EXISTS ${changeLogOf(o)} ("$SEQ" BIGINT, ${qi(ROW_COLUMN)} BIGINT${
        cols ? ", " + cols : ""
      })`,
    );
    o.props = { ...o.props, changeLog: true };
    await this.catalog.update(s, o);
  }

  // ---------------------------------------------------------------------------------------------
  // Channels

  channel(pipe: string, channel: string): ChannelRecord | undefined {
    return this.#channels.get(`${pipe}\u0000${channel}`);
  }

  /** Channels of one pipe. */
  channelsOf(pipe: string): ChannelRecord[] {
    return [...this.#channels.values()].filter((c) => c.pipe === pipe);
  }

  /**
   * Opens a channel: creates it (sequencer 1), or bumps the sequencer of an existing one. With
   * `offsetToken` given (string or null) the committed offset token is set to it.
   */
  async openChannel(
    pipe: string,
    channel: string,
    offsetToken?: string | null,
  ): Promise<ChannelRecord> {
    let apply: (() => void) | undefined;
    return await this.channelTransaction(async (s) => {
      // Read in the lane, after any commit queued before: the offset returned is the latest.
      const existing = this.channel(pipe, channel);
      if (existing) {
        const next = {
          ...existing,
          clientSequencer: existing.clientSequencer + 1,
          lastCommittedOffsetToken: offsetToken !== undefined
            ? offsetToken
            : existing.lastCommittedOffsetToken,
        };
        await s.run(
          `UPDATE ${CHANNELS} SET client_sequencer = ?, last_committed_offset_token = ? WHERE id = ?`,
          [next.clientSequencer, next.lastCommittedOffsetToken, existing.id],
        );
        apply = () => Object.assign(existing, next);
        return existing;
      }
      const rec: ChannelRecord = {
        id: this.#nextChannelId++,
        pipe,
        channel,
        clientSequencer: 1,
        lastCommittedOffsetToken: offsetToken ?? null,
        createdOnMs: Date.now(),
        rowsInserted: 0,
        rowsParsed: 0,
        rowsErrorCount: 0,
        lastErrorOffsetUpperBound: null,
        lastErrorMessage: null,
        lastErrorTimestampMs: null,
      };
      await s.run(
        `INSERT INTO ${CHANNELS} VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, NULL, NULL, NULL)`,
        [rec.id, pipe, channel, 1, rec.lastCommittedOffsetToken, rec.createdOnMs],
      );
      apply = () => this.#channels.set(`${pipe}\u0000${channel}`, rec);
      return rec;
    }, () => apply?.());
  }

  /**
   * A transaction on the writer lane that writes channels' state (and a commit's rows). Only this
   * lane writes them, so a write-write conflict there is no other transaction's: it is DuckDB's
   * own state gone wrong. A COMMIT that ran out of memory left its row versions behind, and every
   * later update of that channel conflicted, for good. The warehouse is then reopened, as after a
   * fatal error; this call fails, and its caller retries.
   */
  channelTransaction<T>(fn: (s: LaneSession) => Promise<T>, afterCommit?: (value: T) => void) {
    return this.writer.transaction(fn, afterCommit).catch((e) => {
      if (isConflictDuckError(e)) this.#onFatal(e);
      throw e;
    });
  }

  /** Drops a channel and its offset; false when there was none. */
  async dropChannel(pipe: string, channel: string): Promise<boolean> {
    const rec = this.channel(pipe, channel);
    if (!rec) return false;
    await this.channelTransaction((s) => s.run(`DELETE FROM ${CHANNELS} WHERE id = ?`, [rec.id]));
    this.#channels.delete(`${pipe}\u0000${channel}`);
    return true;
  }

  /** Drops every channel of a pipe (the pipe was dropped or replaced). */
  async dropChannelsOf(s: LaneSession, pipe: string): Promise<void> {
    await s.run(`DELETE FROM ${CHANNELS} WHERE pipe = ?`, [pipe]);
    for (const c of this.channelsOf(pipe)) this.#channels.delete(`${c.pipe}\u0000${c.channel}`);
  }

  /** Bumps every channel's sequencer: all outstanding continuation tokens become stale. */
  async invalidateAllChannels(): Promise<void> {
    await this.channelTransaction((s) =>
      s.run(`UPDATE ${CHANNELS} SET client_sequencer = client_sequencer + 1`)
    );
    for (const c of this.#channels.values()) c.clientSequencer++;
  }

  /**
   * Writes a channel's state after a commit, inside the commit's transaction. The in-memory
   * record changes only once the transaction committed ({@link applyChannel}).
   */
  async writeChannel(s: LaneSession, next: ChannelRecord): Promise<void> {
    await s.run(
      `UPDATE ${CHANNELS} SET last_committed_offset_token = ?, rows_inserted = ?, rows_parsed = ?,
         rows_error_count = ?, last_error_offset_upper_bound = ?, last_error_message = ?,
         last_error_timestamp_ms = ? WHERE id = ?`,
      [
        next.lastCommittedOffsetToken,
        next.rowsInserted,
        next.rowsParsed,
        next.rowsErrorCount,
        next.lastErrorOffsetUpperBound,
        next.lastErrorMessage,
        next.lastErrorTimestampMs,
        next.id,
      ],
    );
  }

  /** Makes a committed channel state the current one (the sequencer is the open's to change). */
  applyChannel(next: ChannelRecord): void {
    const cur = this.channel(next.pipe, next.channel);
    if (cur && cur.id === next.id) {
      Object.assign(cur, { ...next, clientSequencer: cur.clientSequencer });
    }
  }

  /** The DuckDB schema name of a Snowflake schema. */
  duckSchema(database: string, schema: string): string {
    return duckSchema(database, schema);
  }

  /** Bytes DuckDB has spilled to its temporary folder now (`<file>.tmp`). */
  async spillBytes(): Promise<number> {
    let total = 0;
    try {
      for await (const e of Deno.readDir(`${this.path}.tmp`)) {
        if (e.isFile) total += (await Deno.stat(`${this.path}.tmp/${e.name}`)).size;
      }
    } catch {
      // No spill folder yet.
    }
    return total;
  }

  /**
   * Interrupts whatever any lane runs for statement `work` (see laneWork), and fails its work
   * still queued when its turn comes (until {@link forgetWork}).
   */
  interruptWork(work: string): void {
    cancelQueuedWork(work);
    for (const lane of [this.writer, this.refresher, ...this.#readers.values()]) {
      lane.interruptWork(work);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Checkpoints

  /**
   * Checkpoints once the rows written since the last checkpoint hold {@link CHECKPOINT_MEMORY_BYTES}
   * of DuckDB's memory. DuckDB checkpoints by itself on the size of its write-ahead log, and
   * skips it while another connection has a transaction open; with a refresh or a reader on much
   * of the time, and deletes and updates of the dynamic tables that cost memory but hardly any
   * log, those in-memory rows grew to 80–100 MB of the 128 MB limit after a few hundred refreshes,
   * and refreshes began to run out of memory. A checkpoint that meets an open transaction fails
   * harmlessly and is tried at the next check.
   */
  async #checkpointIfDue(): Promise<void> {
    if (this.#closed || this.#checkpointing || this.#recovering) return;
    this.#checkpointing = true;
    try {
      const r = await this.writer.all(
        `SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'`,
      );
      if (Number(r.rows[0][0]) >= CHECKPOINT_MEMORY_BYTES) await this.writer.run("CHECKPOINT");
    } catch {
      // Another transaction is open (or the warehouse is closing): the next check tries again.
    } finally {
      this.#checkpointing = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Recovery

  #onFatal = (error: unknown): void => {
    this.recover(error).catch((e) => {
      this.#log.error("could not reopen the warehouse yet", { error: e as Error });
    });
  };

  /**
   * Reopens the database after DuckDB invalidated it (a fatal error) or failed a commit (see
   * isCommitOutOfMemory): every lane finishes what it runs (work queued on it meanwhile fails), closes
   * its connection and gets one to the new instance, in its turn. What was committed
   * is in the file and its write-ahead log, so nothing committed is lost; the statements that
   * failed meanwhile failed like any error (the streaming commit and the refresh retry theirs),
   * and the results kept for fetching are gone. One reopen at a time; a failed reopen is retried.
   */
  recover(cause?: unknown): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#recovering ??= this.#reopen(cause).finally(() => this.#recovering = undefined);
    return this.#recovering;
  }

  async #reopen(cause: unknown): Promise<void> {
    this.#log.warn(
      isCommitOutOfMemory(cause)
        ? "DuckDB failed a commit: reopening the warehouse before it writes again"
        : "DuckDB invalidated the warehouse: reopening it",
      { error: String((cause as Error | undefined)?.message ?? cause).slice(0, 300) },
    );
    const lanes = [this.writer, this.refresher, ...this.#readers.values()];
    // Work already queued must not run on this instance (a failed commit left it unsafe to
    // write): it fails as fatal, and its callers try again once the new instance is there.
    for (const lane of lanes) lane.suspend();
    // Statements still running on the old instance would hold their lanes.
    for (const lane of lanes) lane.interrupt();
    let opened!: (instance: DuckDBInstance) => void;
    let failed!: (e: unknown) => void;
    const next = new Promise<DuckDBInstance>((resolve, reject) => {
      opened = resolve;
      failed = reject;
    });
    next.catch(() => {});
    const swaps = lanes.map((lane) =>
      lane.reconnect(async () => {
        const conn = await (await next).connect();
        // The results database is attached per instance; the macros live in the file.
        if (lane === this.writer) await prepareConnection(new LaneSession(conn));
        return conn;
      })
    );
    // A failed reopen rejects them; the lanes then fail their work as fatal, which retries it.
    for (const x of swaps) x.done.catch(() => {});
    await Promise.all(swaps.map((x) => x.detached));
    try {
      this.#instance.closeSync();
    } catch {
      // Invalidated: closing may fail too; the new instance replaces it either way.
    }
    for (let attempt = 1;; attempt++) {
      try {
        this.#instance = await openDuckDB(this.path, {
          memoryLimit: this.#memoryLimitNow(),
          threads: this.#threads,
        });
        break;
      } catch (e) {
        if (this.#closed || attempt >= 5) {
          failed(e);
          throw e;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    opened(this.#instance);
    await Promise.all(swaps.map((x) => x.done));
    this.recoveries++;
    this.#log.info("warehouse reopened", { recoveries: this.recoveries });
  }

  /** Closes every lane and the database (idempotent). DuckDB checkpoints on close. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#checkpointTimer);
    // A statement that never ends (a runaway query) would hold its lane, and the close, forever.
    for (const lane of [this.writer, this.refresher, ...this.#readers.values()]) lane.interrupt();
    for (const lane of this.#readers.values()) await lane.close().catch(() => {});
    this.#readers.clear();
    await this.refresher.close().catch(() => {});
    await this.writer.close().catch(() => {});
    await this.#recovering?.catch(() => {});
    this.#instance.closeSync();
  }
}

/** Bytes of a DuckDB size setting such as `384MB` or `1GB` (0 when it is not one). */
function sizeInBytes(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B$/i.exec(limit.trim());
  if (!m) return 0;
  const power = " KMGT".indexOf(m[2].toUpperCase() || " ");
  return Number(m[1]) * 1024 ** power;
}
