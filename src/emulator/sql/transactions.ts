/**
 * A session's explicit transaction (`BEGIN` … `COMMIT | ROLLBACK`), as Snowflake runs it: its
 * DML statements commit together or not at all, its queries see its own changes, others see none
 * of them until COMMIT, and a DDL statement commits it first.
 *
 * The warehouse has one writer lane (one DuckDB connection that writes tables); an open
 * transaction holds it, so streaming commits and other sessions' writes wait until it ends. So
 * that a forgotten transaction cannot stop ingest for long, one idle for longer than its limit
 * (60 s, or 10 s while other writes wait for it) is rolled back, and the session's next
 * statement says so.
 *
 * DuckDB has no statement-level rollback: a statement that fails while it runs leaves the
 * transaction unusable. That transaction is rolled back at once, and every later statement of
 * the session fails naming the one that failed, until the session says `ROLLBACK` (or `COMMIT`,
 * which fails the same way): nothing after a failure is quietly committed on its own.
 *
 * @module
 */
import type { HeldLane, LaneSession } from "../warehouse/duckdb.ts";
import type { SequenceMarks, Warehouse } from "../warehouse/warehouse.ts";
import { SqlError } from "./errors.ts";

/** Where a statement's writes go: its own transaction on the writer lane, or the session's. */
export interface WriteLane {
  /** Runs `fn` in a transaction: the statement's own, or inside the session's open one. */
  transaction<T>(fn: (s: LaneSession) => Promise<T>): Promise<T>;
  /** Undoes an in-memory change if the transaction `fn` wrote in rolls back. */
  onRollback(undo: () => void): void;
}

/** How long an open transaction may sit idle before it is rolled back (default). */
export const DEFAULT_TRANSACTION_IDLE_MS = 60_000;
/** The same while other writes (streaming commits, other sessions' DML) wait for it. */
export const DEFAULT_CONTENDED_IDLE_MS = 10_000;

/** Idle limits of {@link SessionTransaction.begin}. */
export interface IdleLimits {
  /** With nothing waiting for the writer lane. */
  readonly alone: number;
  /** While other work waits for it. */
  readonly contended: number;
}

/** The error of every statement after a transaction was rolled back for `why`. */
export function transactionAbortedError(why: string): SqlError {
  return new SqlError(
    "000603",
    "25P02",
    `Transaction rolled back: ${why}. Nothing it did was committed; run ROLLBACK to end it.`,
  );
}

/** True when a DuckDB error says the connection's transaction can no longer go on. */
function isAbortedTransaction(error: unknown): boolean {
  return /Current transaction is aborted|no longer held/i.test(
    String((error as Error | undefined)?.message ?? error),
  );
}

/** A writer lane a statement runs on alone: in-memory changes are undone if it rolls back. */
export function autocommitLane(w: Warehouse): WriteLane {
  const undo: (() => void)[] = [];
  return {
    async transaction<T>(fn: (s: LaneSession) => Promise<T>): Promise<T> {
      try {
        return await w.writer.transaction(fn);
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

/** One session's open transaction. */
export class SessionTransaction {
  /** Its id, as CURRENT_TRANSACTION() gives it: digits, like Snowflake's, and increasing. */
  readonly id = String(lastTransactionId = Math.max(lastTransactionId + 1, Date.now() * 1000));
  readonly #w: Warehouse;
  readonly #held: HeldLane;
  readonly #sequences: SequenceMarks;
  readonly #undo: (() => void)[] = [];
  readonly #limits: IdleLimits;
  readonly #onIdle: (limitMs: number, contended: boolean) => void;
  /** When the last statement ended; undefined while one runs. */
  #idleSince: number | undefined;
  readonly #watch: ReturnType<typeof setInterval>;
  #ended = false;
  /** The writer connection's TimeZone before, put back at the end (queries set the session's). */
  readonly #zone: string;

  private constructor(
    w: Warehouse,
    held: HeldLane,
    limits: IdleLimits,
    onIdle: (limitMs: number, contended: boolean) => void,
    zone: string,
  ) {
    this.#zone = zone;
    this.#w = w;
    this.#held = held;
    // Taken once the lane is held: nobody else reserves base-table rows until it is released.
    this.#sequences = w.baseTableSequences();
    this.#limits = limits;
    this.#onIdle = onIdle;
    this.#idleSince = performance.now();
    const every = Math.max(50, Math.min(1000, limits.contended / 4));
    this.#watch = setInterval(() => this.#checkIdle(), every);
    Deno.unrefTimer(this.#watch);
  }

  /**
   * Waits for the writer lane, holds it and begins a transaction on it. `onIdle` is called once
   * the transaction has been idle for longer than its limit (it should roll it back).
   */
  static async begin(
    w: Warehouse,
    limits: IdleLimits,
    onIdle: (limitMs: number, contended: boolean) => void,
  ): Promise<SessionTransaction> {
    const held = await w.writer.hold();
    let zone: string;
    try {
      zone = String(
        (await held.exclusive((s) => s.all("SELECT current_setting('TimeZone')")))
          .rows[0][0],
      );
      await held.exclusive((s) => s.begin());
    } catch (e) {
      held.release();
      throw e;
    }
    return new SessionTransaction(w, held, limits, onIdle, zone);
  }

  #checkIdle(): void {
    if (this.#ended || this.#idleSince === undefined) return;
    const contended = this.#w.writer.waiting > 0;
    const limit = contended ? this.#limits.contended : this.#limits.alone;
    if (performance.now() - this.#idleSince > limit) {
      this.#idleSince = undefined;
      this.#onIdle(limit, contended);
    }
  }

  /** True once committed or rolled back. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The lane the transaction's statements write through. */
  readonly lane: WriteLane = {
    transaction: (fn) => this.#held.exclusive((s) => s.transaction(fn)),
    onRollback: (undo) => {
      this.#undo.push(undo);
    },
  };

  /** Runs `fn` on the transaction's connection: a query that sees the transaction's changes. */
  run<T>(fn: (s: LaneSession) => Promise<T>): Promise<T> {
    return this.#held.exclusive(fn);
  }

  /** A statement of the transaction starts: it is not idle. */
  busy(): void {
    this.#idleSince = undefined;
  }

  /** A statement of the transaction ended: the idle limit counts from now. */
  idle(): void {
    if (!this.#ended) this.#idleSince = performance.now();
  }

  /**
   * True when a statement's failure left the DuckDB transaction unusable (a failure that DuckDB
   * caught before running anything, such as an unknown column, leaves it open).
   */
  async failedFor(): Promise<boolean> {
    if (this.#ended) return true;
    try {
      await this.#held.exclusive((s) => s.run("SELECT 1"));
      return false;
    } catch (e) {
      return isAbortedTransaction(e);
    }
  }

  /** Commits; if the commit fails, everything is rolled back and the error is thrown. */
  async commit(): Promise<void> {
    if (this.#ended) return;
    this.busy();
    try {
      await this.#held.exclusive((s) => s.commit());
    } catch (e) {
      this.#undoAll();
      throw e;
    } finally {
      await this.#end();
    }
  }

  /** Rolls back, undoing what the transaction changed in memory too. */
  async rollback(): Promise<void> {
    if (this.#ended) return;
    this.busy();
    try {
      await this.#held.exclusive((s) => s.rollback()).catch(() => {});
      this.#undoAll();
    } finally {
      await this.#end();
    }
  }

  #undoAll(): void {
    for (const f of this.#undo.splice(0).reverse()) f();
    this.#w.restoreSequences(this.#sequences);
  }

  async #end(): Promise<void> {
    this.#ended = true;
    clearInterval(this.#watch);
    await this.#held.exclusive((s) => s.run(`SET TimeZone = '${this.#zone.replaceAll("'", "''")}'`))
      .catch(() => {});
    this.#held.release();
  }
}
