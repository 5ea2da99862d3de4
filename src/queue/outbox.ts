/**
 * The outbox: a durable local queue of rows waiting to be streamed, one SQLite table per stream.
 *
 * Each row's INTEGER PRIMARY KEY becomes its offset token. Tables are declared AUTOINCREMENT so
 * that ids only grow, also after the queue empties and across restarts (SQLite keeps the high-water
 * mark in `sqlite_sequence`). Rows are stored as the exact JSON text that will be sent.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { classifyQueueWriteError, type QueueWriteProblem } from "./write_error.ts";

/** A queued row as read back for sending. */
export interface QueuedRow {
  /** Offset token: strictly increasing per table. */
  readonly id: number;
  /** The row's JSON, exactly as it will be sent. */
  readonly json: string;
  /** When the row was enqueued (ms since epoch, wall clock). */
  readonly enqueuedAt: number;
}

/**
 * `statement`, answering rows as arrays (see {@link Outbox.readAfter}). `setReturnArrays` is
 * Node's API, which Deno implements; its declarations lack it yet.
 */
function returningArrays(statement: StatementSync): StatementSync {
  (statement as StatementSync & { setReturnArrays(enabled: boolean): void }).setReturnArrays(true);
  return statement;
}

/** A {@link QueuedRow} as {@link Outbox.readAfter} makes it. */
class Row implements QueuedRow {
  constructor(readonly id: number, readonly json: string, readonly enqueuedAt: number) {}
}

/** Depth and age of one table's queue. */
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

interface TableStatements {
  insert: StatementSync;
  insertMany: StatementSync;
  readAfter: StatementSync;
  deleteThrough: StatementSync;
  count: StatementSync;
  oldest: StatementSync;
  maxId: StatementSync;
}

/** Table names are interpolated into SQL, so only plain identifiers are accepted. */
function checkTableName(name: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`invalid outbox table name: ${name}`);
  return name;
}

/**
 * A SQLite outbox holding one queue per named table.
 *
 * Writes go through {@link Outbox.append} in one transaction per batch; a crash leaves only whole
 * batches because SQLite's WAL commit is atomic.
 */
export class Outbox {
  readonly #db: DatabaseSync;
  readonly #tables = new Map<string, TableStatements>();
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  /** Row counts kept in memory so that depth checks on the hot path cost nothing. */
  readonly #depth = new Map<string, number>();
  /** Why the last append failed; cleared by the next append that succeeds. */
  #lastWriteProblem: QueueWriteProblem | undefined;

  /**
   * Opens (creating if needed) the outbox at `path` with a queue per table in `tables`.
   * `synchronous` defaults to NORMAL: in WAL mode that survives a process crash (SIGKILL) with no
   * loss; FULL also survives power loss at a cost per commit.
   */
  constructor(
    path: string,
    tables: readonly string[],
    options: { synchronous?: "NORMAL" | "FULL" } = {},
  ) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec(`PRAGMA synchronous = ${options.synchronous ?? "NORMAL"}`);
    this.#db.exec("PRAGMA busy_timeout = 5000");
    for (const raw of tables) {
      const t = checkTableName(raw);
      this.#db.exec(
        `CREATE TABLE IF NOT EXISTS ${t} (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           json TEXT NOT NULL,
           enqueued_at INTEGER NOT NULL
         )`,
      );
      this.#tables.set(t, {
        insert: this.#db.prepare(`INSERT INTO ${t} (json, enqueued_at) VALUES (?, ?)`),
        insertMany: this.#db.prepare(
          `INSERT INTO ${t} (json, enqueued_at) VALUES ${
            Array(ROWS_PER_INSERT).fill("(?, ?)").join(", ")
          }`,
        ),
        readAfter: returningArrays(
          this.#db.prepare(
            `SELECT id, json, enqueued_at FROM ${t} WHERE id > ? ORDER BY id LIMIT ?`,
          ),
        ),
        deleteThrough: this.#db.prepare(`DELETE FROM ${t} WHERE id <= ?`),
        count: this.#db.prepare(`SELECT count(*) AS n FROM ${t}`),
        oldest: this.#db.prepare(`SELECT enqueued_at AS t FROM ${t} ORDER BY id LIMIT 1`),
        maxId: this.#db.prepare(
          `SELECT max(coalesce((SELECT max(id) FROM ${t}), 0),
                      coalesce((SELECT seq FROM sqlite_sequence WHERE name = '${t}'), 0)) AS m`,
        ),
      });
      this.#depth.set(t, Number((this.#stmts(t).count.get() as { n: number }).n));
    }
    this.#begin = this.#db.prepare("BEGIN IMMEDIATE");
    this.#commit = this.#db.prepare("COMMIT");
    this.#rollback = this.#db.prepare("ROLLBACK");
  }

  #stmts(table: string): TableStatements {
    const s = this.#tables.get(table);
    if (!s) throw new Error(`unknown outbox table: ${table}`);
    return s;
  }

  /** The table names this outbox holds. */
  get tables(): string[] {
    return [...this.#tables.keys()];
  }

  /**
   * Appends rows for several tables in one transaction: all of them are stored, or none.
   * Returns the id of the last row written per table.
   *
   * On failure it throws the error that stopped the write (for example SQLite's "database or disk
   * is full"), never a follow-up error of the rollback, and {@link Outbox.writeProblem} reports it
   * until an append succeeds again.
   */
  append(
    batch: Readonly<Record<string, readonly string[]>>,
    now = Date.now(),
  ): Record<string, number> {
    // An unknown table is the caller's bug, not the queue's state: refuse it before writing.
    for (const table of Object.keys(batch)) this.#stmts(table);
    const last: Record<string, number> = {};
    try {
      // Left over only if an earlier rollback itself failed; the new batch must not join it.
      this.#abandonTransaction();
      this.#begin.run();
      for (const [table, rows] of Object.entries(batch)) {
        if (rows.length === 0) continue;
        const { insert, insertMany } = this.#stmts(table);
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
        last[table] = id;
      }
      this.#commit.run();
    } catch (e) {
      this.#abandonTransaction();
      this.#lastWriteProblem = classifyQueueWriteError(e);
      throw e;
    }
    this.#lastWriteProblem = undefined;
    for (const [table, rows] of Object.entries(batch)) {
      this.#depth.set(table, (this.#depth.get(table) ?? 0) + rows.length);
    }
    return last;
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

  /** Up to `limit` rows of `table` with id greater than `afterId`, in id order. */
  readAfter(table: string, afterId: number, limit: number): QueuedRow[] {
    // Rows come as arrays and become objects here, in the same list: node:sqlite puts the row
    // objects it makes straight into the garbage collector's old generation, so at full speed
    // every batch read became old-generation garbage (about 8 MB/s, most of what `run` kept
    // between full collections). The objects are made by a constructor, not a literal or a new
    // array, because V8 may decide to allocate everything from such a site in the old generation
    // once it saw a few of them survive (and the rows' text then ages with them).
    const rows = this.#stmts(table).readAfter.all(
      afterId,
      limit,
    ) as unknown as ([number, string, number] | QueuedRow)[];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as [number, string, number];
      rows[i] = new Row(r[0], r[1], r[2]);
    }
    return rows as QueuedRow[];
  }

  /** Deletes every row of `table` with id ≤ `throughId`; returns how many were deleted. */
  deleteThrough(table: string, throughId: number): number {
    const n = Number(this.#stmts(table).deleteThrough.run(throughId).changes);
    if (n > 0) this.#depth.set(table, Math.max(0, (this.#depth.get(table) ?? 0) - n));
    return n;
  }

  /** Rows queued in `table`, from the in-memory count kept by this process. */
  rows(table: string): number {
    this.#stmts(table);
    return this.#depth.get(table) ?? 0;
  }

  /**
   * Depth and oldest row of `table`, read from the database (so it also sees rows other
   * processes appended or deleted).
   */
  depth(table: string): QueueDepth {
    const s = this.#stmts(table);
    const rows = Number((s.count.get() as { n: number }).n);
    this.#depth.set(table, rows);
    const oldest = s.oldest.get() as { t: number } | undefined;
    return { rows, oldestEnqueuedAt: oldest ? Number(oldest.t) : undefined };
  }

  /** The highest id ever assigned in `table` (0 if none), whether or not the row still exists. */
  maxId(table: string): number {
    return Number((this.#stmts(table).maxId.get() as { m: number }).m);
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
