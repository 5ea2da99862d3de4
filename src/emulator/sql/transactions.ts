/**
 * A session's explicit transaction (`BEGIN` … `COMMIT | ROLLBACK`), as Snowflake runs it: its
 * DML statements commit together or not at all, its queries see its own changes, others see none
 * of them until COMMIT, and a DDL statement commits it first.
 *
 * The warehouse has one writer lane (one DuckDB connection that writes tables); a transaction
 * holds it from its first write, so streaming commits and other sessions' writes wait until it
 * ends (a transaction that only reads holds nothing). So
 * that transactions cannot stop ingest for long, one idle for longer than its limit (60 s at a
 * time, or 10 s in all while other writes wait for it), or holding the writer for 60 s while
 * other writes waited all along, is rolled back, and the session's next statement says so; and
 * a transaction takes the writer only after the writes already waiting for it (see
 * `Lane.hold`).
 *
 * A statement that fails rolls back alone, as in Snowflake, and the transaction goes on. DuckDB
 * has no savepoints, and a statement that fails while it runs leaves its transaction unusable, so
 * the transaction keeps what its statements sent to DuckDB: after a failure it is rolled back and
 * begun again on the writer it still holds, and what the statements before the failed one sent is
 * sent again. Nothing else writes meanwhile, so they do again what they did. Where that cannot be
 * done (values that differ from one run to the next, such as `RANDOM()`; another statement of the
 * session running at the same time; more than {@link MAX_REPLAY_CHARS} of SQL; a dynamic table
 * refreshed since the transaction began, which a replay would read anew), the transaction
 * is rolled back at once, and every later statement of the session fails naming the one that
 * failed, until the session says `ROLLBACK` (or `COMMIT`, which fails the same way): nothing after
 * a failure is quietly committed on its own.
 *
 * @module
 */
import type { DuckParam, HeldLane, LaneSession } from "../warehouse/duckdb.ts";
import type { SequenceMarks, Warehouse } from "../warehouse/warehouse.ts";
import { SqlError } from "./errors.ts";

/** Where a statement's writes go: its own transaction on the writer lane, or the session's. */
export interface WriteLane {
  /** Runs `fn` in a transaction: the statement's own, or inside the session's open one. */
  transaction<T>(fn: (s: LaneSession) => Promise<T>): Promise<T>;
  /** Undoes an in-memory change if the transaction `fn` wrote in rolls back. */
  onRollback(undo: () => void): void;
  /**
   * In a session's transaction: the streams a statement read advance only when it commits, and
   * every statement of it reads the same changes. Absent: they advance with the statement.
   */
  deferStreams?(reads: ReadonlyMap<number, { row: number; logSeq: number }>): void;
  /** In a session's transaction: the statement writes table `id`. */
  wrote?(id: number): void;
}

/** How long an open transaction may sit idle before it is rolled back (default). */
export const DEFAULT_TRANSACTION_IDLE_MS = 60_000;
/** The same while other writes (streaming commits, other sessions' DML) wait for it. */
export const DEFAULT_CONTENDED_IDLE_MS = 10_000;

/** How long a transaction may hold the writer while other writes wait, busy or not (default). */
export const DEFAULT_CONTENDED_HOLD_MS = 60_000;

/** Limits of {@link SessionTransaction.begin}, in ms. */
export interface IdleLimits {
  /** Idle, with nothing waiting for the writer lane. */
  readonly alone: number;
  /** Idle, in all, while other work waits for it. */
  readonly contended: number;
  /** Holding it, busy or idle, while other work waits all along: a client that keeps its
   * transaction busy with a statement now and then must not hold ingest up for good. */
  readonly held: number;
}

/** The error of every statement after a transaction was rolled back for `why`. */
export function transactionAbortedError(why: string): SqlError {
  return new SqlError(
    "000603",
    "25P02",
    `Transaction rolled back: ${why}. Nothing it did was committed; run ROLLBACK to end it.`,
  );
}

/**
 * The error of a statement whose own transaction (an array-bind DML statement's, see
 * `SqlEngine.executeAll`) was rolled back before it committed: nothing of it stays, and the
 * session has nothing to end.
 */
export function statementRolledBackError(why: string): SqlError {
  return new SqlError(
    "000603",
    "57014",
    `Statement rolled back: ${why}. None of its rows were written; run it again.`,
  );
}

/** True when a DuckDB error says the connection's transaction can no longer go on. */
function isAbortedTransaction(error: unknown): boolean {
  return /Current transaction is aborted|no longer held/i.test(
    String((error as Error | undefined)?.message ?? error),
  );
}

/**
 * Runs `fn` on the writer's connection in the session's time zone (text read as a TIMESTAMP_LTZ
 * is in it, as Snowflake reads it), then resets the connection's zone: the streaming commits that
 * run there next must not read anything in a session's zone.
 */
export async function inSessionZone<T>(
  s: LaneSession,
  timezone: string,
  fn: () => Promise<T>,
): Promise<T> {
  await s.run(`SET TimeZone = '${timezone.replaceAll("'", "''")}'`);
  try {
    return await fn();
  } finally {
    await s.run("RESET TimeZone").catch(() => {});
  }
}

/**
 * A writer lane a statement runs on alone, in the session's time zone: in-memory changes are
 * undone if it rolls back.
 */
export function autocommitLane(w: Warehouse, timezone: () => string): WriteLane {
  const undo: (() => void)[] = [];
  return {
    async transaction<T>(fn: (s: LaneSession) => Promise<T>): Promise<T> {
      try {
        return await w.writer.exclusive((s) =>
          inSessionZone(s, timezone(), () => s.transaction(fn))
        );
      } catch (e) {
        for (const f of undo.splice(0).reverse()) f();
        throw e;
      }
    },
    onRollback(f) {
      undo.push(f);
    },
  };
}

let lastTransactionId = 0;

/** What a transaction's statement sent to DuckDB, kept to send it again. */
interface Sent {
  readonly sql: string;
  readonly params?: readonly DuckParam[];
  /** The session's time zone when it was sent. */
  readonly timezone: string;
}

/** The most SQL text (and bound text) a transaction keeps to replay; beyond it, a failure ends
 * the transaction. */
export const MAX_REPLAY_CHARS = 32 * 1024 * 1024;

/**
 * DuckDB functions and clauses whose values differ from one run to the next: a transaction whose
 * statements used one is not replayed (its rows would not be the ones its session already read).
 * Tested on the SQL with its string literals and quoted names blanked out.
 */
const NON_DETERMINISTIC =
  /\b(?:random|uuid|gen_random_uuid|uuidv4|uuidv7|now|get_current_timestamp|get_current_time|transaction_timestamp|setseed)\s*\(|\bcurrent_(?:timestamp|time|date)\b|\busing\s+sample\b|\btablesample\b/i;

/**
 * True when sending `sent` again does again what it did: no value that differs from run to run,
 * and no sequence drawn from but those it creates itself (the `$ROW` numbering of inserted rows,
 * created again with the same start).
 */
export function replayable(sent: readonly { readonly sql: string }[]): boolean {
  const created = new Set<string>();
  for (const { sql } of sent) {
    for (
      const m of sql.matchAll(
        /\bCREATE\s+(?:OR\s+REPLACE\s+)?TEMP(?:ORARY)?\s+SEQUENCE\s+"([^"]+)"/gi,
      )
    ) {
      created.add(m[1]);
    }
    for (const m of sql.matchAll(/\bnextval\s*\(\s*'([^']*)'/gi)) {
      if (!created.has(m[1])) return false;
    }
    const code = sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
    if (NON_DETERMINISTIC.test(code)) return false;
  }
  return true;
}

/** Where a statement began: what a failure of it alone gives back. */
interface StatementMark {
  readonly sent: number;
  readonly sentChars: number;
  readonly undo: number;
  readonly streamReads: StreamReads;
}

/** Stream positions a transaction's statements read, by stream id (applied on COMMIT). */
export type StreamReads = Map<number, { row: number; logSeq: number }>;

/** What {@link SessionTransaction.begin} needs besides the warehouse. */
export interface TransactionHooks {
  /** Called once the transaction, holding the writer, went past a limit; `why` says which. It
   * should roll the transaction back (interrupting what it runs). */
  readonly onExpired: (why: string) => void;
  /** Moves the offsets of the streams the transaction's DML read, in its DuckDB transaction,
   * just before COMMIT. */
  readonly advanceStreams: (
    s: LaneSession,
    reads: StreamReads,
    onRollback: (undo: () => void) => void,
  ) => Promise<void>;
  /** The session's time zone now (its statements read text timestamps in it). */
  readonly timezone: () => string;
}

/** The writer lane while a transaction holds it. */
interface Holding {
  readonly held: HeldLane;
  /** Base-table sequences when the lane was taken (put back on ROLLBACK). */
  readonly sequences: SequenceMarks;
  /** Refreshes committed on the warehouse before its DuckDB transaction began. */
  readonly refreshes: number;
  readonly watch: ReturnType<typeof setInterval>;
}

/**
 * One session's open transaction. It takes the writer lane at its first write, not at BEGIN: a
 * transaction that only reads holds nobody up, and its queries read committed data on the
 * session's own lane, as any query does.
 */
export class SessionTransaction {
  /** Its id, as CURRENT_TRANSACTION() gives it: digits, like Snowflake's, and increasing. */
  readonly id = String(lastTransactionId = Math.max(lastTransactionId + 1, Date.now() * 1000));
  readonly #w: Warehouse;
  readonly #limits: IdleLimits;
  readonly #hooks: TransactionHooks;
  readonly #undo: (() => void)[] = [];
  readonly #streamReads: StreamReads = new Map();
  /** Tables its DML wrote. */
  readonly #written = new Set<number>();
  #holding: Promise<Holding> | undefined;
  #holdingNow: Holding | undefined;
  /** When the last statement ended; undefined while one runs. */
  #idleSince: number | undefined = performance.now();
  /** Its statements running now (a driver may send several at once). */
  #running = 0;
  /** A statement failed after it had written: nothing of the transaction may be committed. */
  #wroteThenFailed = false;
  /** Since when other work has waited for the writer all along, while this holds it. */
  #contendedSince: number | undefined;
  /** Idle time while other work waited for the writer, over the whole transaction. */
  #contendedIdleMs = 0;
  #lastCheck: number | undefined;
  #expired = false;
  /** Set once COMMIT or ROLLBACK began: a write still waiting for the writer gives up. */
  #ended = false;
  /** What its statements sent on the writer, in order; undefined once too large to keep. */
  #sent: Sent[] | undefined = [];
  #sentChars = 0;
  /** Where the statement running now began. */
  #mark: StatementMark | undefined;
  #markFrozen = false;

  private constructor(w: Warehouse, limits: IdleLimits, hooks: TransactionHooks) {
    this.#w = w;
    this.#limits = limits;
    this.#hooks = hooks;
  }

  /** Begins a transaction (the writer lane is taken at its first write). */
  static begin(w: Warehouse, limits: IdleLimits, hooks: TransactionHooks): SessionTransaction {
    return new SessionTransaction(w, limits, hooks);
  }

  /**
   * Keeps nothing to replay: a statement that fails rolls the whole transaction back. For a
   * statement's own transaction, which holds nothing else, a replay would only cost memory.
   */
  withoutReplay(): this {
    this.#sent = undefined;
    return this;
  }

  /** True once a write took the writer lane: queries then run on it, to see the writes. */
  get holding(): boolean {
    return this.#holdingNow !== undefined;
  }

  /** Waits for the writer lane, holds it and begins the DuckDB transaction on it (once). */
  #hold(): Promise<Holding> {
    this.#holding ??= (async () => {
      const held = await this.#w.writer.hold();
      try {
        if (this.#ended) throw new Error("the transaction has ended");
        const refreshes = this.#w.refresher.commits;
        await held.exclusive((s) => s.begin());
        // Taken once the lane is held: nobody else reserves base-table rows until it is free.
        const sequences = this.#w.baseTableSequences();
        const every = Math.max(50, Math.min(1000, this.#limits.contended / 4));
        const watch = setInterval(() => this.#checkIdle(), every);
        Deno.unrefTimer(watch);
        this.#holdingNow = { held, sequences, refreshes, watch };
        return this.#holdingNow;
      } catch (e) {
        held.release();
        throw e;
      }
    })();
    return this.#holding;
  }

  #checkIdle(): void {
    if (this.#ended || this.#expired) return;
    const now = performance.now();
    const contended = this.#w.writer.waiting > 0;
    this.#contendedSince = contended ? (this.#contendedSince ?? now) : undefined;
    // Idle time while others wait adds up over the whole transaction: a statement every few
    // seconds must not let it hold the writer for as long as it likes.
    if (contended && this.#idleSince !== undefined) {
      this.#contendedIdleMs += now - (this.#lastCheck ?? now);
    }
    this.#lastCheck = now;
    const seconds = (ms: number) => `${ms / 1000} s`;
    let why: string | undefined;
    if (this.#contendedSince !== undefined && now - this.#contendedSince > this.#limits.held) {
      why = `it held the warehouse's only writer for more than ${
        seconds(this.#limits.held)
      } while other writes (streaming commits) waited`;
    } else if (this.#contendedIdleMs > this.#limits.contended) {
      why = `it was idle for more than ${
        seconds(this.#limits.contended)
      } in all while other writes waited for it (it holds the warehouse's only writer, which streaming commits need)`;
    } else if (this.#idleSince !== undefined && now - this.#idleSince > this.#limits.alone) {
      why = `it was idle for more than ${
        seconds(this.#limits.alone)
      } (it holds the warehouse's only writer, which streaming commits need)`;
    }
    if (why === undefined) return;
    this.#expired = true;
    this.#hooks.onExpired(why);
  }

  /** The lane the transaction's statements write through. */
  readonly lane: WriteLane = {
    transaction: async (fn) => {
      const { held } = await this.#hold();
      return await held.exclusive((s) =>
        inSessionZone(s, this.#hooks.timezone(), async () => {
          const before = s.executed;
          const timezone = this.#hooks.timezone();
          s.recorder = (sql, params) => this.#keep({ sql, params: params?.slice(), timezone });
          try {
            return await s.transaction(fn);
          } catch (e) {
            // It failed after it wrote something (a multi-table INSERT's later clause, say):
            // what it wrote must go, which only a replay (recover) can do without the rest.
            if (s.executed > before) this.#wroteThenFailed = true;
            throw e;
          } finally {
            s.recorder = undefined;
          }
        })
      );
    },
    onRollback: (undo) => {
      this.#undo.push(undo);
    },
    deferStreams: (reads) => {
      for (const [id, end] of reads) this.#streamReads.set(id, end);
    },
    wrote: (id) => {
      this.#written.add(id);
    },
  };

  /**
   * True when a query reading `objects` (undefined: not known) must run on the transaction's
   * connection to see its writes: it reads a table the transaction wrote, or a view or stream,
   * which may read one. Any other query runs on the session's own lane, where a failure cannot
   * cost the transaction (DuckDB aborts a transaction in which any statement fails).
   */
  readsOwnWrites(objects: Iterable<{ id: number; kind: string }> | undefined): boolean {
    if (!this.holding) return false;
    if (!objects) return true;
    for (const o of objects) {
      if (o.kind === "VIEW" || o.kind === "STREAM" || this.#written.has(o.id)) return true;
    }
    return false;
  }

  /**
   * Runs `fn` on the transaction's connection, where its writes are visible. Only once it
   * {@link holding}: before its first write, queries read on the session's own lane.
   */
  async run<T>(fn: (s: LaneSession) => Promise<T>): Promise<T> {
    const { held } = await this.#hold();
    return await held.exclusive(fn);
  }

  #keep(sent: Sent): void {
    if (!this.#sent) return;
    this.#sentChars += sent.sql.length;
    for (const p of sent.params ?? []) this.#sentChars += typeof p === "string" ? p.length : 8;
    if (this.#sentChars > MAX_REPLAY_CHARS) this.#sent = undefined;
    else this.#sent.push(sent);
  }

  /**
   * Keeps the mark where it is until {@link thawMark}: the statements that run meanwhile are parts
   * of one (an INSERT with an array of binds, sent in several), which fails or stands as a whole.
   */
  freezeMark(): void {
    this.#markFrozen = true;
  }

  /** Ends {@link freezeMark}. */
  thawMark(): void {
    this.#markFrozen = false;
  }

  /** A statement of the transaction starts: it is not idle. */
  busy(): void {
    if (this.#running === 0 && !this.#markFrozen) {
      this.#mark = {
        sent: this.#sent?.length ?? 0,
        sentChars: this.#sentChars,
        undo: this.#undo.length,
        streamReads: new Map(this.#streamReads),
      };
    }
    this.#running++;
    this.#idleSince = undefined;
  }

  /** A statement of the transaction ended: once none runs, the idle limit counts from now. */
  idle(): void {
    this.#running = Math.max(0, this.#running - 1);
    if (!this.#ended && this.#running === 0) this.#idleSince = performance.now();
  }

  /**
   * True when a statement's failure left the DuckDB transaction unusable (a failure that DuckDB
   * caught before running anything, such as an unknown column, leaves it open).
   */
  async failedFor(): Promise<boolean> {
    if (this.#ended || this.#wroteThenFailed) return true;
    const h = this.#holdingNow;
    if (!h) return false;
    try {
      await h.held.exclusive((s) => s.run("SELECT 1"));
      return false;
    } catch (e) {
      return isAbortedTransaction(e);
    }
  }

  /**
   * After the statement running now failed and {@link failedFor} says the transaction cannot go
   * on as it is: rolls back what that statement did, and only that (see the module doc). False
   * when that cannot be done; the caller then rolls back the whole transaction.
   */
  async recover(): Promise<boolean> {
    const h = this.#holdingNow;
    const mark = this.#mark;
    const sent = this.#sent;
    if (this.#ended || this.#expired || !h || !mark || !sent || this.#running !== 1) return false;
    // A replay begins a new DuckDB transaction, which sees what committed since the first one
    // began. Only the refresher writes while this holds the writer: after a refresh, a statement
    // that read a dynamic table would not read what it read.
    if (this.#w.refresher.commits !== h.refreshes) return false;
    const replay = sent.slice(0, mark.sent);
    if (!replayable(replay)) return false;
    try {
      await h.held.exclusive(async (s) => {
        await s.rollback();
        await s.begin();
        for (const x of replay) {
          await s.run(`SET TimeZone = '${x.timezone.replaceAll("'", "''")}'`);
          await s.run(x.sql, x.params);
        }
        await s.run("RESET TimeZone");
      });
    } catch {
      return false;
    }
    sent.length = mark.sent;
    this.#sentChars = mark.sentChars;
    for (const f of this.#undo.splice(mark.undo).reverse()) f();
    this.#streamReads.clear();
    for (const [id, read] of mark.streamReads) this.#streamReads.set(id, read);
    this.#wroteThenFailed = false;
    return true;
  }

  /** The writer it holds, once a hold under way is granted (or undefined: it never wrote). */
  async #heldOrPending(): Promise<Holding | undefined> {
    return this.#holdingNow ?? await this.#holding?.catch(() => undefined);
  }

  /**
   * Commits: the streams its DML read advance, then COMMIT. If that fails, everything is rolled
   * back and the error is thrown.
   */
  async commit(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const h = await this.#heldOrPending();
    try {
      if (h) {
        await h.held.exclusive(async (s) => {
          try {
            if (this.#streamReads.size) {
              await this.#hooks.advanceStreams(s, this.#streamReads, (f) => this.#undo.push(f));
            }
          } catch (e) {
            await s.rollback();
            throw e;
          }
          await s.commit();
        });
      }
    } catch (e) {
      this.#undoAll(h);
      throw e;
    } finally {
      await this.#end(h);
    }
  }

  /** Rolls back, undoing what the transaction changed in memory too. */
  async rollback(): Promise<void> {
    if (this.#ended) return;
    // A write waiting for the writer gives up rather than begin what is being rolled back.
    this.#ended = true;
    const h = await this.#heldOrPending();
    try {
      if (h) await h.held.exclusive((s) => s.rollback()).catch(() => {});
      this.#undoAll(h);
    } finally {
      await this.#end(h);
    }
  }

  #undoAll(h: Holding | undefined): void {
    for (const f of this.#undo.splice(0).reverse()) f();
    if (h) this.#w.restoreSequences(h.sequences);
  }

  async #end(h: Holding | undefined): Promise<void> {
    this.#ended = true;
    if (!h) return;
    clearInterval(h.watch);
    // A statement cut short may have left the session's zone on the writer's connection (a
    // RESET fails in an aborted transaction): the streaming commits that follow read none.
    await h.held.exclusive((s) => s.run("RESET TimeZone")).catch(() => {});
    h.held.release();
  }
}
