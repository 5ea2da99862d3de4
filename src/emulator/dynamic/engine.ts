/**
 * The local dynamic-table engine: refreshes the report chain in `warehouse.db` on each table's
 * target lag (or on demand, `ALTER DYNAMIC TABLE … REFRESH`), upstream first, and keeps a refresh
 * history shaped like Snowflake's `DYNAMIC_TABLE_REFRESH_HISTORY`.
 *
 * Scheduling: a table with a time lag is due when its last refresh's data timestamp is older than
 * the lag (times `lagScale`, so tests can run minutes in milliseconds). Due tables are refreshed
 * together with everything upstream of them at one data timestamp; DOWNSTREAM tables refresh only
 * that way. A backlog (say, a first start over a big warehouse) is worked off in chunks of raw
 * rows, each chunk one transaction through the whole chain, yielding to the event loop between
 * chunks so the emulator keeps serving.
 *
 * Stopping: {@link DynamicTableEngine.stop} cuts a refresh short at its next chunk boundary. Each
 * chunk's transaction writes the chain's tables together with the source marks (the last raw
 * rowid consumed), so what a cut-short refresh committed stays, nothing is applied twice, and the
 * next refresh simply starts at the marks. Such a refresh is recorded as CANCELLED and does NOT
 * advance the tables' data timestamp: rows committed before it are not all reflected yet.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { Logger } from "../../log.ts";
import {
  DEFINITIONS,
  DYNAMIC_TABLES,
  type DynamicTableName,
  formatTimestamp,
  META,
  parseTimestamp,
} from "./schema.ts";
import { type RefreshStats, type SourceMarks, Stages } from "./stages.ts";
import { pause } from "../../pause.ts";

/** Options of {@link DynamicTableEngine}. */
export interface DynamicEngineOptions {
  /** Multiplies every target lag (default 1): 0.01 makes "1 minute" 0.6 s. */
  lagScale?: number;
  /** How often the scheduler looks for due tables, ms (default: lag × scale ÷ 6, 50 ms–5 s). */
  tickMs?: number;
  /**
   * Raw rides per chunk, each one transaction through the chain followed by an equal pause
   * (default 2,000: short enough that appends sharing the thread wait under 100 ms).
   */
  chunkRides?: number;
  /** Clock (ms since the epoch); tests replace it. */
  now?: () => number;
  /** Where scheduled refresh failures are reported. */
  log?: Logger;
}

/** What one table's refresh did. */
export interface RefreshOutcome {
  name: DynamicTableName;
  /** CANCELLED: cut short by {@link DynamicTableEngine.stop}; its data timestamp was not reached. */
  state: "SUCCEEDED" | "FAILED" | "UPSTREAM_FAILED" | "CANCELLED";
  /** All source data committed before this time is in the table. */
  dataTimestamp: Date;
  refreshStart: Date;
  refreshEnd: Date;
  /** `INCREMENTAL` when there was input to process, else `NO_DATA`. */
  action: "INCREMENTAL" | "NO_DATA";
  trigger: "SCHEDULED" | "MANUAL";
  stats: RefreshStats;
  message?: string;
}

/** One row of the refresh history (the columns the SQL side can select). */
export interface RefreshHistoryRow {
  NAME: string;
  STATE: string;
  STATE_CODE: string | null;
  STATE_MESSAGE: string | null;
  DATA_TIMESTAMP: string;
  REFRESH_START_TIME: string;
  REFRESH_END_TIME: string | null;
  REFRESH_ACTION: string;
  REFRESH_TRIGGER: string;
  ROWS_INSERTED: number;
  ROWS_UPDATED: number;
  ROWS_DELETED: number;
  TARGET_LAG_SEC: number | null;
}

/** A dynamic table's current definition and freshness. */
export interface DynamicTableState {
  name: DynamicTableName;
  targetLag: string;
  targetLagSeconds: number | null;
  upstream: DynamicTableName[];
  /** Data timestamp of the last successful refresh, or null before the first. */
  dataTimestamp: Date | null;
}

/** Thrown when a refresh fails; carries every table's outcome. */
export class RefreshError extends Error {
  /** Outcomes, in refresh order. */
  readonly outcomes: RefreshOutcome[];
  constructor(message: string, outcomes: RefreshOutcome[], options?: ErrorOptions) {
    super(message, options);
    this.name = "RefreshError";
    this.outcomes = outcomes;
  }
}

/**
 * Thrown when the engine was stopped before a refresh reached its data timestamp (every outcome
 * is CANCELLED). Not a failure: the chunks it committed stay and the next refresh resumes.
 */
export class RefreshCancelledError extends RefreshError {
  constructor(message: string, outcomes: RefreshOutcome[]) {
    super(message, outcomes);
    this.name = "RefreshCancelledError";
  }
}

/** Committed LIFT_RIDE rows, and how many of them the report chain has consumed. */
export interface DynamicTableBacklog {
  /** Rides DAILY_VISITS (the chain's first stage) has consumed, and so the chain reflects. */
  reflectedRides: number;
  /** Rides committed to LIFT_RIDE. */
  committedRides: number;
}

const HISTORY_DAYS = 7;

/** Parses a TARGET_LAG value: `'<n> seconds|minutes|hours|days'` or `DOWNSTREAM`. */
export function parseTargetLag(text: string): { text: string; seconds: number | null } {
  const t = text.trim().replace(/^'(.*)'$/, "$1").trim();
  if (/^downstream$/i.test(t)) return { text: "DOWNSTREAM", seconds: null };
  const m = t.match(/^(\d+)\s*(seconds?|minutes?|hours?|days?)$/i);
  if (!m) throw new Error(`invalid TARGET_LAG ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const unit = m[2].toLowerCase().replace(/s$/, "");
  const seconds = n * { second: 1, minute: 60, hour: 3600, day: 86400 }[unit]!;
  if (seconds < 60) throw new Error("TARGET_LAG must be at least 1 minute");
  return { text: `${n} ${unit}${n === 1 ? "" : "s"}`, seconds };
}

/**
 * Every dynamic table's definition and data timestamp, upstream first, read from the warehouse
 * (works on any connection to `warehouse.db`, also a read-only one in another process).
 */
export function dynamicTableStates(db: DatabaseSync): DynamicTableState[] {
  const rows = db.prepare(
    `SELECT NAME, TARGET_LAG, TARGET_LAG_SECONDS, UPSTREAM, DATA_TIMESTAMP FROM ${META.definitions}`,
  ).all() as {
    NAME: DynamicTableName;
    TARGET_LAG: string;
    TARGET_LAG_SECONDS: number | null;
    UPSTREAM: string;
    DATA_TIMESTAMP: string | null;
  }[];
  const byName = new Map(rows.map((r) => [r.NAME, r]));
  return DYNAMIC_TABLES.filter((n) => byName.has(n)).map((n) => {
    const r = byName.get(n)!;
    return {
      name: n,
      targetLag: r.TARGET_LAG,
      targetLagSeconds: r.TARGET_LAG_SECONDS === null ? null : Number(r.TARGET_LAG_SECONDS),
      upstream: JSON.parse(r.UPSTREAM),
      dataTimestamp: r.DATA_TIMESTAMP ? new Date(parseTimestamp(r.DATA_TIMESTAMP)) : null,
    };
  });
}

/** The newest `limit` refresh-history rows of `db` (of table `name` only, if given), newest first. */
export function dynamicTableHistory(
  db: DatabaseSync,
  limit: number,
  name?: string,
): RefreshHistoryRow[] {
  const where = name ? "WHERE NAME = ?" : "";
  const stmt = db.prepare(
    `SELECT NAME, STATE, STATE_CODE, STATE_MESSAGE, DATA_TIMESTAMP, REFRESH_START_TIME,
       REFRESH_END_TIME, REFRESH_ACTION, REFRESH_TRIGGER, ROWS_INSERTED, ROWS_UPDATED,
       ROWS_DELETED, TARGET_LAG_SEC
     FROM ${META.history} ${where} ORDER BY ID DESC LIMIT ?`,
  );
  const rows = name ? stmt.all(name, limit) : stmt.all(limit);
  return rows as unknown as RefreshHistoryRow[];
}

/**
 * How far the report chain is behind LIFT_RIDE, cheaply enough to ask every second, on any
 * connection to `warehouse.db` (also a read-only one in another process).
 *
 * Exact without counting: raw tables are insert-only, never deleted from and never given explicit
 * rowids, and have no AUTOINCREMENT, so SQLite numbers their rows 1…N (a rolled-back insert frees
 * its rowids again). Hence `max(rowid)`, one b-tree descent, is the number of committed rides,
 * and the chain's source mark for LIFT_RIDE (the last rowid a committed refresh chunk consumed)
 * is the number it reflects. The mark is read before the head, so reflected ≤ committed even
 * while a refresh or a commit runs in between.
 *
 * "Reflected" means consumed by DAILY_VISITS; every table below it is brought level in the same
 * chunk transaction whenever it is part of the refresh, which the scheduler's always are. (A
 * manual `ALTER … REFRESH` of an upstream table alone leaves its downstream tables' groups pending
 * until their own next refresh.)
 */
export function dynamicTableBacklog(db: DatabaseSync): DynamicTableBacklog {
  const mark = db.prepare(`SELECT LAST_ROWID AS m FROM ${META.marks} WHERE SOURCE = 'LIFT_RIDE'`)
    .get() as { m: number | bigint } | undefined;
  const head = db.prepare("SELECT coalesce(max(rowid), 0) AS m FROM LIFT_RIDE").get() as {
    m: number | bigint;
  };
  return { reflectedRides: Number(mark?.m ?? 0), committedRides: Number(head.m) };
}

/** Refreshes the report chain of one warehouse connection. */
export class DynamicTableEngine {
  readonly #db: DatabaseSync;
  readonly #stages: Stages;
  readonly #lagScale: number;
  readonly #tickMs: number | undefined;
  readonly #chunkRides: number;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #busy = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Aborted by {@link stop}: refreshes end at their next chunk boundary. */
  readonly #stopping = new AbortController();
  #runs = 0;

  /** Opens the engine on `db`, whose schema {@link ensureSchema} must have created. */
  constructor(db: DatabaseSync, options: DynamicEngineOptions = {}) {
    this.#db = db;
    this.#stages = new Stages(db);
    this.#lagScale = options.lagScale ?? 1;
    if (!(this.#lagScale > 0)) throw new Error("lagScale must be greater than 0");
    this.#tickMs = options.tickMs;
    this.#chunkRides = options.chunkRides ?? 2_000;
    this.#now = options.now ?? Date.now;
    this.#log = options.log;
  }

  /** Every table's definition and data timestamp, upstream first. */
  tables(): DynamicTableState[] {
    return dynamicTableStates(this.#db);
  }

  /** Changes a table's target lag (`'5 minutes'`, `DOWNSTREAM`): `ALTER … SET TARGET_LAG`. */
  setTargetLag(name: DynamicTableName, lag: string): void {
    const parsed = parseTargetLag(lag);
    this.#db.prepare(
      `UPDATE ${META.definitions} SET TARGET_LAG = ?, TARGET_LAG_SECONDS = ? WHERE NAME = ?`,
    ).run(parsed.text, parsed.seconds, name);
  }

  /** Refresh history, newest first; of one table when `name` is given. */
  history(name?: DynamicTableName, limit = 100): RefreshHistoryRow[] {
    return dynamicTableHistory(this.#db, limit, name);
  }

  /**
   * Refreshes `name` and, first, every dynamic table it reads (ALTER DYNAMIC TABLE … REFRESH).
   * Resolves with each table's outcome; rejects with {@link RefreshError} when one failed, and
   * with {@link RefreshCancelledError} when {@link stop} cut it short.
   */
  refresh(
    name: DynamicTableName,
    trigger: "MANUAL" | "SCHEDULED" = "MANUAL",
  ): Promise<RefreshOutcome[]> {
    return this.#enqueue(() => this.#run(new Set([name]), trigger));
  }

  /** Refreshes the whole chain. */
  refreshAll(trigger: "MANUAL" | "SCHEDULED" = "MANUAL"): Promise<RefreshOutcome[]> {
    return this.#enqueue(() => this.#run(new Set(DYNAMIC_TABLES), trigger));
  }

  /** Starts refreshing tables when their target lag says so. */
  start(): void {
    if (this.#timer !== undefined || this.#stopping.signal.aborted) return;
    const lags = DEFINITIONS.flatMap((d) => d.targetLagSeconds ?? []);
    const tick = this.#tickMs ??
      Math.min(5000, Math.max(50, (Math.min(...lags) * 1000 * this.#lagScale) / 6));
    this.#timer = setInterval(() => this.#tick(), tick);
  }

  /**
   * How many committed rides the chain reflects, of how many are committed (see
   * {@link dynamicTableBacklog}).
   */
  backlog(): DynamicTableBacklog {
    return dynamicTableBacklog(this.#db);
  }

  /**
   * Stops the scheduler and cuts a refresh in progress short at its next chunk boundary (at most
   * one chunk away: the chunk running now ends, the pause after it does not happen), then waits
   * for it to record its outcome. Refreshes asked for afterwards are cancelled before they start.
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running.catch(() => {});
  }

  /** Tables whose target lag has passed since their last data timestamp. */
  dueTables(now = this.#now()): DynamicTableName[] {
    return this.tables().filter((t) =>
      t.targetLagSeconds !== null &&
      (t.dataTimestamp === null ||
        now - t.dataTimestamp.getTime() >= t.targetLagSeconds * 1000 * this.#lagScale)
    ).map((t) => t.name);
  }

  #tick(): void {
    if (this.#busy || this.#stopping.signal.aborted) return;
    const due = this.dueTables();
    if (due.length === 0) return;
    this.#enqueue(() => this.#run(new Set(due), "SCHEDULED")).catch((e) => {
      if (e instanceof RefreshCancelledError) {
        this.#log?.info("dynamic table refresh cut short by stop; the next start resumes it", {
          ...this.backlog(),
        });
      } else {
        this.#log?.warn("scheduled dynamic table refresh failed", { error: e });
      }
    });
  }

  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#running.catch(() => {}).then(async () => {
      this.#busy = true;
      try {
        return await job();
      } finally {
        this.#busy = false;
      }
    });
    this.#running = next;
    return next;
  }

  /** `names` and everything upstream of them, upstream first. */
  #closure(names: Set<DynamicTableName>): DynamicTableName[] {
    const upstream = new Map(this.tables().map((t) => [t.name, t.upstream]));
    const want = new Set<DynamicTableName>();
    const visit = (n: DynamicTableName) => {
      if (want.has(n)) return;
      want.add(n);
      for (const u of upstream.get(n) ?? []) visit(u);
    };
    for (const n of names) visit(n);
    return DYNAMIC_TABLES.filter((n) => want.has(n));
  }

  async #run(
    names: Set<DynamicTableName>,
    trigger: "MANUAL" | "SCHEDULED",
  ): Promise<RefreshOutcome[]> {
    const order = this.#closure(names);
    const dataTimestamp = new Date(this.#now());
    const starts = new Map<DynamicTableName, Date>();
    const stats = new Map<DynamicTableName, RefreshStats>(
      order.map((n) => [n, { inserted: 0, updated: 0, deleted: 0 }]),
    );
    const inputs = new Map<DynamicTableName, number>(order.map((n) => [n, 0]));
    const pendingCount = this.#db.prepare(
      `SELECT count(*) AS n FROM ${META.pending} WHERE TARGET = ?`,
    );
    // Rows committed after this point wait for the next refresh: that is what the data
    // timestamp promises.
    const heads = this.#stages.heads();
    const stopping = this.#stopping.signal;
    let failure: { name: DynamicTableName; error: Error } | undefined;
    let cancelled = false;
    for (;;) {
      // A chunk boundary: everything before it is committed with its marks, so a stop here loses
      // nothing and the next refresh starts where this one ended.
      if (stopping.aborted) {
        cancelled = true;
        break;
      }
      const chunkStarted = performance.now();
      const from = this.#stages.marks();
      const to: SourceMarks = {
        LIFT_RIDE: Math.min(heads.LIFT_RIDE, from.LIFT_RIDE + this.#chunkRides),
        RESORT_TICKET: heads.RESORT_TICKET,
        SEASON_PASS: heads.SEASON_PASS,
      };
      let current: DynamicTableName | undefined;
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        for (const name of order) {
          current = name;
          if (!starts.has(name)) starts.set(name, new Date(this.#now()));
          let s: RefreshStats;
          if (name === "DAILY_VISITS") {
            inputs.set(
              name,
              inputs.get(name)! + (to.LIFT_RIDE - from.LIFT_RIDE) +
                (to.RESORT_TICKET - from.RESORT_TICKET) + (to.SEASON_PASS - from.SEASON_PASS),
            );
            s = this.#stages.refreshVisits(from, to);
          } else {
            inputs.set(
              name,
              inputs.get(name)! + Number((pendingCount.get(name) as { n: number }).n),
            );
            s = this.#stages.refreshGroups(name);
          }
          const acc = stats.get(name)!;
          acc.inserted += s.inserted;
          acc.updated += s.updated;
          acc.deleted += s.deleted;
        }
        this.#db.exec("COMMIT");
      } catch (e) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        failure = { name: current!, error: e as Error };
        break;
      }
      // Marks are per chunk; a table outside `order` never consumes raw rows (only DAILY_VISITS
      // does, and every table has it upstream), so one loop condition serves all.
      if (!order.includes("DAILY_VISITS") || to.LIFT_RIDE >= heads.LIFT_RIDE) break;
      // The engine shares its thread with the streaming endpoints: after each chunk it steps
      // aside for as long as the chunk took, so a refresh never holds more than about half the
      // thread and appends and commits keep flowing between chunks.
      await pause(Math.min(100, performance.now() - chunkStarted), stopping);
    }
    const end = new Date(this.#now());
    const reflected = cancelled ? this.#stages.marks().LIFT_RIDE : heads.LIFT_RIDE;
    const outcomes: RefreshOutcome[] = [];
    let failed = false;
    for (const name of order) {
      let state: RefreshOutcome["state"] = "SUCCEEDED";
      let message: string | undefined;
      if (cancelled) {
        state = "CANCELLED";
        message = "cut short at a chunk boundary by the engine's stop: the rows it committed " +
          `stay (${reflected} of ${heads.LIFT_RIDE} rides reflected), the next refresh resumes ` +
          "from there";
      } else if (failure && failure.name === name) {
        state = "FAILED";
        message = failure.error.message;
        failed = true;
      } else if (failed) {
        state = "UPSTREAM_FAILED";
        message = `upstream ${failure!.name} failed`;
      } else if (failure) {
        // Its work shared the failed transaction, so it was rolled back too.
        state = "FAILED";
        message = `rolled back with ${failure.name}: ${failure.error.message}`;
      }
      outcomes.push({
        name,
        state,
        dataTimestamp,
        refreshStart: starts.get(name) ?? end,
        refreshEnd: end,
        action: inputs.get(name)! > 0 ? "INCREMENTAL" : "NO_DATA",
        trigger,
        stats: stats.get(name)!,
        message,
      });
    }
    this.#record(outcomes);
    if (cancelled) {
      throw new RefreshCancelledError(
        `refresh of dynamic table ${order.at(-1)} cancelled: the engine stopped ` +
          `(${reflected} of ${heads.LIFT_RIDE} rides reflected; the next refresh resumes)`,
        outcomes,
      );
    }
    if (failure) {
      throw new RefreshError(
        `refresh of dynamic table ${failure.name} failed: ${failure.error.message}`,
        outcomes,
        { cause: failure.error },
      );
    }
    return outcomes;
  }

  #record(outcomes: readonly RefreshOutcome[]): void {
    const lags = new Map(this.tables().map((t) => [t.name, t.targetLagSeconds]));
    const insert = this.#db.prepare(
      `INSERT INTO ${META.history} (NAME, STATE, STATE_CODE, STATE_MESSAGE, DATA_TIMESTAMP,
         REFRESH_START_TIME, REFRESH_END_TIME, REFRESH_ACTION, REFRESH_TRIGGER, ROWS_INSERTED,
         ROWS_UPDATED, ROWS_DELETED, TARGET_LAG_SEC)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const fresh = this.#db.prepare(
      `UPDATE ${META.definitions} SET DATA_TIMESTAMP = ? WHERE NAME = ?`,
    );
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const o of outcomes) {
        insert.run(
          o.name,
          o.state,
          o.state === "SUCCEEDED" ? "SUCCESS" : o.state,
          o.message ?? null,
          formatTimestamp(o.dataTimestamp),
          formatTimestamp(o.refreshStart),
          formatTimestamp(o.refreshEnd),
          o.action,
          o.trigger,
          o.stats.inserted,
          o.stats.updated,
          o.stats.deleted,
          lags.get(o.name) ?? null,
        );
        if (o.state === "SUCCEEDED") fresh.run(formatTimestamp(o.dataTimestamp), o.name);
      }
      if (++this.#runs % 100 === 1) {
        const cutoff = formatTimestamp(this.#now() - HISTORY_DAYS * 86_400_000);
        this.#db.prepare(`DELETE FROM ${META.history} WHERE DATA_TIMESTAMP < ?`).run(cutoff);
      }
      this.#db.exec("COMMIT");
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw e;
    }
  }
}
