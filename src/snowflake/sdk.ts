/**
 * SQL through snowflake-sdk, signed in with key-pair authentication, against a real account or
 * the embedded emulator (`accessUrl` = its base URL). The SDK is big, so it is imported the first
 * time a connection is made, never when this module is.
 *
 * The SDK logs to files and the console by default and keeps caches in the home folder; here its
 * logger is silenced and its caches and easy-logging configuration point into the data folder,
 * so nothing is written outside it.
 *
 * @module
 */
import { join } from "node:path";
import type { Config } from "../config/load.ts";

/** A value bound to a `?`. */
export type SqlBind = string | number | boolean | null;

/** One result column as the SDK describes it. */
export interface SqlColumn {
  name: string;
  /** Snowflake type: `fixed`, `real`, `text`, `date`, `timestamp_ntz`, `variant`, `boolean`, … */
  type: string;
  scale: number | null;
}

/**
 * Rows keyed by column name, typed: numbers as number, text as string, BOOLEAN as boolean, DATE
 * as `YYYY-MM-DD` text (a date has no time zone), timestamps as Date, VARIANT parsed.
 */
export interface SqlResult {
  columns: SqlColumn[];
  rows: Record<string, unknown>[];
}

/** Settings of {@link SnowflakeSql.connect}. */
export interface SnowflakeSqlOptions {
  /** Account identifier, e.g. `myorg-myaccount` or `LIFTLINE` for the emulator. */
  account: string;
  /** User to sign in as. */
  username: string;
  /** PKCS#8 PEM private key whose public key is registered on the user. */
  privateKeyPem: string;
  /** Base URL, e.g. `http://127.0.0.1:4321` for the emulator; default from account/host. */
  accessUrl?: string;
  /** Host (without scheme) when not `<account>.snowflakecomputing.com`. */
  host?: string;
  database?: string;
  schema?: string;
  warehouse?: string;
  role?: string;
  /** The data folder: the SDK's caches and (silenced) logs live under it. */
  dataDir: string;
  /** Request timeout in ms (default 60,000). */
  timeoutMs?: number;
  /**
   * Login attempts after the first on network errors (default 2). The SDK's own default retries
   * for minutes, too long for `check` against a target that is down.
   */
  loginRetries?: number;
}

/** A failed statement: Snowflake's code and SQLSTATE, and which statement it was. */
export class SnowflakeSqlError extends Error {
  /** Snowflake error code, e.g. `002003`, or the SDK's own code. */
  readonly code: string | undefined;
  /** SQLSTATE, e.g. `42S02`. */
  readonly sqlState: string | undefined;
  /** The statement that failed (first 500 characters). */
  readonly sql: string | undefined;
  constructor(
    message: string,
    details: { code?: string; sqlState?: string; sql?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "SnowflakeSqlError";
    this.code = details.code;
    this.sqlState = details.sqlState;
    this.sql = details.sql?.slice(0, 500);
  }
}

type Sdk = typeof import("snowflake-sdk");
type Connection = import("snowflake-sdk").Connection;

let sdkPromise: Promise<Sdk> | undefined;

/** Loads and configures snowflake-sdk once per process. */
function loadSdk(cacheDir: string): Promise<Sdk> {
  sdkPromise ??= (async () => {
    // The SDK creates its OCSP cache folder while it is being imported, in the home folder unless
    // told otherwise.
    try {
      if (!Deno.env.get("SF_OCSP_RESPONSE_CACHE_DIR")) {
        Deno.env.set("SF_OCSP_RESPONSE_CACHE_DIR", cacheDir);
      }
    } catch {
      // Without env permission the SDK keeps its default; nothing else to do.
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
  const text = JSON.stringify({ common: { log_level: "OFF", log_path: dir } });
  // The SDK refuses a config file that others can write.
  await Deno.writeTextFile(path, text, { mode: 0o600 });
  await Deno.chmod(path, 0o600).catch(() => {});
  return path;
}

function sdkError(e: unknown, sql?: string): SnowflakeSqlError {
  const err = e as { message?: string; code?: unknown; sqlState?: unknown };
  const code = err?.code === undefined || err.code === null ? undefined : String(err.code);
  const sqlState = typeof err?.sqlState === "string" ? err.sqlState : undefined;
  const what = sql ? `statement failed` : `connection failed`;
  return new SnowflakeSqlError(
    `${what}${code ? ` (${code}${sqlState ? `/${sqlState}` : ""})` : ""}: ${err?.message ?? e}`,
    { code, sqlState, sql, cause: e },
  );
}

function typed(column: SqlColumn, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (column.type === "date" && v instanceof Date) return v.toISOString().slice(0, 10);
  if (column.type.startsWith("timestamp") && v instanceof Date) return new Date(v.getTime());
  return v;
}

/** One signed-in snowflake-sdk connection. */
export class SnowflakeSql {
  readonly #conn: Connection;
  #closed = false;

  private constructor(conn: Connection) {
    this.#conn = conn;
  }

  /** Signs in with key-pair authentication. Throws {@link SnowflakeSqlError} when it cannot. */
  static async connect(options: SnowflakeSqlOptions): Promise<SnowflakeSql> {
    const dir = join(options.dataDir, ".snowflake-sdk");
    const clientConfigFile = await writeClientConfig(dir);
    const sdk = await loadSdk(dir);
    let conn: Connection;
    try {
      conn = sdk.createConnection(
        {
          account: options.account,
          username: options.username,
          authenticator: "SNOWFLAKE_JWT",
          privateKey: options.privateKeyPem,
          accessUrl: options.accessUrl,
          host: options.accessUrl ? undefined : options.host,
          database: options.database,
          schema: options.schema,
          warehouse: options.warehouse,
          role: options.role,
          application: "liftline",
          clientConfigFile,
          timeout: options.timeoutMs ?? 60_000,
          sfRetryMaxLoginRetries: options.loginRetries ?? 2,
        } as Parameters<Sdk["createConnection"]>[0],
      );
    } catch (e) {
      throw sdkError(e);
    }
    await new Promise<void>((resolve, reject) => {
      conn.connect((err) => (err ? reject(sdkError(err)) : resolve()));
    });
    return new SnowflakeSql(conn);
  }

  /** Runs one statement with `?` binds. Throws {@link SnowflakeSqlError} when it fails. */
  query(sql: string, binds: readonly SqlBind[] = []): Promise<SqlResult> {
    if (this.#closed) return Promise.reject(new SnowflakeSqlError("the connection is closed"));
    return new Promise((resolve, reject) => {
      try {
        this.#conn.execute({
          sqlText: sql,
          binds: binds as SqlBind[],
          complete: (err, stmt, rows) => {
            if (err) return reject(sdkError(err, sql));
            const columns: SqlColumn[] = (stmt.getColumns() ?? []).map((c) => ({
              name: c.getName(),
              type: c.getType(),
              scale: c.getScale() ?? null,
            }));
            const out = (rows ?? []).map((r: Record<string, unknown>) => {
              const o: Record<string, unknown> = {};
              for (const c of columns) o[c.name] = typed(c, r[c.name]);
              return o;
            });
            resolve({ columns, rows: out });
          },
        });
      } catch (e) {
        reject(sdkError(e, sql));
      }
    });
  }

  /** Signs out (ends the session). Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => {
      // A session that is already gone is closed all the same.
      this.#conn.destroy(() => resolve());
    });
  }
}

/**
 * Connection settings from the configuration: a real account (`TARGET=snowflake`), or the
 * emulator at `emulatorUrl` (its account defaults to LIFTLINE, like the emulator's).
 */
export function sdkOptionsFromConfig(
  config: Config,
  privateKeyPem: string,
  emulatorUrl?: string,
): SnowflakeSqlOptions {
  const local = config.target === "local";
  let url = local ? emulatorUrl ?? config.EMULATOR_URL : undefined;
  if (local && !url) throw new Error("the local target needs the emulator's URL");
  let host = local ? undefined : config.SNOWFLAKE_HOST;
  // SNOWFLAKE_HOST may carry a scheme; the SDK's `host` may not.
  if (host && /^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    url = new URL(host).origin;
    host = undefined;
  }
  return {
    account: config.SNOWFLAKE_ACCOUNT ?? "LIFTLINE",
    username: config.SNOWFLAKE_USER,
    privateKeyPem,
    accessUrl: url ? new URL(url).origin : undefined,
    host,
    database: config.DATABASE_NAME,
    schema: config.SCHEMA_NAME,
    warehouse: config.SNOWFLAKE_WAREHOUSE,
    role: config.SNOWFLAKE_ROLE ?? config.SNOWFLAKE_WAREHOUSE,
    dataDir: config.dataDir,
  };
}
