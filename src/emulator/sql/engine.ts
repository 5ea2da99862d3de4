/**
 * The emulator's SQL engine: one statement in, one result out. It parses the statement, sends it
 * to the handler of its kind (queries on the session's reader lane, DML and DDL on the writer
 * lane), stores the result for chunked fetching and RESULT_SCAN, and maps DuckDB's errors onto
 * Snowflake's codes.
 *
 * @module
 */
import type { Logger } from "../../log.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import type { CatalogObject } from "../warehouse/catalog.ts";
import { forgetWork, type LaneSession, laneWork } from "../warehouse/duckdb.ts";
import { identName, type Node, objectNameParts, payload, variant } from "./ast.ts";
import { SQL_ERRORS, SqlError } from "./errors.ts";
import {
  ensureSqlParser,
  parseQuerySync,
  parseStatement,
  type SqlMeta,
  type Statement,
} from "./parser.ts";
import { splitStatements } from "./lexer.ts";
import {
  type Outcome,
  type SessionState,
  STATEMENT_TYPE,
  type StatementContext,
  status,
} from "./context.ts";
import { ResultStore, SESSION_RESULTS, type StoredResult } from "./results.ts";
import type { BindValue, SessionContext } from "./translate/context.ts";
import { translateQuery } from "./translate/run.ts";
import { qi } from "./translate/quote.ts";
import { rewriteIdentifiers, setAssignments } from "./variables.ts";
import { queryTypeOf } from "./query_history.ts";
import { RECURSION_EXCEEDED, ValuesNeeded } from "./translate/translator.ts";
import {
  alterTable,
  applyStreamReads,
  commentOn,
  createDatabaseOrSchema,
  createFunction,
  createPipe,
  createSequence,
  createStream,
  createTable,
  createView,
  drop,
  setTableProperties,
} from "./statements/ddl.ts";
import { deleteRows, insert, merge, truncate, update } from "./statements/dml.ts";
import { describe, show } from "./statements/show.ts";
import type { DynamicTables } from "../dynamic/service.ts";
import { sfTypeOfDuck } from "../warehouse/types.ts";
import {
  autocommitLane,
  DEFAULT_CONTENDED_HOLD_MS,
  DEFAULT_CONTENDED_IDLE_MS,
  DEFAULT_TRANSACTION_IDLE_MS,
  inSessionZone,
  SessionTransaction,
  statementRolledBackError,
  transactionAbortedError,
  type WriteLane,
} from "./transactions.ts";

/** What a statement returned. */
export interface ExecutedStatement {
  readonly queryId: string;
  readonly result: StoredResult;
  readonly statementTypeId: number;
}

/** Settings of {@link SqlEngine}. */
export interface SqlEngineOptions {
  readonly warehouse: Warehouse;
  readonly dynamic: DynamicTables;
  readonly log: Logger;
  /** Called after a pipe is created or dropped. */
  readonly pipesChanged?: () => void;
  /** How long an open transaction may sit idle before it is rolled back (default 60 s). */
  readonly transactionIdleMs?: number;
  /** The same while other writes wait for it (default 10 s, at most `transactionIdleMs`). */
  readonly transactionContendedIdleMs?: number;
  /** How long a transaction may hold the writer, busy or not, while other writes wait all along
   * (default 60 s). */
  readonly transactionContendedHoldMs?: number;
}

/** How much one statement may make DuckDB spill to disk before it is cancelled. */
const SPILL_LIMIT_BYTES = 512 * 1048576;

/** sqlparser statements that create, replace, alter or drop catalog objects. */
const CATALOG_STATEMENTS = new Set([
  "CreateTable",
  "CreateView",
  "CreateDatabase",
  "CreateSchema",
  "AlterTable",
  "Drop",
]);

/**
 * sqlparser statements that run inside a session's open transaction; any other statement (DDL)
 * commits it first, as in Snowflake.
 */
const TRANSACTION_STATEMENTS = new Set([
  "Query",
  "Insert",
  "Update",
  "Delete",
  "Merge",
  "Truncate",
  "StartTransaction",
  "Commit",
  "Rollback",
  "Set",
  "AlterSession",
  "Use",
  "ExplainTable",
  "Explain",
]);

/** True for a statement that runs inside an open transaction rather than committing it first. */
function runsInTransaction(stmt: Statement): boolean {
  if (stmt.kind === "sql") return TRANSACTION_STATEMENTS.has(variant(stmt.ast));
  return stmt.kind === "describe" || stmt.kind === "show" || stmt.kind === "use" ||
    stmt.kind === "unset";
}

/**
 * A Snowflake Scripting block (`BEGIN <statement> … END`, `DECLARE …`): one statement to
 * Snowflake, which the emulator does not run. `BEGIN`, `BEGIN TRANSACTION | WORK | NAME …` start a
 * transaction instead.
 */
function isScriptingBlock(text: string): boolean {
  return /^\s*(DECLARE\b|BEGIN\s+(?!(TRANSACTION|WORK|NAME)\b)[^\s;])/i.test(text);
}

/** The statement text of `EXECUTE IMMEDIATE '<text>' | $$<text>$$`, or undefined. */
function executeImmediateText(text: string): string | undefined {
  const m = /^\s*EXECUTE\s+IMMEDIATE\s+(?:'((?:[^'\\]|''|\\.)*)'|\$\$([\s\S]*?)\$\$)\s*;?\s*$/i
    .exec(text);
  if (!m) return undefined;
  return m[2] ?? m[1].replace(/''/g, "'").replace(/\\(.)/g, "$1");
}

/** True for the statements that start a transaction when the session's AUTOCOMMIT is off. */
function startsImplicitTransaction(stmt: Statement): boolean {
  return stmt.kind === "sql" &&
    ["Query", "Insert", "Update", "Delete", "Merge", "Truncate"].includes(variant(stmt.ast));
}

/** True for COMMIT or ROLLBACK, which end a transaction however it went. */
function endsTransaction(stmt: Statement): boolean {
  return stmt.kind === "sql" && ["Commit", "Rollback"].includes(variant(stmt.ast));
}

/** Statements longer than this (characters) are parsed and run one at a time (see execute). */
const LARGE_STATEMENT_CHARS = 128 * 1024;

/** Snowflake's largest STATEMENT_TIMEOUT_IN_SECONDS: a week. */
export const MAX_STATEMENT_TIMEOUT_SECONDS = 604_800;
/** The longest delay a timer takes (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs SQL statements for sessions. */
export class SqlEngine {
  readonly results = new ResultStore();
  readonly #o: SqlEngineOptions;
  readonly #sessions = new Map<string, SessionState>();
  /** Statements running now, by the driver's request id (or the query id). */
  readonly #running = new Map<string, { cancel(): void }>();

  private constructor(options: SqlEngineOptions) {
    this.#o = options;
  }

  /** Loads the SQL parser and returns an engine. */
  static async create(options: SqlEngineOptions): Promise<SqlEngine> {
    await ensureSqlParser();
    return new SqlEngine(options);
  }

  /** The state of session `id`, created with these names on first use. */
  session(
    id: string,
    init: {
      user: string;
      account: string;
      database: string | null;
      schema: string | null;
      warehouse: string | null;
      role: string | null;
    },
  ): SessionState {
    let s = this.#sessions.get(id);
    if (!s) {
      s = {
        id,
        ...init,
        timezone: "UTC",
        parameters: new Map(),
        queryIds: [],
        transaction: undefined,
        transactionAborted: undefined,
        variables: new Map(),
      };
      this.#sessions.set(id, s);
    }
    return s;
  }

  /** Forgets a session, drops its temporary tables and views, and closes its reader lane. */
  async endSession(id: string): Promise<void> {
    const s = this.#sessions.get(id);
    // A session that ends with a transaction open never committed it.
    await s?.transaction?.rollback().catch(() => {});
    if (s) await this.dropTemporaries(s, (o) => o.props.temporary === id);
    this.#sessions.delete(id);
    await this.#o.warehouse.closeReader(id);
  }

  /**
   * Drops the temporary tables and views `owned` picks, as their session would with DROP: a
   * session's own when it ends, and at start those of sessions a restart ended.
   */
  async dropTemporaries(
    session: SessionState,
    owned: (o: CatalogObject) => boolean,
  ): Promise<void> {
    const gone = this.#o.warehouse.catalog.objects().filter((o) =>
      o.props.temporary !== undefined && owned(o) && (o.kind === "TABLE" || o.kind === "VIEW")
    );
    for (const o of gone) {
      const name = [o.database, o.schema, o.name].map(qi).join(".");
      await this.execute(`DROP ${o.kind} IF EXISTS ${name}`, [], session).catch((e) =>
        this.#o.log.warn("could not drop a temporary object", {
          object: name,
          error: e as Error,
        })
      );
    }
  }

  /**
   * Cancels every running statement and rolls back every open transaction (the emulator stops):
   * the server's shutdown waits for the requests in flight, and a long query, or a request
   * waiting for the writer lane behind a transaction, would hold it.
   */
  async endTransactions(): Promise<void> {
    // The server's shutdown waits for the requests in flight: a long query would hold it.
    for (const running of this.#running.values()) running.cancel();
    const ending: Promise<void>[] = [];
    for (const session of this.#sessions.values()) {
      const t = session.transaction;
      if (!t) continue;
      // A statement it runs now would hold the rollback (and the shutdown) until it ends.
      if (t.holding) this.#o.warehouse.writer.interrupt();
      session.transaction = undefined;
      session.transactionAborted = "the emulator stopped";
      // All at once: one waiting for the writer behind another must not wait for its turn.
      ending.push(t.rollback().catch(() => {}));
    }
    await Promise.all(ending);
  }

  /**
   * Cancels the statement the driver sent with `requestId` (snowflake-sdk's `cancel()`), if it
   * still runs: it fails with 000604. True when one was running.
   */
  cancel(requestId: string): boolean {
    const running = this.#running.get(requestId);
    running?.cancel();
    return running !== undefined;
  }

  /** Settles when the large statement before the next one has finished (see execute). */
  #largeTurn: Promise<void> = Promise.resolve();

  /**
   * Runs one statement. Throws {@link SqlError} for anything Snowflake would refuse.
   * `requestId` is the driver's id of the request, by which it may cancel it. `part` is for
   * {@link executeAll} alone: the statement is a part of the one it runs.
   */
  async execute(
    text: string,
    binds: readonly BindValue[],
    session: SessionState,
    requestId?: string,
    part = false,
    options: StatementOptions = {},
  ): Promise<ExecutedStatement> {
    // An array-bind statement runs in a transaction of its own: nothing else of the session may
    // run inside it.
    if (!part) await this.#waitFor(() => session.statementInProgress, requestId);
    session.statementsRunning = (session.statementsRunning ?? 0) + 1;
    const pinned = part ? undefined : session.nextQueryId;
    if (pinned) session.nextQueryId = undefined;
    const start = new Date();
    const record = (
      queryId: string,
      rows: number | null,
      error?: SqlError,
      typeId?: number,
    ) =>
      this.results.history.record({
        queryType: queryTypeOf(text, typeId),
        queryTag: session.parameters.get("QUERY_TAG") ?? "",
        queryId,
        text,
        sessionId: session.id,
        user: session.user,
        role: session.role,
        warehouse: session.warehouse,
        database: session.database,
        schema: session.schema,
        start,
        end: new Date(),
        status: error ? "FAILED_WITH_ERROR" : "SUCCESS",
        errorCode: error?.code ?? null,
        errorMessage: error?.message ?? null,
        rowsProduced: rows,
      });
    try {
      const r = await this.#executeCounted(
        text,
        binds,
        session,
        requestId,
        pinned,
        options,
      );
      // A query's rows (a DML statement's count is in its one row of counts: not known here).
      record(
        r.queryId,
        r.statementTypeId === STATEMENT_TYPE.select ? r.result.rowCount : null,
        undefined,
        r.statementTypeId,
      );
      return r;
    } catch (e) {
      record(pinned ?? crypto.randomUUID(), null, mapError(e));
      throw e;
    } finally {
      session.statementsRunning--;
    }
  }

  /**
   * Waits while `busy` gives something to wait for; the driver's cancel (by `requestId`) ends the
   * wait with Snowflake's cancel error, as it would end the statement.
   */
  async #waitFor(busy: () => Promise<unknown> | undefined, requestId?: string): Promise<void> {
    let turn = busy();
    if (!turn) return;
    const key = requestId ?? crypto.randomUUID();
    let cancelled = false;
    let wake!: () => void;
    const woken = new Promise<void>((r) => wake = r);
    const entry = {
      cancel: () => {
        cancelled = true;
        wake();
      },
    };
    this.#running.set(key, entry);
    try {
      while (turn) {
        await Promise.race([turn, woken]);
        if (cancelled) throw new SqlError("000604", "57014", "SQL execution canceled");
        turn = busy();
      }
    } finally {
      if (this.#running.get(key) === entry) this.#running.delete(key);
    }
  }

  async #executeCounted(
    text: string,
    binds: readonly BindValue[],
    session: SessionState,
    requestId?: string,
    queryId: string = crypto.randomUUID(),
    options: StatementOptions = {},
  ): Promise<ExecutedStatement> {
    let why: "cancelled" | "timeout" | "spill" | undefined;
    const cancel = (reason: "cancelled" | "timeout" | "spill") => {
      why ??= reason;
      this.#o.warehouse.interruptWork(queryId);
    };
    const key = requestId ?? queryId;
    this.#running.set(key, { cancel: () => cancel("cancelled") });
    // A request's own STATEMENT_TIMEOUT_IN_SECONDS (the driver's statement parameters) comes
    // before the session's.
    const timeoutSeconds = options.timeoutSeconds ??
      Number(session.parameters.get("STATEMENT_TIMEOUT_IN_SECONDS") ?? 0);
    const timer = timeoutSeconds > 0
      ? setTimeout(() => cancel("timeout"), Math.min(timeoutSeconds * 1000, MAX_TIMER_MS))
      : undefined;
    const watchdog = this.#watchSpill(() => cancel("spill"));
    // A statement of hundreds of KB (a 150,000-item IN list) takes hundreds of MB to parse and
    // translate: such statements take turns, so that a few at once do not take gigabytes.
    const large = text.length > LARGE_STATEMENT_CHARS;
    const turn = large ? this.#largeTurn : Promise.resolve();
    let done!: () => void;
    if (large) this.#largeTurn = new Promise<void>((r) => done = r);
    session.transaction?.busy();
    const abortedBefore = session.transactionAborted;
    try {
      await turn;
      return await laneWork.run(
        queryId,
        () => this.#execute(queryId, text, binds, session, options.describeOnly ?? false),
      );
    } catch (e) {
      // Its transaction went past a limit while it ran, and was rolled back (interrupting it).
      const expired = session.transactionAborted !== abortedBefore && why === undefined;
      if (expired && session.transactionAborted) {
        throw transactionAbortedError(session.transactionAborted);
      }
      await this.#afterFailure(session, queryId);
      if (why === "timeout") {
        throw new SqlError(
          "000630",
          "57014",
          `Statement reached its statement or warehouse timeout of ${timeoutSeconds} second(s) and was canceled.`,
        );
      }
      if (why === "cancelled") throw new SqlError("000604", "57014", "SQL execution canceled");
      if (why === "spill") {
        throw new SqlError(
          "000603",
          "53100",
          `The statement needed more than ${
            SPILL_LIMIT_BYTES / 1048576
          } MB of the emulator's spill space (a result or a join larger than its memory) and was canceled.`,
        );
      }
      throw e;
    } finally {
      session.transaction?.idle();
      if (large) done();
      watchdog.stop();
      clearTimeout(timer);
      this.#running.delete(key);
      forgetWork(queryId);
    }
  }

  /**
   * After a statement of an open transaction failed: if DuckDB can no longer go on with the
   * transaction (a failure while the statement ran), what the statement did is rolled back alone;
   * where that cannot be done, the whole transaction is rolled back now, and the session's later
   * statements say so until it ends it (see `transactions.ts`).
   */
  async #afterFailure(session: SessionState, queryId: string): Promise<void> {
    const t = session.transaction;
    if (!t || !(await t.failedFor())) return;
    if (await t.recover()) return;
    await t.rollback();
    // It went past a limit meanwhile, and the session was told why (onExpired).
    if (session.transaction !== t) return;
    session.transaction = undefined;
    session.transactionAborted = `statement ${queryId} failed while it ran`;
  }

  /**
   * BEGIN: holds the writer lane for the session (a BEGIN inside a transaction does nothing).
   * Returns the transaction it began.
   */
  #begin(session: SessionState): SessionTransaction | undefined {
    if (session.transaction || session.transactionAborted) return undefined;
    const alone = this.#o.transactionIdleMs ?? DEFAULT_TRANSACTION_IDLE_MS;
    const contended = Math.min(
      alone,
      this.#o.transactionContendedIdleMs ?? DEFAULT_CONTENDED_IDLE_MS,
    );
    const w = this.#o.warehouse;
    const held = this.#o.transactionContendedHoldMs ?? DEFAULT_CONTENDED_HOLD_MS;
    const t = SessionTransaction.begin(w, { alone, contended, held }, {
      onExpired: (why) => {
        if (session.transaction !== t) return;
        session.transaction = undefined;
        session.transactionAborted = why;
        this.#o.log.warn("a transaction was rolled back", { session: session.id, why });
        // A statement it runs now holds the writer too.
        w.writer.interrupt();
        t.rollback().catch(() => {});
      },
      advanceStreams: (s, reads, onRollback) => applyStreamReads(w, s, reads, onRollback),
      timezone: () => session.timezone,
    });
    session.transaction = t;
    return t;
  }

  /** COMMIT (implicitly too, before DDL); nothing without an open transaction. */
  async #commit(session: SessionState): Promise<void> {
    const t = session.transaction;
    session.transaction = undefined;
    await t?.commit();
  }

  /** ROLLBACK; nothing without an open transaction. */
  async #rollback(session: SessionState): Promise<void> {
    const t = session.transaction;
    session.transaction = undefined;
    session.transactionAborted = undefined;
    await t?.rollback();
  }

  /**
   * Runs a statement once per set of binds (the driver's array binds) and answers as Snowflake
   * does for the one statement they make: a DML statement's counts summed. `INSERT … VALUES`
   * with one row of placeholders runs as multi-row INSERTs of up to {@link MAX_BATCH_BINDS} binds
   * each: a DuckDB statement costs milliseconds, so 100,000 rows one at a time took minutes.
   * The parts are one statement to the client: outside a transaction (AUTOCOMMIT on) a DML
   * statement's parts run in one of their own, so that they commit together or not at all.
   */
  async executeAll(
    text: string,
    sets: readonly (readonly BindValue[])[],
    session: SessionState,
    requestId?: string,
    options: StatementOptions = {},
  ): Promise<ExecutedStatement> {
    if (sets.length <= 1 || options.describeOnly) {
      return await this.execute(text, sets[0] ?? [], session, requestId, false, options);
    }
    const batched = multiRowInsert(text, sets[0].length);
    const dml = DML_STATEMENT.test(text) && !autocommitOff(session);
    // Its own transaction begins once the session's other statements are done, so that none of
    // them writes inside it.
    if (dml) {
      await this.#waitFor(
        () =>
          session.statementInProgress ??
            (session.statementsRunning ? new Promise((r) => setTimeout(r, 5)) : undefined),
        requestId,
      );
    }
    const implicit = dml && !session.transaction && !session.transactionAborted
      ? this.#begin(session)?.withoutReplay()
      : undefined;
    let finished!: () => void;
    if (implicit) session.statementInProgress = new Promise<void>((r) => finished = r);
    // One statement, sent in parts: in a transaction, a part that fails takes the earlier ones
    // with it (the mark where a failure rolls back to stays before the first part).
    let parts = 0;
    let last: ExecutedStatement | undefined;
    // The parts' counts added up, while each part answers counts of the same columns.
    let sums: number[] | undefined;
    const run = async (part: string, binds: readonly BindValue[]) => {
      // Parts of a statement with a transaction of its own skip the wait: it is theirs.
      const r = await this.execute(part, binds, session, requestId, implicit !== undefined, {
        timeoutSeconds: options.timeoutSeconds,
      });
      session.transaction?.freezeMark();
      // A part's counts are read at once and its result forgotten once the next part's exists:
      // the client sees one statement, and the parts would push the session's results out.
      const counts = isCountResult(r) && (last === undefined || (sums && sameColumns(r, last)));
      if (counts) {
        const [row] = await this.rows(r.result, 0, 1);
        sums = (sums ?? row.map(() => 0)).map((sum, i) => sum + Number(row[i]));
      } else sums = undefined;
      const previous = last;
      last = r;
      parts++;
      if (previous) await this.#forgetPart(session, previous);
    };
    try {
      if (batched) {
        // INSERT OVERWRITE replaces the table with all the rows: one statement, however long.
        const perStatement = /^\s*INSERT\s+OVERWRITE\b/i.test(text)
          ? sets.length
          : Math.max(1, Math.floor(MAX_BATCH_BINDS / sets[0].length));
        for (let from = 0; from < sets.length; from += perStatement) {
          const part = sets.slice(from, from + perStatement);
          await run(batched(part.length), part.flat());
        }
      } else {
        for (const binds of sets) await run(text, binds);
      }
      if (implicit) {
        if (session.transaction !== implicit) {
          // It went past a limit after its last part wrote, and was rolled back.
          throw transactionAbortedError(session.transactionAborted ?? "its transaction ended");
        }
        await this.#commit(session);
      }
    } catch (e) {
      // The statement failed: none of its parts answered the client.
      if (last) await this.#forgetPart(session, last).catch(() => {});
      if (implicit) {
        if (session.transaction === implicit) await this.#rollback(session);
        else if (!session.transaction) {
          // It went past a limit and was rolled back: the client never began it, so the session
          // has nothing to end, and the statement says what happened to it.
          const why = session.transactionAborted;
          session.transactionAborted = undefined;
          if (why !== undefined && e instanceof SqlError && e.sqlState === "25P02") {
            throw statementRolledBackError(why);
          }
        }
      }
      throw e;
    } finally {
      session.transaction?.thawMark();
      if (implicit) {
        session.statementInProgress = undefined;
        finished();
      }
    }
    if (parts === 1 || !sums) return last!;
    const answer = await this.#countsResult(session, text, last!, sums);
    await this.#forgetPart(session, last!);
    return answer;
  }

  /** Forgets a part's own result and query id: the client sees only the statement's. */
  async #forgetPart(session: SessionState, part: ExecutedStatement): Promise<void> {
    const i = session.queryIds.lastIndexOf(part.queryId);
    if (i >= 0) session.queryIds.splice(i, 1);
    const lane = await this.#o.warehouse.reader(session.id);
    await lane.exclusive((s) => this.results.drop(s, part.queryId));
  }

  /** Adds a statement to the session's history, which LAST_QUERY_ID reads. */
  #remember(session: SessionState, queryId: string): void {
    session.queryIds.push(queryId);
    if (session.queryIds.length > SESSION_RESULTS) session.queryIds.shift();
  }

  /**
   * Several statements in one request, as MULTI_STATEMENT_COUNT allows (`desired` statements, or
   * any number for 0): each runs in turn with its own query id and stored result, and the first
   * that fails stops the rest (what ran before it stays done, as in Snowflake). Returns the
   * parent's answer, one row "Multiple statements executed successfully.", and the children.
   */
  async executeScript(
    text: string,
    desired: number,
    session: SessionState,
    requestId?: string,
  ): Promise<{ parent: ExecutedStatement; children: ExecutedStatement[] }> {
    if (isScriptingBlock(text)) throw SQL_ERRORS.unsupported("Snowflake Scripting blocks");
    let parts: { text: string }[];
    try {
      parts = splitStatements(text);
    } catch {
      parts = [{ text }];
    }
    if (parts.length === 0) throw SQL_ERRORS.syntax("line 1 at position 0 unexpected '<EOF>'.");
    if (desired !== 0 && parts.length !== desired) {
      throw SQL_ERRORS.multipleStatements(parts.length, desired);
    }
    const children: ExecutedStatement[] = [];
    for (const part of parts) {
      const r = await this.execute(part.text, [], session, requestId);
      // The driver fetches each child's result after the whole request: later children must not
      // push the first ones out.
      this.results.touch(r.queryId);
      this.#statementTypes.set(r.queryId, r.statementTypeId);
      if (this.#statementTypes.size > 1000) {
        this.#statementTypes.delete(this.#statementTypes.keys().next().value!);
      }
      children.push(r);
    }
    const parent = await this.execute(
      "SELECT 'Multiple statements executed successfully.' AS \"multiple statement execution\"",
      [],
      session,
      requestId,
    );
    return { parent, children };
  }

  /** Statement types of the results a multi-statement request made, for fetching them later. */
  readonly #statementTypes = new Map<string, number>();

  /** The statement type of a stored result a multi-statement request made, if it is one. */
  statementTypeOf(queryId: string): number | undefined {
    return this.#statementTypes.get(queryId);
  }

  /** A statement's result of DML counts, stored for `session` as the answer to `text`. */
  async #countsResult(
    session: SessionState,
    text: string,
    last: ExecutedStatement,
    sums: number[],
  ): Promise<ExecutedStatement> {
    const queryId = crypto.randomUUID();
    const ctx = this.#context(session, queryId, text, []);
    const stored = await this.#store(ctx, {
      kind: "rows",
      columns: last.result.columns,
      rows: [sums],
      statementType: last.statementTypeId,
    });
    this.#remember(session, queryId);
    return { queryId, result: stored, statementTypeId: last.statementTypeId };
  }

  /**
   * Watches DuckDB's spill folder while a statement runs and calls
   * `exceeded` when it grew by more than {@link SPILL_LIMIT_BYTES}: DuckDB does not hold
   * in-memory results to its own spill limit, and a runaway result would fill the disk.
   */
  #watchSpill(exceeded: () => void): { stop(): void } {
    let stopped = false;
    let base: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      const now = await this.#o.warehouse.spillBytes();
      if (stopped) return;
      if (now - base! > SPILL_LIMIT_BYTES) exceeded();
      else timer = setTimeout(check, 250);
    };
    this.#o.warehouse.spillBytes().then((bytes) => {
      base = bytes;
      if (!stopped) timer = setTimeout(check, 250);
    });
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  async #execute(
    queryId: string,
    text: string,
    binds: readonly BindValue[],
    session: SessionState,
    describeOnly = false,
  ): Promise<ExecutedStatement> {
    if (isScriptingBlock(text)) throw SQL_ERRORS.unsupported("Snowflake Scripting blocks");
    // EXECUTE IMMEDIATE of one statement's text runs that statement.
    const immediate = executeImmediateText(text);
    if (immediate !== undefined) {
      return await this.#execute(queryId, immediate, binds, session, describeOnly);
    }
    const parts = (() => {
      try {
        return splitStatements(text);
      } catch {
        return [{ text, start: 0 }];
      }
    })();
    if (parts.length === 0) throw SQL_ERRORS.syntax("line 1 at position 0 unexpected '<EOF>'.");
    if (parts.length > 1) throw SQL_ERRORS.multipleStatements(parts.length);
    // IDENTIFIER('t') and IDENTIFIER($v) name objects and columns before anything reads them.
    let statementText: string;
    try {
      statementText = rewriteIdentifiers(parts[0].text, session.variables);
    } catch (e) {
      throw mapError(e);
    }
    // BEGIN [WORK | TRANSACTION] NAME x, START TRANSACTION NAME x: the name labels the
    // transaction (SHOW TRANSACTIONS), which nothing here shows.
    statementText = statementText.replace(
      /^(\s*(?:BEGIN|START)(?:\s+(?:WORK|TRANSACTION))?)\s+NAME\s+(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)(?=\s*;?\s*$)/i,
      "$1",
    );
    let ctx = this.#context(session, queryId, statementText, binds);
    let outcome: Outcome;
    for (;;) {
      try {
        const stmt = await parseStatement(statementText);
        // A description runs nothing that could change the warehouse: a query (with no row
        // read), SHOW or DESCRIBE.
        if (describeOnly && !describable(stmt)) {
          throw SQL_ERRORS.unsupported("describe-only requests for statements other than queries");
        }
        if (session.transactionAborted && !endsTransaction(stmt)) {
          throw transactionAbortedError(session.transactionAborted);
        }
        // DDL commits the open transaction first; it runs in a transaction of its own.
        if (session.transaction && !runsInTransaction(stmt)) await this.#commit(session);
        // With AUTOCOMMIT off, DML and queries outside a transaction start one.
        if (
          !session.transaction && startsImplicitTransaction(stmt) && autocommitOff(session)
        ) {
          // This statement is the transaction's first: a failure of it rolls back to here.
          this.#begin(session)?.busy();
        }
        outcome = await this.#dispatch(ctx, stmt);
        if (describeOnly && outcome.kind === "query") {
          outcome = { ...outcome, sql: `SELECT * FROM (${outcome.sql}) LIMIT 0` };
        } else if (describeOnly && outcome.kind === "rows") {
          outcome = { ...outcome, rows: [] };
        }
        break;
      } catch (e) {
        // Translations check the catalog before they change anything: a statement that needs
        // values from the warehouse (PIVOT … IN (ANY)) has done nothing yet, and runs again with
        // them. Each lookup is found once, so this ends.
        // A description of a statement with placeholders needs no values: each is a NULL.
        if (
          describeOnly && e instanceof SqlError && e.code === "002049" &&
          ctx.binds.length < MAX_DESCRIBED_BINDS
        ) {
          const nulls = [...ctx.binds, { type: "TEXT", value: null }];
          ctx = this.#context(session, queryId, statementText, nulls);
          continue;
        }
        if (e instanceof ValuesNeeded && !ctx.lookups.has(e.sql)) {
          ctx.lookups.set(
            e.sql,
            await this.#lookup(ctx, e.sql).catch((x) => {
              throw mapError(x);
            }),
          );
          continue;
        }
        throw mapError(e);
      }
    }
    // A query over a large table (COUNT(DISTINCT …) of millions of rows) may need more than the
    // everyday limit, which keeps the process small while it streams. Snowflake would run it: so
    // does the emulator, once, with more memory, given back when it ends.
    const store = () => this.#store(ctx, outcome);
    const stored = await (outcome.kind === "query"
      ? this.#o.warehouse.withMemoryRetry(
        QUERY_RETRY_MEMORY_LIMIT,
        store,
        () =>
          this.#o.log.info("query ran out of memory: running it again with more", {
            query_id: queryId,
            memory_limit: QUERY_RETRY_MEMORY_LIMIT,
          }),
      )
      : store()).catch((e) => {
        throw mapError(e);
      });
    this.#remember(session, queryId);
    return { queryId, result: stored, statementTypeId: outcome.statementType };
  }

  /** The rows of a translation's lookup query, read as the statement would read. */
  async #lookup(ctx: StatementContext, sql: string): Promise<string[]> {
    const read = async (s: LaneSession) => {
      await s.run(`SET TimeZone = '${ctx.session.timezone.replaceAll("'", "''")}'`);
      return await s.all(sql);
    };
    // In an open transaction, what the statement would read includes the transaction's changes.
    const t = ctx.session.transaction;
    const r = t?.holding
      ? await t.run((s) => inSessionZone(s, ctx.session.timezone, () => read(s)))
      : await (await this.#o.warehouse.reader(ctx.session.id)).exclusive(read);
    return r.rows.map((row) => String(row[0]));
  }

  async #store(ctx: StatementContext, outcome: Outcome): Promise<StoredResult> {
    const t = ctx.session.transaction;
    // A query that draws from a sequence (seq.NEXTVAL) writes the warehouse.
    const draws = outcome.kind === "query" &&
      [...outcome.reads ?? []].some((o) => o.kind === "SEQUENCE");
    if (outcome.kind === "query" && (draws || t?.readsOwnWrites(outcome.reads))) {
      const query = outcome;
      // Only the transaction's connection sees its changes, and a transaction cannot write both
      // the warehouse and the results database: the rows are read as text there (in the
      // session's transaction, or on the writer lane in one of their own) and stored here.
      const names = query.columns.map((_, i) => qi(`c${i}`));
      const read = (s: LaneSession) =>
        inSessionZone(s, ctx.session.timezone, () =>
          s.all(
            `SELECT ${
              names.map((n) => `CAST(${n} AS VARCHAR)`).join(", ")
            } FROM (${query.sql}) AS "q"(${names.join(", ")})`,
          ));
      const text = t ? await t.run(read) : await this.#o.warehouse.writer.transaction(read);
      outcome = {
        kind: "rows",
        columns: query.columns,
        rows: text.rows,
        statementType: query.statementType,
        asText: true,
      };
    }
    const lane = await this.#o.warehouse.reader(ctx.session.id);
    return await lane.exclusive(async (s) => {
      await s.run(`SET TimeZone = '${ctx.session.timezone.replaceAll("'", "''")}'`);
      if (outcome.kind === "query") {
        return await this.results.fromQuery(
          s,
          ctx.queryId,
          { user: ctx.session.user, session: ctx.session.id },
          outcome.sql,
          outcome.columns,
        );
      }
      return await this.results.fromRows(
        s,
        ctx.queryId,
        { user: ctx.session.user, session: ctx.session.id },
        outcome.columns,
        outcome.rows,
        outcome.asText,
      );
    });
  }

  /** Rows `[from, to)` of a stored result, encoded for the wire. */
  async rows(result: StoredResult, from: number, to: number): Promise<(string | null)[][]> {
    const lane = await this.#o.warehouse.reader("results");
    return await lane.exclusive((s) => this.results.read(s, result, from, to));
  }

  /** The warehouse's catalog. */
  get catalog(): Warehouse["catalog"] {
    return this.#o.warehouse.catalog;
  }

  #context(
    session: SessionState,
    queryId: string,
    text: string,
    binds: readonly BindValue[],
  ): StatementContext {
    const sessionContext: SessionContext = {
      get database() {
        return session.database ?? "";
      },
      get schema() {
        return session.schema ?? "";
      },
      user: session.user,
      get role() {
        return session.role;
      },
      get warehouse() {
        return session.warehouse;
      },
      account: session.account,
      get timezone() {
        return session.timezone;
      },
      parameters: session.parameters,
      variables: session.variables,
      get transactionId() {
        return session.transaction?.id ?? null;
      },
      sessionId: session.id,
      lastQueryId(n: number) {
        const ids = session.queryIds;
        if (n < 0) return ids[ids.length + n] ?? null;
        return ids[n - 1] ?? null;
      },
    };
    const autocommit = autocommitLane(this.#o.warehouse, () => session.timezone);
    let writer: WriteLane | undefined;
    return {
      warehouse: this.#o.warehouse,
      results: this.results,
      session,
      queryId,
      text,
      binds,
      services: { dynamic: this.#o.dynamic, pipesChanged: this.#o.pipesChanged },
      // Taken at its first use (after BEGIN or AUTOCOMMIT's implicit one) and kept: a transaction
      // that ends while the statement runs must not let the rest of it commit on its own.
      get writer() {
        return writer ??= session.transaction?.lane ?? autocommit;
      },
      log: this.#o.log,
      sessionContext: sessionContext as SessionContext,
      parseQuery: parseQuerySync,
      lookups: new Map(),
    };
  }

  /**
   * Runs statements that change the catalog one at a time, and never during a refresh (see
   * `Warehouse.catalogTurn`): a definition resolved while another session replaces one of its
   * inputs would otherwise bind to the object being dropped.
   */
  #ddl<T>(fn: () => Promise<T>): Promise<T> {
    return this.#o.warehouse.catalogTurn(async () => {
      try {
        return await fn();
      } catch (e) {
        // The transaction rolled back in DuckDB; the catalog in memory follows it.
        await this.#o.warehouse.resync().catch(() => {});
        throw e;
      }
    });
  }

  async #dispatch(ctx: StatementContext, stmt: Statement): Promise<Outcome> {
    const refresh = stmt.kind === "alterDynamicTable" && stmt.action.kind === "refresh";
    const changesCatalog = stmt.kind === "sql"
      ? CATALOG_STATEMENTS.has(variant(stmt.ast))
      : stmt.kind !== "describe" && stmt.kind !== "show" && stmt.kind !== "use" &&
        stmt.kind !== "accepted" && stmt.kind !== "unset" && !refresh;
    if (changesCatalog) return await this.#ddl(() => this.#dispatchNow(ctx, stmt));
    // A refresh reads the catalog: not while a statement changes it.
    if (refresh) return await this.#o.warehouse.catalogTurn(() => this.#dispatchNow(ctx, stmt));
    return await this.#dispatchNow(ctx, stmt);
  }

  async #dispatchNow(ctx: StatementContext, stmt: Statement): Promise<Outcome> {
    switch (stmt.kind) {
      case "sql":
        // Positions in the tree are those of the text the SQL parser read (see `rewrite`).
        if (stmt.meta?.source !== undefined) ctx.source = stmt.meta.source;
        return await this.#sql(ctx, stmt.ast, stmt.meta);
      case "createDynamicTable":
        return await ctx.services.dynamic.create(ctx, stmt);
      case "alterDynamicTable":
        return await ctx.services.dynamic.alter(ctx, stmt);
      case "createPipe":
        return await createPipe(ctx, stmt);
      case "createStream":
        return await createStream(ctx, stmt);
      case "createSequence":
        return await createSequence(ctx, stmt);
      case "createFunction":
        return await createFunction(ctx, stmt);
      case "drop":
        return await drop(ctx, stmt.objectKind, [stmt.name], stmt.ifExists);
      case "describe":
        return await describe(ctx, stmt);
      case "show":
        return await show(ctx, stmt);
      case "use":
        return this.#use(ctx, stmt);
      case "unset":
        for (const name of stmt.names) ctx.session.variables.delete(name);
        return status("Statement executed successfully.", STATEMENT_TYPE.session);
      case "comment":
        return await commentOn(ctx, stmt);
      case "tableProperties":
        return await setTableProperties(ctx, stmt);
      case "createSchema": {
        // OR REPLACE drops the schema and what is in it first; TRANSIENT is an ordinary schema.
        if (stmt.orReplace) await drop(ctx, "SCHEMA", [stmt.name], true);
        const name = stmt.name.map((p) => qi(p)).join(".");
        const plain = await parseStatement(
          `CREATE SCHEMA ${stmt.ifNotExists && !stmt.orReplace ? "IF NOT EXISTS " : ""}${name}`,
        );
        if (plain.kind !== "sql") throw SQL_ERRORS.syntax("in CREATE SCHEMA.");
        return await createDatabaseOrSchema(ctx, plain.ast);
      }
      case "accepted":
        return status("Statement executed successfully.");
    }
  }

  #use(ctx: StatementContext, stmt: Extract<Statement, { kind: "use" }>): Outcome {
    const s = ctx.session;
    const c = ctx.warehouse.catalog;
    const name = stmt.name;
    switch (stmt.objectKind) {
      case "DATABASE":
        if (!c.hasDatabase(name[0])) throw SQL_ERRORS.doesNotExist(name[0], "Database");
        s.database = name[0];
        s.schema = c.hasSchema(name[0], "PUBLIC") ? "PUBLIC" : null;
        break;
      case "SCHEMA":
      case "SCHEMA?": {
        const db = name.length > 1 ? name[0] : s.database;
        const schema = name.at(-1)!;
        if (
          stmt.objectKind === "SCHEMA?" && name.length === 1 && c.hasDatabase(schema) &&
          !(db && c.hasSchema(db, schema))
        ) {
          s.database = schema;
          s.schema = c.hasSchema(schema, "PUBLIC") ? "PUBLIC" : null;
          break;
        }
        if (!db || !c.hasSchema(db, schema)) {
          throw SQL_ERRORS.doesNotExist(`${db}.${schema}`, "Schema");
        }
        s.database = db;
        s.schema = schema;
        break;
      }
      case "WAREHOUSE":
        s.warehouse = name[0];
        break;
      case "ROLE":
        s.role = name[0];
        break;
    }
    return status("Statement executed successfully.", STATEMENT_TYPE.session);
  }

  async #sql(ctx: StatementContext, ast: Node, meta?: SqlMeta): Promise<Outcome> {
    const v = variant(ast);
    switch (v) {
      case "Query": {
        const q = translateQuery(ctx, ast.Query, { lane: "reader" });
        return {
          kind: "query",
          sql: q.sql,
          columns: q.columns,
          statementType: STATEMENT_TYPE.select,
          reads: [...q.objects.values()],
        };
      }
      case "Insert":
        return await insert(ctx, ast);
      case "Update":
        return await update(ctx, ast);
      case "Delete":
        return await deleteRows(ctx, ast);
      case "Merge":
        return await merge(ctx, ast);
      case "Truncate":
        return await truncate(ctx, ast);
      case "CreateTable":
        if (ast.CreateTable.dynamic) {
          throw SQL_ERRORS.syntax("CREATE DYNAMIC TABLE needs TARGET_LAG and AS query.");
        }
        return await createTable(ctx, ast, meta);
      case "CreateView":
        return await createView(ctx, ast, meta);
      case "CreateDatabase":
      case "CreateSchema":
        return await createDatabaseOrSchema(ctx, ast);
      case "AlterTable":
        return await alterTable(ctx, ast, meta);
      case "Drop": {
        const p = ast.Drop;
        const kind = String(p.object_type).toUpperCase();
        const names = (p.names as Node[]).map((n) => objectNameParts(n));
        if (!["TABLE", "VIEW", "SCHEMA", "DATABASE"].includes(kind)) {
          throw SQL_ERRORS.unsupported(`DROP ${kind}`);
        }
        return await drop(ctx, kind, names, !!p.if_exists);
      }
      case "AlterSession":
        return this.#alterSession(ctx, ast.AlterSession);
      case "Set":
        return await this.#setVariables(ctx, ast.Set);
      case "StartTransaction":
        this.#begin(ctx.session);
        return status("Statement executed successfully.", STATEMENT_TYPE.session);
      case "Commit": {
        const aborted = ctx.session.transactionAborted;
        ctx.session.transactionAborted = undefined;
        if (aborted) throw transactionAbortedError(aborted);
        await this.#commit(ctx.session);
        return status("Statement executed successfully.", STATEMENT_TYPE.session);
      }
      case "Rollback":
        await this.#rollback(ctx.session);
        return status("Statement executed successfully.", STATEMENT_TYPE.session);
      case "Use": {
        const p = payload(ast.Use);
        const kind = variant(ast.Use).toUpperCase();
        return this.#use(ctx, {
          kind: "use",
          objectKind: kind === "OBJECT" ? "SCHEMA?" : kind,
          name: objectNameParts(p),
        });
      }
      case "ExplainTable": {
        const p = ast.ExplainTable;
        return await describe(ctx, {
          kind: "describe",
          objectKind: "TABLE",
          name: objectNameParts(p.table_name),
        });
      }
      case "Explain":
        throw SQL_ERRORS.unsupported("EXPLAIN");
      case "Comment":
      case "Grant":
      case "Revoke":
        return status("Statement executed successfully.");
      case "Copy":
      case "CopyIntoSnowflake":
        throw SQL_ERRORS.unsupported(
          "COPY INTO (stage loading; stream rows through Snowpipe Streaming instead)",
        );
      case "Call":
        throw SQL_ERRORS.unsupported("CALL (stored procedures)");
      case "CreateTask":
        throw SQL_ERRORS.unsupported("CREATE TASK");
    }
    throw SQL_ERRORS.unsupported(v || "this statement");
  }

  /**
   * `SET x = expr` / `SET (x, y) = (expr, expr)`: each value computed as a query would (a
   * subquery too), and kept as text with its type.
   */
  async #setVariables(ctx: StatementContext, set: Node): Promise<Outcome> {
    const { names, values } = setAssignments(set);
    const select = parseQuerySync("SELECT 1");
    payload(select.body).projection = values.map((v) => ({ UnnamedExpr: v }));
    const q = translateQuery(ctx, select, { lane: "reader" });
    const lane = await this.#o.warehouse.reader(ctx.session.id);
    const row = await lane.exclusive(async (s) => {
      await s.run(`SET TimeZone = '${ctx.session.timezone.replaceAll("'", "''")}'`);
      const texts = q.columns.map((c) => `CAST(${qi(c.duck)} AS VARCHAR)`).join(", ");
      return (await s.all(`SELECT ${texts} FROM (${q.sql})`)).rows[0] ?? [];
    });
    const now = new Date();
    names.forEach((name, i) => {
      const old = ctx.session.variables.get(name);
      ctx.session.variables.set(name, {
        text: row[i] === null || row[i] === undefined ? null : String(row[i]),
        type: q.columns[i].type,
        createdOn: old?.createdOn ?? now,
        updatedOn: now,
      });
    });
    return status("Statement executed successfully.", STATEMENT_TYPE.session);
  }

  #alterSession(ctx: StatementContext, p: Node): Outcome {
    const s = ctx.session;
    const opts: Node[] = p.session_params?.options ?? [];
    // A value as text: 'x' is x, 1 is 1 (the parser gives [text, long]), TRUE is true.
    const textOf = (value: Node): string => {
      const v = payload(value);
      if (Array.isArray(v)) return String(v[0]);
      if (v !== null && typeof v === "object") return String(v.value ?? "");
      return String(v ?? value ?? "");
    };
    // Checked before any is applied: a refused value leaves the session as it was.
    const changes: [string, string][] = [];
    for (const o of opts) {
      const name = String(o.option_name).toUpperCase();
      if (p.set === false) {
        changes.push([name, ""]);
        continue;
      }
      const text = textOf(payload(o.option_value)?.value ?? o.option_value);
      checkSessionParameter(name, text);
      changes.push([name, text]);
    }
    for (const [name, text] of changes) {
      if (p.set === false) {
        if (name === "TIMEZONE") s.timezone = "UTC";
        s.parameters.delete(name);
        continue;
      }
      setSessionParameter(s, name, text);
    }
    return status("Statement executed successfully.", STATEMENT_TYPE.session);
  }
}

/** Refuses a session parameter's value the emulator would misread (as ALTER SESSION SET does). */
export function checkSessionParameter(name: string, text: string): void {
  const only = UNHONOURED_PARAMETERS.get(name);
  if (only !== undefined && text.trim().toUpperCase() !== only) {
    // Accepted and ignored, it would change what statements mean here and not in Snowflake.
    throw SQL_ERRORS.unsupported(`${name} other than its default '${only}'`);
  }
  if (name === "TIMEZONE") {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: text });
    } catch {
      throw SQL_ERRORS.invalidProperty("TIMEZONE", text);
    }
  } else if (name === "WEEK_START" && !/^[0-7]$/.test(text)) {
    throw SQL_ERRORS.invalidProperty(name, text);
  } else if (name === "WEEK_OF_YEAR_POLICY" && !/^[01]$/.test(text)) {
    throw SQL_ERRORS.invalidProperty(name, text);
  } else if (name === "AUTOCOMMIT" && !/^(TRUE|FALSE)$/i.test(text)) {
    throw SQL_ERRORS.invalidProperty(name, text);
  } else if (
    name === "STATEMENT_TIMEOUT_IN_SECONDS" &&
    !(/^\d+$/.test(text) && Number(text) <= MAX_STATEMENT_TIMEOUT_SECONDS)
  ) {
    throw SQL_ERRORS.invalidProperty(name, text);
  }
}

/**
 * Session parameters that change how statements read or name things, which the emulator does not
 * honour, with the only value it takes (the default). Others (QUERY_TAG, client settings…) change
 * nothing a statement returns and are kept as set.
 */
const UNHONOURED_PARAMETERS: ReadonlyMap<string, string> = new Map([
  ["DATE_INPUT_FORMAT", "AUTO"],
  ["TIME_INPUT_FORMAT", "AUTO"],
  ["TIMESTAMP_INPUT_FORMAT", "AUTO"],
  ["TIMESTAMP_TYPE_MAPPING", "TIMESTAMP_NTZ"],
  ["QUOTED_IDENTIFIERS_IGNORE_CASE", "FALSE"],
  ["BINARY_INPUT_FORMAT", "HEX"],
  ["TWO_DIGIT_CENTURY_START", "1970"],
  ["TIMESTAMP_DAY_IS_ALWAYS_24H", "FALSE"],
  ["TRANSACTION_ABORT_ON_ERROR", "FALSE"],
  ["ERROR_ON_NONDETERMINISTIC_UPDATE", "FALSE"],
]);

/** Sets a session parameter {@link checkSessionParameter} accepted. */
export function setSessionParameter(s: SessionState, name: string, text: string): void {
  if (name === "TIMEZONE") s.timezone = text;
  s.parameters.set(name, text);
}

/** How one request runs its statement, besides the session's settings. */
export interface StatementOptions {
  /** Describe it (the result's columns, no rows) without running it. */
  readonly describeOnly?: boolean;
  /** STATEMENT_TIMEOUT_IN_SECONDS for this statement alone (0: none). */
  readonly timeoutSeconds?: number;
}

/** Placeholders a described statement may leave without values. */
const MAX_DESCRIBED_BINDS = 1000;

/** Whether a describe-only request may take `stmt`: a query, SHOW or DESCRIBE. */
function describable(stmt: Statement): boolean {
  if (stmt.kind === "sql") return variant(stmt.ast) === "Query";
  return stmt.kind === "show" || stmt.kind === "describe";
}

/** DuckDB's memory limit for a second run of a query that ran out of memory. */
const QUERY_RETRY_MEMORY_LIMIT = "1GB";

/** Maps an error from a handler or DuckDB onto Snowflake's error shape. */
export function mapError(e: unknown): SqlError {
  if (e instanceof SqlError) return e;
  const message = String((e as Error)?.message ?? e);
  const m = message.replace(/\n\nLINE \d+:[\s\S]*$/, "");
  if (/Division by zero/i.test(m)) return SQL_ERRORS.divisionByZero();
  // DuckDB's advice (SET scalar_subquery_error_on_multiple_rows) is for its own users.
  if (/More than one row returned by a subquery/i.test(m)) {
    return new SqlError("090150", "22000", "Single-row subquery returns more than one row.");
  }
  if (m.includes(RECURSION_EXCEEDED)) return new SqlError("100189", "P0000", RECURSION_EXCEEDED);
  if (/Max expression depth limit/i.test(m)) {
    // DuckDB's advice (SET max_expression_depth) is for its own users, not a Snowflake client.
    return new SqlError(
      "001003",
      "42000",
      "SQL compilation error:\nthe statement's expressions nest too deeply to run; split it.",
    );
  }
  // DuckDB quotes the value with ' or " depending on the cast's path.
  const unconvertible = (to: string) =>
    new RegExp(`Could not convert string (?:'([^']*)'|"([^"]*)") to (?:${to})`, "i").exec(m);
  const valueOf = (x: RegExpExecArray) => x[1] ?? x[2];
  let x = unconvertible("DECIMAL|INT\\d+|DOUBLE|FLOAT|BIGINT|HUGEINT");
  if (x) return SQL_ERRORS.notRecognized(`Numeric value '${valueOf(x)}' is not recognized`);
  x = unconvertible("DATE") ?? /date field value out of range: "([^"]*)"/i.exec(m);
  if (x) return SQL_ERRORS.notRecognized(`Date '${valueOf(x)}' is not recognized`);
  x = unconvertible("TIMESTAMP");
  if (x) return SQL_ERRORS.notRecognized(`Timestamp '${valueOf(x)}' is not recognized`);
  x = unconvertible("BOOL");
  if (x) return SQL_ERRORS.notRecognized(`Boolean value '${valueOf(x)}' is not recognized`);
  if (/Malformed JSON|JSON parse error/i.test(m)) {
    return new SqlError("100069", "22P02", `Error parsing JSON: ${m.replace(/^.*?Error: /, "")}`);
  }
  if (/Boolean value '.*' is not recognized/.test(m)) {
    return SQL_ERRORS.notRecognized(m.replace(/^.*?Error: /, ""));
  }
  x = /(String '[\s\S]*' is too long and would be truncated)/.exec(m);
  if (x) return new SqlError("100074", "22000", x[1]);
  if (/NOT NULL constraint failed/i.test(m)) {
    return new SqlError("100072", "22000", `NULL result in a non-nullable column`);
  }
  if (/out of range|Overflow/i.test(m)) {
    return new SqlError("100046", "22003", "Number out of representable range");
  }
  if (/must appear in the GROUP BY clause|must be part of an aggregate/i.test(m)) {
    const col = /column "?([^"\s]+)"? must appear/i.exec(m)?.[1] ?? "expression";
    return new SqlError(
      "000979",
      "42601",
      `SQL compilation error:\n[${col}] is not a valid group by expression`,
    );
  }
  if (/INTERRUPT/i.test(m)) return new SqlError("000604", "57014", "SQL execution canceled");
  // DuckDB's own advice (SET threads, memory_limit) is for its users, not for a Snowflake client.
  if (/^Out of Memory Error/i.test(m)) {
    return new SqlError(
      "000603",
      "XX000",
      "liftline emulator: the statement needed more memory than the warehouse's limit; narrow it " +
        "(fewer rows, fewer columns) or try again when the warehouse is less busy.",
    );
  }
  if (/Current transaction is aborted/i.test(m)) {
    return new SqlError(
      "000603",
      "25P02",
      "The statement's transaction failed earlier and was rolled back; nothing of it was kept.",
    );
  }
  if (/Conflict|TransactionContext/i.test(m)) {
    return new SqlError(
      "000625",
      "57014",
      `Statement aborted because of a conflicting concurrent change; retry it. (${m})`,
    );
  }
  // A view whose table was dropped: DuckDB finds out only when it expands the view.
  x = /Catalog Error: Table with name ([^\s!]+) does not exist/i.exec(m);
  if (x) return SQL_ERRORS.doesNotExist(x[1]);
  if (/^(Binder|Parser|Catalog) Error/i.test(m)) {
    return new SqlError(
      "002040",
      "42601",
      `SQL compilation error:\n${m.replace(/^\w+ Error: /, "")}`,
    );
  }
  if (/^(Conversion|Invalid Input) Error/i.test(m)) {
    return new SqlError("100038", "22018", m.replace(/^[\w ]+ Error: /, ""));
  }
  return new SqlError("000603", "XX000", `liftline emulator: ${m}`);
}

export { identName, sfTypeOfDuck };

/** True for a DML statement's answer: one row of counts ("number of rows inserted", …). */
function isCountResult(r: ExecutedStatement): boolean {
  const columns = r.result.columns;
  return r.result.rowCount === 1 && columns.length > 0 &&
    columns.every((c) => /^number of (multi-joined )?rows /.test(c.name));
}

/** True when two answers have columns of the same names, in the same order. */
function sameColumns(a: ExecutedStatement, b: ExecutedStatement): boolean {
  const x = a.result.columns, y = b.result.columns;
  return x.length === y.length && x.every((c, i) => c.name === y[i].name);
}

/** True when the session's AUTOCOMMIT is off (ALTER SESSION SET AUTOCOMMIT = FALSE). */
function autocommitOff(session: SessionState): boolean {
  return /^FALSE$/i.test(session.parameters.get("AUTOCOMMIT") ?? "");
}

/** A statement that changes rows, whose parts {@link SqlEngine.executeAll} runs as one. */
const DML_STATEMENT =
  /^\s*(?:(?:--[^\n]*(?:\n|$)|\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)\s*)*(INSERT|UPDATE|DELETE|MERGE)\b/i;

/** Binds one multi-row INSERT of {@link SqlEngine.executeAll} takes at most. */
const MAX_BATCH_BINDS = 4_000;

/**
 * For `INSERT … VALUES (?, ?, …)` (or `(:1, :2, …)` in order) whose one row is all the statement's
 * `binds` placeholders: a function giving the same INSERT with `rows` such rows of `?`.
 */
export function multiRowInsert(
  text: string,
  binds: number,
): ((rows: number) => string) | undefined {
  if (binds < 1 || !/^\s*INSERT\s/i.test(text)) return undefined;
  const m = /^([\s\S]*?\bVALUES\s*)\(([^()]*)\)\s*;?\s*$/i.exec(text);
  if (!m || m[1].includes("?") || /:\d/.test(m[1])) return undefined;
  const items = m[2].split(",").map((x) => x.trim());
  const plain = items.every((x) => x === "?") ||
    items.every((x, i) => x === `:${i + 1}`);
  if (!plain || items.length !== binds) return undefined;
  const row = `(${items.map(() => "?").join(", ")})`;
  return (rows) => `${m[1]}${Array(rows).fill(row).join(", ")}`;
}
