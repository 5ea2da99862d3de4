/**
 * The embedded Snowflake emulator: an account with one user, database and schema, served over the
 * APIs Snowflake's clients use — the Snowpipe Streaming v2 REST API (key-pair JWT, scoped tokens,
 * channels, delayed commits, fault injection) and the SQL endpoints snowflake-sdk calls — over a
 * DuckDB warehouse that runs Snowflake SQL, with dynamic tables refreshed on their target lag.
 *
 * It knows nothing of liftline: clients create their tables, pipes, views and dynamic tables
 * through SQL, as in a real account. Importing this module starts nothing; {@link startEmulator}
 * does.
 *
 * @module
 */
import { serveSupervised, type SupervisedServer } from "../serve.ts";
import { localFetch } from "./local_fetch.ts";
import { Hono } from "hono";
import { ERROR_CODE } from "../snowflake/protocol.ts";
import { ensureKeyPair } from "../snowflake/key_files.ts";
import { type Logger, silentLogger } from "../log.ts";
import { AuthError, EmulatorAuth } from "./auth.ts";
import { StreamingService } from "./channels.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { type FaultConfig, NO_FAULTS, parseFaults } from "./faults.ts";
import { registerStreamingRoutes } from "./routes.ts";
import { Warehouse } from "./warehouse/warehouse.ts";
import { type DynamicOptions, DynamicTables } from "./dynamic/service.ts";
import { SqlEngine } from "./sql/engine.ts";
import { SessionStore, type SessionStoreOptions } from "./sql/sessions.ts";
import { registerSqlRoutes, type SqlRouteDeps } from "./sql/routes.ts";
import { registerSqlApiRoutes } from "./sql/sql_api.ts";
import { LocalSqlClient } from "./sql/local_client.ts";

export { parseFaults } from "./faults.ts";
export type { FaultConfig } from "./faults.ts";
export { AuthError, EmulatorAuth } from "./auth.ts";
export type { Principal, ScopedPrincipal, TokenKind } from "./auth.ts";
export { Warehouse, WAREHOUSE_FILE, WarehouseInUseError } from "./warehouse/warehouse.ts";
export { ApiError, errorResponse } from "./errors.ts";
export { StreamingService } from "./channels.ts";
export { SqlEngine } from "./sql/engine.ts";
export { SqlError } from "./sql/errors.ts";
export { DynamicTables } from "./dynamic/service.ts";
export { LocalSqlClient } from "./sql/local_client.ts";

/** Settings of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Data folder: `warehouse.duckdb` lives here; `rsa_key.pub` is trusted from here (created on
   * first start) unless `publicKeyPem` is given. */
  dataDir: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; default 0 (ephemeral). */
  port?: number;
  /** Account name; default LIFTLINE. Normalised like Snowflake's JWT sample (locator region
   * dropped, upper-cased). */
  account?: string;
  /** User; default STREAMING_INGEST. */
  user?: string;
  /** The account's database, created on first start; default STREAMING_INGEST. */
  database?: string;
  /** The database's schema, created on first start; default STREAMING_INGEST. */
  schema?: string;
  /** Trusted public key (SPKI PEM); overrides the data folder's. */
  publicKeyPem?: string;
  /** How long appended rows wait before they commit; default 1000, 0 = within the append. */
  commitDelayMs?: number;
  /** `EMULATOR_FAULTS` text or parsed faults. */
  faults?: string | FaultConfig;
  /** Dynamic tables: lag scale, scheduler tick, automatic refresh. */
  dynamic?: DynamicOptions;
  /** Session and master token lifetimes. */
  sessions?: SessionStoreOptions;
  /** DuckDB's memory limit, e.g. `256MB`. */
  memoryLimit?: string;
  /** How long a session's open transaction may sit idle before it is rolled back (60 s). */
  transactionIdleMs?: number;
  /** The same while other writes wait for it (10 s). */
  transactionContendedIdleMs?: number;
  /** How long a transaction may hold the writer while other writes wait all along (60 s). */
  transactionContendedHoldMs?: number;
  /** The clock the v2 API's tokens (key-pair JWTs, scoped tokens) are judged by; tests move it. */
  authNow?: () => number;
  /** Default: silent. */
  log?: Logger;
}

/** {@link EmulatorOptions} with every default applied. */
export interface ResolvedEmulatorOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly account: string;
  readonly user: string;
  readonly database: string;
  readonly schema: string;
  readonly publicKeyPem: string;
  readonly commitDelayMs: number;
  readonly faults: FaultConfig;
}

/** A running emulator and its parts. */
export interface EmulatorContext {
  readonly options: ResolvedEmulatorOptions;
  readonly warehouse: Warehouse;
  readonly auth: EmulatorAuth;
  readonly streaming: StreamingService;
  readonly sql: SqlEngine;
  readonly dynamic: DynamicTables;
  readonly sessions: SessionStore;
  readonly log: Logger;
  /** `http://host:port`, set once the server listens. */
  url: string;
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly context: EmulatorContext;
  /** A SQL client that runs statements in this process, as the account's user. */
  localClient(): LocalSqlClient;
  /** Its HTTP endpoints, called in this process (see `local_fetch.ts`). */
  readonly fetch: typeof fetch;
  /** Stops refreshing, the server, the commit timers, and closes the warehouse. */
  close(): Promise<void>;
}

/** Account part of a JWT per Snowflake's sample: drop the region/cloud part, upper-case. */
export function jwtAccountName(account: string): string {
  const a = account.trim();
  const cut = a.includes(".global") ? a.indexOf("-") : a.indexOf(".");
  return (cut > 0 ? a.slice(0, cut) : a).toUpperCase();
}

/**
 * Applies defaults and parses the faults (throws FaultSpecError); reads or
 * creates the data folder's key pair when no public key is given.
 */
export async function resolveEmulatorOptions(
  options: EmulatorOptions,
): Promise<ResolvedEmulatorOptions> {
  const faults = typeof options.faults === "string"
    ? parseFaults(options.faults)
    : options.faults ?? NO_FAULTS;
  const commitDelayMs = options.commitDelayMs ?? 1000;
  if (!(Number.isFinite(commitDelayMs) && commitDelayMs >= 0)) {
    throw new RangeError(`commitDelayMs must be 0 or more, got ${commitDelayMs}`);
  }
  await Deno.mkdir(options.dataDir, { recursive: true });
  const publicKeyPem = options.publicKeyPem ?? (await ensureKeyPair(options.dataDir)).publicKeyPem;
  return {
    dataDir: options.dataDir,
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    account: jwtAccountName(options.account ?? "LIFTLINE"),
    user: (options.user ?? "STREAMING_INGEST").toUpperCase(),
    database: (options.database ?? "STREAMING_INGEST").toUpperCase(),
    schema: (options.schema ?? "STREAMING_INGEST").toUpperCase(),
    publicKeyPem,
    commitDelayMs,
    faults,
  };
}

/** What a request that needs the warehouse's full disk is told (503: the API's "retry"). */
const DISK_FULL_MESSAGE =
  "The emulator's warehouse disk is full (no space left on device); free space in its data folder and retry the request.";

/** True for the errors of a write to a full disk. */
function isDiskFull(error: unknown): boolean {
  return /No space left on device|database or disk is full|os error 28|ENOSPC/i.test(
    String((error as Error | undefined)?.message ?? error),
  );
}

/** The methods `app`'s routes (not its middleware) take on `path`. */
function allowedMethods(app: Hono, path: string): string[] {
  const methods = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL") continue;
    const pattern = r.path.split("/").map((part) =>
      part.startsWith(":")
        ? "[^/]+"
        : part === "*"
        ? ".*"
        : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    ).join("/");
    if (new RegExp(`^${pattern}/?$`).test(path)) methods.add(r.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

/**
 * The emulator's hono app: health, the streaming endpoints (faults and Accept check in front),
 * and the SQL endpoints. Errors become `{"code","message"}` bodies with a 4xx for anything the
 * client got wrong; an unexpected failure is logged and answered 500, never a dead process.
 */
export function createEmulatorApp(ctx: EmulatorContext): Hono {
  const app = new Hono();
  // Liveness for whoever runs `liftline emulator` as a service (no faults, no auth: it says
  // nothing but that the process serves).
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  registerStreamingRoutes(app, {
    auth: ctx.auth,
    streaming: ctx.streaming,
    faults: ctx.options.faults,
    log: ctx.log,
    url: () => ctx.url,
  });
  const sqlDeps: SqlRouteDeps = {
    names: {
      account: ctx.options.account,
      database: ctx.options.database,
      schema: ctx.options.schema,
      user: ctx.options.user,
      // liftline's account set-up gives its user a default role of the same name.
      role: ctx.options.user,
    },
    sessions: ctx.sessions,
    verifyKeypairJwt: (token) => ctx.auth.verifyKeypairJwt(token),
    engine: ctx.sql,
    url: () => ctx.url,
    log: ctx.log.child("sql"),
  };
  registerSqlRoutes(app, sqlDeps);
  registerSqlApiRoutes(app, sqlDeps);
  app.notFound((c) => {
    // A known path asked with another method is 405, with the methods it takes.
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length) {
      return c.json(
        {
          code: ERROR_CODE.badRequest,
          message: `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(" or ")}.`,
        },
        405,
        { Allow: allowed.join(", ") },
      );
    }
    return c.json({
      code: "ERR_NOT_FOUND",
      message: `No such endpoint: ${c.req.method} ${c.req.path}`,
    }, 404);
  });
  let diskFullLoggedAt = 0;
  app.onError((err) => {
    if (err instanceof ApiError) return errorResponse(err.status, err.code, err.message);
    if (err instanceof AuthError) return errorResponse(401, ERROR_CODE.unauthorized, err.message);
    const status = (err as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      // hono's own HTTPException (e.g. from a body parser) keeps its 4xx.
      return errorResponse(status, ERROR_CODE.badRequest, err.message);
    }
    if (isDiskFull(err)) {
      // Said once a minute, not per request: every channel asks again every second or so.
      const now = Date.now();
      if (now - diskFullLoggedAt > 60_000) {
        diskFullLoggedAt = now;
        ctx.log.error(
          "the warehouse's disk is full: requests that write fail until space is freed",
          {
            error: err,
          },
        );
      }
      return errorResponse(503, ERROR_CODE.generalRetry, DISK_FULL_MESSAGE);
    }
    ctx.log.error("request failed", { error: err });
    return errorResponse(500, ERROR_CODE.generalRetry, "Internal error; retry the request.");
  });
  return app;
}

function urlOf(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

/** Creates the account's database and schema on first start. */
async function bootstrap(w: Warehouse, database: string, schema: string): Promise<void> {
  await w.writer.transaction(async (s) => {
    await w.catalog.createDatabase(s, database);
    await w.catalog.createSchema(s, database, schema);
  });
}

/**
 * Starts the emulator on `host:port` (Deno.serve). `close()` stops refreshing, the server, the
 * commit and fault timers, then closes the warehouse (committed state is already on disk;
 * uncommitted batches are discarded as a crash would).
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const resolved = await resolveEmulatorOptions(options);
  const log = options.log ?? silentLogger;
  const auth = await EmulatorAuth.create({
    account: resolved.account,
    user: resolved.user,
    publicKeyPem: resolved.publicKeyPem,
    tokenTtlSeconds: resolved.faults.tokenTtlSeconds,
    now: options.authNow,
  });
  const warehouse = await Warehouse.open(resolved.dataDir, {
    memoryLimit: options.memoryLimit,
    log: log.child("warehouse"),
  });
  let server: SupervisedServer | undefined;
  let dynamic: DynamicTables | undefined;
  let streaming: StreamingService | undefined;
  let sql: SqlEngine | undefined;
  const stop = async () => {
    await dynamic?.stop();
    await sql?.endTransactions();
    await server?.shutdown();
    streaming?.close();
    await warehouse.close();
  };
  try {
    await bootstrap(warehouse, resolved.database, resolved.schema);
    dynamic = await DynamicTables.open(warehouse, {
      log: log.child("dynamic"),
      ...options.dynamic,
    });
    sql = await SqlEngine.create({
      warehouse,
      dynamic,
      log: log.child("sql"),
      transactionIdleMs: options.transactionIdleMs,
      transactionContendedIdleMs: options.transactionContendedIdleMs,
      transactionContendedHoldMs: options.transactionContendedHoldMs,
    });
    const engine = sql;
    // Temporary tables and views belong to sessions, and none survives a restart.
    await engine.dropTemporaries(
      engine.session("startup", {
        user: resolved.user,
        account: resolved.account,
        database: resolved.database,
        schema: resolved.schema,
        warehouse: null,
        role: null,
      }),
      () => true,
    );
    await engine.endSession("startup");
    const sessions = new SessionStore({
      ...options.sessions,
      onEnd: (s) => {
        engine.endSession(String(s.id)).catch(() => {});
      },
    });
    streaming = new StreamingService(warehouse, {
      commitDelayMs: resolved.commitDelayMs,
      invalidateSeconds: resolved.faults.invalidateSeconds,
      log: log.child("streaming"),
    });
    const ctx: EmulatorContext = {
      options: resolved,
      warehouse,
      auth,
      streaming,
      sql,
      dynamic,
      sessions,
      log,
      url: "",
    };
    await streaming.start();
    const app = createEmulatorApp(ctx);
    server = serveSupervised(
      { hostname: resolved.host, port: resolved.port, onListen: () => {} },
      app.fetch,
      log,
    );
    ctx.url = urlOf(resolved.host, server.addr.port);
    dynamic.start();
    log.info("emulator listening", {
      url: ctx.url,
      account: resolved.account,
      commitDelayMs: resolved.commitDelayMs,
    });
    let closing: Promise<void> | undefined;
    let clients = 0;
    return {
      url: ctx.url,
      context: ctx,
      localClient: () =>
        new LocalSqlClient(engine, `local-${++clients}`, {
          user: resolved.user,
          account: resolved.account,
          database: resolved.database,
          schema: resolved.schema,
          role: resolved.user,
        }),
      fetch: localFetch(app.fetch),
      close: () => (closing ??= stop()),
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}
