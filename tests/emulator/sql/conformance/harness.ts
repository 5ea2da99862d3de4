/**
 * The harness of the SQL conformance suite: the embedded emulator started in-process in a temp
 * folder, and the RAW snowflake-sdk (not liftline's wrapper) signed in to it with key-pair auth,
 * the way any Snowflake client would.
 *
 * Values come back as the SDK formats them (`fetchAsString` for every type it can), which is how
 * Snowflake's documentation prints them (SnowSQL), with two normalisations, both documented here
 * so that a doc page's output table can be copied verbatim:
 *
 * - BOOLEAN: the SDK gives `TRUE`/`FALSE`; the docs print `True`/`False`. Booleans are reported
 *   as the docs print them.
 * - FLOAT (`real`): the SDK gives the server's raw text, which may carry every digit of a double
 *   (`23.200000000000003`) or an exponent; the docs print at most 15 significant digits with no
 *   trailing zeros (`23.2`, `-1`). Floats are reported that way.
 *
 * Everything else (NUMBER with its scale, text, dates, times, timestamps in the session's output
 * formats, VARIANT as JSON) is exactly what the SDK returns. NULL is `null`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type EmulatorOptions, startEmulator } from "../../../../src/emulator/mod.ts";
import { ensureKeyPair } from "../../../../src/snowflake/key_files.ts";

type Sdk = typeof import("snowflake-sdk");
type SdkConnection = import("snowflake-sdk").Connection;

/** One cell as the docs print it; NULL is null. */
export type Cell = string | null;

/** One result column as the SDK describes it. */
export interface Column {
  name: string;
  /** Snowflake type as the SDK names it: `fixed`, `real`, `text`, `date`, `timestamp_ntz`, … */
  type: string;
  scale: number | null;
  precision: number | null;
}

/** A statement's result. */
export interface Result {
  columns: Column[];
  /** Rows as arrays (SHOW outputs and joins may repeat a column name). */
  rows: Cell[][];
  /** The statement's query ID (for RESULT_SCAN). */
  queryId: string;
}

/** What a failed statement must carry. */
export interface ExpectedError {
  /** Snowflake error code, e.g. `002003`. */
  code?: string;
  /** SQLSTATE, e.g. `42S02`. */
  sqlState?: string;
  /** A pattern (or a substring) the message must contain. */
  message?: RegExp | string;
}

/** A failed statement as the SDK reports it. */
export interface StatementError {
  code: string | undefined;
  sqlState: string | undefined;
  message: string;
}

/** A value bound to a `?` (or `:n`), or a row of them for an array bind. */
export type Bind = string | number | boolean | null;

/** A running emulator in its own temp folder. */
export interface ConformanceEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The temp data folder (removed by close). */
  readonly dataDir: string;
  /** PKCS#8 PEM of the data folder's key pair (`rsa_key.p8`). */
  readonly privateKeyPem: string;
  /** Stops the emulator and removes the data folder. */
  close(): Promise<void>;
}

/** Starts the emulator in-process in a new temp folder. */
export async function startConformanceEmulator(
  options: Partial<EmulatorOptions> = {},
): Promise<ConformanceEmulator> {
  const dataDir = await Deno.makeTempDir({ prefix: "liftline-conformance-" });
  try {
    // startEmulator creates rsa_key.p8 / rsa_key.pub here; ensureKeyPair reads the same pair.
    const emu = await startEmulator({ commitDelayMs: 0, ...options, dataDir });
    const { privateKeyPem } = await ensureKeyPair(dataDir);
    return {
      url: emu.url,
      dataDir,
      privateKeyPem,
      async close() {
        try {
          await emu.close();
        } finally {
          await Deno.remove(dataDir, { recursive: true }).catch(() => {});
        }
      },
    };
  } catch (e) {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    throw e;
  }
}

let sdkPromise: Promise<Sdk> | undefined;

/**
 * Loads and silences snowflake-sdk once per process. Like src/snowflake/sdk.ts: the OCSP cache
 * folder is chosen before the import (the SDK creates it while it is imported), the logger is
 * off, and the CRL cache lives in a temp folder, so nothing is written to the home folder.
 */
function loadSdk(): Promise<Sdk> {
  sdkPromise ??= (async () => {
    const cacheDir = await Deno.makeTempDir({ prefix: "liftline-conformance-sdk-" });
    if (!Deno.env.get("SF_OCSP_RESPONSE_CACHE_DIR")) {
      Deno.env.set("SF_OCSP_RESPONSE_CACHE_DIR", cacheDir);
    }
    const mod = await import("snowflake-sdk");
    const sdk = ((mod as unknown as { default?: Sdk }).default ?? mod) as Sdk;
    const quiet = () => {};
    sdk.configure(
      {
        logLevel: "OFF",
        additionalLogToConsole: false,
        customLogger: { error: quiet, warn: quiet, info: quiet, debug: quiet, trace: quiet },
        crlCacheDir: join(cacheDir, "crls"),
      } as Parameters<Sdk["configure"]>[0],
    );
    return sdk;
  })();
  return sdkPromise;
}

/** Writes the easy-logging file that keeps the SDK's log level OFF and its log path in `dir`. */
async function writeClientConfig(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, "sf_client_config.json");
  // The SDK refuses a config file that others can write.
  await Deno.writeTextFile(path, JSON.stringify({ common: { log_level: "OFF", log_path: dir } }), {
    mode: 0o600,
  });
  await Deno.chmod(path, 0o600).catch(() => {});
  return path;
}

/** Every type the SDK can hand back as text. */
const FETCH_AS_STRING = ["String", "Boolean", "Number", "Date", "JSON"];

function normalise(column: Column, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "object") return JSON.stringify(v);
  const s = String(v);
  if (column.type === "boolean") {
    const u = s.toUpperCase();
    if (u === "TRUE") return "True";
    if (u === "FALSE") return "False";
    return s;
  }
  if (column.type === "real") {
    const n = Number(s);
    if (!Number.isFinite(n)) return s;
    return String(Number(n.toPrecision(15)));
  }
  return s;
}

function toStatementError(e: unknown): StatementError {
  const err = e as { message?: unknown; code?: unknown; sqlState?: unknown };
  return {
    code: err?.code === undefined || err?.code === null ? undefined : String(err.code),
    sqlState: typeof err?.sqlState === "string" ? err.sqlState : undefined,
    message: typeof err?.message === "string" ? err.message : String(e),
  };
}

/** A statement that failed where it should not have; names the statement. */
export class StatementFailed extends Error {
  constructor(readonly sql: string, readonly error: StatementError) {
    super(
      `statement failed (${error.code ?? "no code"}/${error.sqlState ?? "no sqlState"}): ` +
        `${error.message}\n  SQL: ${sql.trim().slice(0, 400)}`,
    );
    this.name = "StatementFailed";
  }
}

/** One signed-in snowflake-sdk session. */
export class Session {
  readonly #conn: SdkConnection;
  #closed = false;

  private constructor(conn: SdkConnection) {
    this.#conn = conn;
  }

  /** Signs in to the emulator as STREAMING_INGEST with the data folder's key pair. */
  static async connect(emu: ConformanceEmulator): Promise<Session> {
    const sdkDir = join(emu.dataDir, ".snowflake-sdk");
    const clientConfigFile = await writeClientConfig(sdkDir);
    const sdk = await loadSdk();
    const conn = sdk.createConnection(
      {
        account: "LIFTLINE",
        username: "STREAMING_INGEST",
        authenticator: "SNOWFLAKE_JWT",
        privateKey: emu.privateKeyPem,
        accessUrl: emu.url,
        database: "STREAMING_INGEST",
        schema: "STREAMING_INGEST",
        warehouse: "W",
        application: "liftline-conformance",
        clientConfigFile,
        timeout: 120_000,
        sfRetryMaxLoginRetries: 1,
        // NULL as null, not the text 'NULL' (the SDK's default with fetchAsString).
        representNullAsStringNull: false,
      } as Parameters<Sdk["createConnection"]>[0],
    );
    await new Promise<void>((resolve, reject) => {
      conn.connect((err) => (err ? reject(err) : resolve()));
    });
    return new Session(conn);
  }

  /**
   * Runs several statements in one request (MULTI_STATEMENT_COUNT `count`, 0 for any number), as
   * the driver does: the first result comes with the request, each next one by NextResult().
   */
  script(sql: string, count = 0): Promise<Result[]> {
    return this.#execute(sql, undefined, count);
  }

  /**
   * Runs `sql`; resolves with each statement's columns and rows (one result, unless
   * `multiStatementCount` lets the request hold more), rejects with the SDK's error.
   */
  #execute(
    sql: string,
    binds?: readonly Bind[] | readonly Bind[][],
    multiStatementCount?: number,
    describeOnly = false,
  ): Promise<Result[]> {
    if (this.#closed) return Promise.reject(new Error("the session is closed"));
    const results: Result[] = [];
    return new Promise((resolve, reject) => {
      try {
        this.#conn.execute({
          sqlText: sql,
          binds: binds as never,
          ...(multiStatementCount === undefined
            ? {}
            : { parameters: { MULTI_STATEMENT_COUNT: multiStatementCount } }),
          ...(describeOnly ? { describeOnly: true } : {}),
          fetchAsString: FETCH_AS_STRING as never,
          rowMode: "array",
          complete: (err, stmt, rows) => {
            if (err) return reject(err);
            const columns: Column[] = (stmt.getColumns() ?? []).map((c) => ({
              name: c.getName(),
              type: c.getType(),
              scale: c.getScale() ?? null,
              precision: c.getPrecision() ?? null,
            }));
            const out = ((rows ?? []) as unknown[][]).map((r) =>
              columns.map((c, i) => normalise(c, r[i]))
            );
            results.push({ columns, rows: out, queryId: stmt.getQueryId() });
            const multi = stmt as unknown as { hasNext?(): boolean; NextResult?(): void };
            if (multi.hasNext?.()) multi.NextResult!();
            else resolve(results);
          },
        });
      } catch (e) {
        reject(e);
      }
    });
  }

  /**
   * Describes a statement without running it (the driver's `describeOnly`): its result's columns,
   * and no rows. Throws {@link StatementFailed} when it fails.
   */
  async describe(sql: string): Promise<Result> {
    try {
      return (await this.#execute(sql, undefined, undefined, true))[0];
    } catch (e) {
      throw new StatementFailed(sql, toStatementError(e));
    }
  }

  /**
   * Runs one statement with optional binds (`?` or `:n`; an array of rows binds an array for a
   * bulk INSERT). Throws {@link StatementFailed}, naming the statement, when it fails.
   */
  async run(sql: string, binds?: readonly Bind[] | readonly Bind[][]): Promise<Result> {
    try {
      return (await this.#execute(sql, binds))[0];
    } catch (e) {
      throw new StatementFailed(sql, toStatementError(e));
    }
  }

  /** Runs statements in order (setup), stopping at the first that fails. */
  async runAll(statements: readonly string[]): Promise<void> {
    for (const sql of statements) await this.run(sql);
  }

  /**
   * Runs a statement that must fail; asserts the code, SQLSTATE and message given, and returns
   * the error. Fails the test if the statement succeeds.
   */
  async expectError(
    sql: string,
    expected: ExpectedError = {},
    binds?: readonly Bind[] | readonly Bind[][],
  ): Promise<StatementError> {
    let result: Result | undefined;
    try {
      result = (await this.#execute(sql, binds))[0];
    } catch (e) {
      const err = toStatementError(e);
      const what = `${err.code ?? "no code"}/${err.sqlState ?? "no sqlState"}: ${err.message}`;
      if (expected.code !== undefined) assert.equal(err.code, expected.code, what);
      if (expected.sqlState !== undefined) assert.equal(err.sqlState, expected.sqlState, what);
      if (expected.message !== undefined) {
        if (typeof expected.message === "string") {
          assert.ok(
            err.message.includes(expected.message),
            `expected "${expected.message}" in ${what}`,
          );
        } else {
          assert.match(err.message, expected.message, what);
        }
      }
      return err;
    }
    assert.fail(
      `expected an error, but the statement succeeded with ${result.rows.length} row(s): ` +
        sql.trim().slice(0, 300),
    );
  }

  /** Signs out. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#conn.destroy(() => resolve()));
  }
}

/** What a conformance test gets: a fresh emulator and a session on it. */
export interface Conformance {
  readonly emulator: ConformanceEmulator;
  /** The test's session (closed for you). */
  readonly db: Session;
  /** Opens another session on the same emulator (closed for you). */
  connect(): Promise<Session>;
}

/** Runs `fn` with a fresh emulator and a signed-in session; closes everything afterwards. */
export async function withConformance(
  fn: (c: Conformance) => Promise<void>,
  options: Partial<EmulatorOptions> = {},
): Promise<void> {
  const emulator = await startConformanceEmulator(options);
  const sessions: Session[] = [];
  try {
    const connect = async () => {
      const s = await Session.connect(emulator);
      sessions.push(s);
      return s;
    };
    const db = await connect();
    await fn({ emulator, db, connect });
  } finally {
    for (const s of sessions) await s.close().catch(() => {});
    await emulator.close();
  }
}

/**
 * One conformance test: a Deno.test with its own emulator and session. Cases are `t.step`s
 * named after what the doc page promises; a failed step does not stop the next ones.
 */
export function conformance(
  name: string,
  fn: (c: Conformance, t: Deno.TestContext) => Promise<void>,
): void {
  Deno.test({
    name,
    // The SDK keeps sockets and timers of its own (keep-alive agents, OCSP cache timers).
    sanitizeOps: false,
    sanitizeResources: false,
    fn: (t) => withConformance((c) => fn(c, t)),
  });
}

/**
 * A doc page's setup, run once on first use: every step that needs it awaits it first, so each
 * case is listed on its own even when the setup fails (each then fails with the setup's error,
 * which names the statement).
 */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let ran: Promise<void> | undefined;
  return () => (ran ??= fn());
}

/** Column names of a result. */
export function columnNames(result: Result): string[] {
  return result.columns.map((c) => c.name);
}

function rowKey(row: readonly Cell[]): string {
  return JSON.stringify(row);
}

/** How {@link assertResult} compares. */
export interface Expected {
  /** Exact column names, in order (where the doc shows them). */
  columns?: readonly string[];
  /** Exact rows; NULL is null. */
  rows: readonly (readonly Cell[])[];
  /**
   * Compare rows in order (default true). Set false where the doc's query has no ORDER BY (or
   * orders by a key with ties): rows are then compared as a multiset.
   */
  ordered?: boolean;
}

/** Asserts a result's columns (if given) and rows. */
export function assertResult(result: Result, expected: Expected): void {
  if (expected.columns) assert.deepEqual(columnNames(result), [...expected.columns]);
  const actual = result.rows.map((r) => [...r]);
  const want = expected.rows.map((r) => [...r]);
  if (expected.ordered === false) {
    const byKey = (a: Cell[], b: Cell[]) =>
      rowKey(a) < rowKey(b) ? -1 : rowKey(a) > rowKey(b) ? 1 : 0;
    assert.deepEqual(actual.sort(byKey), want.sort(byKey));
  } else {
    assert.deepEqual(actual, want);
  }
}

/** Runs `sql` and asserts its result. */
export async function expectRows(
  db: Session,
  sql: string,
  expected: Expected,
  binds?: readonly Bind[],
): Promise<Result> {
  const result = await db.run(sql, binds);
  assertResult(result, expected);
  return result;
}

/** The value of column `name` in `row` of a result (SHOW outputs are read by column name). */
export function cell(result: Result, row: number, name: string): Cell {
  const i = columnNames(result).indexOf(name);
  assert.ok(i >= 0, `no column ${JSON.stringify(name)} in ${JSON.stringify(columnNames(result))}`);
  assert.ok(row < result.rows.length, `no row ${row}: ${result.rows.length} row(s)`);
  return result.rows[row][i];
}

/** The rows of a result as objects keyed by column name (for SHOW/DESC outputs). */
export function records(result: Result): Record<string, Cell>[] {
  const names = columnNames(result);
  return result.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
}

/** Asserts that every name in `names` is a column of `result` (order and extras ignored). */
export function assertHasColumns(result: Result, names: readonly string[]): void {
  const have = new Set(columnNames(result));
  const missing = names.filter((n) => !have.has(n));
  assert.deepEqual(missing, [], `missing columns; the result has ${JSON.stringify([...have])}`);
}

/**
 * Asserts that the one row of `result` whose `key` column equals `value` has the given values
 * (by column name), and returns it.
 */
export function assertRecord(
  result: Result,
  key: string,
  value: string,
  expected: Record<string, Cell>,
): Record<string, Cell> {
  const found = records(result).filter((r) => r[key] === value);
  assert.equal(found.length, 1, `expected one row with ${key} = ${value}, got ${found.length}`);
  const row = found[0];
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, row[k]]));
  assert.deepEqual(picked, expected);
  return row;
}
