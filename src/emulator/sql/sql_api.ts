/**
 * Snowflake's SQL API (`/api/v2/statements`), the REST endpoint for clients without a driver
 * (curl, a service in any language), with key-pair JWT auth:
 *
 * - `POST /api/v2/statements[?async=true&nullable=false&requestId=…&retry=true]` runs a body's
 *   `statement` (or several, with `parameters.MULTI_STATEMENT_COUNT`) in a session of its own,
 *   with the body's `database`, `schema`, `warehouse`, `role`, `bindings`, `timeout` and session
 *   `parameters`. 200 with a ResultSet (`resultSetMetaData`, `data` as `jsonv2` strings); 202
 *   while it runs (asked for, or past 45 s); 408 past its timeout; 422 when it failed.
 * - `GET /api/v2/statements/{handle}[?partition=n]`: its status, or a partition of its rows.
 * - `POST /api/v2/statements/{handle}/cancel`.
 *
 * The statements run through the same engine as snowflake-sdk's; a handle is the statement's
 * query id, so `RESULT_SCAN('<handle>')` and QUERY_HISTORY know it.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { ApiError } from "../errors.ts";
import {
  checkSessionParameter,
  type ExecutedStatement,
  mapError,
  MAX_STATEMENT_TIMEOUT_SECONDS,
  setSessionParameter,
} from "./engine.ts";
import { rowtypeOf } from "./result.ts";
import { SQL_ERRORS, type SqlError } from "./errors.ts";
import { type SessionState, STATEMENT_TYPE } from "./context.ts";
import { decodeBindings, JWT_INVALID_CODE, readJson, type SqlRouteDeps } from "./routes.ts";
import type { StoredResult } from "./results.ts";

/** Rows per partition of a result. */
export const PARTITION_ROWS = 10_000;
/** How long a request waits for its statement before it answers 202 (Snowflake's 45 s). */
const SYNC_WAIT_MS = 45_000;
/**
 * How many statements may run at once (more are answered 429). A running DuckDB statement holds
 * one of the runtime's blocking threads: with about 32 long ones the whole process waited (the
 * JWT checks of every endpoint among it).
 */
export const MAX_RUNNING = 8;
/** How many statements' outcomes are kept for GET by handle (oldest forgotten first). */
const KEPT_STATEMENTS = 1_000;
/** Most bytes of a request body (a statement is at most 1 MB; binds add to it). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A statement the API ran or runs. */
interface ApiStatement {
  readonly handle: string;
  readonly user: string;
  readonly requestId: string;
  readonly createdOn: number;
  /** SQL NULL as `null` (true) or as the string `"null"` (the POST's `nullable=false`). */
  readonly nullable: boolean;
  readonly done: Promise<void>;
  outcome?:
    | { ok: true; result: ExecutedStatement; children?: readonly ExecutedStatement[] }
    | { ok: false; error: SqlError };
}

/** The statements of the API, by handle and by request id. */
class ApiStatements {
  readonly #byHandle = new Map<string, ApiStatement>();
  readonly #byRequest = new Map<string, string>();

  add(s: ApiStatement): void {
    this.#byHandle.set(s.handle, s);
    this.#byRequest.set(`${s.user}\u0000${s.requestId}`, s.handle);
    while (this.#byHandle.size > KEPT_STATEMENTS) {
      const [oldest, st] = this.#byHandle.entries().next().value!;
      this.#byHandle.delete(oldest);
      // A later statement of the same request id keeps its entry.
      const key = `${st.user}\u0000${st.requestId}`;
      if (this.#byRequest.get(key) === oldest) this.#byRequest.delete(key);
    }
  }

  get(handle: string, user: string): ApiStatement | undefined {
    const s = this.#byHandle.get(handle);
    return s?.user === user ? s : undefined;
  }

  byRequest(requestId: string, user: string): ApiStatement | undefined {
    const handle = this.#byRequest.get(`${user}\u0000${requestId}`);
    return handle === undefined ? undefined : this.#byHandle.get(handle);
  }
}

const BEARER = /^Bearer\s+(\S+)$/i;

/** The signed-in user of a request: a key-pair JWT as a bearer token. */
/** Who signed a request. */
type Principal = { account: string; user: string };

async function principalOf(c: Context, deps: SqlRouteDeps): Promise<Principal> {
  const m = BEARER.exec(c.req.header("authorization") ?? "");
  if (!m) throw new ApiError(401, "390101", "Authorization: Bearer <JWT> is required.");
  const type = (c.req.header("x-snowflake-authorization-token-type") ?? "KEYPAIR_JWT")
    .toUpperCase();
  if (type !== "KEYPAIR_JWT") {
    throw new ApiError(
      401,
      "390100",
      `liftline emulator: only key-pair JWTs are accepted (X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT), not ${type}.`,
    );
  }
  try {
    return await deps.verifyKeypairJwt(m[1]);
  } catch (e) {
    throw new ApiError(401, JWT_INVALID_CODE, (e as Error).message || "JWT token is invalid.");
  }
}

/** The request body: a JSON object with a `statement`. */
async function readStatementBody(c: Context): Promise<Record<string, unknown>> {
  const b = await readJson(c, MAX_BODY_BYTES);
  if (typeof b.statement !== "string" || b.statement.trim() === "") {
    throw new ApiError(400, "390400", "The request body needs a statement (a string).");
  }
  const timeout = b.timeout;
  if (
    timeout !== undefined &&
    !(Number.isInteger(timeout) && (timeout as number) >= 0 &&
      (timeout as number) <= MAX_STATEMENT_TIMEOUT_SECONDS)
  ) {
    throw new ApiError(
      400,
      "390400",
      `timeout must be a whole number of seconds, at most ${MAX_STATEMENT_TIMEOUT_SECONDS}.`,
    );
  }
  for (const k of ["database", "schema", "warehouse", "role"]) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== "string") {
      throw new ApiError(400, "390400", `${k} must be a string.`);
    }
  }
  const p = b.parameters;
  if (p !== undefined && (p === null || typeof p !== "object" || Array.isArray(p))) {
    throw new ApiError(400, "390400", "parameters must be an object.");
  }
  return b;
}

/**
 * An identifier as the body names it: double-quoted, exactly that; else the name as written when
 * an object has it (the docs ask for the case SHOW gives), upper-cased otherwise.
 */
function identifier(v: unknown, exists: (name: string) => boolean = () => false): string | null {
  if (typeof v !== "string" || v === "") return null;
  const quoted = /^"(.+)"$/.exec(v);
  if (quoted) return quoted[1].replaceAll('""', '"');
  return exists(v) ? v : v.toUpperCase();
}

/** Adds the SQL API's endpoints to `app`. */
export function registerSqlApiRoutes(app: Hono, deps: SqlRouteDeps): void {
  const statements = new ApiStatements();
  let running = 0;
  const statusUrl = (s: ApiStatement) =>
    `/api/v2/statements/${s.handle}?requestId=${encodeURIComponent(s.requestId)}`;

  const fail = (c: Context, e: unknown): Response => {
    if (e instanceof ApiError) {
      return c.json({ code: e.code, message: e.message }, e.status);
    }
    deps.log.error("SQL API request failed", { error: e as Error });
    return c.json(
      { code: "000603", message: "liftline emulator: internal error; see its log." },
      500,
    );
  };

  /** A handler for the signed-in user of the request; its failures answered as the API does. */
  const signedIn = (
    handler: (c: Context, principal: Principal) => Promise<Response> | Response,
  ) =>
  async (c: Context): Promise<Response> => {
    try {
      return await handler(c, await principalOf(c, deps));
    } catch (e) {
      return fail(c, e);
    }
  };

  /** The answer for a statement: its rows (one partition), or how it stands. */
  const answer = async (
    c: Context,
    s: ApiStatement,
    options: { partition: number; posted: boolean },
  ): Promise<Response> => {
    const base = {
      statementHandle: s.handle,
      statementStatusUrl: statusUrl(s),
      requestId: s.requestId,
      createdOn: s.createdOn,
    };
    const o = s.outcome;
    if (!o) {
      return c.json({
        code: "333334",
        message:
          "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
        ...base,
      }, 202);
    }
    if (!o.ok) {
      // 408 answers the request that ran past its timeout; asked later, it is a failure.
      const timedOut = options.posted && o.error.code === "000630";
      return c.json({
        code: o.error.code,
        sqlState: o.error.sqlState,
        message: o.error.message,
        ...base,
      }, timedOut ? 408 : 422);
    }
    const r = o.result;
    if (deps.engine.results.get(r.queryId) !== r.result) {
      return c.json({
        code: "000709",
        sqlState: "02000",
        message:
          `The result of statement ${r.queryId} is no longer kept (the emulator keeps 200 results, those being read for 10 minutes).`,
        ...base,
      }, 422);
    }
    // Being read: it stays while the client fetches its partitions.
    deps.engine.results.touch(r.queryId);
    const total = r.result.rowCount;
    const partitions = Math.max(1, Math.ceil(total / PARTITION_ROWS));
    if (options.partition >= partitions) {
      throw new ApiError(
        400,
        "390400",
        `partition ${options.partition} does not exist: the result has ${partitions}.`,
      );
    }
    const from = options.partition * PARTITION_ROWS;
    const rows = await deps.engine.rows(r.result, from, Math.min(total, from + PARTITION_ROWS));
    const data = apiRows(r.result, rows, s.nullable);
    const link = (n: number, rel: string) => `<${statusUrl(s)}&partition=${n}>; rel="${rel}"`;
    const links = [link(0, "first"), link(partitions - 1, "last")];
    if (options.partition + 1 < partitions) links.push(link(options.partition + 1, "next"));
    if (options.partition > 0) links.push(link(options.partition - 1, "prev"));
    c.header("Link", links.join(","));
    return c.json({
      resultSetMetaData: {
        numRows: total,
        format: "jsonv2",
        partitionInfo: Array.from({ length: partitions }, (_, i) => {
          const rowCount = Math.min(PARTITION_ROWS, total - i * PARTITION_ROWS);
          return { rowCount: Math.max(0, rowCount), uncompressedSize: Math.max(0, rowCount) * 64 };
        }),
        rowType: r.result.columns.map(rowtypeOf),
      },
      data,
      code: "090001",
      sqlState: "00000",
      message: "Statement executed successfully.",
      ...(o.children ? { statementHandles: o.children.map((x) => x.queryId) } : {}),
      ...(options.partition === 0 ? dmlStats(r, rows[0]) : {}),
      ...base,
    }, 200);
  };

  app.post(
    "/api/v2/statements",
    signedIn(async (c, principal) => {
      const body = await readStatementBody(c);
      const requestId = c.req.query("requestId") || crypto.randomUUID();
      const nullable = c.req.query("nullable") !== "false";
      // A resubmitted request (retry=true, the same requestId) answers for the statement it
      // already ran instead of running it again; one that failed runs again.
      if (c.req.query("retry") === "true") {
        const earlier = statements.byRequest(requestId, principal.user);
        if (earlier && (!earlier.outcome || earlier.outcome.ok)) {
          return await answer(c, earlier, { partition: 0, posted: true });
        }
      }
      // Each statement holds a session and a DuckDB connection of its own while it runs.
      if (running >= MAX_RUNNING) {
        throw new ApiError(
          429,
          "390400",
          `${MAX_RUNNING} statements of the SQL API run already; retry when one has finished.`,
        );
      }
      const state = openSession(deps, principal, body);
      const params = (body.parameters ?? {}) as Record<string, unknown>;
      const multi = Object.entries(params).find(([k]) =>
        k.toUpperCase() === "MULTI_STATEMENT_COUNT"
      )?.[1];
      const desired = multi === undefined ? 1 : Number(multi);
      const counted = typeof multi === "number" || (typeof multi === "string" && multi !== "");
      if ((multi !== undefined && !counted) || !Number.isInteger(desired) || desired < 0) {
        await deps.engine.endSession(state.id);
        throw new ApiError(400, "390400", `MULTI_STATEMENT_COUNT ${String(multi)} is not valid.`);
      }
      const handle = crypto.randomUUID();
      let settle!: () => void;
      const s: ApiStatement = {
        handle,
        user: principal.user,
        requestId,
        createdOn: Date.now(),
        nullable,
        done: new Promise<void>((r) => settle = r),
      };
      statements.add(s);
      const text = body.statement as string;
      running++;
      (async () => {
        try {
          applyParameters(state, params, body.timeout as number | undefined);
          if (desired === 1) {
            const sets = decodeBindings(body.bindings);
            // One statement takes the handle as its query id (array binds answer a sum of
            // their parts, under an id of its own).
            if (sets.length <= 1) state.nextQueryId = handle;
            const result = await deps.engine.executeAll(text, sets, state, handle);
            // The client reads it later (async, partitions): it stays while in use.
            deps.engine.results.touch(result.queryId);
            s.outcome = { ok: true, result };
          } else {
            if (body.bindings != null && Object.keys(body.bindings).length) {
              throw SQL_ERRORS.unsupported("binds in a multi-statement request");
            }
            const script = await deps.engine.executeScript(text, desired, state, handle);
            for (const child of script.children) {
              deps.engine.results.touch(child.queryId);
              statements.add({
                handle: child.queryId,
                user: principal.user,
                requestId: `${requestId}:${child.queryId}`,
                createdOn: s.createdOn,
                nullable,
                done: Promise.resolve(),
                outcome: { ok: true, result: child },
              });
            }
            s.outcome = { ok: true, result: script.parent, children: script.children };
          }
        } catch (e) {
          const error = mapError(e);
          if (error.code === "000603" && error.sqlState !== "25P02") {
            deps.log.error("statement failed", { error: e as Error });
          }
          s.outcome = { ok: false, error };
        } finally {
          await deps.engine.endSession(state.id).catch(() => {});
          running--;
          settle();
        }
      })();
      if (c.req.query("async") !== "true") {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([s.done, new Promise((r) => timer = setTimeout(r, SYNC_WAIT_MS))]);
        clearTimeout(timer);
      }
      return await answer(c, s, { partition: 0, posted: true });
    }),
  );

  app.get(
    "/api/v2/statements/:handle",
    signedIn(async (c, principal) => {
      const handle = c.req.param("handle") ?? "";
      const raw = c.req.query("partition") ?? "0";
      const partition = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(partition)) {
        throw new ApiError(400, "390400", `partition ${raw} is not a partition number.`);
      }
      const s = statements.get(handle, principal.user) ?? storedStatement(deps, handle, principal);
      if (!s) {
        return c.json({ code: "000709", message: `Statement ${handle} not found.` }, 404);
      }
      return await answer(c, s, { partition, posted: false });
    }),
  );

  app.post(
    "/api/v2/statements/:handle/cancel",
    signedIn((c, principal) => {
      const handle = c.req.param("handle") ?? "";
      const s = statements.get(handle, principal.user);
      if (!s) {
        return c.json({
          code: "000709",
          sqlState: "02000",
          message: `Statement ${handle} not found.`,
          statementHandle: handle,
        }, 422);
      }
      deps.engine.cancel(handle);
      return c.json({
        code: "000000",
        sqlState: "00000",
        message: "successfully canceled",
        statementHandle: s.handle,
        statementStatusUrl: statusUrl(s),
      });
    }),
  );
}

/** A session of its own for one request, in the body's context (the user's defaults else). */
function openSession(
  deps: SqlRouteDeps,
  principal: Principal,
  body: Record<string, unknown>,
): SessionState {
  const catalog = deps.engine.catalog;
  const database = identifier(body.database, (d) => catalog.hasDatabase(d)) ?? deps.names.database;
  const schema = identifier(body.schema, (sc) => catalog.hasSchema(database, sc)) ??
    (body.database ? "PUBLIC" : deps.names.schema);
  if (!catalog.hasDatabase(database)) {
    throw new ApiError(
      422,
      "390201",
      `The requested database ${database} does not exist or not authorized.`,
    );
  }
  if (!catalog.hasSchema(database, schema)) {
    throw new ApiError(
      422,
      "390201",
      `The requested schema ${schema} does not exist or not authorized.`,
    );
  }
  return deps.engine.session(`sql-api:${crypto.randomUUID()}`, {
    user: principal.user,
    account: principal.account,
    database,
    schema,
    warehouse: identifier(body.warehouse),
    role: identifier(body.role) ?? deps.names.role,
  });
}

/** The body's session parameters and timeout, checked as ALTER SESSION SET checks them. */
function applyParameters(
  state: SessionState,
  params: Record<string, unknown>,
  timeout: number | undefined,
): void {
  const changes: [string, string][] = [];
  for (const [k, v] of Object.entries(params)) {
    const name = k.toUpperCase();
    if (name === "MULTI_STATEMENT_COUNT") continue;
    if (v === null || typeof v === "object") throw SQL_ERRORS.invalidProperty(name, String(v));
    // The values come back as jsonv2 text: the emulator formats none of them server-side.
    if (name.endsWith("_OUTPUT_FORMAT") || name === "AUTOCOMMIT") {
      throw SQL_ERRORS.unsupported(`the SQL API parameter ${name}`);
    }
    changes.push([name, String(v)]);
  }
  if (timeout !== undefined && timeout > 0) {
    changes.push(["STATEMENT_TIMEOUT_IN_SECONDS", String(timeout)]);
  }
  for (const [name, text] of changes) checkSessionParameter(name, text);
  for (const [name, text] of changes) setSessionParameter(state, name, text);
}

/** A result the user's other clients made (snowflake-sdk's query ids are handles too). */
function storedStatement(
  deps: SqlRouteDeps,
  handle: string,
  principal: { user: string },
): ApiStatement | undefined {
  const result = deps.engine.results.get(handle);
  if (!result || result.user !== principal.user) return undefined;
  const statementTypeId = deps.engine.statementTypeOf(handle) ?? STATEMENT_TYPE.select;
  return {
    handle,
    user: principal.user,
    requestId: handle,
    createdOn: result.createdAt,
    nullable: true,
    done: Promise.resolve(),
    outcome: { ok: true, result: { queryId: handle, result, statementTypeId } },
  };
}

/**
 * Rows as `jsonv2` sends them: the driver's encoding (see `results.ts`) but for BOOLEAN, which is
 * `true` / `false`; with `nullable=false`, NULL as the string `null`.
 */
function apiRows(
  result: StoredResult,
  rows: (string | null)[][],
  nullable: boolean,
): (string | null)[][] {
  const booleans = result.columns.flatMap((col, i) => col.type.kind === "BOOLEAN" ? [i] : []);
  if (!booleans.length && nullable) return rows;
  for (const row of rows) {
    for (const i of booleans) {
      if (row[i] !== null) row[i] = row[i] === "1" ? "true" : "false";
    }
    if (!nullable) { for (let i = 0; i < row.length; i++) row[i] ??= "null"; }
  }
  return rows;
}

/** The `stats` of a DML statement's answer, from its row of counts. */
function dmlStats(
  r: ExecutedStatement,
  counts: readonly (string | null)[] | undefined,
): { stats: Record<string, number> } | Record<string, never> {
  const t = r.statementTypeId;
  const dml = t === STATEMENT_TYPE.insert || t === STATEMENT_TYPE.update ||
    t === STATEMENT_TYPE.delete || t === STATEMENT_TYPE.merge;
  if (!dml || !counts) return {};
  const stats: Record<string, number> = {};
  r.result.columns.forEach((c, i) => {
    const key = STAT_NAMES[c.name];
    if (key) stats[key] = Number(counts[i] ?? 0);
  });
  return { stats };
}

/** The SQL API's `stats` keys of the count columns of a DML statement's result. */
const STAT_NAMES: Record<string, string> = {
  "number of rows inserted": "numRowsInserted",
  "number of rows updated": "numRowsUpdated",
  "number of rows deleted": "numRowsDeleted",
  "number of multi-joined rows updated": "numDmlDuplicates",
};
