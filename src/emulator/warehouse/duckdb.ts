/**
 * DuckDB, the emulator's warehouse engine: one database file, and "lanes" over it. A lane is one
 * DuckDB connection whose statements run one at a time, in the order they were asked for, so
 * that a transaction's statements never interleave with another caller's.
 *
 * DuckDB runs each statement on its own threads (the Node-API calls are asynchronous), so a long
 * refresh on one lane leaves the JavaScript thread free to serve requests and commit appends on
 * another.
 *
 * The package is a Node-API addon: it cannot be bundled into a single JavaScript file, so it is
 * imported by its full `npm:` specifier, which `deno bundle --external` keeps and the artefact
 * resolves at run time (the version is the one in deno.json; a test checks they agree).
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBMaterializedResult,
  DuckDBResultReader,
} from "@duckdb/node-api";

/** The `@duckdb/node-api` module. */
export type DuckModule = typeof import("@duckdb/node-api");

/** The specifier DuckDB is imported by (kept external by `deno task bundle`). */
export const DUCKDB_SPECIFIER = "npm:@duckdb/node-api@1.5.6-r.1";

let loading: Promise<DuckModule> | undefined;

/**
 * Settings of the jemalloc that DuckDB allocates with, read from this variable when the library
 * loads (a user's own value is kept, whole). One arena without per-thread caches: by default each
 * of DuckDB's threads gets one of eight arenas (four per core) and a cache of the blocks it
 * freed, which another thread cannot reuse; at full speed one shared arena kept the process's
 * peak about 50 MB lower (546 / 541 / 547 MB against 598 / 594 / 601 / 617 over 60 s of `run
 * --speed MAX`) at the same throughput. Pages DuckDB freed and did not reuse within its decay
 * time are returned to the system outright, instead of being marked free for the kernel to take
 * when it runs short, which leaves them counted in the process's resident memory until then
 * (about 20 MB of the peak); returning every freed page at once (decay 0) saved more but cost a
 * sixth of the throughput in system time.
 */
export const DUCKDB_MALLOC_CONF_VAR = "DUCKDB_JE_MALLOC_CONF";
const DUCKDB_MALLOC_CONF = "narenas:1,tcache:false,muzzy_decay_ms:0";

/** Loads DuckDB once per process. */
export function loadDuckDB(): Promise<DuckModule> {
  if (!loading) {
    try {
      if (Deno.env.get(DUCKDB_MALLOC_CONF_VAR) === undefined) {
        Deno.env.set(DUCKDB_MALLOC_CONF_VAR, DUCKDB_MALLOC_CONF);
      }
    } catch {
      // Without permission to the environment, DuckDB keeps its defaults.
    }
    // deno-lint-ignore no-import-prefix -- a Node-API addon cannot be bundled; see the module doc.
    loading = import("npm:@duckdb/node-api@1.5.6-r.1");
  }
  return loading;
}

/** A value bound to a statement parameter. */
export type DuckParam = string | number | boolean | bigint | null;

/** What a statement returned: column names and types, and rows as JavaScript values. */
export interface DuckRows {
  readonly columns: readonly string[];
  /** DuckDB's spelling of each column's type, e.g. `DECIMAL(18,2)`. */
  readonly types: readonly string[];
  readonly rows: unknown[][];
}

/**
 * The statement on whose behalf lane work runs (its query id), set by the SQL engine around a
 * statement, so that cancelling it interrupts only the lanes busy with its work.
 */
export const laneWork = new AsyncLocalStorage<string>();

/**
 * Statements cancelled while their work waited for a lane (see {@link cancelQueuedWork}): their
 * turn, when it comes, fails at once instead of running.
 */
const cancelledWork = new Set<string>();

/**
 * Marks statement `work` cancelled: work of it still queued on any lane fails when its turn
 * comes (what runs now is interrupted separately). {@link forgetWork} ends the mark.
 */
export function cancelQueuedWork(work: string): void {
  cancelledWork.add(work);
}

/** Forgets statement `work` (it has ended). */
export function forgetWork(work: string): void {
  cancelledWork.delete(work);
}

/** Throws DuckDB's interrupt error for work whose statement was cancelled while it waited. */
function refuseCancelled(work: string | undefined): void {
  if (work !== undefined && cancelledWork.has(work)) {
    throw new Error("INTERRUPT Error: the statement was cancelled before its turn");
  }
}

/** An error's message (or the thrown value as text). */
function messageOf(error: unknown): string {
  return String((error as Error | undefined)?.message ?? error);
}

/**
 * True for DuckDB's fatal errors: the database instance is invalidated ("database has been
 * invalidated because of a previous fatal error") and every later statement fails until it is
 * reopened. DuckDB raises them on internal faults, such as a checkpoint that finds a table's
 * in-memory state inconsistent after a statement ran out of memory.
 */
export function isFatalDuckError(error: unknown): boolean {
  return /^FATAL Error|database has been invalidated/i.test(messageOf(error));
}

/**
 * True when DuckDB failed a COMMIT for want of memory ("Failed to commit: could not allocate
 * block …"). The transaction is rolled back, but not cleanly: a table it appended to came out of
 * it with its storage out of step, and the next commit that appended to that table wrote rows the
 * client never sent in place of rows it did (DuckDB 1.5, reproduced with a plain appender at a
 * 4 MB limit, and written to the file). The instance must not take another write: the warehouse
 * reopens it, as after a fatal error. A commit that failed to write (a full disk) is not one:
 * it rolls back cleanly, and reopening could not write either.
 */
export function isCommitOutOfMemory(error: unknown): boolean {
  return /Failed to commit: (?:could not allocate|failed to pin) block/i.test(
    messageOf(error),
  );
}

/**
 * True when DuckDB failed for want of memory within its limit: an operator ("Out of Memory
 * Error") or a commit that could not allocate or pin a block of what it writes. Nothing was
 * written; the work may pass with a higher limit (after the reopen a failed commit calls for).
 */
export function isMemoryShortage(error: unknown): boolean {
  return /Out of Memory Error|could not allocate block|failed to pin block/i.test(
    messageOf(error),
  );
}

/** What work fails with while the warehouse is being reopened (it never ran). */
const REOPENING = "FATAL Error: the warehouse is being reopened; try again";

/** True for work refused because the warehouse was being reopened (see {@link Lane.suspend}). */
export function isReopening(error: unknown): boolean {
  return messageOf(error) === REOPENING;
}

/** True for DuckDB's write-write conflicts ("Conflict on update!", "Conflict on tuple deletion!"). */
export function isConflictDuckError(error: unknown): boolean {
  return /TransactionContext Error: Conflict on/i.test(
    messageOf(error),
  );
}

/**
 * How long a hold waits at most for the work queued before it to run first (see
 * {@link Lane.hold}).
 */
export const HOLD_YIELD_MS = 2000;

/** One connection whose statements run strictly one after another. */
export class Lane {
  readonly name: string;
  #conn: DuckDBConnection;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** The last reconnect failed: work fails as fatal, so that the warehouse tries again. */
  #broken = false;
  /** A reopen is under way (see {@link suspend}): work fails as fatal until it connected. */
  #suspended = false;
  /** The statement the work running now is for (see {@link laneWork}). */
  #current: string | undefined;
  /** Who holds the lane across several pieces of work (see {@link hold}). */
  #holder: HeldLane | undefined;
  #waiting = 0;
  /** Settles when the last hold asked for has been released (holds take turns). */
  #holds: Promise<void> = Promise.resolve();
  /** Holds asked for and not yet queued (they wait for their turn among holds). */
  #pendingHolds = 0;
  #commits = 0;
  readonly #committed = () => {
    this.#commits++;
  };

  /** How many transactions have committed on this lane (see `SessionTransaction.recover`). */
  get commits(): number {
    return this.#commits;
  }

  /** How many pieces of work wait for their turn. */
  get waiting(): number {
    return this.#waiting + this.#pendingHolds;
  }
  /**
   * Told when work on this lane failed because DuckDB invalidated the database (see
   * {@link isFatalDuckError}) or failed a commit ({@link isCommitOutOfMemory}): the warehouse then
   * reopens it.
   */
  onFatal: ((error: unknown) => void) | undefined;

  constructor(name: string, conn: DuckDBConnection) {
    this.name = name;
    this.#conn = conn;
  }

  /**
   * Runs `fn` with this lane to itself: statements that other callers ask for meanwhile wait
   * until it settles. `fn` must use the {@link LaneSession} it gets, never the lane (that would
   * wait for itself).
   */
  exclusive<T>(fn: (s: LaneSession) => Promise<T>): Promise<T> {
    const work = laneWork.getStore();
    this.#waiting++;
    const run = this.#tail.then(async () => {
      this.#waiting--;
      if (this.#closed) throw new Error(`warehouse lane ${this.name} is closed`);
      refuseCancelled(work);
      this.#current = work;
      try {
        if (this.#suspended) throw new Error(REOPENING);
        if (this.#broken) {
          throw new Error("FATAL Error: the warehouse could not be reopened yet; trying again");
        }
        return await fn(new LaneSession(this.#conn, this.#committed));
      } catch (e) {
        if (isFatalDuckError(e) || isCommitOutOfMemory(e)) this.onFatal?.(e);
        else if (/Current transaction is aborted/i.test(messageOf(e))) {
          // A transaction whose ROLLBACK failed (out of memory, say) left the connection in it:
          // every statement after would fail the same way. End it here, in the lane's turn.
          await rollbackQuietly(this.#conn);
        }
        throw e;
      } finally {
        this.#current = undefined;
      }
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  /**
   * Fails every piece of work that starts from now until a {@link reconnect} has connected anew:
   * the work already queued must not run on an instance that is being replaced.
   */
  suspend(): void {
    this.#suspended = true;
  }

  /**
   * Swaps this lane's connection, in its turn: the work queued before runs on the old one, which
   * is then closed, and the work queued after waits for `connect` and runs on the new one.
   * Resolves `detached` once the old connection is closed.
   */
  reconnect(
    connect: () => Promise<DuckDBConnection>,
  ): { detached: Promise<void>; done: Promise<void> } {
    let detach!: () => void;
    const detached = new Promise<void>((resolve) => detach = resolve);
    const done = this.#tail.then(async () => {
      try {
        this.#conn.closeSync();
      } catch {
        // Already unusable: that is why it is being replaced.
      }
      detach();
      try {
        this.#conn = await connect();
        this.#broken = false;
      } catch (e) {
        this.#broken = true;
        throw e;
      } finally {
        this.#suspended = false;
      }
    });
    this.#tail = done.catch(() => {});
    return { detached, done };
  }

  /** Interrupts the statement running now if it is work for statement `work`. */
  interruptWork(work: string): void {
    if (this.#current === work || (this.#holder && this.#holder.current === work)) {
      this.interrupt();
    }
  }

  /**
   * Takes this lane's turn and keeps it until the returned {@link HeldLane} is released: work
   * queued meanwhile waits. A session's explicit transaction holds the writer lane this way, so
   * that its statements run on one connection, in one DuckDB transaction.
   *
   * Holds come second to other work: one hold at a time, each taken only once the work queued
   * before it (streaming commits) has run, or after {@link HOLD_YIELD_MS} at most. So a run of
   * transactions, from one session or many, cannot keep the lane from the rest for long.
   */
  hold(): Promise<HeldLane> {
    const previous = this.#holds;
    let done!: () => void;
    this.#holds = new Promise<void>((r) => done = r);
    this.#pendingHolds++;
    return (async () => {
      try {
        await previous;
      } finally {
        this.#pendingHolds--;
      }
      const since = performance.now();
      while (this.#waiting > 0 && performance.now() - since < HOLD_YIELD_MS && !this.#closed) {
        await new Promise((r) => setTimeout(r, 5));
      }
      return await new Promise<HeldLane>((resolve, reject) => {
        this.exclusive((s) =>
          new Promise<void>((release) => {
            const held = new HeldLane(this.name, s, release, (e) => this.onFatal?.(e));
            this.#holder = held;
            this.#current = undefined;
            resolve(held);
          }).finally(() => {
            this.#holder = undefined;
            done();
          })
        ).catch((e) => {
          done();
          reject(e);
        });
      });
    })();
  }

  /** Runs one statement, discarding any rows. */
  run(sql: string, params?: readonly DuckParam[]): Promise<void> {
    return this.exclusive((s) => s.run(sql, params));
  }

  /** Runs one statement and reads all its rows. */
  all(sql: string, params?: readonly DuckParam[]): Promise<DuckRows> {
    return this.exclusive((s) => s.all(sql, params));
  }

  /**
   * Runs `fn` inside one transaction on this lane: committed when it resolves, rolled back when
   * it throws.
   */
  transaction<T>(fn: (s: LaneSession) => Promise<T>, afterCommit?: (value: T) => void): Promise<T> {
    return this.exclusive(async (s) => {
      const value = await s.transaction(fn);
      // Still inside the lane: nothing queued behind this transaction runs before it.
      afterCommit?.(value);
      return value;
    });
  }

  /** Interrupts the statement running now (it fails with an interrupt error). */
  interrupt(): void {
    if (!this.#closed) this.#conn.interrupt();
  }

  /** Waits for queued work, then closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    // A transaction a session left open ends here: nobody will commit it now.
    await this.#holder?.abandon();
    await this.#tail.catch(() => {});
    this.#closed = true;
    this.#conn.closeSync();
  }
}

/**
 * A lane held by one owner across several pieces of work (see {@link Lane.hold}): its work runs
 * one piece after another on the held connection until {@link release}.
 */
export class HeldLane {
  readonly name: string;
  readonly session: LaneSession;
  #tail: Promise<unknown> = Promise.resolve();
  readonly #release: () => void;
  readonly #onFatal: (error: unknown) => void;
  #released = false;
  /** The statement the work running now is for (see {@link laneWork}). */
  current: string | undefined;

  /** `onFatal` is told what the lane's own work would tell its `onFatal` (see {@link Lane}). */
  constructor(
    name: string,
    session: LaneSession,
    release: () => void,
    onFatal: (error: unknown) => void = () => {},
  ) {
    this.name = name;
    this.session = session;
    this.#release = release;
    this.#onFatal = onFatal;
  }

  /** Runs `fn` on the held connection after the work queued before it. */
  exclusive<T>(fn: (s: LaneSession) => Promise<T>): Promise<T> {
    const work = laneWork.getStore();
    const run = this.#tail.then(async () => {
      if (this.#released) throw new Error(`warehouse lane ${this.name} is no longer held`);
      refuseCancelled(work);
      this.current = work;
      try {
        return await fn(this.session);
      } catch (e) {
        if (isFatalDuckError(e) || isCommitOutOfMemory(e)) this.#onFatal(e);
        throw e;
      } finally {
        this.current = undefined;
      }
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Gives the lane back (idempotent); work queued on it then fails. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release();
  }

  /** Rolls back whatever transaction is open on the connection, then releases the lane. */
  async abandon(): Promise<void> {
    if (this.#released) return;
    await this.#tail.catch(() => {});
    if (this.session.inTransaction) await this.session.rollback();
    this.release();
  }
}

/** A lane while one caller has it. */
export class LaneSession {
  readonly conn: DuckDBConnection;
  #inTransaction = false;
  #executed = 0;
  /** Called before each statement; throws to stop a long piece of work between statements. */
  guard: (() => void) | undefined;
  /** Told each statement sent through {@link run}, {@link all} or {@link changes}, with its
   * parameters, while set (a session's transaction keeps them, to replay them: see
   * `SessionTransaction`). */
  recorder: ((sql: string, params?: readonly DuckParam[]) => void) | undefined;

  readonly #onCommit: (() => void) | undefined;

  /** `onCommit` is told each time a transaction of this session commits. */
  constructor(conn: DuckDBConnection, onCommit?: () => void) {
    this.conn = conn;
    this.#onCommit = onCommit;
  }

  /** True between BEGIN and COMMIT/ROLLBACK of {@link transaction}. */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  async run(sql: string, params?: readonly DuckParam[]): Promise<void> {
    await this.#exec(sql, params);
  }

  async all(sql: string, params?: readonly DuckParam[]): Promise<DuckRows> {
    this.guard?.();
    this.recorder?.(sql, params);
    const reader = params && params.length
      ? await this.conn.runAndReadAll(sql, params as never)
      : await this.conn.runAndReadAll(sql);
    return readerRows(reader);
  }

  /** Runs one statement and returns how many rows it changed. */
  async changes(sql: string, params?: readonly DuckParam[]): Promise<number> {
    const r = await this.#exec(sql, params);
    return Number(r.rowsChanged);
  }

  #exec(sql: string, params?: readonly DuckParam[]): Promise<DuckDBMaterializedResult> {
    this.guard?.();
    this.recorder?.(sql, params);
    this.#executed++;
    return params && params.length ? this.conn.run(sql, params as never) : this.conn.run(sql);
  }

  /** How many statements {@link run} and {@link changes} have sent (reads by `all` do not count). */
  get executed(): number {
    return this.#executed;
  }

  /** Starts a transaction that {@link commit} or {@link rollback} ends (a session's own). */
  async begin(): Promise<void> {
    if (this.#inTransaction) return;
    await this.conn.run("BEGIN TRANSACTION");
    this.#inTransaction = true;
  }

  /** Commits the transaction {@link begin} started; it is over even when the commit fails. */
  async commit(): Promise<void> {
    if (!this.#inTransaction) return;
    try {
      await this.conn.run("COMMIT");
      this.#onCommit?.();
    } catch (e) {
      await rollbackQuietly(this.conn);
      throw e;
    } finally {
      this.#inTransaction = false;
    }
  }

  /** Rolls back the transaction {@link begin} started. */
  async rollback(): Promise<void> {
    if (!this.#inTransaction) return;
    this.#inTransaction = false;
    await rollbackQuietly(this.conn);
  }

  /** Runs `fn` in a transaction (nested calls join the outer one). */
  async transaction<T>(fn: (s: LaneSession) => Promise<T>): Promise<T> {
    if (this.#inTransaction) return await fn(this);
    await this.conn.run("BEGIN TRANSACTION");
    this.#inTransaction = true;
    try {
      const out = await fn(this);
      await this.conn.run("COMMIT");
      this.#onCommit?.();
      return out;
    } catch (e) {
      await rollbackQuietly(this.conn);
      throw e;
    } finally {
      this.#inTransaction = false;
    }
  }
}

/**
 * Ends the connection's transaction, if it has one. A ROLLBACK that fails for want of memory is
 * tried again a few times: a connection left in an aborted transaction fails every statement
 * after it ("Current transaction is aborted"), which at full speed stopped every streaming
 * commit for the rest of a run.
 */
async function rollbackQuietly(conn: DuckDBConnection): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await conn.run("ROLLBACK");
      return;
    } catch (e) {
      // No transaction to end: a failed COMMIT already ended it.
      if (/no transaction is active|cannot rollback/i.test(messageOf(e))) return;
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
}

/** Reads a result's column names, types and rows (values as DuckDB's JavaScript values). */
export function readerRows(reader: DuckDBResultReader): DuckRows {
  const n = reader.columnCount;
  const columns: string[] = [];
  const types: string[] = [];
  for (let i = 0; i < n; i++) {
    columns.push(reader.columnName(i));
    types.push(reader.columnType(i).toString());
  }
  return { columns, types, rows: reader.getRowsJS() as unknown[][] };
}

/** Settings of {@link openDuckDB}. */
export interface DuckOptions {
  /** Threads DuckDB may use (default: 2, this machine kind's cores). */
  threads?: number;
  /** DuckDB's buffer limit, e.g. `256MB`: beyond it, large operators spill to `<file>.tmp`
   * (default {@link DEFAULT_MEMORY_LIMIT}). */
  memoryLimit?: string;
}

/**
 * DuckDB's default buffer limit in the emulator. Refreshes and large results spill to disk
 * beyond it; `liftline run` keeps its whole process within a few hundred MB.
 */
export const DEFAULT_MEMORY_LIMIT = "128MB";

/** Opens (creating if needed) a DuckDB database file with the emulator's settings. */
export async function openDuckDB(path: string, options: DuckOptions = {}): Promise<DuckDBInstance> {
  const duck = await loadDuckDB();
  return await duck.DuckDBInstance.create(path, {
    threads: String(options.threads ?? 2),
    memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    // Offline by design: never fetch an extension (json and icu are built in).
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    // Appends keep their order, so that a table's insertion sequence stays physically sorted and
    // range filters on it skip whole row groups.
    preserve_insertion_order: "true",
    // Checkpoint the write-ahead log every 64 MB rather than 16 MB: fewer stalls while streaming.
    checkpoint_threshold: "64MB",
    // Hand freed memory back to the system sooner than the 128 MB default: the emulator shares
    // its process with the generator, the streamer and the web server.
    allocator_flush_threshold: "16MB",
    allocator_bulk_deallocation_flush_threshold: "32MB",
    // A thread that returns DuckDB's freed pages to the system as they age, instead of only when
    // a query ends: at full speed the commits and refreshes never leave it idle.
    allocator_background_threads: "true",
    // What spills (large refreshes, huge results) may take of the disk; beyond it the statement
    // fails instead of filling the disk the outbox and the warehouse need.
    max_temp_directory_size: "512MB",
    // Only Snowflake's functions are translated, so no statement names a file; this is a second
    // lock: DuckDB itself refuses to read or write any file but its own.
    enable_external_access: "false",
  });
}
