/**
 * The outbox: a durable local queue of rows waiting to be streamed, one SQLite table per channel.
 *
 * Each stream (raw table) is split into shards, one per Snowpipe Streaming channel: a row is queued
 * for one shard when it is written ({@link shardOf}: a hash of its TXID, modulo the channels per
 * table) and stays there until that shard's channel reports it committed. Shard 0 of `LIFT_RIDE`
 * is the SQLite table `LIFT_RIDE` (the whole queue of a one-channel layout); shard k > 0 is
 * `LIFT_RIDE__k`.
 *
 * Each shard is its own sequence: a row's INTEGER PRIMARY KEY is its offset token on its channel.
 * Tables are declared AUTOINCREMENT so that ids only grow, also after the queue empties and across
 * restarts (SQLite keeps the high-water mark in `sqlite_sequence`, in the same transaction as the
 * rows). Appends add ids at the top and deletes remove them from the bottom (everything up to a
 * committed offset), so a shard's rows are always one contiguous id range: its depth is read from
 * its smallest and largest id, two index lookups, whatever its size.
 *
 * Shard tables are never dropped: a shard that was written once keeps its high-water mark, which
 * is what its channel's committed offset is checked against. When the channels per table change,
 * rows already queued stay in their shard and are streamed by that shard's channel ({@link
 * Outbox.shards} lists every shard the database holds, not only the configured ones); new rows go
 * to the new layout's shards. A shard's rows are thus always one channel's, whatever layouts wrote
 * them. Rows are stored as the exact JSON text that will be sent.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { classifyQueueWriteError, type QueueWriteProblem } from "./write_error.ts";
import { shardOf } from "./shard.ts";

export { shardOf } from "./shard.ts";

/** A queued row as read back for sending. */
export interface QueuedRow {
  /** Offset token: strictly increasing per shard. */
  readonly id: number;
  /** The row's JSON, exactly as it will be sent. */
  readonly json: string;
  /** When the row was enqueued (ms since epoch, wall clock). */
  readonly enqueuedAt: number;
}

/**
 * `statement`, answering rows as arrays (see {@link OutboxShard.readAfter}). `setReturnArrays` is
 * Node's API, which Deno implements; its declarations lack it yet.
 */
function returningArrays(statement: StatementSync): StatementSync {
  (statement as StatementSync & { setReturnArrays(enabled: boolean): void }).setReturnArrays(true);
  return statement;
}

/** A {@link QueuedRow} as {@link OutboxShard.readAfter} makes it. */
class Row implements QueuedRow {
  constructor(readonly id: number, readonly json: string, readonly enqueuedAt: number) {}
}

/** Depth and age of a queue (one shard, or a whole table). */
export interface QueueDepth {
  /** Rows not yet deleted (i.e. not yet confirmed committed). */
  readonly rows: number;
  /** Wall-clock enqueue time of the oldest row (ms since epoch), or undefined when empty. */
  readonly oldestEnqueuedAt: number | undefined;
}

/**
 * Rows per multi-row INSERT in {@link Outbox.append}. One statement call per row made the call
 * itself (and the garbage each call leaves) cost about as much as SQLite's work; 64 rows per call
 * halves the time per row and keeps memory flat.
 */
const ROWS_PER_INSERT = 64;

/** Table names are interpolated into SQL, so only plain identifiers are accepted. */
function checkTableName(name: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name) || name.includes("__")) {
    throw new Error(`invalid outbox table name: ${name}`);
  }
  return name;
}

/** The SQLite table holding shard `index` of `table`. */
export function shardTableName(table: string, index: number): string {
  return index === 0 ? table : `${table}__${index}`;
}

/** Options of {@link Outbox}. */
export interface OutboxOptions {
  /**
   * Channels per table: the shards new rows are spread over (default 1). Shards of other layouts
   * already in the database are kept and listed too.
   */
  channels?: number;
  /**
   * NORMAL (default): in WAL mode that survives a process crash (SIGKILL) with no loss; FULL also
   * survives power loss at a cost per commit.
   */
  synchronous?: "NORMAL" | "FULL";
}

/**
 * One shard of a table: the rows queued for one channel, with their own id sequence (the offset
 * tokens of that channel). Only the streamer of that channel reads and deletes here.
 */
export class OutboxShard {
  /** The raw table. */
  readonly table: string;
  /** Its number among the table's shards (0 … channels − 1 of the layout that made it). */
  readonly index: number;
  /** The SQLite table. */
  readonly name: string;
  readonly #db: DatabaseSync;
  #s:
    | {
      insert: StatementSync;
      insertMany: StatementSync;
      readAfter: StatementSync;
      deleteThrough: StatementSync;
      bounds: StatementSync;
      enqueuedAt: StatementSync;
      maxId: StatementSync;
    }
    | undefined;
  /** Rows queued, as this process last counted them (appends and deletes keep it current). */
  #rows = 0;

  /** @internal made by {@link Outbox} only */
  constructor(db: DatabaseSync, table: string, index: number) {
    this.#db = db;
    this.table = table;
    this.index = index;
    this.name = shardTableName(table, index);
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${this.name} (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         json TEXT NOT NULL,
         enqueued_at INTEGER NOT NULL
       )`,
    );
  }

  /** Statements are prepared on first use: a thousand idle shards cost no memory for them. */
  get #stmts() {
    const t = this.name;
    return this.#s ??= {
      insert: this.#db.prepare(`INSERT INTO ${t} (json, enqueued_at) VALUES (?, ?)`),
      insertMany: this.#db.prepare(
        `INSERT INTO ${t} (json, enqueued_at) VALUES ${
          Array(ROWS_PER_INSERT).fill("(?, ?)").join(", ")
        }`,
      ),
      readAfter: returningArrays(
        this.#db.prepare(`SELECT id, json, enqueued_at FROM ${t} WHERE id > ? ORDER BY id LIMIT ?`),
      ),
      deleteThrough: this.#db.prepare(`DELETE FROM ${t} WHERE id <= ?`),
      // Two subqueries: SQLite answers a lone min() or max() of the key from the index.
      bounds: this.#db.prepare(
        `SELECT (SELECT min(id) FROM ${t}) AS lo, (SELECT max(id) FROM ${t}) AS hi`,
      ),
      enqueuedAt: this.#db.prepare(`SELECT enqueued_at AS t FROM ${t} WHERE id = ?`),
      maxId: this.#db.prepare(
        `SELECT max(coalesce((SELECT max(id) FROM ${t}), 0),
                    coalesce((SELECT seq FROM sqlite_sequence WHERE name = '${t}'), 0)) AS m`,
      ),
    };
  }

  /** @internal inserts `rows` (inside the caller's transaction); returns the last id. */
  insert(rows: readonly string[], now: number): number {
    const { insert, insertMany } = this.#stmts;
    let id = 0;
    let i = 0;
    if (rows.length >= ROWS_PER_INSERT) {
      // A multi-row VALUES list assigns ids in list order, as single inserts would.
      const args: (string | number)[] = new Array(2 * ROWS_PER_INSERT);
      for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
        for (let j = 0; j < ROWS_PER_INSERT; j++) {
          args[2 * j] = rows[i + j];
          args[2 * j + 1] = now;
        }
        id = Number(insertMany.run(...args).lastInsertRowid);
      }
    }
    for (; i < rows.length; i++) id = Number(insert.run(rows[i], now).lastInsertRowid);
    return id;
  }

  /** @internal counts rows the caller's committed transaction added. */
  added(n: number): void {
    this.#rows += n;
  }

  /** Up to `limit` rows with id greater than `afterId`, in id order. */
  readAfter(afterId: number, limit: number): QueuedRow[] {
    // Rows come as arrays and become objects here, in the same list: node:sqlite puts the row
    // objects it makes straight into the garbage collector's old generation, so at full speed
    // every batch read became old-generation garbage (about 8 MB/s, most of what `run` kept
    // between full collections). The objects are made by a constructor, not a literal or a new
    // array, because V8 may decide to allocate everything from such a site in the old generation
    // once it saw a few of them survive (and the rows' text then ages with them).
    const rows = this.#stmts.readAfter.all(afterId, limit) as unknown as (
      | [number, string, number]
      | QueuedRow
    )[];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as [number, string, number];
      rows[i] = new Row(r[0], r[1], r[2]);
    }
    return rows as QueuedRow[];
  }

  /** Deletes every row with id ≤ `throughId`; returns how many were deleted. */
  deleteThrough(throughId: number): number {
    const n = Number(this.#stmts.deleteThrough.run(throughId).changes);
    if (n > 0) this.#rows = Math.max(0, this.#rows - n);
    return n;
  }

  /** Rows queued, from the count kept by this process (see {@link OutboxShard.depth}). */
  get rows(): number {
    return this.#rows;
  }

  /** Reads the rows queued from the database; returns the smallest id, or 0 when empty. */
  #readBounds(): number {
    const b = this.#stmts.bounds.get() as {
      lo: number | bigint | null;
      hi: number | bigint | null;
    };
    if (b.lo === null || b.hi === null) {
      this.#rows = 0;
      return 0;
    }
    const lo = Number(b.lo);
    this.#rows = Number(b.hi) - lo + 1;
    return lo;
  }

  /**
   * Rows queued, read from the database (so it also sees rows other connections appended or
   * deleted), and kept as this process's count.
   */
  refreshRows(): number {
    this.#readBounds();
    return this.#rows;
  }

  /**
   * Depth and oldest row, read from the database (so it also sees rows other connections appended
   * or deleted), and kept as this process's count.
   */
  depth(): QueueDepth {
    const lo = this.#readBounds();
    if (lo === 0) return { rows: 0, oldestEnqueuedAt: undefined };
    const oldest = this.#stmts.enqueuedAt.get(lo) as { t: number } | undefined;
    return { rows: this.#rows, oldestEnqueuedAt: oldest ? Number(oldest.t) : undefined };
  }

  /** The highest id ever assigned (0 if none), whether or not the row still exists. */
  maxId(): number {
    return Number((this.#stmts.maxId.get() as { m: number }).m);
  }
}

/**
 * How far the generator got: the world it simulates (its seed, start and rate, as the generator
 * spells them) and the world time up to which its rows are all in the outbox. A restart of the
 * same world goes on from there instead of writing the same rows again.
 */
export interface GeneratorProgress {
  readonly world: string;
  readonly generatedTo: number;
}

/**
 * A SQLite outbox holding the shards of each named table.
 *
 * Writes go through {@link Outbox.append} in one transaction per batch, every shard included; a
 * crash leaves only whole batches because SQLite's WAL commit is atomic.
 */
export class Outbox {
  /** The database file. */
  readonly path: string;
  /** Shards new rows are spread over, per table. */
  readonly channels: number;
  readonly #db: DatabaseSync;
  /** Every known shard per table, by index. */
  readonly #shards = new Map<string, Map<number, OutboxShard>>();
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  readonly #tableNames: StatementSync;
  #saveProgressStatement: StatementSync | undefined;
  /** Why the last append failed; cleared by the next append that succeeds. */
  #lastWriteProblem: QueueWriteProblem | undefined;

  /**
   * Opens (creating if needed) the outbox at `path` with the shards of every table in `tables`:
   * `channels` of them for new rows, plus any other shard the database already holds.
   */
  constructor(path: string, tables: readonly string[], options: OutboxOptions = {}) {
    const channels = options.channels ?? 1;
    if (!(Number.isInteger(channels) && channels >= 1)) {
      throw new RangeError(`channels must be a whole number ≥ 1, not ${channels}`);
    }
    this.channels = channels;
    this.path = path;
    for (const t of tables) checkTableName(t);
    this.#db = new DatabaseSync(path);
    // First: the journal mode below already waits for other connections' locks.
    this.#db.exec("PRAGMA busy_timeout = 5000");
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec(`PRAGMA synchronous = ${options.synchronous ?? "NORMAL"}`);
    this.#begin = this.#db.prepare("BEGIN IMMEDIATE");
    this.#commit = this.#db.prepare("COMMIT");
    this.#rollback = this.#db.prepare("ROLLBACK");
    this.#tableNames = this.#db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB '*__[0-9]*'",
    );
    // One transaction for the whole layout: a thousand CREATE TABLEs commit once.
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#db.exec(
        `CREATE TABLE IF NOT EXISTS generator_progress (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          world TEXT NOT NULL,
          generated_to INTEGER NOT NULL
        )`,
      );
      for (const t of tables) {
        const shards = new Map<number, OutboxShard>();
        this.#shards.set(t, shards);
        for (let i = 0; i < channels; i++) shards.set(i, new OutboxShard(this.#db, t, i));
      }
      this.#db.exec("COMMIT");
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      this.#db.close();
      throw e;
    }
    this.rescan();
    for (const shards of this.#shards.values()) for (const s of shards.values()) s.depth();
  }

  get #saveProgress(): StatementSync {
    return this.#saveProgressStatement ??= this.#db.prepare(
      "INSERT OR REPLACE INTO generator_progress (id, world, generated_to) VALUES (1, ?, ?)",
    );
  }

  #shardsOf(table: string): Map<number, OutboxShard> {
    const s = this.#shards.get(table);
    if (!s) throw new Error(`unknown outbox table: ${table}`);
    return s;
  }

  /** The table names this outbox holds. */
  get tables(): string[] {
    return [...this.#shards.keys()];
  }

  /** Shard `index` of `table`: one of the configured ones, or one found in the database. */
  shard(table: string, index: number): OutboxShard {
    const s = this.#shardsOf(table).get(index);
    if (!s) throw new Error(`outbox table ${table} has no shard ${index}`);
    return s;
  }

  /**
   * Every shard of `table` in index order: the configured `channels`, and those of other layouts
   * that the database holds (rows queued by a run with more channels, which their own channels
   * must still stream).
   */
  shards(table: string): OutboxShard[] {
    return [...this.#shardsOf(table).values()].sort((a, b) => a.index - b.index);
  }

  /**
   * Looks for shard tables another connection created since (a `generate` with more channels);
   * returns the new ones.
   */
  rescan(): OutboxShard[] {
    const found: OutboxShard[] = [];
    for (const { name } of this.#tableNames.all() as { name: string }[]) {
      const m = /^([A-Z][A-Z0-9_]*?)__(\d{1,6})$/.exec(name);
      if (!m) continue;
      const shards = this.#shards.get(m[1]);
      const index = Number(m[2]);
      if (!shards || shards.has(index) || index === 0) continue;
      const shard = new OutboxShard(this.#db, m[1], index);
      shards.set(index, shard);
      found.push(shard);
    }
    return found;
  }

  /**
   * Appends rows for several tables in one transaction: all of them are stored, or none. Each
   * row goes to the shard {@link shardOf} picks for it among the configured channels. Returns the
   * id of the last row written per shard table that got rows (`LIFT_RIDE`, `LIFT_RIDE__3`, …).
   *
   * On failure it throws the error that stopped the write (for example SQLite's "database or disk
   * is full"), never a follow-up error of the rollback, and {@link Outbox.writeProblem} reports it
   * until an append succeeds again.
   */
  append(
    batch: Readonly<Record<string, readonly string[]>>,
    now = Date.now(),
    progress?: GeneratorProgress,
  ): Record<string, number> {
    // An unknown table is the caller's bug, not the queue's state: refuse it before writing.
    for (const table of Object.keys(batch)) this.#shardsOf(table);
    const parts: [OutboxShard, readonly string[]][] = [];
    for (const [table, rows] of Object.entries(batch)) {
      if (rows.length === 0) continue;
      if (this.channels === 1) {
        parts.push([this.shard(table, 0), rows]);
        continue;
      }
      const split: string[][] = Array.from({ length: this.channels }, () => []);
      for (const row of rows) split[shardOf(row, this.channels)].push(row);
      split.forEach((part, i) => {
        if (part.length > 0) parts.push([this.shard(table, i), part]);
      });
    }
    const last: Record<string, number> = {};
    try {
      // Left over only if an earlier rollback itself failed; the new batch must not join it.
      this.#abandonTransaction();
      this.#begin.run();
      for (const [shard, rows] of parts) last[shard.name] = shard.insert(rows, now);
      if (progress) this.#saveProgress.run(progress.world, progress.generatedTo);
      this.#commit.run();
    } catch (e) {
      this.#abandonTransaction();
      this.#lastWriteProblem = classifyQueueWriteError(e);
      throw e;
    }
    this.#lastWriteProblem = undefined;
    for (const [shard, rows] of parts) shard.added(rows.length);
    return last;
  }

  /**
   * How far the generator got, as the last append that carried its progress recorded it in the
   * same transaction as its rows; undefined before any.
   */
  generatorProgress(): GeneratorProgress | undefined {
    const row = this.#db.prepare("SELECT world, generated_to FROM generator_progress WHERE id = 1")
      .get() as { world: string; generated_to: number } | undefined;
    return row ? { world: row.world, generatedTo: Number(row.generated_to) } : undefined;
  }

  /**
   * Rolls back the open transaction, if any. SQLite may already have rolled it back itself (it
   * does on SQLITE_FULL and some I/O errors), and a ROLLBACK then fails with "no transaction is
   * active": that follow-up must never hide the error that caused it, so it is dropped here.
   */
  #abandonTransaction(): void {
    if (!this.#db.isTransaction) return;
    try {
      this.#rollback.run();
    } catch {
      // Still in a transaction: the next append tries again before it begins its own.
    }
  }

  /** Rows queued in `table` (all its shards), from the counts kept by this process. */
  rows(table: string): number {
    let n = 0;
    for (const s of this.#shardsOf(table).values()) n += s.rows;
    return n;
  }

  /**
   * Rows queued in `table` (all its shards), read from the database: it also sees what other
   * connections appended or deleted.
   */
  refreshRows(table: string): number {
    let n = 0;
    for (const s of this.#shardsOf(table).values()) n += s.refreshRows();
    return n;
  }

  /**
   * Depth and oldest row of `table` over all its shards, read from the database (so it also sees
   * rows other connections appended or deleted).
   */
  depth(table: string): QueueDepth {
    let rows = 0;
    let oldest: number | undefined;
    for (const s of this.#shardsOf(table).values()) {
      const d = s.depth();
      rows += d.rows;
      if (d.oldestEnqueuedAt !== undefined && !(oldest! <= d.oldestEnqueuedAt)) {
        oldest = d.oldestEnqueuedAt;
      }
    }
    return { rows, oldestEnqueuedAt: oldest };
  }

  /**
   * Why the queue cannot be written right now, or undefined when it can. Used by readiness checks.
   *
   * A failed {@link Outbox.append} is reported until an append succeeds: a full disk shows only
   * when a write needs space, which a probe cannot tell without writing. Otherwise a write
   * transaction is taken and released, which finds another writer holding the lock beyond the
   * busy timeout.
   */
  writeProblem(): QueueWriteProblem | undefined {
    if (this.#lastWriteProblem) return this.#lastWriteProblem;
    try {
      this.#abandonTransaction();
      this.#begin.run();
      this.#rollback.run();
      return undefined;
    } catch (e) {
      this.#abandonTransaction();
      return classifyQueueWriteError(e);
    }
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
