/**
 * The embedded Snowflake emulator: the Snowpipe Streaming v2 REST API over a local SQLite
 * warehouse, with real key-pair authentication, delayed commits and fault injection. The SQL side
 * (snowflake-sdk endpoints, dynamic tables) plugs in through {@link EmulatorExtension}.
 *
 * Importing this module starts nothing; {@link startEmulator} does.
 *
 * @module
 */
import { Hono } from "hono";
import { join } from "node:path";
import { type TableName, TABLES } from "../config/load.ts";
import { ERROR_CODE } from "../snowflake/protocol.ts";
import { ensureKeyPair } from "../snowflake/key_files.ts";
import { type Logger, silentLogger } from "../log.ts";
import { AuthError, EmulatorAuth } from "./auth.ts";
import { StreamingService } from "./channels.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { type FaultConfig, NO_FAULTS, parseFaults } from "./faults.ts";
import { registerStreamingRoutes } from "./routes.ts";
import { Warehouse, WAREHOUSE_FILE } from "./warehouse.ts";
import { sqlExtension } from "./sql/mod.ts";

export { parseFaults } from "./faults.ts";
export type { FaultConfig } from "./faults.ts";
export { AuthError, EmulatorAuth } from "./auth.ts";
export type { Principal, ScopedPrincipal, TokenKind } from "./auth.ts";
export { CHANNELS_TABLE, RAW_TABLES, Warehouse, WAREHOUSE_FILE } from "./warehouse.ts";
export { ApiError, errorResponse } from "./errors.ts";
export { StreamingService } from "./channels.ts";

/** Settings of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Data folder: `warehouse.db` lives here; `rsa_key.pub` is trusted from here (created on first
   * start) unless `publicKeyPem` is given. */
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
  /** Database; default STREAMING_INGEST. */
  database?: string;
  /** Schema; default STREAMING_INGEST. */
  schema?: string;
  /** Pipe name per table; default `<TABLE>_PIPE`. */
  pipes?: Record<TableName, string>;
  /** Trusted public key (SPKI PEM); overrides the data folder's. */
  publicKeyPem?: string;
  /** How long appended rows wait before they commit; default 1000, 0 = within the append. */
  commitDelayMs?: number;
  /** `EMULATOR_FAULTS` text or parsed faults. */
  faults?: string | FaultConfig;
  /** SQL side and dynamic tables; default: the SQL extension (`sqlExtension()`). */
  extensions?: EmulatorExtension[];
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
  readonly pipes: Readonly<Record<TableName, string>>;
  readonly publicKeyPem: string;
  readonly commitDelayMs: number;
  readonly faults: FaultConfig;
}

/** What routes and extensions share. */
export interface EmulatorContext {
  readonly options: ResolvedEmulatorOptions;
  readonly warehouse: Warehouse;
  readonly auth: EmulatorAuth;
  readonly streaming: StreamingService;
  readonly log: Logger;
  /** `http://host:port`, set once the server listens. */
  url: string;
}

/** A plug-in: the SQL API and the dynamic-table engine. */
export interface EmulatorExtension {
  /** Adds routes to the app (called while it is built; the faults don't apply to them). */
  routes?(app: Hono, ctx: EmulatorContext): void;
  /** Called once the server listens (`ctx.url` is set). */
  start?(ctx: EmulatorContext): void | Promise<void>;
  /** Called on close, before the warehouse closes (in reverse order of the extensions). */
  stop?(): void | Promise<void>;
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly context: EmulatorContext;
  /** Stops the server, the commit timers and the extensions, and closes `warehouse.db`. */
  close(): Promise<void>;
}

/** Account part of a JWT per Snowflake's sample: drop the region/cloud part, upper-case. */
export function jwtAccountName(account: string): string {
  const a = account.trim();
  const cut = a.includes(".global") ? a.indexOf("-") : a.indexOf(".");
  return (cut > 0 ? a.slice(0, cut) : a).toUpperCase();
}

/**
 * Applies defaults and parses the faults (throws ConfigError naming EMULATOR_FAULTS); reads or
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
  const pipes = Object.fromEntries(
    TABLES.map((t) => [t, (options.pipes?.[t] ?? `${t}_PIPE`).toUpperCase()]),
  ) as Record<TableName, string>;
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
    pipes,
    publicKeyPem,
    commitDelayMs,
    faults,
  };
}

/**
 * Builds the emulator's context without any HTTP: the warehouse, the authenticator and the
 * streaming service. For in-process use and tests; {@link startEmulator} is the usual entry.
 */
export async function createEmulatorContext(
  options: EmulatorOptions,
): Promise<EmulatorContext & { close(): void }> {
  const resolved = await resolveEmulatorOptions(options);
  const log = options.log ?? silentLogger;
  const auth = await EmulatorAuth.create({
    account: resolved.account,
    user: resolved.user,
    publicKeyPem: resolved.publicKeyPem,
    tokenTtlSeconds: resolved.faults.tokenTtlSeconds,
  });
  const warehouse = new Warehouse(join(resolved.dataDir, WAREHOUSE_FILE));
  let streaming: StreamingService;
  try {
    streaming = new StreamingService(warehouse, {
      database: resolved.database,
      schema: resolved.schema,
      pipes: resolved.pipes,
      commitDelayMs: resolved.commitDelayMs,
      invalidateSeconds: resolved.faults.invalidateSeconds,
      log: log.child("streaming"),
    });
  } catch (e) {
    warehouse.close();
    throw e;
  }
  return {
    options: resolved,
    warehouse,
    auth,
    streaming,
    log,
    url: "",
    close() {
      streaming.close();
      warehouse.close();
    },
  };
}

/**
 * The emulator's hono app: the streaming endpoints (faults and Accept check in front), then each
 * extension's routes. Errors become `{"code","message"}` bodies with a 4xx for anything the client
 * got wrong; an unexpected failure is logged and answered 500, never a dead process.
 */
export function createEmulatorApp(
  ctx: EmulatorContext,
  extensions: readonly EmulatorExtension[] = [],
): Hono {
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
  for (const ext of extensions) ext.routes?.(app, ctx);
  app.notFound((c) => {
    return c.json({
      code: "ERR_NOT_FOUND",
      message: `No such endpoint: ${c.req.method} ${c.req.path}`,
    }, 404);
  });
  app.onError((err) => {
    if (err instanceof ApiError) return errorResponse(err.status, err.code, err.message);
    if (err instanceof AuthError) return errorResponse(401, ERROR_CODE.unauthorized, err.message);
    const status = (err as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      // hono's own HTTPException (e.g. from a body parser) keeps its 4xx.
      return errorResponse(status, ERROR_CODE.badRequest, err.message);
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

/**
 * Starts the emulator on `host:port` (Deno.serve). `close()` stops the server, the commit and
 * fault timers and the extensions, then closes `warehouse.db` (committed state is already on
 * disk; uncommitted batches are discarded as a crash would).
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const ctx = await createEmulatorContext(options);
  const extensions = options.extensions ?? [sqlExtension()];
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  const started: EmulatorExtension[] = [];
  const stop = async () => {
    await server?.shutdown();
    for (const ext of started.reverse()) {
      try {
        await ext.stop?.();
      } catch (e) {
        ctx.log.error("emulator extension failed to stop", { error: e as Error });
      }
    }
    ctx.close();
  };
  try {
    const app = createEmulatorApp(ctx, extensions);
    server = Deno.serve(
      { hostname: ctx.options.host, port: ctx.options.port, onListen: () => {} },
      app.fetch,
    );
    ctx.url = urlOf(ctx.options.host, server.addr.port);
    for (const ext of extensions) {
      started.push(ext);
      await ext.start?.(ctx);
    }
    ctx.streaming.start();
  } catch (e) {
    await stop();
    throw e;
  }
  ctx.log.info("emulator listening", {
    url: ctx.url,
    account: ctx.options.account,
    commitDelayMs: ctx.options.commitDelayMs,
  });
  let closing: Promise<void> | undefined;
  return {
    url: ctx.url,
    context: ctx,
    close: () => (closing ??= stop()),
  };
}
