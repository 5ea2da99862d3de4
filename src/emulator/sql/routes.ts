/**
 * The SQL endpoints snowflake-sdk uses, as hono routes:
 *
 * - `POST /session/v1/login-request` — key-pair login (AUTHENTICATOR `SNOWFLAKE_JWT`, TOKEN = the
 *   JWT), verified exactly as the streaming side verifies it; answers session and master tokens.
 * - `POST /queries/v1/query-request` — runs one statement (`sqlText`, positional `bindings`).
 * - `POST /session/token-request` — renews the session token with the master token.
 * - `POST /session?delete=true` — logout. `POST /session/heartbeat`, `POST /telemetry/send`,
 *   `POST /queries/v1/abort-request` — cancels the statement of that `requestId` if it runs.
 *
 * Outcomes the driver acts on (bad JWT, expired or unknown token, SQL errors) are answered as
 * Snowflake does: HTTP 200 with `success: false` and a code. Requests that are not even well
 * formed (no token header, a body that is not JSON) get a 4xx.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { createHmac } from "node:crypto";
import { ApiError } from "../errors.ts";
import { MAX_SMALL_BODY_BYTES, readAppendBody } from "../http_body.ts";
import type { Logger } from "../../log.ts";
import {
  CHUNK_ROWS,
  type ChunkDescriptor,
  errorBody,
  INLINE_ROWS,
  RESULT_PARAMETERS,
  resultBody,
  SqlError,
} from "./result.ts";
import { SessionError, type SessionStore, type SqlSession } from "./sessions.ts";
import { checkSessionParameter, mapError, type SqlEngine } from "./engine.ts";
import { SQL_ERRORS } from "./errors.ts";
import type { BindValue } from "./translate/context.ts";
import { type SessionState, STATEMENT_TYPE } from "./context.ts";
import type { StoredResult } from "./results.ts";

/** The account's names, as login answers them. */
export interface EmulatorSqlNames {
  account: string;
  database: string;
  schema: string;
  user: string;
  /** The user's default role: a session that asks for none has it, as in Snowflake. */
  role: string;
}

/** What the routes need. */
export interface SqlRouteDeps {
  names: EmulatorSqlNames;
  sessions: SessionStore;
  /** Verifies a key-pair JWT (the streaming side's verifier). */
  verifyKeypairJwt(token: string): Promise<{ account: string; user: string }>;
  engine: SqlEngine;
  /** The server's base URL (result chunks are downloaded from it). */
  url(): string;
  log: Logger;
}

/** Header that authorises a result chunk download (snowflake-sdk sends `chunkHeaders`). */
const CHUNK_TOKEN_HEADER = "x-liftline-result-token";
/** Path of a result chunk. */
const CHUNK_PATH = "/liftline/results/:queryId/:chunk";

/** Login failure code for a bad JWT (Snowflake's `JWT_TOKEN_INVALID`). */
export const JWT_INVALID_CODE = "390144";

const ok = (data: unknown) => ({ data, code: null, message: null, success: true });

/**
 * Most bytes of a query request, decompressed: its binds may be tens of thousands of values
 * (snowflake-sdk sends up to 65,280 inline before it would use a stage), while the statement
 * itself is held to `MAX_STATEMENT_BYTES` (1 MB, as Snowflake).
 */
const MAX_QUERY_BODY_BYTES = 16 * 1024 * 1024;

/** A request's body as a JSON object (4xx otherwise), within `limit` bytes decompressed. */
export async function readJson(
  c: Context,
  limit = MAX_SMALL_BODY_BYTES,
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    // The limit holds after decompression too: a small gzip body must not inflate to 32 times
    // it (a login reads it before anyone is signed in).
    text = await readAppendBody(c.req.raw, limit, limit);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, "390400", "The request body could not be read.");
  }
  if (text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ApiError(400, "390400", "The request body is not valid JSON.");
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new ApiError(400, "390400", "The request body must be a JSON object.");
  }
  return v as Record<string, unknown>;
}

/** The token of `Authorization: Snowflake Token="…"`; 401 when absent or malformed. */
function snowflakeToken(c: Context): string {
  const header = c.req.header("authorization") ?? "";
  const m = header.match(/^Snowflake Token="([^"]+)"$/);
  if (!m) {
    throw new ApiError(401, "390101", 'Authorization header Snowflake Token="…" is required.');
  }
  return m[1];
}

function fail(c: Context, e: unknown, log: Logger): Response {
  if (e instanceof SessionError) return c.json(errorBody(e.code, e.message));
  if (e instanceof SqlError) return c.json(errorBody(e.code, e.message, { sqlState: e.sqlState }));
  if (e instanceof ApiError) return c.json(errorBody(e.code, e.message), e.status as 400);
  log.error("SQL request failed", { error: e as Error });
  return c.json(errorBody("000603", "liftline emulator: internal error; see its log."), 500);
}

function withSession(
  deps: SqlRouteDeps,
  handler: (c: Context, session: SqlSession) => Promise<Response> | Response,
) {
  return async (c: Context) => {
    try {
      const session = deps.sessions.byToken(snowflakeToken(c));
      return await handler(c, session);
    } catch (e) {
      return fail(c, e, deps.log);
    }
  };
}

/** Adds the SQL endpoints to `app`. */
export function registerSqlRoutes(app: Hono, deps: SqlRouteDeps): void {
  const { names, sessions, log } = deps;

  app.post("/session/v1/login-request", async (c) => {
    try {
      const body = await readJson(c);
      const data = (body.data ?? {}) as Record<string, unknown>;
      // Only a string names an authenticator (String() of an object can throw).
      const authenticator = typeof data.AUTHENTICATOR === "string"
        ? data.AUTHENTICATOR.toUpperCase()
        : data.AUTHENTICATOR === undefined
        ? "SNOWFLAKE"
        : "";
      if (authenticator !== "SNOWFLAKE_JWT") {
        return c.json(errorBody(
          "390100",
          "liftline emulator: only key-pair authentication (AUTHENTICATOR SNOWFLAKE_JWT) is " +
            "supported.",
        ));
      }
      const token = data.TOKEN;
      if (typeof token !== "string" || token === "") {
        return c.json(errorBody(JWT_INVALID_CODE, "JWT token is invalid: no TOKEN was sent."));
      }
      let principal: { account: string; user: string };
      try {
        principal = await deps.verifyKeypairJwt(token);
      } catch (e) {
        return c.json(errorBody(JWT_INVALID_CODE, (e as Error).message || "JWT token is invalid."));
      }
      const login = typeof data.LOGIN_NAME === "string" ? data.LOGIN_NAME.toUpperCase() : undefined;
      if (login !== undefined && login !== principal.user) {
        return c.json(errorBody(JWT_INVALID_CODE, "JWT token is invalid: it names another user."));
      }
      const q = (k: string) => {
        const v = c.req.query(k);
        return v ? v.toUpperCase() : null;
      };
      const database = q("databaseName");
      const schema = q("schemaName");
      const catalog = deps.engine.catalog;
      if (database !== null && !catalog.hasDatabase(database)) {
        return c.json(
          errorBody(
            "390201",
            `The requested database ${database} does not exist or not authorized.`,
          ),
        );
      }
      if (schema !== null && !catalog.hasSchema(database ?? names.database, schema)) {
        return c.json(
          errorBody("390201", `The requested schema ${schema} does not exist or not authorized.`),
        );
      }
      const session = sessions.create(principal, {
        database: database ?? names.database,
        schema: schema ?? names.schema,
        warehouse: q("warehouse"),
        role: q("roleName") ?? names.role,
      });
      log.debug("SQL session opened", { session: session.id, user: principal.user });
      return c.json(ok({
        token: session.token,
        masterToken: session.masterToken,
        validityInSeconds: sessions.sessionTtlSeconds,
        masterValidityInSeconds: sessions.masterTtlSeconds,
        sessionId: session.id,
        displayUserName: principal.user,
        serverVersion: "liftline-emulator",
        firstLogin: false,
        remMeToken: null,
        remMeValidityInSeconds: 0,
        healthCheckInterval: 45,
        newClientForUpgrade: null,
        idToken: null,
        mfaToken: null,
        parameters: RESULT_PARAMETERS,
        sessionInfo: {
          databaseName: session.database,
          schemaName: session.schema,
          warehouseName: session.warehouse,
          roleName: session.role,
        },
      }));
    } catch (e) {
      return fail(c, e, log);
    }
  });

  app.post(
    "/queries/v1/query-request",
    withSession(deps, async (c, session) => {
      const body = await readJson(c, MAX_QUERY_BODY_BYTES);
      const sqlText = body.sqlText;
      if (typeof sqlText !== "string") {
        throw new ApiError(400, "390400", "sqlText is required and must be a string.");
      }
      // asyncExec: the statement runs within the request as any other (the emulator's statements
      // are quick); the driver then reads its status and result by its query id, as it would.
      if (body.bindStage !== undefined) throw SQL_ERRORS.unsupported("stage binds");
      const state = stateOf(deps, session);
      const sets = decodeBindings(body.bindings);
      try {
        const requestId = c.req.query("requestId");
        const desired = multiStatementCount(body.parameters, state);
        if (desired !== 1) {
          if (sets[0]?.length) throw SQL_ERRORS.unsupported("binds in a multi-statement request");
          // The driver fetches each result by its id, the next ones when the caller asks (the
          // engine holds them from the moment each is stored).
          const script = await deps.engine.executeScript(sqlText, desired, state, requestId);
          const answer = await resultAnswer(deps, script.parent, 0, state);
          // The driver fetches each statement's result by its id (GET /queries/<id>/result).
          Object.assign(answer.data as Record<string, unknown>, {
            resultIds: script.children.map((r) => r.queryId).join(","),
            resultTypes: script.children.map((r) => r.statementTypeId).join(","),
          });
          return c.json(answer);
        }
        // describeOnly: the result's columns without its rows, as the driver's describe asks.
        const r = await deps.engine.executeAll(sqlText, sets, state, requestId, {
          describeOnly: body.describeOnly === true,
          timeoutSeconds: statementTimeout(body.parameters),
        });
        return c.json(await resultAnswer(deps, r, sets[0]?.length ?? 0, state));
      } catch (e) {
        if (e instanceof ApiError) throw e;
        // Any failure, reading the rows included, is the statement's error: a 5xx would make
        // snowflake-sdk retry the request for minutes before giving up.
        const err = mapError(e);
        // An internal error is the emulator's to report; a transaction it rolled back (25P02), or
        // a statement's own (57014), was logged as a warning when that happened.
        if (err.code === "000603" && err.sqlState !== "25P02" && err.sqlState !== "57014") {
          log.error("statement failed", { error: e as Error });
        }
        return c.json(errorBody(err.code, err.message, { sqlState: err.sqlState }));
      }
    }),
  );

  // A chunk of a result: JSON rows without the enclosing brackets, as cloud storage serves them.
  app.get(CHUNK_PATH, async (c) => {
    const queryId = c.req.param("queryId") ?? "";
    const index = Number(c.req.param("chunk"));
    if (c.req.header(CHUNK_TOKEN_HEADER) !== chunkToken(deps, queryId)) {
      return c.text("Forbidden", 403);
    }
    const result = deps.engine.results.get(queryId);
    if (!result || !Number.isInteger(index) || index < 0) return c.text("Not Found", 404);
    const from = INLINE_ROWS + index * CHUNK_ROWS;
    if (from >= result.rowCount) return c.text("Not Found", 404);
    deps.engine.results.touch(queryId);
    const rows = await deps.engine.rows(result, from, Math.min(result.rowCount, from + CHUNK_ROWS));
    // Served as cloud storage serves it, as bytes: the driver adds the brackets and parses.
    return c.body(rows.map((r) => JSON.stringify(r)).join(","), 200, {
      "content-type": "application/octet-stream",
    });
  });

  app.get(
    "/queries/:id/result",
    withSession(deps, async (c, session) => {
      // Statements complete within their request; a result is fetched later only when a
      // multi-statement request names its statements' results.
      const id = c.req.param("id") ?? "";
      const result = deps.engine.results.get(id);
      if (!result || result.user !== session.user) {
        return c.json(errorBody("000709", `Statement ${id} not found.`), 404);
      }
      const state = stateOf(deps, session);
      const statementTypeId = deps.engine.statementTypeOf(id) ?? STATEMENT_TYPE.select;
      return c.json(await resultAnswer(deps, { queryId: id, result, statementTypeId }, 0, state));
    }),
  );

  // A query's status, as the driver polls it (getQueryStatus, getResultsFromQueryId). Statements
  // complete within their request: a query with a kept result succeeded; one unknown here is not
  // reported (the driver's NO_QUERY_DATA), as for a query id Snowflake no longer holds.
  app.get(
    "/monitoring/queries/:id",
    withSession(deps, (c, session) => {
      const id = c.req.param("id") ?? "";
      const result = deps.engine.results.get(id);
      const known = result !== undefined && result.user === session.user;
      return c.json(ok({
        queries: known ? [{ id, status: "SUCCESS", state: "SUCCEEDED", errorCode: null }] : [],
      }));
    }),
  );

  app.post("/session/token-request", async (c) => {
    try {
      const master = snowflakeToken(c);
      const body = await readJson(c);
      if (body.requestType !== undefined && body.requestType !== "RENEW") {
        throw new ApiError(400, "390400", "requestType must be RENEW.");
      }
      const old = typeof body.oldSessionToken === "string" ? body.oldSessionToken : undefined;
      const s = sessions.renew(master, old);
      return c.json(ok({
        sessionToken: s.token,
        validityInSecondsST: sessions.sessionTtlSeconds,
        masterToken: s.masterToken,
        validityInSecondsMT: Math.max(0, Math.round((s.masterExpiresAt - Date.now()) / 1000)),
        sessionId: s.id,
      }));
    } catch (e) {
      return fail(c, e, log);
    }
  });

  app.post("/session", (c) => {
    try {
      if (c.req.query("delete") !== "true") {
        throw new ApiError(400, "390400", "POST /session needs delete=true.");
      }
      const token = snowflakeToken(c);
      if (!sessions.delete(token)) return c.json(errorBody("390111", "Session no longer exists."));
      return c.json(ok(null));
    } catch (e) {
      return fail(c, e, log);
    }
  });

  app.post("/session/heartbeat", withSession(deps, (c) => c.json(ok({}))));
  app.post(
    "/telemetry/send",
    withSession(deps, async (c) => {
      await readJson(c);
      return c.json(ok(null));
    }),
  );
  app.post(
    "/queries/v1/abort-request",
    withSession(deps, async (c) => {
      const body = await readJson(c);
      if (typeof body.requestId === "string") deps.engine.cancel(body.requestId);
      return c.json(ok(null));
    }),
  );
}

/**
 * The request's own STATEMENT_TIMEOUT_IN_SECONDS (snowflake-sdk's `parameters` of one
 * statement), or undefined for the session's.
 */
function statementTimeout(parameters: unknown): number | undefined {
  if (!parameters || typeof parameters !== "object") return undefined;
  const entry = Object.entries(parameters).find(([k]) =>
    k.toUpperCase() === "STATEMENT_TIMEOUT_IN_SECONDS"
  );
  if (!entry) return undefined;
  const text = String(entry[1]).trim();
  checkSessionParameter("STATEMENT_TIMEOUT_IN_SECONDS", text);
  return Number(text);
}

/** The engine's state of an authenticated session. */
/** A stored result as the query answer: its first rows inline, the rest as chunk links. */
async function resultAnswer(
  deps: SqlRouteDeps,
  r: { queryId: string; result: StoredResult; statementTypeId: number },
  numberOfBinds: number,
  state: SessionState,
): Promise<Record<string, unknown>> {
  const total = r.result.rowCount;
  const inline = Math.min(total, INLINE_ROWS);
  const rowset = await deps.engine.rows(r.result, 0, inline);
  const chunks: ChunkDescriptor[] = [];
  // The client fetches the rest later: the result must stay until it has.
  if (total > inline) deps.engine.results.touch(r.queryId);
  for (let from = inline, i = 0; from < total; from += CHUNK_ROWS, i++) {
    const rowCount = Math.min(CHUNK_ROWS, total - from);
    chunks.push({
      url: `${deps.url()}/liftline/results/${r.queryId}/${i}`,
      rowCount,
      uncompressedSize: rowCount * 64,
      compressedSize: rowCount * 64,
    });
  }
  return resultBody({
    queryId: r.queryId,
    columns: r.result.columns,
    rowset,
    total,
    chunks,
    chunkHeaders: { [CHUNK_TOKEN_HEADER]: chunkToken(deps, r.queryId) },
    statementTypeId: r.statementTypeId,
    numberOfBinds,
  }, state);
}

/**
 * How many statements a request may hold: the request's MULTI_STATEMENT_COUNT, else the
 * session's (ALTER SESSION SET), else 1; 0 means any number.
 */
function multiStatementCount(parameters: unknown, state: SessionState): number {
  const fromRequest = parameters && typeof parameters === "object"
    ? (parameters as Record<string, unknown>).MULTI_STATEMENT_COUNT
    : undefined;
  const raw = fromRequest ?? state.parameters.get("MULTI_STATEMENT_COUNT") ?? 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw SQL_ERRORS.invalidProperty("MULTI_STATEMENT_COUNT", String(raw));
  }
  return n;
}

function stateOf(deps: SqlRouteDeps, session: SqlSession): SessionState {
  return deps.engine.session(String(session.id), {
    user: session.user,
    account: session.account,
    database: session.database,
    schema: session.schema,
    warehouse: session.warehouse,
    role: session.role,
  });
}

let hmacKey: Uint8Array | undefined;

/** The token that lets the holder download a result's chunks. */
function chunkToken(_deps: SqlRouteDeps, queryId: string): string {
  hmacKey ??= crypto.getRandomValues(new Uint8Array(32));
  return createHmac("sha256", hmacKey).update(queryId).digest("base64url");
}

/**
 * The driver's `bindings` (`{"1": {"type": "TEXT", "value": "…"}}`) as one list of binds per
 * execution: array binds (a list of values per position) make one per row (see
 * {@link SqlEngine.executeAll}).
 */
export function decodeBindings(bindings: unknown): BindValue[][] {
  if (bindings === undefined || bindings === null) return [[]];
  if (typeof bindings !== "object" || Array.isArray(bindings)) {
    throw new SqlError("002049", "42601", "bindings must be an object keyed by position.");
  }
  const entries = Object.entries(bindings as Record<string, unknown>);
  const byPos: { type: string; value: unknown }[] = new Array(entries.length);
  for (const [key, raw] of entries) {
    const pos = Number(key);
    if (!Number.isInteger(pos) || pos < 1 || pos > entries.length) {
      throw new SqlError("002049", "42601", `binding ${JSON.stringify(key)} is not a position.`);
    }
    const b = raw as { type?: unknown; value?: unknown } | null;
    if (!b || typeof b !== "object") {
      throw new SqlError("002049", "42601", `binding ${key} is malformed.`);
    }
    if (b.type !== undefined && typeof b.type !== "string") {
      throw new SqlError("002049", "42601", `binding ${key} has no valid type.`);
    }
    byPos[pos - 1] = { type: (b.type ?? "TEXT").toUpperCase(), value: b.value };
  }
  const scalar = (t: string, v: unknown): BindValue => ({
    type: t,
    value: v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v),
  });
  const arrays = byPos.filter((b) => Array.isArray(b.value));
  if (!arrays.length) return [byPos.map((b) => scalar(b.type, b.value))];
  if (arrays.length !== byPos.length) {
    throw new SqlError("002049", "42601", "array binds must all be arrays.");
  }
  const n = (byPos[0].value as unknown[]).length;
  if (byPos.some((b) => (b.value as unknown[]).length !== n)) {
    throw new SqlError("002049", "42601", "array binds must have the same length.");
  }
  if (n > 100_000) {
    throw new SqlError("002049", "42601", "too many array bind rows (the emulator takes 100,000).");
  }
  return Array.from(
    { length: n },
    (_, r) => byPos.map((b) => scalar(b.type, (b.value as unknown[])[r])),
  );
}
