/**
 * Hostile SQL through the emulator's SQL API, one statement at a time, sent as snowflake-sdk sends
 * it (`POST /queries/v1/query-request?requestId=…` with `Authorization: Snowflake Token="…"`) to a
 * `liftline emulator` in its own process (so that a statement that wedges or kills it cannot take
 * the test runner along, and its memory can be read from `/proc`).
 *
 * What the emulator owes each one: an answer (never silence), below 500, Snowflake-shaped — HTTP
 * 200 with `success: false`, a six-digit `code`, a SQLSTATE and a message, as Snowflake answers a
 * failed statement, or a 4xx with a code and a message for a request that is not even well
 * formed —; no file read, written or loaded; no secret in any answer; and afterwards it still runs
 * ordinary queries, on the same session and on a new one.
 *
 * The families: DuckDB-only functions, statements and settings (the emulator runs Snowflake SQL
 * on DuckDB); malformed and oversized statements and binds; deep nesting; runaway queries, which
 * must be bounded or cancellable (`POST /queries/v1/abort-request {requestId}`, what the driver's
 * `statement.cancel()` sends) while memory and disk stay bounded.
 *
 * What they guard (each was a bug once, found by this file):
 *
 * - a long chain of binary operators or set operations (`SELECT 1+1+…+1` with ~800 terms,
 *   `TRUE AND TRUE AND …`, `? || ? || …`) is refused before it reaches the sqlparser WebAssembly
 *   module, whose stack it would overflow, breaking it for every later statement;
 * - a result DuckDB cannot encode within its memory (10,000 columns) is a Snowflake error, not a
 *   5xx;
 * - a runaway query (an unbounded recursive CTE, a huge GENERATOR, a cross join of billions of
 *   rows) is cancelled by abort-request, and other sessions are served meanwhile;
 * - a result that would spill without bound is cancelled once it spilled 512 MB.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { importPrivateKey, publicKeyFingerprint } from "../../src/snowflake/keys.ts";
import { keypairJwt, type TestKeys } from "../emulator/helpers.ts";
import { type LiftlineProcess, spawnEmulator } from "../helpers/liftline_child.ts";
import { compressionBomb } from "./hostile_requests.ts";
import { duckdbOnlySql, duckdbSettingsSql, type FileSystemTargets } from "./emulator_requests.ts";

/** How long any one request may take before it counts as unanswered (a liveness bound). */
const ANSWER_MS = 60_000;
/** RSS the emulator process may reach under attack (DuckDB's own limit is 256 MB). */
const MAX_RSS_BYTES = 1024 * 1024 * 1024;
/** Growth of the data folder a runaway query may cause (spilled intermediate results). */
const MAX_SPILL_BYTES = 1024 * 1024 * 1024;

// ------------------------------------------------------------------------------------------------
// An emulator under attack

/** One answer of the SQL API. */
interface Answer {
  /** HTTP status, or null when nothing came back within the time given. */
  status: number | null;
  text: string;
  // deno-lint-ignore no-explicit-any
  body: any;
  /** What went wrong on the client's side (a timeout, a reset). */
  error?: string;
}

/** What a query request carries besides its text. */
interface QueryOptions {
  bindings?: unknown;
  gzip?: boolean;
  requestId?: string;
  timeoutMs?: number;
  /** A raw body instead of `{sqlText, bindings}`. */
  rawBody?: string | Uint8Array<ArrayBuffer>;
  /** Content-Encoding of a raw body. */
  contentEncoding?: string;
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(
    await new Response(
      new Blob([encoder.encode(text)]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
}

/** Total bytes of the files under `dir`. */
async function treeBytes(dir: string): Promise<number> {
  let n = 0;
  try {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) n += await treeBytes(p);
      else n += (await Deno.lstat(p).catch(() => ({ size: 0 }))).size;
    }
  } catch {
    // A file vanished while we looked (DuckDB's temp files come and go).
  }
  return n;
}

/** Every path under `dir`, relative to it. */
async function treePaths(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory) out.push(...await treePaths(join(dir, e.name), rel));
  }
  return out.sort();
}

/** A `liftline emulator` child, its folders and the secrets it must never give away. */
class Target {
  readonly targets: FileSystemTargets;
  #process: LiftlineProcess | undefined;
  url = "";
  #keys: TestKeys | undefined;
  /** The emulator's working folder (relative paths land here) and data folder. */
  readonly cwd: string;
  readonly dataDir: string;
  readonly secretText = `liftline-secret-file-${crypto.randomUUID()}`;
  readonly secretValue = `liftline-secret-env-${crypto.randomUUID()}`;

  private constructor(readonly root: string) {
    this.cwd = join(root, "cwd");
    this.dataDir = join(this.cwd, "data");
    this.targets = {
      dir: join(root, "out"),
      secretFile: join(root, "secret.csv"),
      secretVar: "LIFTLINE_HOSTILE_SECRET",
    };
  }

  /** Makes the folders and the secret file, and starts the emulator. */
  static async start(): Promise<Target> {
    const root = await Deno.makeTempDir({ prefix: "liftline-hostile-sql-" });
    const t = new Target(root);
    await Deno.mkdir(t.cwd);
    await Deno.mkdir(t.targets.dir);
    // A CSV that read_csv would read: two lines holding the secret.
    await Deno.writeTextFile(t.targets.secretFile, `secret\n${t.secretText}\n`);
    try {
      await t.restart();
    } catch (e) {
      await Deno.remove(root, { recursive: true }).catch(() => {});
      throw e;
    }
    return t;
  }

  get process(): LiftlineProcess {
    return this.#process!;
  }

  /** (Re)starts the emulator process on the same data folder. */
  async restart(): Promise<void> {
    await this.#process?.stop("SIGKILL");
    const { process, url } = await spawnEmulator(["--data-dir", this.dataDir], {
      cwd: this.cwd,
      env: { EMULATOR_COMMIT_DELAY_MS: "0", [this.targets.secretVar]: this.secretValue },
    });
    this.#process = process;
    this.url = url;
    const privateKeyPem = await Deno.readTextFile(join(this.dataDir, "rsa_key.p8"));
    const publicKeyPem = await Deno.readTextFile(join(this.dataDir, "rsa_key.pub"));
    this.#keys = {
      privateKeyPem,
      publicKeyPem,
      privateKey: await importPrivateKey(privateKeyPem),
      fingerprint: await publicKeyFingerprint(publicKeyPem),
    };
  }

  /** Signs in through the SQL API; returns the session token. */
  async login(): Promise<string> {
    const jwt = await keypairJwt(this.#keys!);
    const res = await fetch(
      `${this.url}/session/v1/login-request?requestId=${crypto.randomUUID()}`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({
          data: { AUTHENTICATOR: "SNOWFLAKE_JWT", TOKEN: jwt, LOGIN_NAME: "STREAMING_INGEST" },
        }),
        signal: AbortSignal.timeout(ANSWER_MS),
      },
    );
    const body = await res.json();
    assert.equal(body.success, true, `login failed: ${JSON.stringify(body)}`);
    return body.data.token;
  }

  /** Posts one statement as snowflake-sdk does; never throws. */
  async query(token: string, sqlText: string, o: QueryOptions = {}): Promise<Answer> {
    const requestId = o.requestId ?? crypto.randomUUID();
    const json = o.rawBody ?? JSON.stringify({
      sqlText,
      ...(o.bindings === undefined ? {} : { bindings: o.bindings }),
      sequenceId: 1,
      queryContextDTO: { entries: [] },
    });
    const body = o.gzip && typeof json === "string" ? await gzip(json) : json;
    const encoding = o.gzip ? "gzip" : o.contentEncoding;
    const timeout = AbortSignal.timeout(o.timeoutMs ?? ANSWER_MS);
    try {
      const res = await fetch(
        `${this.url}/queries/v1/query-request?requestId=${requestId}`,
        {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/snowflake",
            Authorization: `Snowflake Token="${token}"`,
            ...(encoding ? { "Content-Encoding": encoding } : {}),
          },
          body,
          signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
        },
      );
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, text, body: parsed };
    } catch (e) {
      return { status: null, text: "", body: undefined, error: String(e) };
    }
  }

  /** Asks the emulator to cancel a running request, as `statement.cancel()` does. */
  async abort(token: string, requestId: string): Promise<Answer> {
    try {
      const res = await fetch(`${this.url}/queries/v1/abort-request`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          Authorization: `Snowflake Token="${token}"`,
        },
        body: JSON.stringify({ requestId }),
        signal: AbortSignal.timeout(ANSWER_MS),
      });
      const text = await res.text();
      return { status: res.status, text, body: JSON.parse(text) };
    } catch (e) {
      return { status: null, text: "", body: undefined, error: String(e) };
    }
  }

  /** The emulator process's resident memory, from /proc (0 where there is none). */
  async rssBytes(): Promise<number> {
    try {
      const status = await Deno.readTextFile(`/proc/${this.process.child.pid}/status`);
      const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** Asserts that `answer` is a Snowflake-shaped refusal, and that no secret is in it. */
  assertRefused(what: string, answer: Answer): void {
    this.assertNoSecret(what, answer);
    assert.notEqual(answer.status, null, `${what}: no answer (${answer.error})`);
    assert.ok(answer.status! < 500, `${what}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
    const b = answer.body;
    assert.ok(b && typeof b === "object", `${what}: not JSON: ${answer.text.slice(0, 300)}`);
    assert.equal(typeof b.message, "string", `${what}: no message: ${answer.text.slice(0, 300)}`);
    assert.ok(b.message.length > 0, `${what}: empty message`);
    assert.equal(typeof b.code, "string", `${what}: no code: ${answer.text.slice(0, 300)}`);
    if (answer.status === 200) {
      assert.equal(b.success, false, `${what}: ran: ${answer.text.slice(0, 300)}`);
      assert.match(b.code, /^\d{6}$/, `${what}: code ${b.code}`);
      assert.match(String(b.data?.sqlState), /^[0-9A-Z]{5}$/, `${what}: ${answer.text}`);
    }
  }

  /** Asserts that neither secret is in `answer`. */
  assertNoSecret(what: string, answer: Answer): void {
    assert.ok(!answer.text.includes(this.secretText), `${what}: the secret file's content leaked`);
    assert.ok(!answer.text.includes(this.secretValue), `${what}: the secret variable leaked`);
  }

  /** Asserts that `SELECT 1` runs on `token`'s session and on a new one. */
  async assertServing(what: string, token: string): Promise<void> {
    for (const [who, t] of [["the same session", token], ["a new session", await this.login()]]) {
      const a = await this.query(t, "SELECT 1 AS ONE");
      assert.equal(
        a.status,
        200,
        `${what}: SELECT 1 on ${who}: ${a.error ?? a.text.slice(0, 300)}`,
      );
      assert.equal(
        a.body?.success,
        true,
        `${what}: SELECT 1 on ${who} failed afterwards: ${a.text.slice(0, 300)}`,
      );
      assert.deepEqual(a.body.data.rowset, [["1"]]);
    }
  }

  /** Asserts that nothing was written where statements aimed, nor elsewhere in the folders. */
  async assertNoFiles(): Promise<void> {
    assert.deepEqual(await treePaths(this.targets.dir), [], "files appeared in the target folder");
    assert.deepEqual(
      await treePaths(this.root),
      [
        "cwd",
        "cwd/data",
        ...(await treePaths(this.dataDir)).map((p) => `cwd/data/${p}`),
        "out",
        "secret.csv",
      ].sort(),
      "files appeared outside the data folder",
    );
    const data = await treePaths(this.dataDir);
    const unexpected = data.filter((p) =>
      !/^(rsa_key\.p8|rsa_key\.pub|warehouse\.duckdb(\.wal|\.tmp(\/.*)?)?|\.snowflake-sdk(\/.*)?)$/
        .test(p)
    );
    assert.deepEqual(unexpected, [], "unexpected files in the data folder");
    assert.equal(
      await Deno.readTextFile(this.targets.secretFile),
      `secret\n${this.secretText}\n`,
      "the secret file was changed",
    );
  }

  async stop(): Promise<void> {
    try {
      // A wedged emulator exits on its shutdown deadline; SIGKILL is the fallback.
      await this.#process?.stop("SIGTERM", 15_000);
    } finally {
      await Deno.remove(this.root, { recursive: true }).catch(() => {});
    }
  }
}

/** A test with an emulator of its own (the SDK is not used: no sanitizer exceptions needed). */
function hostile(name: string, fn: (target: Target, t: Deno.TestContext) => Promise<void>): void {
  Deno.test(name, async (t) => {
    const target = await Target.start();
    try {
      await fn(target, t);
      assert.ok(target.process.running(), `the emulator exited:\n${target.process.stderr()}`);
      // A 5xx is logged as a failed request; none may have happened, even unseen.
      assert.doesNotMatch(target.process.stderr(), /request failed/);
    } finally {
      await target.stop();
    }
  });
}

// ------------------------------------------------------------------------------------------------
// DuckDB-only SQL

hostile(
  "DuckDB-only functions, statements and settings: Snowflake errors, no file touched, no secret",
  async (target, t) => {
    const token = await target.login();
    // A table of the user's own, for the statements that read or write one.
    for (
      const sql of [
        "CREATE TABLE T (A VARCHAR)",
        "INSERT INTO T (A) VALUES ('kept'), ('also kept')",
      ]
    ) {
      const a = await target.query(token, sql);
      assert.equal(a.body?.success, true, `${sql}: ${a.text}`);
    }

    // Settings first: whatever they answer, the file-system statements after them must still
    // be refused (file access was not turned back on).
    for (const [name, sql] of duckdbSettingsSql()) {
      await t.step(`setting: ${name}`, async () => {
        const a = await target.query(token, sql);
        if (a.body?.success !== true) target.assertRefused(name, a);
        target.assertNoSecret(name, a);
      });
    }
    for (const [name, sql] of duckdbOnlySql(target.targets)) {
      await t.step(name, async () => {
        target.assertRefused(name, await target.query(token, sql));
      });
    }

    await t.step("statements inside identifiers and literals are data, never SQL", async () => {
      const name = `x"; ATTACH '${target.targets.dir}/in_name.duckdb' AS y; --`;
      const quoted = `"${name.replaceAll('"', '""')}"`;
      const text = `'); COPY (SELECT 1) TO '${target.targets.dir}/in_literal.csv'; --`;
      const literal = `'${text.replaceAll("'", "''")}'`;
      for (
        const sql of [
          `CREATE TABLE ${quoted} (${quoted} VARCHAR)`,
          `INSERT INTO ${quoted} VALUES (${literal})`,
        ]
      ) {
        const a = await target.query(token, sql);
        assert.equal(a.body?.success, true, `${sql}: ${a.text.slice(0, 300)}`);
      }
      const back = await target.query(token, `SELECT ${quoted} AS V FROM ${quoted}`);
      assert.deepEqual(back.body?.data?.rowset, [[text]], back.text.slice(0, 300));
      const bound = await target.query(token, "SELECT ? AS V", {
        bindings: { "1": { type: "TEXT", value: `${text} ${target.targets.secretFile}` } },
      });
      assert.deepEqual(bound.body?.data?.rowset, [[`${text} ${target.targets.secretFile}`]]);
      // A session parameter is validated, never spliced into the engine's SQL.
      target.assertRefused(
        "TIMEZONE with a statement in it",
        await target.query(
          token,
          `ALTER SESSION SET TIMEZONE = 'UTC''; ATTACH ''${target.targets.dir}/tz.duckdb'' AS z; --'`,
        ),
      );
    });

    await t.step("nothing was read, written or loaded; the user's table is intact", async () => {
      await target.assertNoFiles();
      const rows = await target.query(token, "SELECT A FROM T ORDER BY A");
      assert.deepEqual(rows.body?.data?.rowset, [["also kept"], ["kept"]], rows.text);
      await target.assertServing("after the DuckDB-only statements", token);
    });
  },
);

// ------------------------------------------------------------------------------------------------
// Malformed and oversized statements, binds

hostile(
  "malformed and oversized statements and binds: refused, and it keeps serving",
  async (target, t) => {
    const token = await target.login();
    const refused = (name: string, sql: string, o: QueryOptions = {}) =>
      t.step(name, async () => {
        target.assertRefused(name, await target.query(token, sql, o));
        await target.assertServing(name, token);
      });

    await refused("unterminated string", "SELECT 'never closed");
    await refused("unterminated string, megabyte long", `SELECT '${"x".repeat(900_000)}`);
    await refused("unterminated block comment", "SELECT 1 /* never closed");
    await refused("unterminated quoted identifier", 'SELECT "never closed');
    await refused("unterminated $$ string", "SELECT $$never closed");
    await refused("a lone quote", "'");
    await refused("empty", "");
    await refused("only a comment", "-- nothing here");
    await refused("a NUL byte", "SELECT 1\u0000");
    await refused("two statements", "SELECT 1; SELECT 2");
    await refused("ten thousand statements", "SELECT 1;".repeat(10_000));

    // Snowflake takes statements of up to 1 MB, and request bodies beyond that for their binds.
    const big = `SELECT '${"x".repeat(1_100_000)}' AS S`;
    await t.step("a statement over the size limit, plain body: a SQL error naming it", async () => {
      const a = await target.query(token, big);
      target.assertRefused("plain", a);
      assert.equal(a.status, 200);
      assert.match(a.body?.message ?? "", /longer than 1000000 bytes/);
      await target.assertServing("after it", token);
    });
    await refused("a statement over the size limit, gzip body", big, { gzip: true });
    await refused(
      "a 20 MB statement, gzip body",
      `SELECT '${"x".repeat(20_000_000)}' AS S`,
      { gzip: true },
    );
    await t.step("a gzip bomb of a statement: 4xx", async () => {
      const bomb = await compressionBomb("gzip", 200 * 1024 * 1024);
      const a = await target.query(token, "", { rawBody: bomb, contentEncoding: "gzip" });
      target.assertRefused("bomb", a);
      assert.ok(a.status! >= 400, `bomb: HTTP ${a.status}`);
      await target.assertServing("after a gzip bomb", token);
    });
    await refused("a body that is gzip without saying so", "", {
      rawBody: await gzip(JSON.stringify({ sqlText: "SELECT 1" })),
    });
    await refused("a body that says gzip and is not", "", {
      rawBody: JSON.stringify({ sqlText: "SELECT 1" }),
      contentEncoding: "gzip",
    });

    const binds = (n: number, value: (i: number) => unknown, type = "TEXT") =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [String(i + 1), { type, value: value(i) }]),
      );
    await refused("10,000 binds for one placeholder", "SELECT ?", {
      bindings: binds(10_000, () => "x"),
    });
    await refused("a bind at position 1e9", "SELECT ?", {
      bindings: { "1000000000": { type: "FIXED", value: "1" } },
    });
    await refused("binds that are not an object", "SELECT ?", { bindings: "x" });
    await refused("a placeholder without a bind", "SELECT ?, ?", { bindings: binds(1, () => "x") });
    await refused("array binds of unequal length", "SELECT ?, ?", {
      bindings: { "1": { type: "TEXT", value: ["a", "b"] }, "2": { type: "TEXT", value: ["a"] } },
    });
    await refused("100,001 array bind rows", "SELECT ?", {
      bindings: { "1": { type: "TEXT", value: Array(100_001).fill("x") } },
    });
    await t.step("10,000 binds, all used, in an IN list: right, or refused", async () => {
      const a = await target.query(
        token,
        `SELECT 4321 IN (${Array(10_000).fill("?").join(", ")}) AS HIT`,
        { bindings: binds(10_000, (i) => String(i), "FIXED") },
      );
      if (a.body?.success === true) assert.deepEqual(a.body.data.rowset, [["1"]]);
      else target.assertRefused("IN list", a);
      await target.assertServing("after 10,000 binds", token);
    });
    // snowflake-sdk sends a multi-row INSERT as array binds: 100,000 rows is the most the
    // emulator takes, run as multi-row INSERTs (it once ran them a row at a time, for minutes).
    await t.step("a bulk INSERT of 100,000 array-bound rows: right, or refused", async () => {
      const created = await target.query(token, "CREATE TABLE B (N NUMBER, S VARCHAR)");
      assert.equal(created.body?.success, true, created.text);
      const rows = 100_000;
      const a = await target.query(token, "INSERT INTO B (N, S) VALUES (?, ?)", {
        bindings: {
          "1": { type: "FIXED", value: Array.from({ length: rows }, (_, i) => String(i)) },
          "2": { type: "TEXT", value: Array.from({ length: rows }, (_, i) => `row ${i}`) },
        },
      });
      if (a.body?.success === true) {
        // One statement to the driver: the rows it inserted, all of them.
        assert.deepEqual(a.body.data?.rowset, [[String(rows)]]);
        const n = await target.query(token, "SELECT COUNT(*), SUM(N) FROM B");
        assert.deepEqual(n.body?.data?.rowset, [[String(rows), String((rows - 1) * rows / 2)]]);
      } else target.assertRefused("bulk insert", a);
      await target.assertServing("after a bulk insert", token);
    });
    await t.step("nothing was written outside the data folder", () => target.assertNoFiles());
  },
);

// ------------------------------------------------------------------------------------------------
// Deep nesting

/** `SELECT x FROM (SELECT x FROM (… SELECT 1 AS x …))`, `depth` levels. */
function nestedSubqueries(depth: number): string {
  let s = "SELECT 1 AS X";
  for (let i = 0; i < depth; i++) s = `SELECT X FROM (${s}) AS T${i}`;
  return s;
}

function nestedCalls(fn: string, depth: number): string {
  let s = "1";
  for (let i = 0; i < depth; i++) s = `${fn}(${s})`;
  return `SELECT ${s}`;
}

function nestedCase(depth: number): string {
  let s = "NULL";
  for (let i = 0; i < depth; i++) s = `CASE WHEN ${s} IS NULL THEN 1 ELSE 2 END`;
  return `SELECT ${s}`;
}

function scalarSubqueries(depth: number): string {
  let s = "1";
  for (let i = 0; i < depth; i++) s = `(SELECT ${s})`;
  return `SELECT ${s}`;
}

hostile(
  "deeply nested expressions, parentheses and subqueries: answered, and it keeps serving",
  async (target, t) => {
    let token = await target.login();
    const cases: [name: string, sql: string][] = [
      ["10,000 parentheses", `SELECT ${"(".repeat(10_000)}1${")".repeat(10_000)}`],
      ["100,000 opening parentheses", `SELECT ${"(".repeat(100_000)}`],
      ["150 parentheses", `SELECT ${"(".repeat(150)}1${")".repeat(150)}`],
      ["150 nested subqueries in FROM", nestedSubqueries(150)],
      ["190 nested scalar subqueries", scalarSubqueries(190)],
      ["100 nested function calls", nestedCalls("ABS", 100)],
      ["190 nested CASEs", nestedCase(190)],
      ["5,000 nested CASEs", nestedCase(5_000)],
      ["5,000 NOTs", `SELECT ${"NOT ".repeat(5_000)}TRUE`],
      ["5,000 unary minuses", `SELECT ${"- ".repeat(5_000)}1`],
      ["2,000 UNION ALLs", Array(2_000).fill("SELECT 1 AS X").join(" UNION ALL ")],
      ["5,000 UNION ALLs", Array(5_000).fill("SELECT 1 AS X").join(" UNION ALL ")],
      ["50,000 IN-list literals", `SELECT 7 IN (${Array.from({ length: 50_000 }, (_, i) => i)})`],
      ["600 additions", `SELECT ${"1+".repeat(600)}1`],
      ["1,000 additions", `SELECT ${"1+".repeat(1_000)}1`],
      ["50,000 additions", `SELECT ${"1+".repeat(50_000)}1`],
      ["20,000 ANDs", `SELECT ${Array(20_000).fill("TRUE").join(" AND ")}`],
      ["10,000 binds concatenated", `SELECT ${Array(10_000).fill("?").join(" || ")}`],
      [
        "10,000 columns",
        `SELECT ${Array.from({ length: 10_000 }, (_, i) => `${i} AS C${i}`).join(", ")}`,
      ],
    ];
    for (const [name, sql] of cases) {
      await t.step(name, async () => {
        let healthy = false;
        try {
          const bindings = sql.includes("?")
            ? Object.fromEntries(
              Array.from(
                { length: sql.split("?").length - 1 },
                (_, i) => [String(i + 1), { type: "TEXT", value: "x" }],
              ),
            )
            : undefined;
          const a = await target.query(token, sql, { bindings });
          // A statement that is valid Snowflake may also run; it must then be right.
          if (a.body?.success === true) {
            assert.ok(Array.isArray(a.body.data?.rowset), `${name}: ${a.text.slice(0, 300)}`);
          } else {
            target.assertRefused(name, a);
          }
          // A poisoned parser would fail every later statement.
          await target.assertServing(name, token);
          healthy = true;
        } finally {
          if (!healthy) {
            // Later cases get a fresh process rather than this one's poisoned parser.
            await target.restart();
            token = await target.login();
          }
        }
      });
    }
  },
);

// ------------------------------------------------------------------------------------------------
// Runaway queries

/** How long a runaway query is watched before it is cancelled. */
const WATCH_MS = 5_000;
/** How long a cancelled query may take to answer (a liveness bound, not a speed target). */
const CANCEL_MS = 20_000;

/**
 * Sends a query that would never end (or end after hours), watches memory and disk, cancels it
 * as snowflake-sdk does, and checks the answer and what follows.
 */
function runaway(name: string, sql: string, mayRun = false): void {
  hostile(`runaway query, bounded or cancellable: ${name}`, async (target) => {
    const token = await target.login();
    const other = await target.login();
    const baseDisk = await treeBytes(target.dataDir);
    let peakRss = 0;
    let peakDisk = 0;
    const problems: string[] = [];
    const sample = async () => {
      peakRss = Math.max(peakRss, await target.rssBytes());
      peakDisk = Math.max(peakDisk, (await treeBytes(target.dataDir)) - baseDisk);
    };
    const requestId = crypto.randomUUID();
    const stopWaiting = new AbortController();
    let answer: Answer | undefined;
    const pending = target.query(token, sql, {
      requestId,
      timeoutMs: WATCH_MS + CANCEL_MS + ANSWER_MS,
      signal: stopWaiting.signal,
    }).then((a) => (answer = a));
    try {
      // Watch it: other sessions are served meanwhile, memory and disk stay bounded.
      for (let waited = 0; waited < WATCH_MS && !answer; waited += 500) {
        await new Promise((r) => setTimeout(r, 500));
        await sample();
        const a = await target.query(other, "SELECT 1", { timeoutMs: 10_000 });
        if (a.body?.success !== true) {
          problems.push(`another session's SELECT 1 failed: ${a.error ?? a.text.slice(0, 200)}`);
        }
      }
      let cancelled = false;
      let waitedAfterCancel = 0;
      if (!answer) {
        const ack = await target.abort(token, requestId);
        assert.equal(ack.status, 200, `abort-request: ${ack.error ?? ack.text}`);
        assert.equal(ack.body?.success, true, `abort-request: ${ack.text}`);
        cancelled = true;
        for (; waitedAfterCancel < CANCEL_MS && !answer; waitedAfterCancel += 500) {
          await new Promise((r) => setTimeout(r, 500));
          await sample();
          // Stop before a spill fills the disk.
          if (peakDisk > MAX_SPILL_BYTES) break;
        }
      }
      await sample();
      if (!answer) {
        problems.push(
          `no answer ${WATCH_MS} ms after it was sent` +
            (cancelled ? ` nor ${waitedAfterCancel} ms after abort-request` : ""),
        );
      } else if (!(mayRun && answer.body?.success === true)) {
        try {
          target.assertRefused(name, answer);
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
      if (answer) {
        try {
          await target.assertServing(`after ${name}`, token);
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
    } finally {
      stopWaiting.abort();
      await pending;
    }
    if (peakRss >= MAX_RSS_BYTES) {
      problems.push(`the emulator's memory reached ${Math.round(peakRss / 1048576)} MB`);
    }
    if (peakDisk >= MAX_SPILL_BYTES) {
      problems.push(`the data folder grew by ${Math.round(peakDisk / 1048576)} MB`);
    }
    assert.ok(target.process.running(), `the emulator exited:\n${target.process.stderr()}`);
    assert.deepEqual(problems, [], name);
  });
}

runaway(
  "a recursive CTE without a termination condition",
  "WITH RECURSIVE R (N) AS (SELECT 1 UNION ALL SELECT N + 1 FROM R) SELECT COUNT(*) FROM R",
);
runaway(
  "a cross join of ten billion rows without LIMIT",
  `SELECT A.S, B.S
   FROM (SELECT SEQ8() AS S FROM TABLE(GENERATOR(ROWCOUNT => 100000))) AS A
   CROSS JOIN (SELECT SEQ8() AS S FROM TABLE(GENERATOR(ROWCOUNT => 100000))) AS B`,
);
runaway(
  "a GENERATOR of a trillion rows",
  "SELECT COUNT(*) FROM TABLE(GENERATOR(ROWCOUNT => 1000000000000))",
  true,
);
